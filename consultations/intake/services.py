"""Every change to an intake: open a draft, save a step, sign, submit.

Each service runs in one transaction, locks the intake row it changes, refuses
changes to anything but a draft, and validates with the model's own rules, so
the rules hold for every caller (views, commands, tests), not just the wizard.
"""

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import BigIntegerField, OuterRef, QuerySet, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from consultations.catalog.models import Area, Product, Treatment
from consultations.catalog.revision import revision_column
from consultations.db import Param, Prepared, PreparedSave, require_transaction, validate_fields
from consultations.intake.choices import Pregnancy, SexAtBirth
from consultations.intake.models import (
    ConsentSignature,
    ConsentText,
    Intake,
    PreviousTreatment,
    SkinCheck,
    TreatmentRequest,
)
from consultations.intake.selectors import (
    OwnIntake,
    latest_consent_texts,
    own_intake_prepared,
    with_screened_answers,
)
from consultations.intake.steps import (
    ANSWER_STEPS,
    STEPS_BY_CODE,
    fingerprint,
    missing_steps,
    step_snapshot,
)
from consultations.patients.models import Patient

MAX_REQUESTS = 10
MAX_PREVIOUS_TREATMENTS = 20


class IntakeNotEditable(Exception):
    """The intake was submitted: a change must start a new version."""


class StaleAnswers(Exception):
    """This step was changed elsewhere (another tab or device) since the page was opened."""

    def __init__(self, current_fingerprint: str) -> None:
        super().__init__("stale answers")
        self.current_fingerprint = current_fingerprint


@dataclass(frozen=True)
class RequestAnswer:
    treatment: Treatment
    product: Product | None
    area: Area
    goal: str


@dataclass(frozen=True)
class PreviousAnswer:
    product: Product | None
    description: str
    area: Area
    treated_on: dt.date


def _lock_draft(intake_id: int) -> Intake:
    intake = Intake.objects.select_for_update().get(pk=intake_id)
    if not intake.is_draft:
        raise IntakeNotEditable
    return intake


def _plain(value: object) -> object:
    return value.isoformat() if hasattr(value, "isoformat") else value


def _guard_conflict(
    current: dict[str, object], proposed: dict[str, object], base_fingerprint: str | None
) -> None:
    """Refuse to overwrite answers the patient has not seen.

    A conflict is a change made elsewhere since the page was rendered *and* a
    different answer now; a double click sends the same answers twice and is not one.
    """
    now = fingerprint(current)
    if base_fingerprint is not None and base_fingerprint != now and proposed != current:
        raise StaleAnswers(now)


def _finish_change(intake: Intake, step: str, changed: bool, fields: list[str]) -> None:
    """Clear the step's pending input; a changed answer voids a signature given before it."""
    intake.pending_input = {k: v for k, v in intake.pending_input.items() if k != step}
    update = {*fields, "pending_input", "updated_at"}
    if changed and intake.consent_signature_id is not None:
        intake.consent_signature = None
        update.add("consent_signature")
    intake.updated_at = timezone.now()
    intake.full_clean()
    intake.save(update_fields=sorted(update))


def _copy_answers(source: Intake, target: Intake) -> None:
    for step in ANSWER_STEPS:
        for name in step.fields:
            setattr(target, name, getattr(source, name))


@transaction.atomic
def intake_open_draft(*, patient: Patient) -> Intake:
    """The patient's open draft; else a new version prefilled from their last submission.

    The skin questions are not carried over: they ask about the skin today.
    Locking the patient row makes a double click on "start" open one draft, not two.
    """
    Patient.objects.select_for_update().only("pk").get(pk=patient.pk)
    draft = patient.intakes.drafts().first()
    if draft is not None:
        return draft
    latest = patient.intakes.submitted().order_by("-version").first()
    draft = Intake(patient=patient, version=(latest.version + 1) if latest else 1, previous=latest)
    if latest is not None:
        _copy_answers(latest, draft)
    draft.full_clean()
    draft.save()
    if latest is not None:
        TreatmentRequest.objects.bulk_create(
            TreatmentRequest(
                intake=draft,
                treatment_id=r.treatment_id,
                product_id=r.product_id,
                area_id=r.area_id,
                goal=r.goal,
                position=r.position,
            )
            for r in latest.requests.all()
        )
        PreviousTreatment.objects.bulk_create(
            PreviousTreatment(
                intake=draft,
                product_id=p.product_id,
                description=p.description,
                area_id=p.area_id,
                treated_on=p.treated_on,
                position=p.position,
            )
            for p in latest.previous_treatments.all()
        )
    return draft


@transaction.atomic
def intake_save_answers(
    *, intake_id: int, step: str, answers: Mapping[str, Any], base_fingerprint: str | None
) -> Intake:
    """Save the answers of one question step: about, allergies, medicines, conditions, pregnancy."""
    fields = STEPS_BY_CODE[step].fields
    if not fields or not set(answers) <= set(fields):
        raise ValueError(f"{sorted(set(answers) - set(fields))} are not answers of step {step}")
    intake = _lock_draft(intake_id)
    current = step_snapshot(intake, step)
    proposed = {**current, **{k: _plain(v) for k, v in answers.items()}}
    _guard_conflict(current, proposed, base_fingerprint)
    was_male = intake.sex_at_birth == SexAtBirth.MALE
    for name, value in answers.items():
        setattr(intake, name, value)
    update = list(answers)
    if step == "about":
        # Pregnancy is not asked of patients born male, and is asked again if that changes.
        if intake.sex_at_birth == SexAtBirth.MALE:
            intake.pregnancy = Pregnancy.NOT_APPLICABLE
        elif was_male:
            intake.pregnancy = ""
        update.append("pregnancy")
    _finish_change(intake, step, proposed != current, update)
    return intake


def _validate_requests(requests: Sequence[RequestAnswer]) -> None:
    if not requests:
        raise ValidationError(_("Choose at least one treatment and area."), code="empty")
    if len(requests) > MAX_REQUESTS:
        raise ValidationError(
            _("Choose at most %(max)d treatments at a time."), params={"max": MAX_REQUESTS}
        )
    seen: set[tuple[object, int]] = set()
    for r in requests:
        key = (r.product.pk if r.product else ("treatment", r.treatment.pk), r.area.pk)
        if key in seen:
            raise ValidationError(
                _("%(what)s in the %(area)s area is listed twice."),
                params={"what": r.product or r.treatment, "area": r.area},
                code="duplicate",
            )
        seen.add(key)


@transaction.atomic
def intake_save_requests(
    *, intake_id: int, requests: Sequence[RequestAnswer], base_fingerprint: str | None
) -> Intake:
    """Replace what the patient asks for. Skin answers for areas no longer asked are dropped."""
    _validate_requests(requests)
    intake = _lock_draft(intake_id)
    current = step_snapshot(intake, "treatments")
    proposed = {
        "requests": [
            [r.treatment.pk, r.product.pk if r.product else None, r.area.pk, r.goal]
            for r in requests
        ]
    }
    _guard_conflict(current, proposed, base_fingerprint)
    changed = proposed != current
    if changed:
        rows = [
            TreatmentRequest(
                intake=intake,
                treatment=r.treatment,
                product=r.product,
                area=r.area,
                goal=r.goal,
                position=n,
            )
            for n, r in enumerate(requests)
        ]
        for row in rows:
            row.full_clean(exclude=["intake"])
        intake.requests.all().delete()
        TreatmentRequest.objects.bulk_create(rows)
        intake.skin_checks.exclude(area__in=[r.area for r in requests]).delete()
    _finish_change(intake, "treatments", changed, [])
    return intake


@transaction.atomic
def intake_save_skin(
    *, intake_id: int, findings: Mapping[int, Sequence[str]], base_fingerprint: str | None
) -> Intake:
    """Save the skin today at each requested area (an empty list: the patient says it is clear)."""
    intake = _lock_draft(intake_id)
    requested = set(intake.requests.values_list("area_id", flat=True))
    if set(findings) != requested:
        raise ValidationError(
            _("Please answer for each area you asked about, and only those."), code="areas"
        )
    current = step_snapshot(intake, "skin")
    proposed = {"skin": sorted([area_id, sorted(f)] for area_id, f in findings.items())}
    _guard_conflict(current, proposed, base_fingerprint)
    changed = proposed != current
    if changed:
        rows = [
            SkinCheck(intake=intake, area_id=area_id, findings=sorted(codes))
            for area_id, codes in findings.items()
        ]
        for row in rows:
            row.full_clean(exclude=["intake", "area"])
        intake.skin_checks.all().delete()
        SkinCheck.objects.bulk_create(rows)
    _finish_change(intake, "skin", changed, [])
    return intake


@transaction.atomic
def intake_save_history(
    *,
    intake_id: int,
    had_previous_treatments: bool,
    previous: Sequence[PreviousAnswer],
    base_fingerprint: str | None,
) -> Intake:
    """Save treatments the patient had in the last 12 months (none when they answered no)."""
    if had_previous_treatments and not previous:
        raise ValidationError(
            _("Tell us at least one treatment, or answer that you had none."), code="empty"
        )
    if len(previous) > MAX_PREVIOUS_TREATMENTS:
        raise ValidationError(_("That is more treatments than we can take here; list the latest."))
    previous = previous if had_previous_treatments else []
    seen = set()
    for p in previous:
        key = (
            p.product.pk if p.product else p.description.strip().casefold(),
            p.area.pk,
            p.treated_on,
        )
        if key in seen:
            raise ValidationError(
                _("The same treatment on the same day is listed twice; remove one of them."),
                code="duplicate",
            )
        seen.add(key)
    intake = _lock_draft(intake_id)
    if intake.date_of_birth and any(p.treated_on < intake.date_of_birth for p in previous):
        raise ValidationError(
            _("A treatment date is before your date of birth; please check it."),
            code="before_birth",
        )
    current = step_snapshot(intake, "history")
    rows = [
        PreviousTreatment(
            intake=intake,
            product=p.product,
            description=p.description.strip(),
            area=p.area,
            treated_on=p.treated_on,
            position=n,
        )
        for n, p in enumerate(previous)
    ]
    proposed = {
        "had_previous_treatments": had_previous_treatments,
        "previous": [
            [
                r.product.pk if r.product else None,
                r.description,
                r.area.pk,
                r.treated_on.isoformat(),
            ]
            for r in sorted(rows, key=lambda r: (r.treated_on, -r.position), reverse=True)
        ],
    }
    _guard_conflict(current, proposed, base_fingerprint)
    changed = proposed != current
    if changed:
        for row in rows:
            row.full_clean(exclude=["intake"])
        intake.previous_treatments.all().delete()
        PreviousTreatment.objects.bulk_create(rows)
    intake.had_previous_treatments = had_previous_treatments
    _finish_change(intake, "history", changed, ["had_previous_treatments"])
    return intake


@transaction.atomic
def intake_keep_pending_input(*, intake_id: int, step: str, data: Mapping[str, Any]) -> None:
    """Keep what the patient typed on a step that did not validate: a closed tab loses nothing."""
    if step not in STEPS_BY_CODE:
        raise ValueError(step)
    intake = _lock_draft(intake_id)
    # PostgreSQL's jsonb cannot hold a NUL character; no answer needs one (forms refuse it).
    kept = {
        key.replace("\x00", ""): [str(v).replace("\x00", "") for v in values]
        for key, values in dict(data).items()
    }
    intake.pending_input = {**intake.pending_input, step: kept}
    intake.save(update_fields=["pending_input"])


@transaction.atomic
def intake_sign_consent(
    *,
    intake_id: int,
    consent_text: ConsentText,
    full_name: str,
    ip_address: str | None,
    user_agent: str,
) -> Intake:
    """Sign the consent: the exact text (and its hash), the typed name, when and from where."""
    intake = _lock_draft(intake_id)
    missing = [s for s in missing_steps(intake) if s.code != "consent"]
    if missing:
        raise ValidationError(
            _("Please answer these steps before signing: %(steps)s."),
            params={"steps": ", ".join(str(s.title) for s in missing)},
            code="incomplete",
        )
    if not full_name.strip():
        raise ValidationError({"full_name": _("Type your full name to sign.")})
    if consent_text.sha256 != ConsentText.digest(consent_text.title, consent_text.body):
        raise ValueError(f"consent text {consent_text.pk} does not match its hash")
    if intake.consent_signature_id is not None:
        signature = intake.consent_signature
        if (
            signature.consent_text_id == consent_text.pk
            and signature.full_name == full_name.strip()
        ):
            return intake  # the same signature sent twice (double click): nothing to do
    signature = ConsentSignature(
        consent_text=consent_text,
        text_sha256=consent_text.sha256,
        full_name=full_name.strip(),
        ip_address=ip_address or None,
        user_agent=(user_agent or "")[:512],
    )
    signature.full_clean()
    signature.save()
    intake.consent_signature = signature
    intake.pending_input = {k: v for k, v in intake.pending_input.items() if k != "consent"}
    intake.updated_at = timezone.now()
    intake.save(update_fields=["consent_signature", "pending_input", "updated_at"])
    return intake


# The submission's read: the intake row locked, its answers and their catalog rows in the
# same query, compiled once per thread (`Prepared`). It also carries what the submission
# would otherwise ask for in round trips of their own: the current consent text in the
# signature's language (the signed one must still be it) and the catalog's revision, which
# the screening then reads its kept facts under (`one_revision`).
def _locked_with_answers_query(intakes: QuerySet[Intake]) -> QuerySet[Intake]:
    return with_screened_answers(intakes.select_for_update(of=("self",))).annotate(
        current_consent_text_id=Subquery(
            latest_consent_texts()
            .filter(language=OuterRef("consent_signature__consent_text__language"))
            .values("pk")[:1]
        ),
        **revision_column(),
    )


_LOCKED_WITH_ANSWERS = Prepared(
    lambda: _locked_with_answers_query(
        Intake.objects.filter(pk=Param("pk", BigIntegerField())).order_by()
    )
)
# The same for a patient's own request (`OwnIntake`): whose it is checked in the same query.
_LOCKED_OWN_WITH_ANSWERS = Prepared(lambda: _locked_with_answers_query(own_intake_prepared()))

# The submission's write: compiled once (`PreparedSave`), as its read is.
_SUBMITTED = PreparedSave(Intake, update_fields=("status", "submitted_at", "pending_input"))

# An intake's id, or a patient's request for their own intake (checked as it is read).
IntakeKey = int | OwnIntake


def _locked_with_answers(intake_id: IntakeKey) -> Intake:
    if isinstance(intake_id, OwnIntake):
        found = _LOCKED_OWN_WITH_ANSWERS.rows(**intake_id.values())
    else:
        found = _LOCKED_WITH_ANSWERS.rows(pk=intake_id)
    if not found:
        raise Intake.DoesNotExist(f"no intake {intake_id}")
    return found[0]


@transaction.atomic
def intake_submit(*, intake_id: IntakeKey) -> Intake:
    """Freeze the draft as a submitted version. Submitting twice returns the same submission."""
    return intake_submit_in_transaction(intake_id=intake_id)


def intake_submit_in_transaction(*, intake_id: IntakeKey) -> Intake:
    """`intake_submit` for a caller that holds the transaction (submission and screening).

    No savepoint of its own: an error rolls back the caller's whole transaction, which
    must not catch it and go on."""
    return intake_submit_locked(intake_id=intake_id)[0]


def intake_submit_locked(*, intake_id: IntakeKey) -> tuple[Intake, bool]:
    """`intake_submit_in_transaction`, and whether this call is the one that submitted it.

    A version this call has just frozen has nothing stored of it yet (no screening, no review
    case: they are made only of a submitted version, and its row is locked until this
    transaction ends), so a caller may skip the searches for them.

    The intake comes with every answer and the catalog rows they name, as the checks here and
    the screening after read them (`with_screened_answers`): the row is locked, the answers
    cannot change under it (a draft's changes lock the row first)."""
    require_transaction()
    intake = _locked_with_answers(intake_id)
    if intake.is_submitted:
        return intake, False
    if not intake.can_become(Intake.Status.SUBMITTED):
        raise IntakeNotEditable
    missing = missing_steps(intake)
    if missing:
        raise ValidationError(
            _("Some answers are missing: %(steps)s."),
            params={"steps": ", ".join(str(s.title) for s in missing)},
            code="incomplete",
        )
    born = intake.date_of_birth
    if any(p.treated_on < born for p in intake.previous_treatments.all()):
        raise ValidationError(
            _("A previous treatment is dated before your date of birth; please check it."),
            code="before_birth",
        )
    signature = intake.consent_signature
    text = signature.consent_text
    # The latest text in the signed one's language (there is one: the signed text itself).
    if signature.text_sha256 != text.sha256 or intake.current_consent_text_id != text.pk:
        # A newer consent was published since signing: the patient signs what is current.
        raise ValidationError(
            _("The consent text has been updated. Please read it and sign again."),
            code="consent_outdated",
        )
    intake.status = Intake.Status.SUBMITTED
    intake.submitted_at = timezone.now()
    intake.pending_input = {}
    validate_fields(intake)
    _SUBMITTED.save(intake)
    return intake, True
