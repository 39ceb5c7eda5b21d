"""Submitting an intake screens it and stores input, ruleset and result, replayably."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, connections, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from consultations.catalog.models import Treatment
from consultations.catalog.revision import REVISION_COLUMN
from consultations.db import statement_text
from consultations.intake import services
from consultations.intake.models import ConsentText
from consultations.intake.selectors import current_consent_text
from consultations.screening.engine import contract
from consultations.screening.engine.screen import ruleset_version, screen
from consultations.screening.facts import catalog_facts
from consultations.screening.models import Screening
from consultations.screening.services import intake_submit_and_screen, text_reader
from tests.intake.conftest import (
    area,
    fill,
    previous_answer,
    request_answer,
    save_history,
    sign,
)
from tests.screening.conftest import FACTS

pytestmark = pytest.mark.django_db


@pytest.fixture
def signed(draft):
    fill(
        draft,
        requests=[request_answer("skinvive", "cheeks"), request_answer("meso-vitamin", "neck")],
    )
    return sign(draft)


def test_submitting_stores_one_screening_with_the_input_and_ruleset(signed):
    screening = intake_submit_and_screen(intake_id=signed.pk)
    assert screening.intake_id == signed.pk
    assert screening.ruleset == ruleset_version()
    assert screening.input["allergies"] == "lidocaine; xylocaine - throat swelling at the dentist"
    assert screening.outcome == "blocked"
    assert screening.severity == 2
    outcomes = {(r["product"], r["area"]): r["outcome"] for r in screening.result["requests"]}
    assert outcomes == {("skinvive", "cheeks"): "blocked", ("meso-vitamin", "neck"): "review"}


def test_submitting_twice_stores_one_screening(signed):
    first = intake_submit_and_screen(intake_id=signed.pk)
    again = intake_submit_and_screen(intake_id=signed.pk)
    assert first.pk == again.pk
    assert Screening.objects.count() == 1


def test_a_stored_screening_replays_to_the_same_result(signed):
    screening = intake_submit_and_screen(intake_id=signed.pk)
    facts = catalog_facts()
    data = contract.parse(
        screening.input,
        known_products=frozenset(facts.products),
        known_areas=frozenset(facts.area_parents),
        today=dt.date(2000, 1, 1),  # the stored input carries its own treatment date
    )
    assert screen(data, facts, text_reader()).to_json() == screening.result


def test_a_stored_screening_is_never_changed_or_deleted(signed, is_postgresql):
    screening = intake_submit_and_screen(intake_id=signed.pk)
    with pytest.raises(IntegrityError), transaction.atomic():
        Screening.objects.filter(pk=screening.pk).update(outcome="clear", severity=0)
    with pytest.raises(IntegrityError), transaction.atomic():
        Screening.objects.filter(pk=screening.pk).delete()


def test_the_catalog_in_the_database_gives_the_same_facts_as_the_seed():
    assert catalog_facts() == FACTS


def test_a_product_added_by_an_admin_is_screened_without_code_changes(draft):
    from consultations.catalog.models import Area, Ingredient, Product, ProductArea, Treatment

    product = Product.objects.create(
        code="new-booster",
        name="New lidocaine booster",
        treatment=Treatment.objects.get(code="skin_booster"),
        regulatory_status="approved",
        min_age=25,
        evidence_summary="Trial data.",
    )
    product.ingredients.set(Ingredient.objects.filter(code__in=["lidocaine", "hyaluronic_acid"]))
    ProductArea.objects.create(
        product=product, area=Area.objects.get(code="neck"), status="approved"
    )
    import json

    from consultations.screening.services import screening_evaluate_json

    result = screening_evaluate_json(
        json.dumps(
            {
                "date_of_birth": "2003-01-01",
                "treatment_date": "2026-12-01",
                "requests": [{"product": "new-booster", "area": "neck"}],
                "pregnancy": "no",
                "allergies": "lignocaine",
                "anaphylaxis_history": False,
                "multiple_severe_allergies": False,
                "medications": "",
                "conditions": [],
                "skin_at_site": {},
                "previous_sessions": [],
                "isotretinoin_last_taken": None,
                "recent_illness_or_vaccination": False,
            }
        )
    )
    codes = {f["code"] for f in result["requests"][0]["flags"]}
    assert {"AGE-MIN", "LIDO-AMIDE-BLOCK"} <= codes


def test_the_patient_sees_plain_messages_after_submitting(client, patient_a, signed):
    client.force_login(patient_a)
    response = client.post(reverse("review:submit_intake", args=[signed.public_id]))
    assert response.status_code == 302
    page = client.get(response.url).content.decode()
    assert "What the clinician will look at" in page
    assert "contains lidocaine, a numbing medicine you told us you are allergic" in page
    assert "LIDO-AMIDE-BLOCK" not in page, "codes and clinician wording stay with staff"


def test_the_check_page_points_out_a_certain_block_with_alternatives(client, patient_a, signed):
    client.force_login(patient_a)
    page = client.get(reverse("intake:review", args=[signed.public_id])).content.decode()
    assert "some of what you asked for is not possible" in page
    assert "Vitamin mesotherapy cocktail (lidocaine-free)" in page


def test_a_submission_runs_the_same_queries_however_many_answers_it_has(
    patient_a, patient_b, django_assert_num_queries
):
    """One treatment asked for, or four (one without a product, so the screening looks up
    the candidates) with skin findings and previous treatments: the same queries, so the
    answers and the catalog rows they name are read together, never one by one."""

    small = services.intake_open_draft(patient=patient_a.patient)
    fill(small, requests=[request_answer("meso-vitamin", "face")])
    sign(small)
    large = services.intake_open_draft(patient=patient_b.patient)
    fill(
        large,
        requests=[
            request_answer("meso-vitamin", "neck"),
            request_answer("skinvive", "cheeks"),
            request_answer("juvederm-volbella-xc", "lips"),
            services.RequestAnswer(
                treatment=Treatment.objects.get(code="mesotherapy"),
                product=None,
                area=area("face"),
                goal="hydration",
            ),
        ],
        skin={"neck": ["inflamed_acne"], "lips": ["rash"]},
        skip=("history",),
    )
    save_history(
        large,
        previous_answer("juvederm-volbella-xc", "lips", dt.date(2026, 6, 1)),
        previous_answer("skinvive", "cheeks", dt.date(2026, 9, 1)),
    )
    sign(large)
    catalog_facts()  # the catalog, kept from an earlier submission
    with CaptureQueriesContext(connection) as first:
        intake_submit_and_screen(intake_id=small.pk)
    with django_assert_num_queries(len(first)):
        screening = intake_submit_and_screen(intake_id=large.pk)
    assert len(screening.result["requests"]) > 4  # the candidates of the request without one


def test_a_submission_takes_no_savepoint_below_its_own_transaction(signed):
    """One transaction for the submission, its screening and its case: inside a test's
    transaction the service's own atomic block is the only savepoint."""
    from consultations.review.services import review_intake_submit

    with CaptureQueriesContext(connection) as queries:
        review_intake_submit(intake_id=signed.pk)
    savepoints = [q["sql"] for q in queries if q["sql"].startswith("SAVEPOINT")]
    assert len(savepoints) == 1, savepoints


def test_the_parts_without_a_transaction_of_their_own_refuse_to_run_outside_one(
    patient_a, monkeypatch
):
    from consultations.intake.services import intake_submit_in_transaction, intake_submit_locked
    from consultations.screening.services import (
        intake_submit_and_screen_in_transaction,
        intake_submit_and_screen_locked,
    )

    draft = services.intake_open_draft(patient=patient_a.patient)
    # As outside any transaction.atomic() (a test runs inside one, which it must not leave).
    monkeypatch.setattr(connections["default"], "in_atomic_block", False)
    for part in (
        intake_submit_in_transaction,
        intake_submit_locked,
        intake_submit_and_screen_in_transaction,
        intake_submit_and_screen_locked,
    ):
        with pytest.raises(RuntimeError, match="inside the caller's transaction"):
            part(intake_id=draft.pk)


def test_a_submission_tells_whether_it_was_the_one_that_submitted(signed):
    """The first call freezes the version (and skips the searches for what is stored of it);
    a second, as after a double click, finds the stored screening and case."""
    from consultations.review.models import ReviewCase
    from consultations.review.services import review_intake_submit
    from consultations.screening.services import intake_submit_and_screen_locked

    with CaptureQueriesContext(connection) as first:
        case = review_intake_submit(intake_id=signed.pk)
    searches = [q["sql"] for q in first if q["sql"].startswith('SELECT "screening_screening"')]
    assert searches == []
    screening, submitted_now = intake_submit_and_screen_locked(intake_id=signed.pk)
    assert (screening.pk, submitted_now) == (case.screening_id, False)
    assert review_intake_submit(intake_id=signed.pk) == case
    assert ReviewCase.objects.filter(intake_id=signed.pk).count() == 1


def _statements_run(queries: CaptureQueriesContext) -> list[str]:
    """The SQL of each statement run, a prepared read's as it was PREPAREd (its PREPARE left
    out: the EXECUTE is the run)."""
    statements = []
    for query in queries.captured_queries:
        if query["sql"].startswith("PREPARE "):
            continue
        text = statement_text(query["sql"], connection)
        statements.append(text.split(" AS ", 1)[1] if text.startswith("PREPARE ") else text)
    return statements


def test_a_submission_reads_the_consent_and_the_catalog_revision_with_its_intake(signed):
    """The current consent text and the catalog's revision come in the intake's locked read:
    neither is asked for in a round trip of its own."""
    catalog_facts()  # the catalog, kept from an earlier submission
    with CaptureQueriesContext(connection) as queries:
        intake_submit_and_screen(intake_id=signed.pk)
    statements = _statements_run(queries)
    alone = [s.split(" FROM ", 1)[1].lstrip() for s in statements if s.startswith("SELECT")]
    assert not [s for s in alone if s.startswith(("catalog_catalogrevision", '"intake_consent'))]
    locked = next(s for s in statements if "FOR UPDATE" in s)
    assert '"intake_consenttext"' in locked
    if connection.vendor == "postgresql":
        assert REVISION_COLUMN in locked
        assert "catalog_catalogrevision" in locked


def test_the_consent_is_current_per_language(patient_a, patient_b):
    """The signed text must still be the latest in its own language: a text published in
    another language leaves the signature current, one in the same language does not."""
    drafts = []
    for user in (patient_a, patient_b):
        draft = services.intake_open_draft(patient=user.patient)
        fill(draft, requests=[request_answer("meso-vitamin", "face")])
        drafts.append(sign(draft, text=current_consent_text("vi")))
    ConsentText.objects.create(version="2027-02-en", language="en", title="T", body="English.")
    assert services.intake_submit(intake_id=drafts[0].pk).is_submitted
    ConsentText.objects.create(version="2027-02-vi", language="vi", title="T", body="Tiếng Việt.")
    with pytest.raises(ValidationError, match="updated"):
        services.intake_submit(intake_id=drafts[1].pk)


def test_a_patients_own_intake_is_submitted_only_by_them(signed, patient_a, patient_b):
    """Named as a patient's request names it (`OwnIntake`), the intake is read, locked and
    submitted only for its own patient; for anyone else it does not exist, and stays a draft."""
    from consultations.intake.models import Intake
    from consultations.intake.selectors import OwnIntake
    from consultations.review.services import review_intake_submit

    with pytest.raises(Intake.DoesNotExist):
        review_intake_submit(intake_id=OwnIntake.of(patient_b, signed.public_id))
    assert Intake.objects.get(pk=signed.pk).is_draft
    case = review_intake_submit(intake_id=OwnIntake.of(patient_a, signed.public_id))
    assert case.intake_id == signed.pk
    assert Intake.objects.get(pk=signed.pk).is_submitted


def test_the_submit_page_reads_the_intake_once(client, patient_a, signed):
    """Whose the intake is is checked in the submission's own locked read: no read before it."""
    client.force_login(patient_a)
    with CaptureQueriesContext(connection) as queries:
        response = client.post(reverse("review:submit_intake", args=[signed.public_id]))
    assert response.status_code == 302
    statements = _statements_run(queries)
    reads = [s for s in statements if s.startswith("SELECT") and ' FROM "intake_intake"' in s]
    assert len(reads) == 1, reads
    assert "FOR UPDATE" in reads[0]
