from django.apps import AppConfig


class IntakeConfig(AppConfig):
    name = "consultations.intake"
    label = "intake"
    verbose_name = "Patient intake"
