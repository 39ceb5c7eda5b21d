"""Every change in the clinician review: opening cases, claiming, deciding, revoking.

The safety rules live here and in the models' constraints, not in views:

- a submitted intake version always has its case, opened in the same
  transaction as the submission and its screening;
- a new version supersedes the open case of the previous one and revokes the
  clearances of earlier versions that have not been used, with a note to the
  front desk;
- only the clinician holding the claim decides (a claim expires after
  CLAIM_MINUTES), and only clinicians with a registration number decide;
- clearing a request with a block flag is an override and needs a written
  justification;
- a decision is never edited: a correction is a new decision naming the one it
  corrects, and a corrected clearance is revoked.
"""

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from consultations.catalog.models import Area, Product
from consultations.db import PreparedSave, validate_fields
from consultations.intake.models import Intake
from consultations.intake.services import IntakeKey
from consultations.patients.formats import local_time
from consultations.patients.models import Role, User
from consultations.review.models import (
    CLAIM_MINUTES,
    CLEARANCE_DAYS,
    CLEARANCE_MAX_DAYS,
    OVERRIDE_MIN_LENGTH,
    Clearance,
    ClearanceCondition,
    Decision,
    DecisionKind,
    FrontDeskNote,
    Priority,
    ReviewCase,
)
from consultations.review.notifications import send_outcome_email
from consultations.review.selectors import case_requests, current_decisions, request_flags
from consultations.screening.models import Screening
from consultations.screening.services import intake_submit_and_screen_locked

SEVERITY_ORDER = {"block": 0, "review": 1, "info": 2}


class ClaimHeld(ValidationError):
    """Another clinician holds the case."""

    def __init__(self, holder: User, until: dt.datetime) -> None:
        self.holder = holder
        self.until = until
        super().__init__(
            _("%(name)s is reviewing this case (until %(time)s).")
            % {"name": holder.full_name or holder.email, "time": local_time(until)},
            code="claim_held",
        )


# --- Opening cases ------------------------------------------------------------------------


def queue_flags(screening: Screening) -> list[list[str]]:
    """Each flag code once, with its worst severity, most severe first."""
    worst: dict[str, str] = {}
    for flag in screening.flags():
        code, severity = flag["code"], flag["severity"]
        if code not in worst or SEVERITY_ORDER[severity] < SEVERITY_ORDER[worst[code]]:
            worst[code] = severity
    return sorted(([c, s] for c, s in worst.items()), key=lambda f: (SEVERITY_ORDER[f[1]], f[0]))


def queue_priority(screening: Screening) -> Priority:
    severities = {flag["severity"] for flag in screening.flags()}
    if "block" in severities:
        return Priority.BLOCK
    if "review" in severities:
        return Priority.REVIEW
    return Priority.CLEAN


def new_intake_case(screening: Screening) -> ReviewCase:
    """The (unsaved) queue case of a submitted intake version, from its stored screening."""
    intake = screening.intake
    return ReviewCase(
        kind=ReviewCase.Kind.INTAKE,
        patient_id=intake.patient_id,
        intake=intake,
        screening=screening,
        priority=queue_priority(screening),
        flags=queue_flags(screening),
        waiting_since=intake.submitted_at,
    )


# Every submission opens a case: its INSERT is compiled once.
_NEW_CASE = PreparedSave(ReviewCase)


@transaction.atomic
def review_intake_submit(*, intake_id: IntakeKey) -> ReviewCase:
    """Submit an intake: screen it, store the screening, and put it in the review queue.

    All in one transaction. Submitting again (a double click, the back button)
    returns the case already opened. `intake_id` may be a patient's `OwnIntake`: then the
    intake is read only if it is theirs (else `Intake.DoesNotExist`), in the same query.
    """
    screening, submitted_now = intake_submit_and_screen_locked(intake_id=intake_id)
    intake = screening.intake
    if not submitted_now:
        # Submitted before (a double click, the back button): its case, if it has one.
        case = ReviewCase.objects.filter(intake=intake, kind=ReviewCase.Kind.INTAKE).first()
        if case is not None:
            return case
    case = new_intake_case(screening)
    validate_fields(case)
    _NEW_CASE.save(case)
    _supersede_earlier_versions(intake)
    return case


def _supersede_earlier_versions(intake: Intake) -> None:
    """The new version replaces the earlier ones' pending reviews and unused clearances."""
    if intake.version <= 1:
        # A patient's first version (versions count from 1, one of each per patient): there
        # is nothing earlier to replace.
        return
    now = timezone.now()
    earlier = ReviewCase.objects.select_for_update().filter(
        patient_id=intake.patient_id,
        kind=ReviewCase.Kind.INTAKE,
        intake__version__lt=intake.version,
        status=ReviewCase.Status.OPEN,
    )
    for case in earlier:
        _close(case, ReviewCase.Status.SUPERSEDED, now)
    revoked = list(
        Clearance.objects.select_for_update()
        .filter(
            patient_id=intake.patient_id,
            intake__version__lt=intake.version,
            revoked_at__isnull=True,
            first_used_at__isnull=True,
        )
        .select_related("product", "area")
    )
    _revoke(revoked, Clearance.RevokedBecause.NEW_INTAKE, now)


def _revoke(clearances: Sequence[Clearance], because: str, now: dt.datetime) -> None:
    for clearance in clearances:
        clearance.revoked_at = now
        clearance.revoked_because = because
        clearance.full_clean()
        clearance.save(update_fields=["revoked_at", "revoked_because"])
    if clearances:
        what = ", ".join(f"{c.product.name} — {c.area.name}" for c in clearances)
        reason = Clearance.RevokedBecause(because).label
        FrontDeskNote.objects.create(
            patient_id=clearances[0].patient_id,
            reason=FrontDeskNote.Reason.CLEARANCE_REVOKED,
            text=_(
                "Clearance withdrawn for %(what)s (%(reason)s). Do not book these until a "
                "clinician clears them again; keep any existing appointment on hold."
            )
            % {"what": what, "reason": str(reason).lower()},
        )


def _close(case: ReviewCase, status: str, now: dt.datetime) -> None:
    if status not in ReviewCase.TRANSITIONS[case.status]:
        raise ValidationError(_("This case can no longer change."), code="closed")
    case.status = status
    case.closed_at = now
    case.claimed_by = None
    case.claimed_until = None
    case.full_clean()
    case.save(update_fields=["status", "closed_at", "claimed_by", "claimed_until"])


# --- Claims -------------------------------------------------------------------------------


def _require_clinician(user: User) -> None:
    if not user.is_active or not user.has_role(Role.CLINICIAN):
        raise PermissionDenied(_("Only clinicians review intakes."))


def _locked_case(case_id: int) -> ReviewCase:
    # Not joined to the claim holder: after waiting for a colleague's lock, PostgreSQL hands
    # back the row as they left it, but a joined row as it was before; the holder is read
    # afterwards instead.
    return (
        ReviewCase.objects.select_for_update(of=("self",))
        .select_related("screening", "intake")
        .get(pk=case_id)
    )


def _take_claim(case: ReviewCase, clinician: User, now: dt.datetime) -> None:
    holder = case.claim_holder(now)
    if holder is not None and holder != clinician.pk:
        raise ClaimHeld(User.objects.get(pk=holder), case.claimed_until)
    case.claimed_by = clinician
    case.claimed_until = now + dt.timedelta(minutes=CLAIM_MINUTES)
    case.full_clean()
    case.save(update_fields=["claimed_by", "claimed_until"])


@transaction.atomic
def review_claim(*, case_id: int, clinician: User) -> ReviewCase:
    """Take (or renew) the claim on an open case. Raises ClaimHeld if someone else holds it."""
    _require_clinician(clinician)
    case = _locked_case(case_id)
    if case.status != ReviewCase.Status.OPEN:
        raise ValidationError(_("This case is no longer waiting for a decision."), code="closed")
    _take_claim(case, clinician, timezone.now())
    return case


@transaction.atomic
def review_release(*, case_id: int, clinician: User) -> ReviewCase:
    """Give a claim back, so a colleague can take the case now. Releasing nothing is fine."""
    _require_clinician(clinician)
    case = _locked_case(case_id)
    if case.claimed_by_id == clinician.pk:
        case.claimed_by = None
        case.claimed_until = None
        case.save(update_fields=["claimed_by", "claimed_until"])
    return case


# --- Decisions ----------------------------------------------------------------------------


@dataclass(frozen=True)
class DecisionInput:
    product: str
    area: str
    kind: str
    conditions: tuple[str, ...] = ()
    conditions_note: str = ""
    expires_on: dt.date | None = None
    defer_until: dt.date | None = None
    justification: str = ""
    message_to_patient: str = ""
    note: str = ""
    # The decision the clinician saw as standing when they decided (None: none yet). A
    # stale page (a colleague decided meanwhile, a double click) is refused, not applied.
    replaces: str | None = None


def _checked(
    case: ReviewCase, data: DecisionInput, today: dt.date
) -> tuple[list[list[str]], bool, dt.date | None]:
    errors: dict[str, list[str]] = {}
    if (data.product, data.area) not in case_requests(case):
        raise ValidationError(_("This treatment and area are not part of this intake."))
    if data.kind not in DecisionKind.values:
        errors.setdefault("kind", []).append(_("Choose a decision."))
    flags = request_flags(case, data.product, data.area)
    has_block = any(severity == "block" for _, severity in flags)
    is_override = data.kind == DecisionKind.CLEAR and has_block
    unknown = set(data.conditions) - set(ClearanceCondition.values)
    if unknown:
        errors.setdefault("conditions", []).append(_("Choose conditions from the list."))
    if data.kind != DecisionKind.CLEAR and (data.conditions or data.conditions_note.strip()):
        errors.setdefault("conditions", []).append(
            _("Conditions belong to a clearance; choose “Clear” or remove them.")
        )
    expires_on = None
    if data.kind == DecisionKind.CLEAR:
        expires_on = data.expires_on or today + dt.timedelta(days=CLEARANCE_DAYS)
        if expires_on <= today:
            errors.setdefault("expires_on", []).append(_("The expiry must be after today."))
        elif expires_on > today + dt.timedelta(days=CLEARANCE_MAX_DAYS):
            errors.setdefault("expires_on", []).append(
                _("A clearance lasts at most a year; choose an earlier expiry.")
            )
    elif data.expires_on:
        errors.setdefault("expires_on", []).append(_("Only a clearance has an expiry."))
    if data.kind == DecisionKind.DEFER:
        if data.defer_until is None:
            errors.setdefault("defer_until", []).append(_("Choose the date to defer until."))
        elif data.defer_until <= today:
            errors.setdefault("defer_until", []).append(_("Choose a date after today."))
    elif data.defer_until:
        errors.setdefault("defer_until", []).append(_("Only a deferral has a date to wait for."))
    if is_override and len(data.justification.strip()) < OVERRIDE_MIN_LENGTH:
        errors.setdefault("justification", []).append(
            _(
                "This request has a block flag. Clearing it is an override: write why it is "
                "safe (at least %(n)d characters)."
            )
            % {"n": OVERRIDE_MIN_LENGTH}
        )
    if errors:
        raise ValidationError(errors)
    return flags, is_override, expires_on


@transaction.atomic
def review_decide(*, case_id: int, clinician: User, data: DecisionInput) -> Decision:
    """Record a clinician's decision for one requested (product, area) of a case.

    On an open case the clinician must hold the claim, or take it if nobody
    does. On a decided case this is a correction: a new decision that names
    the one it corrects (whose clearance, if any, is revoked). A superseded
    case takes no decision: the patient's newer version is the one to decide.
    """
    _require_clinician(clinician)
    if not clinician.registration_number.strip():
        raise PermissionDenied(
            _("Add your professional registration number to your account before deciding.")
        )
    now = timezone.now()
    today = timezone.localdate(now)
    case = _locked_case(case_id)
    if case.status == ReviewCase.Status.SUPERSEDED:
        raise ValidationError(
            _("The patient has sent a newer version of their answers; decide on that one."),
            code="superseded",
        )
    if case.status == ReviewCase.Status.OPEN:
        _take_claim(case, clinician, now)
    standing = current_decisions(case).get((data.product, data.area))
    standing_id = str(standing.public_id) if standing else None
    if standing_id != (data.replaces or None):
        raise ValidationError(
            _(
                "This request was decided meanwhile. Read the decision now shown before "
                "changing it."
            ),
            code="stale",
        )
    flags, is_override, expires_on = _checked(case, data, today)
    decision = Decision(
        case=case,
        intake=case.intake,
        ruleset=case.screening.ruleset if case.screening else "",
        product=Product.objects.get(code=data.product),
        area=Area.objects.get(code=data.area),
        kind=data.kind,
        conditions=sorted(set(data.conditions)),
        conditions_note=data.conditions_note.strip(),
        expires_on=expires_on,
        defer_until=data.defer_until if data.kind == DecisionKind.DEFER else None,
        message_to_patient=data.message_to_patient.strip(),
        note=data.note.strip(),
        is_override=is_override,
        justification=data.justification.strip() if is_override else "",
        flags=flags,
        clinician=clinician,
        clinician_name=clinician.full_name or clinician.email,
        clinician_registration=clinician.registration_number.strip(),
        corrects=standing,
        decided_at=now,
    )
    decision.full_clean()
    decision.save()
    if standing is not None:
        old = Clearance.objects.select_for_update().filter(
            decision=standing, revoked_at__isnull=True
        )
        _revoke(
            list(old.select_related("product", "area")), Clearance.RevokedBecause.CORRECTED, now
        )
    if decision.kind == DecisionKind.CLEAR:
        clearance = Clearance(
            decision=decision,
            patient_id=case.patient_id,
            intake=case.intake,
            product=decision.product,
            area=decision.area,
            conditions=decision.conditions,
            conditions_note=decision.conditions_note,
            is_override=decision.is_override,
            granted_at=now,
            expires_on=expires_on,
        )
        clearance.full_clean()
        clearance.save()
    was_open = case.status == ReviewCase.Status.OPEN
    decided = current_decisions(case)
    if was_open and all(pair in decided for pair in case_requests(case)):
        _close(case, ReviewCase.Status.DECIDED, now)
        transaction.on_commit(lambda: send_outcome_email(case_id=case.pk, corrected=False))
    elif not was_open:
        transaction.on_commit(lambda: send_outcome_email(case_id=case.pk, corrected=True))
    return decision


# --- For the booking room ---------------------------------------------------------------


@transaction.atomic
def clearance_revoke(*, clearance_id: int, because: str) -> Clearance:
    """Withdraw one clearance (a change at check-in), with a note to the front desk."""
    clearance = (
        Clearance.objects.select_for_update(of=("self",))
        .select_related("product", "area")
        .get(pk=clearance_id)
    )
    if clearance.revoked_at is None:
        _revoke([clearance], because, timezone.now())
    return clearance


@transaction.atomic
def clearance_mark_used(*, clearance_id: int) -> Clearance:
    """A treatment was given under this clearance: a new intake version no longer revokes it."""
    clearance = Clearance.objects.select_for_update(of=("self",)).get(pk=clearance_id)
    if clearance.first_used_at is None:
        clearance.first_used_at = timezone.now()
        clearance.save(update_fields=["first_used_at"])
    return clearance


@transaction.atomic
def review_case_open_concern(*, kind: str, intake_id: int, summary: str) -> ReviewCase:
    """Put a concern about a patient at the top of the queue: a problem reported after a
    treatment, or a change at check-in. The clinician decides on the patient's current
    intake version (its screening), with the concern's words in front of them."""
    if kind not in (ReviewCase.Kind.PROBLEM, ReviewCase.Kind.CHECK_IN):
        raise ValueError(f"not a concern: {kind}")
    intake = Intake.objects.get(pk=intake_id)
    screening = intake.screenings.order_by("-created_at").first()
    now = timezone.now()
    case = ReviewCase(
        kind=kind,
        patient_id=intake.patient_id,
        intake=intake,
        screening=screening,
        priority=Priority.PROBLEM,
        flags=queue_flags(screening) if screening else [],
        summary=summary[:300],
        waiting_since=now,
    )
    case.full_clean()
    case.save()
    return case


@transaction.atomic
def review_concern_resolve(*, case_id: int, clinician: User, resolution: str) -> ReviewCase:
    """Close a concern with what was done ("called the patient; seen in clinic today").

    Any new clearance it needs is a decision like any other, recorded before or after.
    """
    _require_clinician(clinician)
    case = _locked_case(case_id)
    if case.kind == ReviewCase.Kind.INTAKE:
        raise ValidationError(_("An intake is closed by its decisions."), code="not_concern")
    if case.status != ReviewCase.Status.OPEN:
        raise ValidationError(_("This case is already closed."), code="closed")
    if len(resolution.strip()) < 5:
        raise ValidationError({"resolution": [_("Write what was done for the patient.")]})
    now = timezone.now()
    _take_claim(case, clinician, now)
    case.resolution = resolution.strip()
    case.resolved_by = clinician
    case.save(update_fields=["resolution", "resolved_by"])
    _close(case, ReviewCase.Status.DECIDED, now)
    return case


# --- The front desk's notes ---------------------------------------------------------------


@transaction.atomic
def desk_note_acknowledge(*, note_ids: Iterable[int], user: User) -> int:
    """Mark notes as seen by this member of the front desk (or an admin). Returns how many."""
    if not user.is_active or not (user.roles & {Role.FRONT_DESK, Role.ADMIN}):
        raise PermissionDenied(_("Only the front desk acknowledges these notes."))
    return FrontDeskNote.objects.filter(pk__in=list(note_ids), acknowledged_at__isnull=True).update(
        acknowledged_at=timezone.now(), acknowledged_by=user
    )
