"""Template filters for dates, times and phone numbers in the page's language.

{{ appointment.starts_at|local_datetime:"weekday" }}   Thứ 3, 1 tháng 12 · 09:30
{{ clearance.expires_on|local_date }}                  1 tháng 12, 2026
{{ intake.phone|local_phone }}                         0901 234 567
"""

import datetime as dt

from django import template

from consultations.patients import formats

register = template.Library()


@register.filter
def local_date(value: dt.date | dt.datetime | None, style: str = "long") -> str:
    return formats.local_date(value, style)


@register.filter
def local_time(value: dt.datetime | dt.time | None) -> str:
    return formats.local_time(value)


@register.filter
def local_datetime(value: dt.datetime | None, style: str = "long") -> str:
    return formats.local_datetime(value, style)


@register.filter
def local_phone(value: str) -> str:
    return formats.phone_display(value)
