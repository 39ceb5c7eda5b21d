"""The front desk's calendars: a day per practitioner (or room), a week of one of them.

Four queries whatever the number of appointments: practitioners, rooms, opening
hours and the appointments themselves (with their patient, product, area,
practitioner, room and clearance joined, and the patient's latest intake as a
subquery, so "needs clearance" is known without a query per appointment). The
appointments query uses appointment_practitioner_idx / appointment_room_idx or,
unfiltered, the local_date range. No medical detail is shown: time, product, area,
patient name and status.

Blocks are placed on a CSS grid with classes (cal-at-N, cal-span-N, cal-rows-N in
static/css/calendar.css) because the content security policy forbids inline styles.
"""

import datetime as dt
import math
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from consultations.booking.models import Appointment, OpeningHours, Practitioner, Room, Status
from consultations.booking.views.desk import (
    STATUS_STYLES,
    needs_clearance,
    require_desk,
    with_clearance_state,
)

SLOT_MINUTES = 15
MAX_ROWS = 96  # a whole day in quarter hours; static/css/calendar.css has a class for each
MAX_SPAN = 48
DEFAULT_OPEN, DEFAULT_CLOSE = dt.time(9, 0), dt.time(18, 0)


class CalendarForm(forms.Form):
    date = forms.DateField(
        label=gettext_lazy("Date"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    view = forms.ChoiceField(
        label=gettext_lazy("Show"),
        choices=[("day", gettext_lazy("Day")), ("week", gettext_lazy("Week"))],
        required=False,
    )
    by = forms.ChoiceField(
        label=gettext_lazy("Columns"),
        choices=[
            ("practitioner", gettext_lazy("Practitioners")),
            ("room", gettext_lazy("Rooms")),
        ],
        required=False,
    )
    practitioner = forms.ChoiceField(label=gettext_lazy("Practitioner"), required=False)
    room = forms.ChoiceField(label=gettext_lazy("Room"), required=False)

    def clean_date(self) -> dt.date | None:
        # A calendar steps a week either way from the day: stay far from the ends of time.
        day = self.cleaned_data.get("date")
        if day is not None and not dt.date(1900, 1, 1) <= day <= dt.date(2999, 12, 31):
            raise forms.ValidationError(gettext_lazy("Choose a date between 1900 and 2999."))
        return day

    def __init__(self, *args: object, practitioners: list, rooms: list, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        everyone = [("", gettext_lazy("All"))]
        self.fields["practitioner"].choices = everyone + [
            (str(p.public_id), p.display_name) for p in practitioners
        ]
        self.fields["room"].choices = everyone + [(str(r.public_id), r.name) for r in rooms]


@dataclass
class Block:
    appointment: Appointment
    at: int
    span: int
    starts: dt.datetime
    ends: dt.datetime
    style: str
    needs_clearance: bool


@dataclass
class Column:
    title: str
    key: object
    link: str = ""
    blocks: list[Block] = field(default_factory=list)


def _bounds(
    hours: list[tuple[dt.time, dt.time]], appointments: list[Appointment]
) -> tuple[dt.time, dt.time]:
    """From the earliest opening to the latest closing, stretched to any appointment outside."""
    opens = min((o for o, _c in hours), default=DEFAULT_OPEN)
    closes = max((c for _o, c in hours), default=DEFAULT_CLOSE)
    for appointment in appointments:
        start = timezone.localtime(appointment.starts_at).time()
        end = timezone.localtime(appointment.ends_at)
        opens = min(opens, start)
        # An appointment ending at midnight ends at the day's last minute on the calendar.
        closes = max(closes, end.time() if end.date() == appointment.local_date else dt.time.max)
    opens = dt.time(opens.hour, opens.minute - opens.minute % SLOT_MINUTES)
    return opens, closes


def _minutes(moment: dt.time) -> int:
    return moment.hour * 60 + moment.minute + (1 if moment.second or moment.microsecond else 0)


def _block(appointment: Appointment, opens: dt.time, rows: int) -> Block:
    starts = timezone.localtime(appointment.starts_at)
    ends = timezone.localtime(appointment.ends_at)
    offset = _minutes(starts.time()) - _minutes(opens)
    at = max(0, offset // SLOT_MINUTES) + 1
    length = (ends - starts).total_seconds() / 60
    span = max(1, math.ceil((length + offset % SLOT_MINUTES) / SLOT_MINUTES))
    span = min(span, rows - at + 1, MAX_SPAN)
    return Block(
        appointment=appointment,
        at=at,
        span=max(span, 1),
        starts=starts,
        ends=ends,
        style=STATUS_STYLES.get(appointment.status, "secondary"),
        needs_clearance=needs_clearance(appointment),
    )


def _slots(opens: dt.time, closes: dt.time) -> tuple[int, list[dict]]:
    rows = max(1, min(MAX_ROWS, math.ceil((_minutes(closes) - _minutes(opens)) / SLOT_MINUTES)))
    start = _minutes(opens)
    labels = []
    for index in range(rows):
        minute = start + index * SLOT_MINUTES
        if minute % 30 == 0:
            labels.append({"at": index + 1, "label": f"{minute // 60:02d}:{minute % 60:02d}"})
    return rows, labels


def _query(params: dict[str, str], **changes: object) -> str:
    merged = {**params, **{k: str(v) for k, v in changes.items()}}
    return "?" + urlencode({k: v for k, v in merged.items() if v})


@login_required
@require_GET
def calendar_page(request: HttpRequest) -> HttpResponse:
    require_desk(request.user)
    practitioners = list(Practitioner.objects.filter(is_active=True).order_by("display_name"))
    rooms = list(Room.objects.filter(is_active=True).order_by("name"))
    form = CalendarForm(request.GET or None, practitioners=practitioners, rooms=rooms)
    form.is_valid()
    cleaned = getattr(form, "cleaned_data", {})
    day = cleaned.get("date") or timezone.localdate()
    params = {
        "view": cleaned.get("view") or "day",
        "by": cleaned.get("by") or "practitioner",
        "practitioner": cleaned.get("practitioner") or "",
        "room": cleaned.get("room") or "",
    }
    if params["view"] == "week":
        return calendar_week(request, form, day, params, practitioners, rooms)
    return calendar_day(request, form, day, params, practitioners, rooms)


def _appointments(first: dt.date, last: dt.date, params: dict[str, str]) -> list[Appointment]:
    appointments = (
        with_clearance_state(
            Appointment.objects.filter(local_date__range=(first, last)).exclude(
                status=Status.CANCELLED
            )
        )
        .select_related("patient", "product", "area", "practitioner", "room")
        .only(
            "public_id",
            "status",
            "starts_at",
            "ends_at",
            "local_date",
            "practitioner_id",
            "room_id",
            "patient__public_id",
            "patient__full_name",
            "product__name",
            "product__translations",
            "area__name",
            "area__translations",
            "practitioner__public_id",
            "practitioner__display_name",
            "room__public_id",
            "room__name",
            "clearance__revoked_at",
            "clearance__expires_on",
            "clearance__intake_id",
        )
        .order_by("starts_at")
    )
    if params["practitioner"]:
        appointments = appointments.filter(practitioner__public_id=params["practitioner"])
    if params["room"]:
        appointments = appointments.filter(room__public_id=params["room"])
    return list(appointments)


def _hours(weekdays: set[int]) -> list[tuple[dt.time, dt.time]]:
    return list(OpeningHours.objects.filter(weekday__in=weekdays).values_list("opens", "closes"))


def _navigation(day: dt.date, step: int, params: dict[str, str]) -> dict[str, str]:
    return {
        "previous": _query(params, date=(day - dt.timedelta(days=step)).isoformat()),
        "next": _query(params, date=(day + dt.timedelta(days=step)).isoformat()),
        "today": _query(params, date=timezone.localdate().isoformat()),
        "as_day": _query(params, view="day", date=day.isoformat()),
        "as_week": _query(params, view="week", date=day.isoformat()),
        "by_practitioner": _query(params, by="practitioner", room="", date=day.isoformat()),
        "by_room": _query(params, by="room", practitioner="", date=day.isoformat()),
    }


def calendar_day(
    request: HttpRequest,
    form: CalendarForm,
    day: dt.date,
    params: dict[str, str],
    practitioners: list[Practitioner],
    rooms: list[Room],
) -> HttpResponse:
    appointments = _appointments(day, day, params)
    hours = _hours({day.weekday()})
    opens, closes = _bounds(hours, appointments)
    rows, labels = _slots(opens, closes)
    by_room = params["by"] == "room"
    if by_room:
        chosen = [r for r in rooms if not params["room"] or str(r.public_id) == params["room"]]
        columns = [
            Column(r.name, r.pk, _query(params, view="week", room=str(r.public_id))) for r in chosen
        ]
    else:
        chosen = [
            p
            for p in practitioners
            if not params["practitioner"] or str(p.public_id) == params["practitioner"]
        ]
        columns = [
            Column(p.display_name, p.pk, _query(params, view="week", practitioner=str(p.public_id)))
            for p in chosen
        ]
    by_key = {column.key: column for column in columns}
    for appointment in appointments:
        key = appointment.room_id if by_room else appointment.practitioner_id
        column = by_key.get(key)
        if column is None:  # an inactive practitioner or room still holding an appointment
            column = Column(
                appointment.room.name if by_room else appointment.practitioner.display_name, key
            )
            by_key[key] = column
            columns.append(column)
        column.blocks.append(_block(appointment, opens, rows))
    return render(
        request,
        "booking/calendar.html",
        {
            "form": form,
            "view": "day",
            "day": day,
            "is_today": day == timezone.localdate(),
            "closed": not hours,
            "params": params,
            "nav": _navigation(day, 1, params),
            "rows": rows,
            "labels": labels,
            "columns": columns,
            "by_room": by_room,
            "count": len(appointments),
        },
    )


def calendar_week(
    request: HttpRequest,
    form: CalendarForm,
    day: dt.date,
    params: dict[str, str],
    practitioners: list[Practitioner],
    rooms: list[Room],
) -> HttpResponse:
    monday = day - dt.timedelta(days=day.weekday())
    sunday = monday + dt.timedelta(days=6)
    # A week is of one practitioner or one room: the chosen one, else the first.
    if params["practitioner"]:
        by_room = False
    elif params["room"]:
        by_room = True
    else:
        by_room = params["by"] == "room"
    if by_room and rooms and not params["room"]:
        params = {**params, "room": str(rooms[0].public_id)}
    elif not by_room and practitioners and not params["practitioner"]:
        params = {**params, "practitioner": str(practitioners[0].public_id)}
    if by_room:
        subject = next((r.name for r in rooms if str(r.public_id) == params["room"]), "")
    else:
        subject = next(
            (p.display_name for p in practitioners if str(p.public_id) == params["practitioner"]),
            "",
        )
    appointments = _appointments(monday, sunday, params) if subject else []
    hours = _hours(set(range(7)))
    opens, closes = _bounds(hours, appointments)
    rows, labels = _slots(opens, closes)
    days = [monday + dt.timedelta(days=n) for n in range(7)]
    columns = [
        Column(
            "",
            d,
            _query(params, view="day", date=d.isoformat()),
        )
        for d in days
    ]
    by_key = {column.key: column for column in columns}
    for appointment in appointments:
        by_key[appointment.local_date].blocks.append(_block(appointment, opens, rows))
    return render(
        request,
        "booking/calendar.html",
        {
            "form": form,
            "view": "week",
            "day": day,
            "monday": monday,
            "sunday": sunday,
            "today": timezone.localdate(),
            "subject": subject,
            "params": params,
            "nav": _navigation(day, 7, params),
            "rows": rows,
            "labels": labels,
            "columns": columns,
            "by_room": by_room,
            "count": len(appointments),
        },
    )
