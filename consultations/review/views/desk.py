"""The front desk's notes: clearances withdrawn, bookings to hold. No medical detail."""

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from consultations.patients.models import Role, User
from consultations.review.models import FrontDeskNote
from consultations.review.services import desk_note_acknowledge

NOTES_SHOWN = 50


def _require_desk(user: User) -> None:
    if not (user.is_active and user.roles & {Role.FRONT_DESK, Role.ADMIN}):
        raise PermissionDenied


@login_required
@require_GET
def notes_page(request: HttpRequest) -> HttpResponse:
    _require_desk(request.user)
    # Unseen first (desk_note_unseen_idx), then the latest seen ones; two queries in all.
    unseen = list(
        FrontDeskNote.objects.filter(acknowledged_at__isnull=True)
        .select_related("patient")
        .order_by("-created_at")[:NOTES_SHOWN]
    )
    seen = list(
        FrontDeskNote.objects.filter(acknowledged_at__isnull=False)
        .select_related("patient", "acknowledged_by")
        .order_by("-acknowledged_at")[:NOTES_SHOWN]
    )
    return render(request, "review/desk_notes.html", {"unseen": unseen, "seen": seen})


@login_required
@require_POST
def notes_acknowledge(request: HttpRequest) -> HttpResponse:
    _require_desk(request.user)
    ids = {
        note.pk
        for note in FrontDeskNote.objects.filter(
            public_id__in=[v for v in request.POST.getlist("note") if _is_uuid(v)]
        ).only("pk")
    }
    count = desk_note_acknowledge(note_ids=ids, user=request.user)
    if count:
        messages.success(
            request,
            ngettext("%(n)d note marked as seen.", "%(n)d notes marked as seen.", count)
            % {"n": count},
        )
    else:
        messages.info(request, _("Tick the notes you have read, then mark them as seen."))
    return redirect("review:desk_notes")


def _is_uuid(value: str) -> bool:
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True
