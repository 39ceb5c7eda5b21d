"""`{% kept %}` (patients/templatetags/kept.py): base.html's fixed pieces drawn once per
language give the very page the template gives without them."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.template import engines
from django.template.loader import get_template
from django.test import RequestFactory
from django.utils import translation

pytestmark = pytest.mark.django_db

CHILD = (
    "{% extends base %}{% block title %}A <page>{% endblock %}"
    "{% block content %}<p>{{ body }}</p>{% endblock %}"
)


def _without_kept() -> object:
    source = (Path(settings.BASE_DIR) / "templates" / "base.html").read_text()
    assert "{% kept %}" in source
    source = re.sub(r"\{% (end)?kept %\}", "", source).replace(" kept %}", " %}", 1)
    return engines["django"].from_string(source).template


@pytest.mark.parametrize("language", ["en", "vi"])
@pytest.mark.parametrize("signed_in", [False, True])
def test_base_with_kept_pieces_draws_what_it_draws_without_them(language, signed_in, patient_a):
    request = RequestFactory().get("/somewhere/?a=1")
    request.user = patient_a if signed_in else AnonymousUser()
    request.session = {}
    request._messages = []
    child = engines["django"].from_string(CHILD)
    with translation.override(language):
        for _ in range(2):  # drawn, then kept
            kept = child.render({"base": get_template("base.html").template, "body": "x"}, request)
            plain = child.render({"base": _without_kept(), "body": "x"}, request)
            assert kept == plain
    assert f'<html lang="{language}">' in kept


def test_a_kept_piece_reads_nothing_of_the_page_and_is_kept_per_language():
    template = engines["django"].from_string(
        '{% load i18n kept %}{% kept %}[{{ name }}] {% translate "Back" %}{% endkept %}'
    )
    with translation.override("en"):
        english = template.render({"name": "Ann"})
    with translation.override("vi"):
        vietnamese = template.render({"name": "Ann"})
    assert english == "[] Back"
    assert vietnamese.startswith("[] ")
    assert vietnamese != english
