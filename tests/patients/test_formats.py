"""Dates, times and phone numbers in the page's language and the clinic's country."""

import datetime as dt
import zoneinfo

import pytest
from django.template import Context, Template
from django.utils import timezone, translation

from consultations.patients import formats

MOMENT = dt.datetime(2026, 12, 1, 2, 30, tzinfo=dt.UTC)  # 09:30 in Hồ Chí Minh City


@pytest.fixture(autouse=True)
def _clinic_in_vietnam(settings):
    settings.CLINIC_PHONE_REGION = "VN"
    with timezone.override(zoneinfo.ZoneInfo("Asia/Ho_Chi_Minh")):
        yield


@pytest.mark.parametrize(
    ("language", "style", "expected"),
    [
        ("en", "long", "1 December 2026"),
        ("vi", "long", "1 tháng 12, 2026"),
        ("en", "weekday", "Tue 1 December"),
        ("vi", "weekday", "Thứ 3, 1 tháng 12"),
        ("en", "numeric", "01/12/2026"),
        ("vi", "numeric", "1/12/2026"),
        ("vi", "full", "Thứ Ba, 1 tháng 12, 2026"),
    ],
)
def test_a_day_is_written_as_the_pages_language_writes_it(language, style, expected):
    with translation.override(language):
        assert formats.local_date(MOMENT, style) == expected


def test_a_moment_is_shown_in_the_clinics_time_zone_and_the_languages_order():
    with translation.override("en"):
        assert formats.local_time(MOMENT) == "09:30"
        assert formats.local_datetime(MOMENT) == "1 December 2026, 09:30"
    with translation.override("vi"):
        # Vietnamese puts the time first.
        assert formats.local_datetime(MOMENT) == "09:30 1 tháng 12, 2026"


def test_a_day_just_after_midnight_locally_is_that_local_day():
    late_utc = dt.datetime(2026, 11, 30, 18, 0, tzinfo=dt.UTC)  # 01:00 on 1 December locally
    with translation.override("en"):
        assert formats.local_date(late_utc) == "1 December 2026"


def test_the_template_filters_use_the_same_formats():
    template = Template(
        "{% load local_formats %}{{ d|local_date:'weekday' }} · {{ d|local_time }} · "
        "{{ p|local_phone }}"
    )
    with translation.override("vi"):
        shown = template.render(Context({"d": MOMENT, "p": "+84901234567"}))
    assert shown == "Thứ 3, 1 tháng 12 · 09:30 · 0901 234 567"


def test_empty_values_show_nothing():
    assert formats.local_date(None) == formats.local_datetime(None) == ""
    assert formats.local_time(None) == formats.phone_display("") == ""


@pytest.mark.parametrize(
    "typed",
    ["0901 234 567", "090-123-4567", "+84 90 123 4567", "(+84) 901234567", "84901234567"],
)
def test_a_number_typed_as_it_is_dialled_in_vietnam_is_kept_in_e164(typed):
    assert formats.phone_normalise(typed) == "+84901234567"


def test_a_foreign_number_keeps_its_country_and_is_shown_internationally():
    stored = formats.phone_normalise("+1 202 555 0143")
    assert stored == "+12025550143"
    assert formats.phone_display(stored) == "+1 202-555-0143"
    assert formats.phone_display("+84901234567") == "0901 234 567"


@pytest.mark.parametrize("typed", ["call me maybe", "123", "+84 12", "0901 234 567 890 12"])
def test_what_cannot_be_called_is_refused(typed):
    with pytest.raises(formats.InvalidPhoneNumber):
        formats.phone_normalise(typed)


def test_a_clinic_elsewhere_reads_and_shows_numbers_as_dialled_there(settings):
    settings.CLINIC_PHONE_REGION = "US"
    assert formats.phone_normalise("(202) 555-0143") == "+12025550143"
    assert formats.phone_display("+12025550143") == "(202) 555-0143"
    assert formats.phone_display("+84901234567") == "+84 901 234 567"


def test_a_number_kept_before_normalisation_is_shown_as_typed():
    assert formats.phone_display("not a number") == "not a number"
