"""Showing the patient's data export (consultations.patients.data_export) as a page."""

from django import template
from django.utils.translation import gettext_lazy as _

register = template.Library()

# The export's keys stay English in the JSON (a file for any program); the page names them in
# the patient's language. tests/patients/test_rights.py checks that every key has a label.
DATA_LABELS = {
    "account": _("Account"),
    "anaphylaxis_ever": _("Anaphylaxis ever"),
    "answered_with_the_patient_present": _("Answered with the patient present"),
    "answers": _("Answers"),
    "appointment": _("Appointment"),
    "appointments": _("Appointments"),
    "area": _("Area"),
    "at": _("When"),
    "booked_at": _("Booked at"),
    "browser": _("Browser"),
    "by": _("By"),
    "check_ins": _("Check ins"),
    "clearance_expires_on": _("Clearance expires on"),
    "clearances": _("Clearances"),
    "clinical_note": _("Clinical note"),
    "clinician": _("Clinician"),
    "clinician_registration": _("Clinician registration"),
    "closed_at": _("Closed at"),
    "common_allergies": _("Common allergies"),
    "conditions": _("Conditions"),
    "confirmed_by": _("Confirmed by"),
    "consent": _("Consent"),
    "consent_language": _("Consent language"),
    "consent_signature": _("Consent signature"),
    "consent_version": _("Consent version"),
    "corrects": _("Corrects"),
    "created_at": _("Created at"),
    "date_joined": _("Date joined"),
    "date_of_birth": _("Date of birth"),
    "decided_at": _("Decided at"),
    "decision": _("Decision"),
    "decisions": _("Decisions"),
    "deferred_until": _("Deferred until"),
    "detail": _("Detail"),
    "details": _("Details"),
    "email": _("Email"),
    "ends_at": _("Ends at"),
    "expires_on": _("Expires on"),
    "exported_at": _("Exported at"),
    "findings": _("Findings"),
    "first_used_at": _("First used at"),
    "format": _("Format"),
    "full_name": _("Full name"),
    "goal": _("Goal"),
    "granted_at": _("Granted at"),
    "has_allergies": _("Has allergies"),
    "history": _("History"),
    "infection_or_wound_at_the_area": _("Infection or wound at the area"),
    "intake_version": _("Intake version"),
    "intakes": _("Intakes"),
    "ip_address": _("IP address"),
    "isotretinoin": _("Isotretinoin"),
    "isotretinoin_last_taken": _("Isotretinoin last taken"),
    "kind": _("Kind"),
    "last_login": _("Last login"),
    "medicines_and_supplements": _("Medicines and supplements"),
    "message_to_patient": _("Message to patient"),
    "messages": _("Messages"),
    "mobile_phone": _("Mobile phone"),
    "new_medicines_since": _("New medicines since"),
    "notes_to_the_front_desk": _("Notes to the front desk"),
    "opened_at": _("Opened at"),
    "other_allergies": _("Other allergies"),
    "other_conditions": _("Other conditions"),
    "outcome": _("Outcome"),
    "override_justification": _("Override justification"),
    "override_of_a_block_flag": _("Override of a block flag"),
    "patient": _("Patient"),
    "practitioner": _("Practitioner"),
    "preferred_language": _("Preferred language"),
    "pregnancy": _("Pregnancy"),
    "pregnant_breastfeeding_or_trying_since": _("Pregnant breastfeeding or trying since"),
    "previous_treatments": _("Previous treatments"),
    "problem_reports": _("Problem reports"),
    "product": _("Product"),
    "public_id": _("Reference"),
    "recent_illness_details": _("Recent illness details"),
    "recent_illness_vaccination_or_dental_work": _("Recent illness vaccination or dental work"),
    "reported_at": _("Reported at"),
    "requests": _("Requests"),
    "review_cases": _("Review cases"),
    "revoked_at": _("Revoked at"),
    "revoked_because": _("Revoked because"),
    "room": _("Room"),
    "ruleset": _("Screening rules version"),
    "screened_at": _("Screened at"),
    "screenings": _("Screenings"),
    "several_severe_allergies": _("Several severe allergies"),
    "sex_at_birth": _("Sex at birth"),
    "signed_at": _("Signed at"),
    "skin_today": _("Skin today"),
    "standing": _("Standing"),
    "started_at": _("Started at"),
    "starts_at": _("Starts at"),
    "status": _("Status"),
    "status_after": _("Status after"),
    "submitted_at": _("Submitted at"),
    "summary": _("Summary"),
    "symptoms": _("Symptoms"),
    "takes_medicines": _("Takes medicines"),
    "text_sha256": _("Fingerprint of the signed text (SHA-256)"),
    "treated_in_these_areas_in_the_last_12_months": _(
        "Treated in these areas in the last 12 months"
    ),
    "treated_on": _("Treated on"),
    "treatment": _("Treatment"),
    "treatment_requests": _("Treatment requests"),
    "typed_but_not_yet_saved": _("Typed but not yet saved"),
    "typed_name": _("Typed name"),
    "version": _("Version"),
    "what": _("What"),
    "what_was_done": _("What was done"),
    "which_medicines": _("Which medicines"),
    "worst_allergic_reaction": _("Worst allergic reaction"),
}


@register.filter
def data_label(key: object) -> str:
    """`treated_on` reads as "Treated on" (in the page's language)."""
    label = DATA_LABELS.get(str(key))
    if label is not None:
        return str(label)
    words = str(key).replace("_", " ")
    return words[:1].upper() + words[1:]


@register.filter
def data_kind(value: object) -> str:
    """How a value of the export is shown: a list, a group of fields, yes/no, empty or text."""
    if isinstance(value, dict):
        return "mapping"
    if isinstance(value, list):
        return "list"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if value is None or value == "":
        return "empty"
    return "text"
