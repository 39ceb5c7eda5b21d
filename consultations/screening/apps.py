from django.apps import AppConfig


class ScreeningConfig(AppConfig):
    name = "consultations.screening"
    label = "screening"
    verbose_name = "Contraindication screening"
