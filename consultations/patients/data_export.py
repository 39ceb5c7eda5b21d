"""Everything the clinic holds about a patient, for their right of access (GDPR art. 15 and 20,
HIPAA 45 CFR 164.524): one structure, shown as a page and downloaded as JSON.

What is included is the designated record set, not only what the patient pages show: the
answers of every intake version (drafts too, with what was typed and not yet saved), the
signed consents, what screening told the patient, every decision *with its clinical note and
override justification* (a patient's right of access covers the clinician's notes about them),
clearances, appointments with their history, check-ins, problem reports, concerns and the
notes left for the front desk. Sequential database ids never leave the clinic: records are
named by their public ids. See docs/retention.md.
"""

import datetime as dt
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext

from consultations.patients.models import Patient, User

EXPORT_FORMAT = "clinic-patient-data/1"


def _when(value: dt.datetime | dt.date | None) -> str | None:
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return timezone.localtime(value).isoformat(timespec="seconds")
    return value.isoformat()


def _label(choices: dict[str, Any], code: str) -> str:
    return str(choices.get(code, code)) if code else ""


def patient_data_export(*, user: User) -> dict[str, Any]:
    """All of this login's data and its patient's records, as plain JSON-ready values."""
    patient = Patient.objects.filter(user=user).first()
    data: dict[str, Any] = {
        "format": EXPORT_FORMAT,
        "exported_at": _when(timezone.now()),
        "account": {
            "email": user.email,
            "full_name": user.full_name,
            "preferred_language": user.preferred_language,
            "date_joined": _when(user.date_joined),
            "last_login": _when(user.last_login),
        },
    }
    if patient is None:
        return data
    data["patient"] = {
        "public_id": str(patient.public_id),
        "full_name": patient.full_name,
        "created_at": _when(patient.created_at),
    }
    data.update(_medical_records(patient))
    return data


def _medical_records(patient: Patient) -> dict[str, Any]:
    # The export spans every room, and the patients room sits to the left of all of them. Like
    # seed_demo, this is an entry point that nothing else imports: the imports stay here, at
    # call time, so that importing the patients room never loads the rooms to its right.
    from consultations.booking.models import Appointment, CheckIn, ProblemReport, Symptom
    from consultations.catalog.models import Area, Product
    from consultations.intake.selectors import with_answers
    from consultations.review.models import (
        Clearance,
        ClearanceCondition,
        Decision,
        FrontDeskNote,
        ReviewCase,
    )
    from consultations.screening.models import Screening

    intakes = list(with_answers(patient.intakes.order_by("version")))
    version_of = {intake.pk: intake.version for intake in intakes}
    conditions = dict(ClearanceCondition.choices)

    screenings = Screening.objects.filter(intake__patient=patient).order_by("created_at")
    decisions = Decision.objects.filter(intake__patient=patient).select_related(
        "product", "area", "corrects"
    )
    corrected = set(
        Decision.objects.filter(intake__patient=patient, corrects__isnull=False).values_list(
            "corrects_id", flat=True
        )
    )
    clearances = (
        Clearance.objects.filter(patient=patient)
        .select_related("product", "area", "decision")
        .order_by("granted_at")
    )
    cases = ReviewCase.objects.filter(patient=patient).order_by("created_at")
    appointments = (
        Appointment.objects.filter(patient=patient)
        .select_related("treatment", "product", "area", "practitioner", "room")
        .prefetch_related("events__by")
        .order_by("starts_at")
    )
    check_ins = (
        CheckIn.objects.filter(appointment__patient=patient)
        .select_related("appointment", "confirmed_by")
        .order_by("at")
    )
    reports = (
        ProblemReport.objects.filter(appointment__patient=patient)
        .select_related("appointment")
        .order_by("created_at")
    )
    symptoms = dict(Symptom.choices)
    names = {
        "product": dict(Product.objects.values_list("code", "name")),
        "area": dict(Area.objects.values_list("code", "name")),
    }
    return {
        "intakes": [_intake(intake) for intake in intakes],
        "screenings": [_screening(s, version_of, names) for s in screenings],
        "decisions": [
            {
                "public_id": str(d.public_id),
                "intake_version": version_of.get(d.intake_id),
                "product": d.product.translated("name"),
                "area": d.area.translated("name"),
                "decision": d.get_kind_display(),
                "conditions": [_label(conditions, c) for c in d.conditions],
                "other_conditions": d.conditions_note,
                "clearance_expires_on": _when(d.expires_on),
                "deferred_until": _when(d.defer_until),
                "message_to_patient": d.message_to_patient,
                "clinical_note": d.note,
                "override_of_a_block_flag": d.is_override,
                "override_justification": d.justification,
                "clinician": d.clinician_name,
                "clinician_registration": d.clinician_registration,
                "decided_at": _when(d.decided_at),
                "corrects": str(d.corrects.public_id) if d.corrects else None,
                "standing": d.pk not in corrected,
            }
            for d in decisions
        ],
        "clearances": [
            {
                "public_id": str(c.public_id),
                "decision": str(c.decision.public_id),
                "intake_version": version_of.get(c.intake_id),
                "product": c.product.translated("name"),
                "area": c.area.translated("name"),
                "conditions": [_label(conditions, code) for code in c.conditions],
                "other_conditions": c.conditions_note,
                "granted_at": _when(c.granted_at),
                "expires_on": _when(c.expires_on),
                "first_used_at": _when(c.first_used_at),
                "revoked_at": _when(c.revoked_at),
                "revoked_because": c.get_revoked_because_display() if c.revoked_because else "",
            }
            for c in clearances
        ],
        "review_cases": [
            {
                "public_id": str(case.public_id),
                "kind": case.get_kind_display(),
                "intake_version": version_of.get(case.intake_id),
                "status": case.get_status_display(),
                "summary": case.summary,
                "what_was_done": case.resolution,
                "opened_at": _when(case.created_at),
                "closed_at": _when(case.closed_at),
            }
            for case in cases
        ],
        "appointments": [
            {
                "public_id": str(a.public_id),
                "treatment": a.treatment.translated("name"),
                "product": a.product.translated("name"),
                "area": a.area.translated("name"),
                "practitioner": a.practitioner.display_name,
                "room": a.room.name,
                "starts_at": _when(a.starts_at),
                "ends_at": _when(a.ends_at),
                "status": a.get_status_display(),
                "booked_at": _when(a.created_at),
                "history": [
                    {
                        "what": e.get_kind_display(),
                        "status_after": e.get_status_display(),
                        "at": _when(e.at),
                        "by": e.by.full_name,
                        "detail": e.detail,
                    }
                    for e in a.events.all()
                ],
            }
            for a in appointments
        ],
        "check_ins": [
            {
                "appointment": str(c.appointment.public_id),
                "at": _when(c.at),
                "pregnant_breastfeeding_or_trying_since": c.pregnancy_changed,
                "infection_or_wound_at_the_area": c.infection_at_area,
                "new_medicines_since": c.new_medications,
                "which_medicines": c.new_medications_detail,
                "answered_with_the_patient_present": c.with_patient,
                "confirmed_by": c.confirmed_by.full_name,
            }
            for c in check_ins
        ],
        "problem_reports": [
            {
                "public_id": str(r.public_id),
                "appointment": str(r.appointment.public_id),
                "reported_at": _when(r.created_at),
                "symptoms": [_label(symptoms, s) for s in r.symptoms],
                "details": r.details,
            }
            for r in reports
        ],
        "notes_to_the_front_desk": [
            {"note": n.text, "at": _when(n.created_at)}
            for n in FrontDeskNote.objects.filter(patient=patient).order_by("created_at")
        ],
    }


def _intake(intake: Any) -> dict[str, Any]:
    signature = intake.consent_signature
    return {
        "public_id": str(intake.public_id),
        "version": intake.version,
        "status": intake.get_status_display(),
        "started_at": _when(intake.created_at),
        "submitted_at": _when(intake.submitted_at),
        "answers": {
            "date_of_birth": _when(intake.date_of_birth),
            "sex_at_birth": intake.get_sex_at_birth_display(),
            "mobile_phone": intake.phone,
            "has_allergies": intake.has_allergies,
            "common_allergies": intake.get_common_allergies_display(),
            "other_allergies": intake.allergies_other,
            "worst_allergic_reaction": intake.get_allergy_reaction_display(),
            "anaphylaxis_ever": intake.anaphylaxis_history,
            "several_severe_allergies": intake.multiple_severe_allergies,
            "takes_medicines": intake.takes_medications,
            "medicines_and_supplements": intake.medications,
            "isotretinoin": intake.get_isotretinoin_display(),
            "isotretinoin_last_taken": _when(intake.isotretinoin_last_taken),
            "recent_illness_vaccination_or_dental_work": intake.recent_illness_or_vaccination,
            "recent_illness_details": intake.recent_illness_details,
            "conditions": intake.get_conditions_display()
            if intake.conditions is not None
            else None,
            "other_conditions": intake.conditions_other,
            "pregnancy": intake.get_pregnancy_display(),
            "treated_in_these_areas_in_the_last_12_months": intake.had_previous_treatments,
        },
        "typed_but_not_yet_saved": intake.pending_input or {},
        "treatment_requests": [
            {
                "treatment": r.treatment.translated("name"),
                "product": r.product.translated("name") if r.product else None,
                "area": r.area.translated("name"),
                "goal": r.get_goal_display(),
            }
            for r in intake.requests.all()
        ],
        "skin_today": [
            {"area": c.area.translated("name"), "findings": c.get_findings_display()}
            for c in intake.skin_checks.all()
        ],
        "previous_treatments": [
            {
                "what": p.product.translated("name") if p.product else p.description,
                "area": p.area.translated("name"),
                "treated_on": _when(p.treated_on),
            }
            for p in intake.previous_treatments.all()
        ],
        "consent_signature": None
        if signature is None
        else {
            "public_id": str(signature.public_id),
            "consent": signature.consent_text.title,
            "consent_version": signature.consent_text.version,
            "consent_language": signature.consent_text.language,
            "text_sha256": signature.text_sha256,
            "typed_name": signature.full_name,
            "signed_at": _when(signature.signed_at),
            "ip_address": signature.ip_address,
            "browser": signature.user_agent,
        },
    }


def _screening(
    screening: Any, version_of: dict[int, int], names: dict[str, dict[str, str]]
) -> dict[str, Any]:
    return {
        "intake_version": version_of.get(screening.intake_id),
        "screened_at": _when(screening.created_at),
        "ruleset": screening.ruleset,
        "outcome": screening.get_outcome_display(),
        "requests": [
            {
                "product": names["product"].get(request["product"], request["product"]),
                "area": names["area"].get(request["area"], request["area"]),
                "outcome": request["outcome"],
                # What the patient is told; several flags can share one message.
                "messages": list(
                    dict.fromkeys(gettext(f["patient_message"]) for f in request["flags"])
                ),
            }
            for request in screening.result["requests"]
        ],
    }
