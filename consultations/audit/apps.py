from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "consultations.audit"
    label = "audit"
    verbose_name = "Audit"
