"""The queue's rows are drawn from facts alone and the drawings kept (review/views/rows.py):
a kept row must be exactly what drawing it again would give, and must carry the request's own
CSRF field and return address."""

import re

import pytest
from django.test import override_settings
from django.utils import translation

from consultations.review.selectors import RequestLine
from consultations.review.services import review_claim
from consultations.review.views import rows
from consultations.review.views.rows import FlagBadge, QueueItem
from tests.conftest import HttpsClient
from tests.review.test_queue_views import QUEUE, blocked_case, claim_url

pytestmark = pytest.mark.django_db

TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def an_item(**changes: object) -> QueueItem:
    item = QueueItem(
        public_id="6f1c2f3e-0000-4000-8000-000000000001",
        initials="AN",
        age=34,
        kind="intake",
        kind_label="Submitted intake",
        waiting_since="2026-12-01T08:00:00+00:00",
        waited="3 hours",
        requests=(RequestLine(product="SKINVIVE", area="Cheeks", product_chosen=True),),
        summary="",
        badges=(FlagBadge("LIDO-AMIDE-BLOCK", "block", "danger", "block", "Lidocaine allergy"),),
        mine=False,
        held_by="",
        claimed_until="",
        message="",
        case_url="/review/case/6f1c2f3e/",
        claim_url="/review/case/6f1c2f3e/claim/",
        release_url="/review/case/6f1c2f3e/release/",
    )
    return item._replace(**changes)


def test_the_row_template_reads_nothing_but_the_item_the_address_and_the_csrf_field():
    """What the template reads beyond the item would not be in the drawing's key."""
    every_branch = [
        an_item(),
        an_item(mine=True, claimed_until="9:30 AM", message="Held"),
        an_item(held_by="Dr Thu Vo", claimed_until="9:30 AM", age=None, badges=()),
        an_item(kind="problem", kind_label="Problem after treatment", summary="Swelling"),
    ]
    from django.conf import settings

    engine = {**settings.TEMPLATES[0]}
    engine["OPTIONS"] = {**engine["OPTIONS"], "string_if_invalid": "UNREAD-%s"}
    with override_settings(TEMPLATES=[engine]):
        for item in every_branch:
            html = rows._drawn.__wrapped__(item, "en", "UTC")
            assert "UNREAD" not in html, item


def test_an_equal_item_reuses_the_drawing_and_any_change_draws_afresh():
    rows._drawn.cache_clear()
    item = an_item()
    first = rows._drawn(item, "en", "UTC")
    assert rows._drawn(an_item(), "en", "UTC") is first
    assert rows._drawn.cache_info().hits == 1

    claimed = rows._drawn(an_item(held_by="Dr Thu Vo", claimed_until="9:30 AM"), "en", "UTC")
    later = rows._drawn(an_item(waited="4 hours"), "en", "UTC")
    assert "Dr Thu Vo is reviewing this case (until 9:30 AM)." in claimed
    assert "waiting 4 hours" in later
    assert "waiting 4 hours" not in first
    with translation.override("vi"):
        vietnamese = rows._drawn(item, "vi", "UTC")
    assert vietnamese != first
    assert rows._drawn.cache_info().hits == 1


def test_text_in_a_row_is_escaped_and_so_is_the_return_address(rf):
    request = rf.get(QUEUE)
    item = an_item(summary='<script>alert("x")</script>', kind="problem")
    html = rows.queue_row_html(item, request, '/review/?a="><b>x</b>')

    assert "<script>" not in html
    assert "&lt;script&gt;" in html
    assert 'value="/review/?a=&quot;&gt;&lt;b&gt;x&lt;/b&gt;"' in html
    assert rows._HERE_MARK not in html
    assert rows._CSRF_MARK not in html


def test_each_clinician_gets_rows_with_their_own_csrf_field(clinician, clinician_b):
    """The same case's kept row, drawn once, serves two clinicians: each page's forms carry
    that clinician's token, and a claim with it goes through the CSRF check."""
    case = blocked_case()
    pages = {}
    for user in (clinician, clinician_b):
        browser = HttpsClient(enforce_csrf_checks=True)
        browser.force_login(user)
        html = browser.get(QUEUE).content.decode()
        row = html[html.index(f'id="case-{case.public_id}"') :]
        pages[user.pk] = (browser, TOKEN.search(row).group(1))

    (_, token_le), (dr_vo, token_vo) = pages[clinician.pk], pages[clinician_b.pk]
    assert token_le != token_vo
    came_from = {"HTTP_REFERER": f"https://testserver{QUEUE}"}
    refused = dr_vo.post(
        claim_url(case), {"csrfmiddlewaretoken": token_le, "next": QUEUE}, **came_from
    )
    assert refused.status_code == 403
    taken = dr_vo.post(
        claim_url(case), {"csrfmiddlewaretoken": token_vo, "next": QUEUE}, **came_from
    )
    assert taken.status_code == 302


def test_a_claim_by_a_colleague_shows_at_once_though_the_row_was_kept(
    client, clinician, clinician_b
):
    case = blocked_case()
    client.force_login(clinician)
    before = client.get(QUEUE).content.decode()
    assert "is reviewing this case" not in before

    review_claim(case_id=case.pk, clinician=clinician_b)

    after = client.get(QUEUE).content.decode()
    assert "Dr Thu Vo is reviewing this case" in after
    assert claim_url(case) not in after


@pytest.mark.parametrize("language", ["en", "vi"])
def test_the_waiting_time_is_timesinces_words(language):
    """The queue's waiting time, kept per whole minute under four weeks and per minute of the
    clock after, is what Django's `timesince` says, at any moment, either side of four weeks
    and in either language."""
    import datetime as dt
    import random

    from django.utils import translation
    from django.utils.timesince import timesince

    from consultations.review.views.rows import waited

    draw = random.Random(8)
    now = dt.datetime(2026, 3, 29, 1, 30, 17, 250_000, tzinfo=dt.UTC)  # a DST night in Europe
    spans = [0, 59, 60, 3599, 3600, 86_399, 28 * 86_400 - 1, 28 * 86_400, 400 * 86_400]
    spans += [draw.uniform(0, 40 * 86_400) for _ in range(400)]
    minute = now.replace(second=0, microsecond=0)
    with translation.override(language):
        for seconds in spans:
            since = now - dt.timedelta(seconds=seconds)
            # From four weeks on, the words are those of the minute `now` is in.
            expected = timesince(since, now if seconds < 28 * 86_400 else minute)
            assert waited(since, now) == expected, seconds
            assert waited(since, now + dt.timedelta(seconds=1)) in {
                expected,
                timesince(since, now + dt.timedelta(seconds=1)),
            }
        assert waited(now + dt.timedelta(minutes=5), now) == timesince(
            now + dt.timedelta(minutes=5), now
        )


def test_a_kinds_label_is_written_once_per_language_and_is_the_choices_own():
    """The rows' kind label is kept per kind and language: each the model's choice label, as
    translated in that language, never another language's kept one."""
    from consultations.review.models import ReviewCase
    from consultations.review.selectors import case_kind_label

    for language in ("en", "vi", "en"):
        with translation.override(language):
            for kind in ReviewCase.Kind:
                assert case_kind_label(kind.value, language) == str(kind.label)
    with translation.override("vi"):
        vietnamese = str(ReviewCase.Kind.INTAKE.label)
    assert vietnamese != case_kind_label(ReviewCase.Kind.INTAKE.value, "en")
