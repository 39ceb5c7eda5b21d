"""The clinicians' queue page: order, filters, counts, pages, claims, and who may see it."""

import datetime as dt
import re
from itertools import count

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from consultations.intake.demo import demo_patients_create
from consultations.intake.models import Intake
from consultations.patients.models import User
from consultations.patients.services import patient_register
from consultations.review.models import CLAIM_MINUTES, Priority, ReviewCase
from consultations.review.selectors import QUEUE_PAGE_SIZE, age_on
from consultations.review.services import review_claim
from tests.conftest import PASSWORD
from tests.review.conftest import submit_case

pytestmark = pytest.mark.django_db

QUEUE = "/review/"
HTMX = {"HTTP_HX_REQUEST": "true"}
ROW_ID = re.compile(r'<li [^>]*id="case-([0-9a-f-]{36})"')
NOTHING_TO_DECLARE = {
    "allergies": {"has_allergies": False, "common_allergies": [], "allergies_other": ""},
    "medicines": {"takes_medications": False, "medications": ""},
    "conditions": {"conditions": [], "conditions_other": ""},
}
_numbers = count(1)


def new_patient() -> User:
    n = next(_numbers)
    return patient_register(
        email=f"queue-patient-{n}@example.com", password=PASSWORD, full_name=f"Queue Patient {n}"
    )


def clean_case() -> ReviewCase:
    return submit_case(new_patient(), requests=[("meso-vitamin", "face")], **NOTHING_TO_DECLARE)


def review_case() -> ReviewCase:
    """A blood thinner: the clinician must look, nothing blocks."""
    return submit_case(
        new_patient(),
        requests=[("meso-vitamin", "face")],
        **{
            **NOTHING_TO_DECLARE,
            "medicines": {"takes_medications": True, "medications": "Eliquis 5mg"},
        },
    )


def blocked_case() -> ReviewCase:
    """A lidocaine allergy (the default answers) asking for SKINVIVE, which contains it."""
    return submit_case(new_patient())


def problem_case(intake: Intake, when: dt.datetime | None = None) -> ReviewCase:
    return ReviewCase.objects.create(
        kind=ReviewCase.Kind.PROBLEM,
        patient_id=intake.patient_id,
        intake=intake,
        priority=Priority.PROBLEM,
        summary="Swelling and redness two days after treatment",
        waiting_since=when or timezone.now(),
    )


def shown(response) -> list[str]:
    """The public ids of the rows on the page, in order (read off the page: a page kept from
    an earlier request, clinic/kept.py, renders no template for the test client to see)."""
    return ROW_ID.findall(response.content.decode())


def ids(*cases: ReviewCase) -> list[str]:
    return [str(case.public_id) for case in cases]


def claim_url(case: ReviewCase) -> str:
    return reverse("review:claim", kwargs={"public_id": case.public_id})


def release_url(case: ReviewCase) -> str:
    return reverse("review:release", kwargs={"public_id": case.public_id})


@pytest.fixture
def as_clinician(client: Client, clinician: User) -> Client:
    client.force_login(clinician)
    return client


@pytest.fixture
def other_client(clinician_b: User) -> Client:
    from tests.conftest import HttpsClient

    other = HttpsClient()
    other.force_login(clinician_b)
    return other


# --- Order --------------------------------------------------------------------------------


def test_problems_come_first_then_block_review_and_clean_flags_oldest_first(
    as_clinician, time_machine
):
    start = timezone.now() - dt.timedelta(days=5)
    time_machine.move_to(start, tick=False)
    old_clean = clean_case()
    time_machine.move_to(start + dt.timedelta(hours=1), tick=False)
    old_review = review_case()
    time_machine.move_to(start + dt.timedelta(hours=2), tick=False)
    old_block = blocked_case()
    time_machine.move_to(start + dt.timedelta(hours=3), tick=False)
    new_clean = clean_case()
    new_review = review_case()
    new_block = blocked_case()
    new_problem = problem_case(old_clean.intake)
    old_problem = problem_case(old_clean.intake, when=start - dt.timedelta(days=1))
    assert [old_clean.priority, old_review.priority, old_block.priority] == [
        Priority.CLEAN,
        Priority.REVIEW,
        Priority.BLOCK,
    ]

    response = as_clinician.get(QUEUE)

    assert response.status_code == 200
    assert shown(response) == ids(
        old_problem, new_problem, old_block, new_block, old_review, new_review, old_clean, new_clean
    )


def test_each_row_shows_initials_age_requests_flags_kind_and_wait(as_clinician, time_machine):
    time_machine.move_to(timezone.now() - dt.timedelta(hours=50), tick=False)
    case = blocked_case()
    time_machine.move_to(timezone.now() + dt.timedelta(hours=50), tick=False)

    html = as_clinician.get(QUEUE).content.decode()

    assert "QP" in html
    assert f"age {age_on(case.intake.date_of_birth, timezone.localdate())}" in html
    assert "SKINVIVE" in html
    assert "Cheeks" in html
    assert 'class="badge text-bg-danger"' in html
    assert "LIDO-AMIDE-BLOCK" in html
    assert "Submitted intake" in html
    assert "waiting 2\xa0days" in html
    assert claim_url(case) in html


def test_a_problem_after_treatment_is_shown_as_such(as_clinician):
    case = clean_case()
    problem_case(case.intake)

    html = as_clinician.get(QUEUE).content.decode()

    assert "Problem after treatment" in html
    assert "Swelling and redness two days after treatment" in html


# --- Filters and counts -------------------------------------------------------------------


def test_counts_per_severity_cover_the_whole_queue_whatever_the_filter(as_clinician):
    clean, review, _block = clean_case(), review_case(), blocked_case()
    problem_case(clean.intake)
    blocked_case()

    response = as_clinician.get(QUEUE, {"severity": Priority.REVIEW})

    assert shown(response) == ids(review)
    assert response.context["page"].counts == {
        Priority.PROBLEM: 1,
        Priority.BLOCK: 2,
        Priority.REVIEW: 1,
        Priority.CLEAN: 1,
    }
    html = response.content.decode()
    assert "5 cases waiting" in html
    assert str(Priority.BLOCK.label) in html


def test_severity_filter(as_clinician):
    clean, block = clean_case(), blocked_case()

    assert shown(as_clinician.get(QUEUE, {"severity": Priority.BLOCK})) == ids(block)
    assert shown(as_clinician.get(QUEUE, {"severity": Priority.CLEAN})) == ids(clean)


def test_treatment_filter(as_clinician):
    meso, booster = clean_case(), blocked_case()

    assert shown(as_clinician.get(QUEUE, {"treatment": "mesotherapy"})) == ids(meso)
    assert shown(as_clinician.get(QUEUE, {"treatment": "skin_booster"})) == ids(booster)


def test_waiting_time_filter(as_clinician, time_machine):
    time_machine.move_to(timezone.now() - dt.timedelta(hours=80), tick=False)
    old = clean_case()
    time_machine.move_to(timezone.now() + dt.timedelta(hours=50), tick=False)
    middle = clean_case()
    time_machine.move_to(timezone.now() + dt.timedelta(hours=30), tick=False)
    clean_case()

    assert shown(as_clinician.get(QUEUE, {"waited": 72})) == ids(old)
    assert shown(as_clinician.get(QUEUE, {"waited": 24})) == ids(old, middle)


def test_claimed_by_me_filter(as_clinician, clinician, clinician_b):
    mine, theirs, _free = clean_case(), review_case(), blocked_case()
    review_claim(case_id=mine.pk, clinician=clinician)
    review_claim(case_id=theirs.pk, clinician=clinician_b)

    assert shown(as_clinician.get(QUEUE, {"mine": "on"})) == ids(mine)


def test_filters_combine_and_survive_into_the_next_page_link(as_clinician):
    cases = [clean_case() for _ in range(2)]
    problem_case(cases[0].intake)

    response = as_clinician.get(QUEUE, {"severity": Priority.CLEAN, "treatment": "mesotherapy"})

    assert shown(response) == ids(*cases)
    assert response.context["query"] == "severity=0&treatment=mesotherapy"


def test_bad_filter_values_are_explained_and_ignored_never_a_server_error(as_clinician):
    case = clean_case()

    response = as_clinician.get(
        QUEUE, {"severity": "9", "treatment": "no-such-thing", "waited": "forever", "mine": "on"}
    )

    assert response.status_code == 200
    html = response.content.decode()
    assert "Some filters were not understood" in html
    assert "Select a valid choice" in html
    # The valid filter still applies; nobody has claimed anything.
    assert shown(response) == []
    response = as_clinician.get(QUEUE, {"severity": "x"})
    assert shown(response) == ids(case)


def test_filtering_with_htmx_returns_only_the_list(as_clinician):
    clean_case()

    response = as_clinician.get(QUEUE, {"severity": Priority.CLEAN}, **HTMX)

    assert response.status_code == 200
    drawn = {t.name for t in response.templates}
    assert "review/_queue_list.html" in drawn
    assert "review/queue.html" not in drawn
    html = response.content.decode()
    assert "<html" not in html
    assert '<form method="get"' not in html
    assert "HX-Request" in response["Vary"]


def test_without_htmx_the_full_page_has_a_get_form_with_a_submit_button(as_clinician):
    html = as_clinician.get(QUEUE).content.decode()

    assert '<form method="get" action="/review/"' in html
    assert 'type="submit"' in html
    assert 'for="id_severity"' in html
    assert 'for="id_treatment"' in html
    assert 'for="id_waited"' in html
    assert 'for="id_mine"' in html


# --- Pages --------------------------------------------------------------------------------


def more_than_a_page(extra: int = 10) -> None:
    """A page and `extra` more cases, priorities interleaved, half waiting since the same
    moment (ties on waiting_since are broken by id)."""
    first = clean_case()
    same_time = timezone.now() - dt.timedelta(hours=3)
    ReviewCase.objects.bulk_create(
        ReviewCase(
            kind=ReviewCase.Kind.PROBLEM,
            patient_id=first.patient_id,
            intake_id=first.intake_id,
            priority=[Priority.PROBLEM, Priority.BLOCK, Priority.REVIEW][n % 3],
            waiting_since=same_time if n % 2 else same_time - dt.timedelta(minutes=n),
        )
        for n in range(QUEUE_PAGE_SIZE + extra - 1)
    )


def test_keyset_pages_continue_without_duplicates_or_gaps(as_clinician):
    more_than_a_page()
    expected = [
        str(pid)
        for pid in ReviewCase.objects.open()
        .order_by("-priority", "waiting_since", "id")
        .values_list("public_id", flat=True)
    ]

    page_one = as_clinician.get(QUEUE)
    assert len(shown(page_one)) == QUEUE_PAGE_SIZE
    next_url = page_one.context["next_url"]
    assert next_url
    assert "after=" in next_url
    page_two = as_clinician.get(next_url)

    assert page_two.context["next_url"] is None
    assert page_two.context["first_url"] == QUEUE
    assert shown(page_one) + shown(page_two) == expected


def test_the_next_page_keeps_the_filters(as_clinician):
    first = clean_case()
    ReviewCase.objects.bulk_create(
        ReviewCase(
            kind=ReviewCase.Kind.PROBLEM,
            patient_id=first.patient_id,
            intake_id=first.intake_id,
            priority=Priority.PROBLEM if n % 2 else Priority.REVIEW,
            waiting_since=timezone.now() - dt.timedelta(minutes=n),
        )
        for n in range(2 * QUEUE_PAGE_SIZE + 4)
    )

    page_one = as_clinician.get(QUEUE, {"severity": Priority.REVIEW})
    page_two = as_clinician.get(page_one.context["next_url"])

    rows = list(ReviewCase.objects.filter(public_id__in=shown(page_two)))
    assert len(shown(page_one)) == QUEUE_PAGE_SIZE
    assert len(rows) == 2
    assert {case.priority for case in rows} == {Priority.REVIEW}


def test_a_bad_cursor_shows_the_first_page(as_clinician):
    case = clean_case()

    response = as_clinician.get(QUEUE, {"after": "not-a-cursor!!"})

    assert response.status_code == 200
    assert shown(response) == ids(case)
    assert "That page link is out of date" in response.content.decode()


def test_the_page_runs_the_same_number_of_queries_for_10_and_1000_cases(
    client, clinician, django_assert_num_queries
):
    def fill_queue(n: int) -> None:
        numbers = demo_patients_create(count=n, seed=7, batch_size=1_000)
        intakes = Intake.objects.filter(
            patient__user__email__in=[f"demo-patient-{x:06d}@example.com" for x in numbers]
        ).values_list("pk", "patient_id", "submitted_at")
        ReviewCase.objects.bulk_create(
            ReviewCase(
                # Problem rows need no screening: the page reads only the case and its requests.
                kind=ReviewCase.Kind.PROBLEM,
                patient_id=patient_id,
                intake_id=pk,
                priority=i % 4,
                flags=[["LIDO-AMIDE-BLOCK", "block"]] if i % 4 == 2 else [],
                waiting_since=submitted_at,
            )
            for i, (pk, patient_id, submitted_at) in enumerate(intakes)
        )

    pages = [{}, {"treatment": "mesotherapy", "waited": 24}, {"severity": Priority.BLOCK}]
    client.force_login(clinician)

    fill_queue(10)
    assert ReviewCase.objects.open().count() == 10
    client.get(QUEUE)  # the catalog's names, cached for a minute, are read once beforehand
    small = []
    for params in pages:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(QUEUE, params).status_code == 200
        small.append(len(captured.captured_queries))
    fill_queue(990)
    assert ReviewCase.objects.open().count() == 1_000

    for params, expected in zip(pages, small, strict=True):
        with django_assert_num_queries(expected):
            response = client.get(QUEUE, params)
        assert response.status_code == 200
    assert len(shown(client.get(QUEUE))) == QUEUE_PAGE_SIZE


# --- Claims -------------------------------------------------------------------------------


def test_claiming_without_javascript_redirects_and_holds_the_case(as_clinician, clinician):
    case = clean_case()
    back = f"{QUEUE}?severity=0"

    response = as_clinician.post(claim_url(case), {"next": back})

    assert response.status_code == 302
    try:
        expected = reverse("review:case", kwargs={"public_id": case.public_id})
    except NoReverseMatch:
        expected = back
    assert response["Location"] == expected
    case.refresh_from_db()
    assert case.claimed_by == clinician
    assert case.claimed_until > timezone.now()


def test_claiming_with_htmx_returns_the_updated_row(as_clinician, clinician):
    case = clean_case()

    response = as_clinician.post(claim_url(case), {"next": QUEUE}, **HTMX)

    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith(f'<li id="case-{case.public_id}"')
    assert release_url(case) in html
    assert "You are reviewing this case" in html
    case.refresh_from_db()
    assert case.claimed_by == clinician


def test_a_second_clinician_is_told_who_holds_the_case_without_javascript(
    as_clinician, other_client, clinician
):
    case = clean_case()
    as_clinician.post(claim_url(case))
    back = f"{QUEUE}?mine=on"

    response = other_client.post(claim_url(case), {"next": back})

    assert response.status_code == 302
    assert response["Location"] == back
    said = [str(m) for m in get_messages(response.wsgi_request)]
    assert any("Dr Minh Le is reviewing this case" in m for m in said)
    case.refresh_from_db()
    assert case.claimed_by == clinician
    assert "Dr Minh Le is reviewing this case" in other_client.get(back).content.decode()


def test_a_second_clinician_is_told_who_holds_the_case_in_the_row_with_htmx(
    as_clinician, other_client, clinician
):
    case = clean_case()
    as_clinician.post(claim_url(case))

    response = other_client.post(claim_url(case), **HTMX)

    assert response.status_code == 200
    html = response.content.decode()
    assert 'role="alert"' in html
    assert "Dr Minh Le is reviewing this case" in html
    assert claim_url(case) not in html
    case.refresh_from_db()
    assert case.claimed_by == clinician


def test_the_queue_shows_who_holds_a_claim(as_clinician, other_client):
    case = clean_case()
    as_clinician.post(claim_url(case))

    html = other_client.get(QUEUE).content.decode()

    assert "Dr Minh Le is reviewing this case" in html
    assert claim_url(case) not in html


def test_an_expired_claim_can_be_taken_by_a_colleague(
    as_clinician, other_client, clinician_b, time_machine
):
    time_machine.move_to(timezone.now(), tick=False)
    case = clean_case()
    as_clinician.post(claim_url(case))

    time_machine.shift(dt.timedelta(minutes=CLAIM_MINUTES + 1))
    other_client.force_login(clinician_b)  # idle that long, a staff session has ended
    assert claim_url(case) in other_client.get(QUEUE).content.decode()
    response = other_client.post(claim_url(case), **HTMX)

    assert response.status_code == 200
    assert "You are reviewing this case" in response.content.decode()
    case.refresh_from_db()
    assert case.claimed_by == clinician_b


def test_releasing_without_javascript_frees_the_case_and_returns_to_the_queue(
    as_clinician, clinician
):
    case = clean_case()
    review_claim(case_id=case.pk, clinician=clinician)
    back = f"{QUEUE}?severity=0"

    response = as_clinician.post(release_url(case), {"next": back})

    assert response.status_code == 302
    assert response["Location"] == back
    case.refresh_from_db()
    assert case.claimed_by is None
    assert case.claimed_until is None


def test_releasing_with_htmx_returns_the_row_with_a_claim_button(as_clinician, clinician):
    case = clean_case()
    review_claim(case_id=case.pk, clinician=clinician)

    response = as_clinician.post(release_url(case), **HTMX)

    assert response.status_code == 200
    assert claim_url(case) in response.content.decode()
    case.refresh_from_db()
    assert case.claimed_by is None


def test_a_colleague_cannot_release_someone_elses_claim(other_client, clinician):
    case = clean_case()
    review_claim(case_id=case.pk, clinician=clinician)

    other_client.post(release_url(case))

    case.refresh_from_db()
    assert case.claimed_by == clinician


def test_the_return_address_must_be_on_this_site(as_clinician):
    case = clean_case()

    response = as_clinician.post(release_url(case), {"next": "https://evil.example/"})

    assert response["Location"] == QUEUE


def test_claim_and_release_refuse_get(as_clinician):
    case = clean_case()

    assert as_clinician.get(claim_url(case)).status_code == 405
    assert as_clinician.get(release_url(case)).status_code == 405


def test_claiming_an_unknown_case_is_not_found(as_clinician):
    response = as_clinician.post("/review/00000000-0000-0000-0000-000000000000/claim/")

    assert response.status_code == 404


# --- Who may --------------------------------------------------------------------------------


def test_anonymous_visitors_are_sent_to_log_in(client):
    case = clean_case()

    for response in (client.get(QUEUE), client.post(claim_url(case))):
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("patients:login"))
    case.refresh_from_db()
    assert case.claimed_by is None


@pytest.mark.parametrize("who", ["patient_a", "front_desk", "admin_user"])
def test_patients_front_desk_and_administrators_cannot_reach_the_queue_or_claim(
    client, request, who
):
    case = clean_case()
    client.force_login(request.getfixturevalue(who))

    assert client.get(QUEUE).status_code == 403
    assert client.post(claim_url(case)).status_code == 403
    assert client.post(release_url(case)).status_code == 403
    case.refresh_from_db()
    assert case.claimed_by is None


def test_clinicians_reach_the_queue_and_see_it_in_the_navigation(as_clinician):
    response = as_clinician.get("/")

    assert 'href="/review/"' in response.content.decode()
    assert as_clinician.get(QUEUE).status_code == 200


def test_patients_do_not_see_the_queue_in_the_navigation(client, patient_a):
    client.force_login(patient_a)

    assert 'href="/review/"' not in client.get("/").content.decode()
