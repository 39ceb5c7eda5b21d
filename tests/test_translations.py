"""Vietnamese, whole: every text a person reads has a real translation, kept in step with the code.

The catalog (locale/vi/LC_MESSAGES/django.po) is checked three ways: every entry is
translated and none is fuzzy; GNU gettext accepts it (placeholders such as %(name)s agree
between English and Vietnamese); and extracting the marked text from the code again, in a
scratch copy, finds exactly the entries the catalog has, so a new string without a
translation fails here. The pages are then read in Vietnamese.
"""

import re
import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import translation

ROOT = Path(settings.BASE_DIR)
PO = ROOT / "locale" / "vi" / "LC_MESSAGES" / "django.po"
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|%[sd]|\{\{ ?\w+ ?\}\}")


def _catalog() -> polib.POFile:
    return polib.pofile(str(PO))


def test_every_entry_of_the_vietnamese_catalog_is_translated_and_none_is_fuzzy() -> None:
    catalog = _catalog()
    missing = [e.msgid for e in catalog.untranslated_entries()]
    fuzzy = [e.msgid for e in catalog.fuzzy_entries()]
    assert missing == [], f"{len(missing)} strings have no Vietnamese: {missing[:10]}"
    assert fuzzy == [], f"{len(fuzzy)} translations are marked fuzzy: {fuzzy[:10]}"


def test_translations_keep_every_placeholder_of_the_english() -> None:
    wrong = []
    for entry in _catalog():
        english = sorted(PLACEHOLDER.findall(entry.msgid))
        texts = entry.msgstr_plural.values() if entry.msgid_plural else [entry.msgstr]
        for text in texts:
            if entry.msgid_plural:
                # The single Vietnamese form may name the count the English singular leaves out.
                english_plural = sorted(PLACEHOLDER.findall(entry.msgid_plural))
                if not set(PLACEHOLDER.findall(text)) <= set(english) | set(english_plural):
                    wrong.append(entry.msgid)
            elif sorted(PLACEHOLDER.findall(text)) != english:
                wrong.append(entry.msgid)
    assert wrong == []


def test_gnu_gettext_accepts_the_catalog() -> None:
    result = subprocess.run(  # noqa: S603
        ["msgfmt", "--check", "-o", "/dev/null", str(PO)],  # noqa: S607
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr


def test_the_vietnamese_is_not_english_left_in_place() -> None:
    # Words that stay as they are in Vietnamese: names, codes, units.
    same = {e.msgid for e in _catalog() if e.msgstr == e.msgid}
    sentences = [text for text in same if len(text.split()) > 2]
    assert sentences == [], sentences


def test_the_catalog_holds_exactly_the_texts_the_code_marks(tmp_path: Path) -> None:
    """Extract again from a scratch copy of the code: new or changed text must be translated."""
    for part in ("manage.py", "clinic", "consultations", "templates", "locale"):
        source = ROOT / part
        if source.is_dir():
            shutil.copytree(source, tmp_path / part, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(source, tmp_path / part)
    result = subprocess.run(
        [sys.executable, "manage.py", "makemessages", "-l", "vi", "--no-obsolete"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
        env={"DJANGO_DEBUG": "true", "PATH": "/usr/bin:/bin", "DATABASE_URL": "sqlite://"},
    )
    assert result.returncode == 0, result.stderr
    extracted = polib.pofile(str(tmp_path / "locale" / "vi" / "LC_MESSAGES" / "django.po"))
    keys = {(e.msgctxt, e.msgid) for e in _catalog()}
    new = sorted(e.msgid for e in extracted if (e.msgctxt, e.msgid) not in keys)
    gone = sorted(msgid for ctxt, msgid in keys - {(e.msgctxt, e.msgid) for e in extracted})
    assert new == [], f"translate these (make messages, then edit {PO.name}): {new[:10]}"
    assert gone == [], f"no longer in the code (make messages drops them): {gone[:10]}"


# --- The pages, in Vietnamese ---------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("home", "Phòng khám Da liễu"),
        ("patients:login", "Đăng nhập"),
        ("patients:register", "Tạo tài khoản"),
        ("catalog:index", "Các liệu trình của chúng tôi"),
    ],
)
def test_a_vietnamese_browser_gets_the_pages_in_vietnamese(name, expected) -> None:
    page = Client().get(reverse(name), HTTP_ACCEPT_LANGUAGE="vi,en;q=0.5", secure=True)
    html = page.content.decode()
    assert '<html lang="vi">' in html
    assert expected in html


@pytest.mark.django_db
def test_the_language_can_be_switched_on_any_page_and_sticks() -> None:
    client = Client()
    home = client.get(reverse("home"), secure=True).content.decode()
    assert 'name="language"' in home
    switched = client.post(
        reverse("set_language"), {"language": "vi", "next": reverse("catalog:index")}, secure=True
    )
    assert switched.status_code == 302
    assert '<html lang="vi">' in client.get(reverse("catalog:index"), secure=True).content.decode()


def test_the_screening_rules_patient_messages_are_all_translated() -> None:
    from consultations.screening.engine.rules import RULES

    with translation.override("vi"):
        for rule in RULES:
            assert translation.gettext(rule.patient_message) != rule.patient_message, rule.code


@pytest.mark.django_db
def test_a_signed_in_patients_choice_of_language_is_kept_for_their_emails(patient_a) -> None:
    client = Client()
    client.force_login(patient_a)
    assert patient_a.preferred_language == "en"
    client.post(reverse("set_language"), {"language": "vi", "next": "/"}, secure=True)
    patient_a.refresh_from_db()
    assert patient_a.preferred_language == "vi"
    client.post(reverse("set_language"), {"language": "xx", "next": "/"}, secure=True)
    patient_a.refresh_from_db()
    assert patient_a.preferred_language == "vi"


# --- Errors are announced wherever a form is refused ----------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("patients:register", {"full_name": "", "email": "not-an-email", "password1": "x"}),
        ("patients:login", {"username": "nobody@example.com", "password": "wrong-password"}),
        ("patients:password_reset", {"email": "not-an-email"}),
    ],
)
def test_a_refused_form_opens_with_an_announced_summary_linking_to_each_field(name, data):
    page = Client().post(reverse(name), data, secure=True).content.decode()
    summary = re.search(
        r'<div class="alert alert-danger" role="alert" id="error-summary".*?</div>', page, re.S
    )
    assert summary, "no error summary"
    assert 'tabindex="-1"' in summary.group(0)
    for target in re.findall(r'href="#(div_id_\w+)"', summary.group(0)):
        assert f'id="{target}"' in page
