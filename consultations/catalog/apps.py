from django.apps import AppConfig


class CatalogConfig(AppConfig):
    name = "consultations.catalog"
    label = "catalog"
    verbose_name = "Treatment catalog"
