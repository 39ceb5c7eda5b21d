"""`{% page_header %}` draws exactly what partials/header.html draws, for every visitor.

The header is drawn once per kind of visitor and kept (consultations/patients/templatetags/
page_header.py); each request's CSRF token, name and address are filled in afterwards. Here
both are drawn for the same request and compared character for character (the CSRF tokens
aside: each drawing masks the same secret afresh), for an anonymous visitor and every role,
in both languages, with a name and an address full of characters HTML must escape.
"""

import re

import pytest
from django.contrib.auth.models import AnonymousUser
from django.middleware.csrf import CSRF_SESSION_KEY, get_token
from django.template import RequestContext, Template
from django.test import RequestFactory
from django.utils import translation

from consultations.patients.services import patient_register
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"')
DIRECT = Template('{% include "partials/header.html" %}')
KEPT = Template("{% load page_header %}{% page_header %}")


def _draw(page: Template, user, path: str) -> str:
    request = RequestFactory().get(path)
    request.user = user
    request.META[CSRF_SESSION_KEY] = "unused"
    get_token(request)
    return page.render(RequestContext(request))


@pytest.fixture
def visitors(patient_a, clinician, front_desk, admin_user):
    odd = patient_register(email="odd@example.com", password=PASSWORD, full_name='<i>Đỗ&"x Mai')
    return {
        "anonymous": AnonymousUser(),
        "patient": patient_a,
        "clinician": clinician,
        "front desk": front_desk,
        "admin": admin_user,
        "odd name": odd,
    }


@pytest.mark.parametrize("language", ["en", "vi"])
@pytest.mark.parametrize("path", ["/", '/intake/?next=/a&b="<c>"'])
def test_the_kept_header_is_the_template_drawn_directly(visitors, language, path) -> None:
    with translation.override(language):
        for name, user in visitors.items():
            direct, kept = _draw(DIRECT, user, path), _draw(KEPT, user, path)
            assert TOKEN.search(direct), name
            assert TOKEN.sub("", kept) == TOKEN.sub("", direct), name


def test_each_request_gets_its_own_token_name_and_address(patient_a, visitors) -> None:
    first = _draw(KEPT, patient_a, "/first/")
    second = _draw(KEPT, visitors["odd name"], "/second/?x=<1>")
    assert "Anna" in first
    assert "/first/" in first
    assert "Đỗ" not in first
    assert "Đỗ" in second
    assert "/second/?x=%3C1%3E" in second  # as the request gives it
    assert "Anna" not in second
    assert "/first/" not in second
    assert TOKEN.findall(first) != TOKEN.findall(second)
