"""Dates, times and phone numbers written as people write them where they live.

Dates and times follow the Unicode CLDR conventions of the page's language through Babel: a
Vietnamese page shows "Thứ 3, 1 tháng 12" and "09:30", an English one "Tue, Dec 1" and
"9:30 AM". Phone numbers follow libphonenumber: a number of the clinic's own country is shown
as its people dial it ("0901 234 567" in Vietnam), any other in international form. Numbers
are stored in E.164 ("+84901234567"), so they compare and dial the same everywhere.

Every function reads the active language (`translation.get_language()`), so pages, emails
rendered under `translation.override` and the export all agree.
"""

import datetime as dt

import phonenumbers
from babel.dates import format_date, format_skeleton, format_time, get_datetime_format
from django.conf import settings
from django.utils import timezone, translation

# The date styles the pages use, each a CLDR format name or skeleton (the locale orders the
# parts and spells the words).
DATE_STYLES: dict[str, tuple[str, str]] = {
    "long": ("format", "long"),  # December 1, 2026 · 1 tháng 12, 2026
    "full": ("format", "full"),  # Tuesday, December 1, 2026 · Thứ Ba, 1 tháng 12, 2026
    "medium": ("format", "medium"),  # Dec 1, 2026 · 1 thg 12, 2026
    "numeric": ("skeleton", "yMd"),  # 12/1/2026 · 1/12/2026
    "short": ("skeleton", "yMMMEd"),  # Tue, Dec 1, 2026 · Th 3, 1 thg 12, 2026
    "weekday": ("skeleton", "MMMMEd"),  # Tue, December 1 · Thứ 3, 1 tháng 12
    "short_weekday": ("skeleton", "MMMEd"),  # Tue, Dec 1 · Thứ 3, 1 thg 12
    "day_month": ("skeleton", "MMMd"),  # Dec 1 · 1 thg 12
}


# The CLDR locale of each page language. The clinic writes British English ("anaesthetic"),
# so its English dates are British too: 1 December 2026, 09:30.
FORMAT_LOCALES = {"en": "en_GB", "vi": "vi"}


def _locale() -> str:
    language = translation.get_language() or settings.LANGUAGE_CODE
    return FORMAT_LOCALES.get(language, language.replace("-", "_"))


def _local(value: dt.date | dt.datetime) -> dt.date | dt.datetime:
    if isinstance(value, dt.datetime) and timezone.is_aware(value):
        return timezone.localtime(value)
    return value


def local_date(value: dt.date | dt.datetime | None, style: str = "long") -> str:
    """A day in the page's language: `style` is one of DATE_STYLES."""
    if value is None:
        return ""
    kind, name = DATE_STYLES[style]
    value = _local(value)
    day = value.date() if isinstance(value, dt.datetime) else value
    if kind == "format":
        return format_date(day, name, locale=_locale())
    return format_skeleton(name, day, locale=_locale())


def local_time(value: dt.datetime | dt.time | None) -> str:
    """A time of day in the page's language (24-hour where the locale writes it so)."""
    if value is None:
        return ""
    value = _local(value) if isinstance(value, dt.datetime) else value
    if isinstance(value, dt.datetime):
        value = value.replace(tzinfo=None)
    return format_time(value, "short", locale=_locale())


def local_datetime(value: dt.datetime | None, style: str = "long") -> str:
    """A moment: the day in `style` and the time, joined as the locale joins them."""
    if value is None:
        return ""
    value = _local(value)
    pattern = get_datetime_format("medium", locale=_locale()).replace("'", "")
    return pattern.format(local_time(value), local_date(value, style))


# --- Phone numbers ----------------------------------------------------------------------------


class InvalidPhoneNumber(ValueError):
    pass


def phone_normalise(text: str) -> str:
    """The number in E.164, read as someone in the clinic's country would dial it.

    "0901 234 567" in a Vietnamese clinic is +84901234567; a number with its country code works
    from anywhere. Raises InvalidPhoneNumber when it is not a number that can be called.
    """
    try:
        number = phonenumbers.parse(text, settings.CLINIC_PHONE_REGION)
    except phonenumbers.NumberParseException as exc:
        raise InvalidPhoneNumber(text) from exc
    if not phonenumbers.is_valid_number(number):
        raise InvalidPhoneNumber(text)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def phone_example() -> str:
    """A mobile number of the clinic's country as its people write it, for help and errors."""
    example = phonenumbers.example_number_for_type(
        settings.CLINIC_PHONE_REGION, phonenumbers.PhoneNumberType.MOBILE
    )
    if example is None:
        return "+1 202 555 0143"
    return phonenumbers.format_number(example, phonenumbers.PhoneNumberFormat.NATIONAL)


def phone_display(stored: str) -> str:
    """A stored number as it is dialled in the clinic's country, or in international form."""
    if not stored:
        return ""
    try:
        number = phonenumbers.parse(stored, settings.CLINIC_PHONE_REGION)
    except phonenumbers.NumberParseException:
        return stored  # kept as typed before numbers were normalised
    region = phonenumbers.region_code_for_number(number)
    style = (
        phonenumbers.PhoneNumberFormat.NATIONAL
        if region == settings.CLINIC_PHONE_REGION
        else phonenumbers.PhoneNumberFormat.INTERNATIONAL
    )
    return phonenumbers.format_number(number, style)
