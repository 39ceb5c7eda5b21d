"""The queue's page is drawn once per state and kept (clinic/kept.py, review/views/queue.py):
a kept page must be exactly the page the templates draw for that request, carry the
request's own CSRF token and rows, and never outlive a change of anything it shows."""

import re

import pytest
from django.test import RequestFactory

from clinic.kept import KeptPages
from consultations.review.models import Priority
from consultations.review.services import review_claim
from consultations.review.views import queue
from tests.conftest import HttpsClient
from tests.review.test_queue_views import (
    HTMX,
    QUEUE,
    blocked_case,
    claim_url,
    clean_case,
    more_than_a_page,
    review_case,
)

pytestmark = pytest.mark.django_db

TOKEN = re.compile(r'(name="csrfmiddlewaretoken" value="|"X-CSRFToken": ")[^"]+"')


def _same_token(html: str) -> str:
    return TOKEN.sub(r'\1TOKEN"', html)


def _browser(user) -> HttpsClient:
    browser = HttpsClient()
    browser.force_login(user)
    return browser


@pytest.fixture
def two_pages() -> None:
    """A queue longer than a page: cases of every priority, some waiting for the same time."""
    review_case(), blocked_case()
    more_than_a_page(extra=5)


STATES = [
    pytest.param({}, {}, id="first page"),
    pytest.param({"severity": Priority.BLOCK}, {}, id="one severity"),
    pytest.param({"treatment": "mesotherapy", "waited": 24}, {}, id="treatment, waited"),
    pytest.param({"mine": "on"}, {}, id="mine: nothing"),
    pytest.param({"after": "not-a-cursor"}, {}, id="bad cursor"),
    pytest.param({}, HTMX, id="htmx list"),
    pytest.param({"severity": Priority.REVIEW}, HTMX, id="htmx list, filtered"),
]


@pytest.mark.parametrize("language", ["en", "vi"])
@pytest.mark.parametrize(("params", "headers"), STATES)
def test_a_kept_page_is_the_page_the_templates_draw(
    clinician, two_pages, monkeypatch, language, params, headers
):
    browser = _browser(clinician)
    browser.cookies["django_language"] = language
    drawn = browser.get(QUEUE, params, **headers)  # drawn with markers, and kept
    kept = browser.get(QUEUE, params, **headers)  # the drawing reused
    assert kept.context is None  # no template was drawn for it
    monkeypatch.setattr(queue.QUEUE_PAGES, "size", 0)
    monkeypatch.setattr(queue.QUEUE_LISTS, "size", 0)
    fresh = browser.get(QUEUE, params, **headers)  # the templates, as before any keeping
    assert fresh.context is not None

    assert _same_token(kept.content.decode()) == _same_token(fresh.content.decode())
    assert _same_token(drawn.content.decode()) == _same_token(fresh.content.decode())
    for marker in (*queue.QUEUE_PAGES.markers.values(), *queue.QUEUE_LISTS.markers.values()):
        assert marker not in kept.content.decode()


def test_the_next_pages_are_kept_apart_and_right(clinician, two_pages, monkeypatch):
    browser = _browser(clinician)
    page_one = browser.get(QUEUE)
    assert page_one.context["next_url"]
    page_two = browser.get(page_one.context["next_url"])
    again = browser.get(page_one.context["next_url"])
    monkeypatch.setattr(queue.QUEUE_PAGES, "size", 0)
    fresh = browser.get(page_one.context["next_url"])
    assert _same_token(again.content.decode()) == _same_token(fresh.content.decode())
    assert _same_token(page_two.content.decode()) != _same_token(page_one.content.decode())


def test_each_request_gets_its_own_token_and_each_clinician_their_own_page(clinician, clinician_b):
    blocked_case()
    le, vo = _browser(clinician), _browser(clinician_b)
    first, second = le.get(QUEUE).content.decode(), le.get(QUEUE).content.decode()
    theirs = vo.get(QUEUE).content.decode()
    assert TOKEN.search(first).group() != TOKEN.search(second).group()
    mine, colleague = clinician.get_short_name(), clinician_b.get_short_name()
    assert mine != colleague
    assert f">{mine}<" in second
    assert f">{mine}<" not in theirs
    assert f">{colleague}<" in theirs


def test_a_new_case_a_claim_and_a_message_show_at_once(clinician, clinician_b):
    case = blocked_case()
    browser = _browser(clinician)
    assert "1 case waiting" in browser.get(QUEUE).content.decode()

    clean_case()
    after_new = browser.get(QUEUE).content.decode()
    assert "2 cases waiting" in after_new

    review_claim(case_id=case.pk, clinician=clinician_b)
    assert "Dr Thu Vo is reviewing this case" in browser.get(QUEUE).content.decode()

    # Released by its holder, without JavaScript: back on the queue with the message, once.
    vo = _browser(clinician_b)
    released = vo.post(
        claim_url(case).replace("claim", "release"),
        {"next": QUEUE},
        follow=True,
    )
    assert "You released the case" in released.content.decode()
    assert "You released the case" not in vo.get(QUEUE).content.decode()


def test_a_filter_not_understood_is_drawn_afresh_and_not_kept(clinician):
    browser = _browser(clinician)
    before = len(queue.QUEUE_PAGES._kept)
    html = browser.get(QUEUE, {"severity": "9"}).content.decode()
    assert "Some filters were not understood" in html
    assert len(queue.QUEUE_PAGES._kept) == before


def test_the_least_recently_used_drawing_goes_first(clinician):
    pages = KeptPages("partials/messages.html", fill_ins=(), size=2)
    request = RequestFactory().get("/")
    request.user = clinician
    request._messages = []
    for state in ("a", "b", "a", "c"):
        pages.render(request, state=state, context={}, fill_ins={}, marked={})
    kept_states = [key[0] for key in pages._kept]
    assert kept_states == ["a", "c"]


def test_the_header_comes_back_to_this_very_address(clinician):
    """Two addresses showing the same state keep a page each: the header's language form
    brings each back to its own."""
    browser = _browser(clinician)
    browser.get(QUEUE, {"severity": Priority.BLOCK})
    other = browser.get(QUEUE, {"severity": Priority.BLOCK, "from": "email"}).content.decode()
    assert 'name="next" type="hidden" value="/review/?severity=2&amp;from=email"' in other
