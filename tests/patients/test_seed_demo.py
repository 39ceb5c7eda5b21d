"""`manage.py seed_demo`: the demo logins, and the synthetic patients with submitted intakes."""

import datetime as dt
import re
from io import StringIO

import pytest
import time_machine
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import transaction

from consultations.intake.choices import Isotretinoin, Pregnancy, SexAtBirth
from consultations.intake.models import (
    ConsentSignature,
    ConsentText,
    Intake,
    PreviousTreatment,
    SkinCheck,
    TreatmentRequest,
)
from consultations.intake.steps import missing_steps
from consultations.patients.models import Patient, Role, User

pytestmark = pytest.mark.django_db

DEMO_ROLES = {
    "patient@example.com": Role.PATIENT,
    "clinician@example.com": Role.CLINICIAN,
    "frontdesk@example.com": Role.FRONT_DESK,
    "admin@example.com": Role.ADMIN,
}
BLOOD_THINNER = re.compile(r"eliquis|apixaban|warfarin|coumadin|xarelto|plavix|aspirin", re.I)
SUPPLEMENT = re.compile(r"fish oil|vitamin e|ibuprofen|ginkgo", re.I)
ANSWER_FIELDS = [
    f.name
    for f in Intake._meta.concrete_fields
    if f.name not in {"id", "public_id", "patient", "previous", "consent_signature"}
]


@pytest.fixture(autouse=True)
def _no_demo_password_in_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DEMO_PASSWORD", raising=False)


def seed(*args: str) -> str:
    out = StringIO()
    call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


def synthetic_intakes() -> list[Intake]:
    return list(
        Intake.objects.filter(patient__user__email__startswith="demo-patient-")
        .select_related("patient__user", "consent_signature__consent_text")
        .prefetch_related("requests", "skin_checks", "previous_treatments")
        .order_by("patient__user__email")
    )


def population() -> list[tuple[object, ...]]:
    """Everything a synthetic patient answered, without database ids."""
    return [
        (
            intake.patient.user.email,
            intake.patient.full_name,
            [getattr(intake, name) for name in ANSWER_FIELDS],
            [(r.treatment_id, r.product_id, r.area_id, r.goal) for r in intake.requests.all()],
            sorted((c.area_id, c.findings) for c in intake.skin_checks.all()),
            [
                (p.product_id, p.description, p.area_id, p.treated_on)
                for p in intake.previous_treatments.all()
            ],
        )
        for intake in synthetic_intakes()
    ]


def is_clean(intake: Intake) -> bool:
    """Nothing in the answers that the screening would raise above info."""
    return (
        not intake.has_allergies
        and not intake.conditions
        and intake.pregnancy in (Pregnancy.NO, Pregnancy.NOT_APPLICABLE)
        and intake.isotretinoin == Isotretinoin.NEVER
        and not intake.recent_illness_or_vaccination
        and not BLOOD_THINNER.search(intake.medications)
        and not SUPPLEMENT.search(intake.medications)
        and not any(check.findings for check in intake.skin_checks.all())
    )


# --- The demo logins ----------------------------------------------------------------------


def test_each_demo_login_has_its_role_and_the_default_password() -> None:
    seed()

    for email, role in DEMO_ROLES.items():
        user = User.objects.get(email=email)
        assert user.roles == {role}
        assert user.check_password(settings.DEMO_PASSWORD_DEFAULT)
    assert User.objects.get(email="admin@example.com").is_staff
    assert not User.objects.get(email="clinician@example.com").is_staff
    assert Patient.objects.filter(user__email="patient@example.com").exists()


def test_a_demo_user_can_log_in_with_the_password_the_command_prints(client) -> None:
    output = seed()

    for email, role in DEMO_ROLES.items():
        assert re.search(rf"{re.escape(email)}\s+{role}\s+{settings.DEMO_PASSWORD_DEFAULT}", output)
    assert client.login(username="clinician@example.com", password=settings.DEMO_PASSWORD_DEFAULT)


def test_the_demo_password_comes_from_the_environment_when_set(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("DEMO_PASSWORD", "another-demo-passphrase")

    output = seed()

    user = User.objects.get(email="frontdesk@example.com")
    assert user.check_password("another-demo-passphrase")
    assert not user.check_password(settings.DEMO_PASSWORD_DEFAULT)
    assert "another-demo-passphrase" in output


def test_an_existing_demo_login_keeps_its_password_unless_the_environment_sets_another(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    seed()
    user = User.objects.get(email="patient@example.com")
    user.set_password("chosen-by-the-tester")
    user.save()

    seed()
    user.refresh_from_db()
    assert user.check_password("chosen-by-the-tester")

    monkeypatch.setenv("DEMO_PASSWORD", "reset-for-the-demo")
    seed()
    user.refresh_from_db()
    assert user.check_password("reset-for-the-demo")


def test_running_the_command_twice_changes_nothing() -> None:
    seed()
    before = {
        "users": list(User.objects.order_by("email").values_list("email", "password")),
        "memberships": User.groups.through.objects.count(),
        "patients": Patient.objects.count(),
        "intakes": Intake.objects.count(),
    }

    seed()

    assert {
        "users": list(User.objects.order_by("email").values_list("email", "password")),
        "memberships": User.groups.through.objects.count(),
        "patients": Patient.objects.count(),
        "intakes": Intake.objects.count(),
    } == before
    assert len(before["users"]) == len(DEMO_ROLES)


# --- Synthetic patients -----------------------------------------------------------------


def test_each_synthetic_patient_has_one_submitted_signed_intake_with_skin_checks() -> None:
    consent = ConsentText.objects.filter(language="en").latest()

    seed("--patients", "50", "--batch-size", "20")

    intakes = synthetic_intakes()
    assert len(intakes) == 50
    assert Patient.objects.filter(user__email__startswith="demo-patient-").count() == 50
    assert Intake.objects.filter(patient__in=[i.patient for i in intakes]).count() == 50
    for intake in intakes:
        assert intake.status == Intake.Status.SUBMITTED
        assert intake.version == 1
        assert intake.submitted_at is not None
        assert intake.consent_signature.consent_text == consent
        assert intake.consent_signature.text_sha256 == consent.sha256
        assert intake.consent_signature.full_name == intake.patient.full_name
        requests = intake.requests.all()
        assert 1 <= len(requests) <= 3
        assert {c.area_id for c in intake.skin_checks.all()} == {r.area_id for r in requests}
        assert len(intake.skin_checks.all()) == len({r.area_id for r in requests})
        assert intake.had_previous_treatments == bool(intake.previous_treatments.all())


def test_synthetic_answers_pass_model_validation_and_complete_every_step() -> None:
    seed("--patients", "60", "--seed", "5")

    intakes = synthetic_intakes()
    sample = intakes[::4]
    now = dt.datetime.now(tz=dt.UTC)
    for intake in sample:
        intake.full_clean()
        intake.consent_signature.full_clean()
        intake.patient.full_clean()
        intake.patient.user.full_clean()
        for row in (
            *intake.requests.all(),
            *intake.skin_checks.all(),
            *intake.previous_treatments.all(),
        ):
            row.full_clean()
        assert missing_steps(intake) == []
        assert intake.created_at <= intake.consent_signature.signed_at <= intake.submitted_at
        assert now - dt.timedelta(days=60) <= intake.submitted_at <= now
        assert 18 <= intake.age_on(intake.submitted_at.date()) <= 75
        if intake.sex_at_birth == SexAtBirth.MALE:
            assert intake.pregnancy == Pregnancy.NOT_APPLICABLE
    assert len(sample) == 15


def test_synthetic_patients_cannot_log_in_and_are_patients_only() -> None:
    seed("--patients", "10")

    users = User.objects.filter(email__startswith="demo-patient-")
    assert users.count() == 10
    for user in users:
        assert not user.has_usable_password()
        assert user.roles == {Role.PATIENT}
        assert not user.is_staff
    assert len(set(users.values_list("password", flat=True))) == 10


def test_the_synthetic_population_has_the_risks_screening_exists_for() -> None:
    seed("--patients", "200", "--seed", "1")

    intakes = synthetic_intakes()
    assert len(intakes) == 200
    assert any("lidocaine" in i.common_allergies for i in intakes)
    assert any(BLOOD_THINNER.search(i.medications) for i in intakes)
    assert any(i.pregnancy == Pregnancy.PREGNANT for i in intakes)
    assert all(
        i.sex_at_birth == SexAtBirth.FEMALE
        for i in intakes
        if i.pregnancy not in (Pregnancy.NO, Pregnancy.NOT_APPLICABLE)
    )
    assert SkinCheck.objects.filter(findings__contains=["active_infection"]).exists()
    assert any(i.isotretinoin != Isotretinoin.NEVER for i in intakes)
    assert any(i.conditions for i in intakes)
    assert PreviousTreatment.objects.exists()
    assert TreatmentRequest.objects.filter(product__isnull=True).exists()
    assert TreatmentRequest.objects.filter(product__code="kybella", area__code="submental").exists()
    assert TreatmentRequest.objects.filter(
        product__code="meso-body", area__code="thighs", goal="cellulite"
    ).exists()
    clean = sum(is_clean(i) for i in intakes)
    assert 100 < clean < 160
    assert {i.sex_at_birth for i in intakes} >= {SexAtBirth.FEMALE, SexAtBirth.MALE}
    assert len({i.patient.full_name for i in intakes}) > 150
    assert len({i.date_of_birth.year for i in intakes}) > 25
    assert len({i.submitted_at.date() for i in intakes}) > 40


def test_seeding_patients_again_adds_more_with_new_numbers() -> None:
    seed("--patients", "5")
    seed("--patients", "7")

    emails = sorted(
        User.objects.filter(email__startswith="demo-patient-").values_list("email", flat=True)
    )
    assert emails == [f"demo-patient-{n:06d}@example.com" for n in range(1, 13)]
    assert Intake.objects.submitted().count() == 12
    assert ConsentSignature.objects.count() == 12


def test_the_same_seed_gives_the_same_patients_and_another_seed_does_not() -> None:
    with time_machine.travel(dt.datetime(2026, 11, 20, 9, 30, tzinfo=dt.UTC), tick=False):
        with transaction.atomic():
            seed("--patients", "30", "--seed", "7")
            first = population()
            transaction.set_rollback(True)
        with transaction.atomic():
            seed("--patients", "30", "--seed", "8")
            other = population()
            transaction.set_rollback(True)
        seed("--patients", "30", "--seed", "7", "--batch-size", "7")
        again = population()

    assert len(first) == 30
    assert again == first
    assert other != first
    assert len({repr(answers) for _, _, answers, *_ in first}) > 20


def test_progress_is_reported_after_every_batch() -> None:
    output = seed("--patients", "25", "--batch-size", "10")

    progress = re.findall(r"(\d+) / 25 patients\s+[\d,]+ patients/s", output)
    assert progress == ["10", "20", "25"]
    assert "demo-patient-000001 to 000025" in output


def test_a_negative_number_of_patients_is_refused() -> None:
    with pytest.raises(CommandError, match="--patients"):
        seed("--patients", "-1")
    assert not User.objects.exists()


def test_seed_demo_opens_a_demo_clinic_to_book_in_once(db):
    from consultations.booking.models import OpeningHours, Practitioner, Room

    seed()
    practitioner = Practitioner.objects.get()
    assert practitioner.user.email == "clinician@example.com"
    assert practitioner.treatments.count() == 4
    assert practitioner.working_hours.count() == OpeningHours.objects.count() == 6
    assert Room.objects.count() == 2
    seed()
    assert Practitioner.objects.count() == 1
    assert Room.objects.count() == 2
