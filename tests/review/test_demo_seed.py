"""`seed_demo --patients`: every synthetic submitted intake is screened and waits in the queue."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from consultations.intake.models import Intake
from consultations.intake.screening_input import screening_input
from consultations.patients.models import User
from consultations.review.models import Priority, ReviewCase
from consultations.screening.engine import contract
from consultations.screening.engine.screen import ruleset_version, screen
from consultations.screening.facts import catalog_facts
from consultations.screening.models import Screening
from consultations.screening.services import text_reader

pytestmark = pytest.mark.django_db

SEVERITY_RANK = {"block": 0, "review": 1, "info": 2}


@pytest.fixture(autouse=True)
def _no_demo_password_in_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DEMO_PASSWORD", raising=False)


def seed(*args: str) -> str:
    out = StringIO()
    call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


def synthetic_intakes() -> list[Intake]:
    return list(
        Intake.objects.submitted()
        .filter(patient__user__email__startswith="demo-patient-")
        .prefetch_related("screenings", "review_cases")
        .order_by("pk")
    )


def test_each_synthetic_intake_has_one_screening_and_one_case_in_the_queue() -> None:
    output = seed("--patients", "30", "--batch-size", "7")

    intakes = synthetic_intakes()
    assert len(intakes) == 30
    for intake in intakes:
        [screening] = intake.screenings.all()
        [case] = intake.review_cases.all()
        assert screening.ruleset == ruleset_version()
        assert case.kind == ReviewCase.Kind.INTAKE
        assert case.screening_id == screening.pk
        assert case.patient_id == intake.patient_id
        assert case.waiting_since == intake.submitted_at
        case.full_clean()
        screening.full_clean()
    assert Screening.objects.count() == ReviewCase.objects.count() == 30
    assert "Screened and queued 30 synthetic intakes for review" in output


def test_the_stored_screening_is_the_one_submission_would_store() -> None:
    seed("--patients", "30", "--seed", "3")

    facts = catalog_facts()
    for intake in synthetic_intakes():
        day = timezone.localdate(intake.submitted_at)
        data = contract.parse(
            screening_input(intake, treatment_date=day),
            known_products=frozenset(facts.products),
            known_areas=frozenset(facts.area_parents),
            today=day,
        )
        [screening] = intake.screenings.all()
        result = screen(data, facts, text_reader())
        assert screening.input == contract.to_payload(data)
        assert screening.result == result.to_json()
        assert screening.outcome == result.outcome


def test_priorities_and_queue_flags_follow_the_stored_flags() -> None:
    seed("--patients", "30", "--seed", "11")

    priorities = set()
    for case in ReviewCase.objects.select_related("screening"):
        worst: dict[str, str] = {}
        for flag in case.screening.flags():
            code, severity = flag["code"], flag["severity"]
            if code not in worst or SEVERITY_RANK[severity] < SEVERITY_RANK[worst[code]]:
                worst[code] = severity
        assert sorted(code for code, _ in case.flags) == sorted(worst)
        assert dict(case.flags) == worst
        ranks = [SEVERITY_RANK[severity] for _, severity in case.flags]
        assert ranks == sorted(ranks)
        severities = set(worst.values())
        expected = (
            Priority.BLOCK
            if "block" in severities
            else Priority.REVIEW
            if "review" in severities
            else Priority.CLEAN
        )
        assert case.priority == expected
        priorities.add(case.priority)
    assert priorities == {Priority.CLEAN, Priority.REVIEW, Priority.BLOCK}


def test_some_cases_are_already_decided_and_most_wait() -> None:
    seed("--patients", "30")

    decided = ReviewCase.objects.filter(status=ReviewCase.Status.DECIDED)
    assert 0 < decided.count() < ReviewCase.objects.open().count()
    for case in decided:
        assert case.waiting_since < case.closed_at <= timezone.now()
    assert not ReviewCase.objects.open().filter(closed_at__isnull=False).exists()


def test_running_seed_demo_again_does_not_duplicate_screenings_or_cases() -> None:
    seed("--patients", "30")
    before = list(ReviewCase.objects.order_by("pk").values_list("pk", "intake_id", "status"))

    output = seed()

    assert list(ReviewCase.objects.order_by("pk").values_list("pk", "intake_id", "status")) == (
        before
    )
    assert Screening.objects.count() == 30
    assert "Screened and queued" not in output

    seed("--patients", "5")

    assert ReviewCase.objects.count() == Screening.objects.count() == 35
    assert all(len(i.review_cases.all()) == 1 for i in synthetic_intakes())


def test_intakes_seeded_without_a_case_are_queued_on_the_next_run() -> None:
    seed("--patients", "12")
    missing = list(ReviewCase.objects.order_by("pk")[:5].values_list("intake_id", flat=True))
    ReviewCase.objects.filter(intake_id__in=missing).delete()

    output = seed()

    assert ReviewCase.objects.count() == 12
    # The screenings already stored are reused, not stored twice.
    assert Screening.objects.count() == 12
    assert "Screened and queued 5 synthetic intakes" in output


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_several_processes_seed_the_same_patients_and_cases_as_one():
    """`--jobs 2`: two forked processes, committing for real, each with its own range of
    numbers and its own share of the intakes to screen; the result is the one-process seed
    (the same patients, one screening and one case each), nothing twice and nothing missed."""
    from consultations.intake.demo import demo_patient_email

    output = seed("--patients", "23", "--batch-size", "5", "--jobs", "2")

    intakes = synthetic_intakes()
    assert len(intakes) == 23
    emails = sorted(i.patient.user.email for i in Intake.objects.select_related("patient__user"))
    assert emails == sorted(demo_patient_email(n) for n in range(1, 24))
    for intake in intakes:
        [screening] = intake.screenings.all()
        [case] = intake.review_cases.all()
        assert case.screening_id == screening.pk
    assert "Created 23 synthetic patients (demo-patient-000001 to 000023)" in output
    assert "Screened and queued 23 synthetic intakes for review" in output

    seed("--patients", "3", "--jobs", "2")  # continues the numbering, queues only the new
    assert ReviewCase.objects.filter(kind=ReviewCase.Kind.INTAKE).count() == 26
    assert User.objects.filter(email=demo_patient_email(26)).exists()
