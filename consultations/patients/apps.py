from django.apps import AppConfig
from django.db.models.signals import post_migrate


class PatientsConfig(AppConfig):
    name = "consultations.patients"
    label = "patients"
    verbose_name = "Patients and staff"

    def ready(self) -> None:
        from consultations.patients.roles import sync_role_groups

        # Permissions exist only after migrate has run, so the role groups are
        # brought in line with ROLE_PERMISSIONS then, not in a migration.
        post_migrate.connect(sync_role_groups, dispatch_uid="patients.sync_role_groups")
        # Stamps each new login's session with its start time (the staff session limits).
        from consultations.patients import sessions  # noqa: F401
