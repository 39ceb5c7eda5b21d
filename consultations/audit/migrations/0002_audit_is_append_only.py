"""The audit trail is evidence: PostgreSQL refuses UPDATE and DELETE on every audit table."""

from django.db import migrations

from consultations.db import append_only

AUDIT_TABLES = [
    "audit_accessevent",
    "audit_patienthistory",
    "audit_userhistory",
    "audit_intakehistory",
    "audit_treatmentrequesthistory",
    "audit_skincheckhistory",
    "audit_previoustreatmenthistory",
    "audit_consentsignaturehistory",
    "audit_reviewcasehistory",
    "audit_decisionhistory",
    "audit_clearancehistory",
    "audit_frontdesknotehistory",
    "audit_appointmenthistory",
    "audit_checkinhistory",
    "audit_problemreporthistory",
]


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]

    operations = [append_only(table) for table in AUDIT_TABLES]
