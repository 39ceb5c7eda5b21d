"""One masked CSRF token for all the forms of a response (clinic/csrf.py)."""

import re

import pytest
from django.middleware.csrf import _unmask_cipher_token, rotate_token
from django.test import RequestFactory

from clinic.csrf import csrf_input, csrf_token
from tests.conftest import HttpsClient
from tests.review.test_queue_views import QUEUE, blocked_case, claim_url

pytestmark = pytest.mark.django_db

TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
HX_TOKEN = re.compile(r'"X-CSRFToken": "([^"]+)"')


def test_the_token_is_masked_once_per_request_and_again_when_the_secret_changes():
    request = RequestFactory().get("/")
    first = csrf_token(request)
    assert csrf_token(request) == first  # Django's get_token would mask it afresh
    assert request.META["CSRF_COOKIE_NEEDS_UPDATE"] is True
    assert _unmask_cipher_token(first) == request.META["CSRF_COOKIE"]

    rotate_token(request)  # as login does
    after = csrf_token(request)
    assert after != first
    assert _unmask_cipher_token(after) == request.META["CSRF_COOKIE"]
    assert f'value="{after}"' in csrf_input(request)


def test_every_form_of_a_page_carries_the_same_token_and_it_is_accepted(clinician):
    """The queue's forms drawn in Python (the rows' claims), by the template (the header's
    logout) and htmx's header all carry one token, which a claim then passes with."""
    case = blocked_case()
    browser = HttpsClient(enforce_csrf_checks=True)
    browser.force_login(clinician)
    response = browser.get(QUEUE)
    html = response.content.decode()
    tokens = set(TOKEN.findall(html)) | set(HX_TOKEN.findall(html))
    assert len(TOKEN.findall(html)) >= 2
    assert len(tokens) == 1
    assert "csrftoken" in response.cookies
    (token,) = tokens
    taken = browser.post(
        claim_url(case),
        {"csrfmiddlewaretoken": token, "next": QUEUE},
        HTTP_REFERER=f"https://testserver{QUEUE}",
    )
    assert taken.status_code == 302
