"""The queue selector's bounds: counts that stop growing, deep pages as cheap as the first."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from consultations.catalog.selectors import catalog_names
from consultations.db import statement_text
from consultations.review.models import Priority, ReviewCase
from consultations.review.selectors import (
    COUNT_CAP,
    QUEUE_PAGE_SIZE,
    QueueCursor,
    QueueFilters,
    review_queue,
)

pytestmark = pytest.mark.django_db


def problem_cases(case: ReviewCase, n: int, priority: int = Priority.PROBLEM) -> None:
    start = timezone.now() - dt.timedelta(days=30)
    ReviewCase.objects.bulk_create(
        ReviewCase(
            kind=ReviewCase.Kind.PROBLEM,
            patient_id=case.patient_id,
            intake_id=case.intake_id,
            priority=priority,
            summary="redness",
            waiting_since=start + dt.timedelta(minutes=i // 3),  # ties on purpose
        )
        for i in range(n)
    )


def test_counts_stop_at_the_cap_and_say_so(blocked_case, clinician):
    problem_cases(blocked_case, COUNT_CAP + 5)
    page = review_queue(user=clinician)
    assert page.counts[Priority.PROBLEM] == COUNT_CAP + 1
    assert page.count_label(Priority.PROBLEM) == "1,000+"
    assert page.count_label(Priority.BLOCK) == "1"
    assert page.capped


def test_counts_below_the_cap_are_exact(blocked_case, clean_case, clinician):
    problem_cases(blocked_case, 7)
    page = review_queue(user=clinician)
    assert page.counts == {Priority.PROBLEM: 7, Priority.BLOCK: 1, Priority.CLEAN: 1}
    assert not page.capped


def test_the_landing_pages_counts_are_the_counts_of_every_other_page(
    blocked_case, clean_case, clinician
):
    """The landing page reads the counts with its rows (one query); a filtered page reads
    them on their own: the same numbers, including none for an empty queue."""
    problem_cases(blocked_case, 7)
    landing = review_queue(user=clinician)
    for filters in (QueueFilters(priority=Priority.CLEAN), QueueFilters(mine=True)):
        assert review_queue(user=clinician, filters=filters).counts == landing.counts
    assert landing.counts == {Priority.PROBLEM: 7, Priority.BLOCK: 1, Priority.CLEAN: 1}
    ReviewCase.objects.update(status=ReviewCase.Status.SUPERSEDED, closed_at=timezone.now())
    assert review_queue(user=clinician).counts == {}
    assert review_queue(user=clinician).rows == []


def test_pages_run_a_fixed_number_of_queries_and_together_they_are_the_queue(
    blocked_case, clean_case, clinician
):
    problem_cases(blocked_case, 60)
    problem_cases(blocked_case, 20, priority=Priority.REVIEW)
    expected = list(
        ReviewCase.objects.open()
        .order_by("-priority", "waiting_since", "id")
        .values_list("id", flat=True)
    )
    assert clinician.roles  # read once, as a request's middleware would
    catalog_names()  # cached for a minute: the first page of a minute reads them, no other
    seen, after, counts = [], None, []
    while True:
        with CaptureQueriesContext(connection) as queries:
            page = review_queue(user=clinician, after=after, limit=25)
        counts.append(len(queries))
        seen += [row.pk for row in page.rows]
        if page.next_cursor is None:
            break
        after = QueueCursor.decode(page.next_cursor)
    assert seen == expected
    # The first page reads its rows, with their requests and the counts, in one query; every
    # later page the counts, then its ids, then its rows (3).
    assert len(counts) == 4, counts
    assert counts[0] == 1, counts
    assert set(counts[1:]) == {3}, counts


def test_the_counts_and_the_page_are_read_in_order_from_the_queue_index(blocked_case, clinician):
    """Both queries that grow with the queue can be answered by walking `review_queue_idx` in
    its own order, with no sort: their cost is the page's or the cap's, never the table's.
    (With the planner's other choices off, so that a tiny test table does not hide a missing
    index.)"""
    problem_cases(blocked_case, 40)
    catalog_names()
    with CaptureQueriesContext(connection) as queries:
        review_queue(user=clinician)  # the landing page: its rows and the counts, one query
        review_queue(user=clinician, filters=QueueFilters(priority=Priority.BLOCK))
    page_ids = f"LIMIT {QUEUE_PAGE_SIZE + 1}"
    # The landing page's query is a prepared statement's EXECUTE (after its PREPARE, the first
    # time on this connection): judged by the statement's text, explained as it runs.
    run = [q for q in queries if "PREPARE clinic_" not in q["sql"]]
    texts = [statement_text(q["sql"], connection) for q in run]
    growing = [
        q for q, text in zip(run, texts, strict=True) if "capped" in text or page_ids in text
    ]
    assert len(growing) == 3, texts
    assert "capped" in statement_text(growing[0]["sql"], connection)
    assert page_ids in statement_text(growing[0]["sql"], connection)
    with connection.cursor() as cursor:
        # Off too: bitmap scans and sorts, so that the plan sorts only if the index cannot
        # give the order (a tiny table's statistics make a sort look cheaper).
        for method in ("seqscan", "bitmapscan", "sort"):
            cursor.execute(f"SET LOCAL enable_{method} = off")
        for query in growing:
            cursor.execute(f"EXPLAIN {query['sql']}")
            plan = "\n".join(row[0] for row in cursor.fetchall())
            assert "review_queue_idx" in plan, plan
            assert "Sort" not in plan, plan


def test_the_landing_page_reads_the_queue_afresh_on_every_request(blocked_case, clinician):
    """Its query is built once per process; what it reads never is: a case queued, claimed
    or closed since the last request shows at once."""
    from consultations.review.services import review_claim

    first = review_queue(user=clinician)
    problem_cases(blocked_case, 2)
    again = review_queue(user=clinician)
    assert len(again.rows) == len(first.rows) + 2
    assert again.counts[Priority.PROBLEM] == first.counts.get(Priority.PROBLEM, 0) + 2
    review_claim(case_id=again.rows[0].pk, clinician=clinician)
    assert review_queue(user=clinician).rows[0].held_by_id == clinician.pk
    ReviewCase.objects.filter(pk=again.rows[0].pk).update(
        status=ReviewCase.Status.DECIDED,
        closed_at=timezone.now(),
        claimed_by=None,
        claimed_until=None,
    )
    assert again.rows[0].pk not in {row.pk for row in review_queue(user=clinician).rows}
