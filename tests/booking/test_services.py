"""The booking rules below the views: the clearance gate, spacing, no double booking, the day."""

import datetime as dt
import threading

import pytest
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from consultations.booking.models import (
    Appointment,
    AppointmentEvent,
    CheckIn,
    Status,
    TimeOff,
)
from consultations.booking.services import (
    BookingRefused,
    SlotTaken,
    appointment_book,
    appointment_cancel,
    appointment_check_in,
    appointment_complete,
    appointment_no_show,
    appointment_release_hold,
    appointment_reschedule,
    problem_report,
)
from consultations.review.models import Clearance, Priority, ReviewCase
from tests.booking.conftest import at, cleared
from tests.review.conftest import CLEAN, decide, resubmit

pytestmark = pytest.mark.django_db


def book(clearance, clinic, by, days=3, hour=10, minute=0, **kw) -> Appointment:
    return appointment_book(
        clearance_id=clearance.pk,
        starts_at=at(days, hour, minute),
        practitioner_id=kw.pop("practitioner", clinic["nurse"]).pk,
        by=by,
        **kw,
    )


# --- The gate, from every path ------------------------------------------------------------


def test_the_front_desk_books_a_cleared_treatment(clinic, clearance, front_desk):
    appointment = book(clearance, clinic, front_desk)
    assert appointment.status == Status.BOOKED
    assert (appointment.product.code, appointment.area.code) == ("meso-vitamin", "face")
    assert appointment.ends_at - appointment.starts_at == dt.timedelta(minutes=45)
    assert appointment.free_at - appointment.ends_at == dt.timedelta(minutes=15)
    assert appointment.room.name == "Room 1"
    event = appointment.events.get()
    assert (event.kind, event.by) == (AppointmentEvent.Kind.BOOKED, front_desk)


def test_the_cleared_patient_books_their_own(clinic, clearance, patient_a):
    assert book(clearance, clinic, patient_a).booked_by == patient_a


def test_another_patient_cannot_book_under_my_clearance(clinic, clearance, patient_b):
    with pytest.raises(PermissionDenied):
        book(clearance, clinic, patient_b)


def test_a_clinician_does_not_book(clinic, clearance, clinician_b):
    with pytest.raises(PermissionDenied):
        book(clearance, clinic, clinician_b)


def test_a_revoked_clearance_books_nothing(clinic, clearance, front_desk):
    Clearance.objects.filter(pk=clearance.pk).update(
        revoked_at=timezone.now(), revoked_because="corrected"
    )
    with pytest.raises(BookingRefused, match="withdrawn"):
        book(clearance, clinic, front_desk)
    assert not Appointment.objects.exists()


def test_a_clearance_expiring_before_the_day_books_nothing(
    clinic, patient_a, clinician, front_desk
):
    clearance = cleared(patient_a, clinician, expires_on=timezone.localdate() + dt.timedelta(2))
    with pytest.raises(BookingRefused, match="ends on"):
        book(clearance, clinic, front_desk, days=3)
    assert book(clearance, clinic, front_desk, days=2).local_date == clearance.expires_on


def test_a_newer_intake_version_voids_the_clearance(clinic, patient_a, clinician, front_desk):
    clearance = cleared(patient_a, clinician)
    resubmit(clearance.decision.case, **CLEAN)
    with pytest.raises(BookingRefused):
        book(clearance, clinic, front_desk)


def test_revocation_between_search_and_booking_is_caught(clinic, patient_a, clinician, front_desk):
    clearance = cleared(patient_a, clinician)
    starts = at(3, 10)  # the patient is looking at this slot...
    decide(  # ...while a clinician corrects the decision
        clearance.decision.case,
        clinician,
        "meso-vitamin",
        "face",
        "decline",
        replaces=str(clearance.decision.public_id),
    )
    with pytest.raises(BookingRefused, match="withdrawn"):
        appointment_book(
            clearance_id=clearance.pk,
            starts_at=starts,
            practitioner_id=clinic["nurse"].pk,
            by=patient_a,
        )


def test_expiry_between_search_and_booking_is_caught(
    clinic, patient_a, clinician, front_desk, time_machine
):
    time_machine.move_to(timezone.now())
    clearance = cleared(patient_a, clinician, expires_on=timezone.localdate() + dt.timedelta(1))
    starts = at(1, 16)
    time_machine.shift(dt.timedelta(days=2))
    with pytest.raises(BookingRefused):
        appointment_book(
            clearance_id=clearance.pk,
            starts_at=starts,
            practitioner_id=clinic["nurse"].pk,
            by=front_desk,
        )


@pytest.mark.parametrize(
    ("change", "says"),
    [
        ({"revoked_at": "now", "revoked_because": "corrected"}, "revoked"),
        ({"expires_on": "yesterday"}, "expires"),
    ],
)
def test_the_database_refuses_an_appointment_without_a_valid_clearance(
    clinic, clearance, front_desk, change, says, is_postgresql
):
    if not is_postgresql:
        pytest.skip("the trigger is PostgreSQL's")
    appointment = book(clearance, clinic, front_desk)
    values = {
        "now": timezone.now(),
        "yesterday": timezone.localdate() - dt.timedelta(1),
    }
    with connection.cursor() as cursor:  # past the clearance guard, as an attacker would
        cursor.execute("SET session_replication_role = replica")
        Clearance.objects.filter(pk=clearance.pk).update(
            **{k: values.get(v, v) for k, v in change.items()}
        )
        cursor.execute("SET session_replication_role = origin")
    fields = {
        f.attname: getattr(appointment, f.attname)
        for f in Appointment._meta.concrete_fields
        if f.attname not in ("id", "public_id")
    }
    fields["starts_at"] = at(4, 10)
    fields["ends_at"] = at(4, 10, 45)
    fields["free_at"] = at(4, 11)
    fields["local_date"] = timezone.localdate() + dt.timedelta(4)
    with pytest.raises(IntegrityError, match=says), transaction.atomic():
        Appointment.objects.create(**fields)
    with pytest.raises(IntegrityError, match=says), transaction.atomic():
        Appointment.objects.filter(pk=appointment.pk).update(
            starts_at=at(5, 10),
            ends_at=at(5, 10, 45),
            free_at=at(5, 11),
            local_date=timezone.localdate() + dt.timedelta(5),
        )
    with pytest.raises(IntegrityError, match="day does not match"), transaction.atomic():
        Appointment.objects.filter(pk=appointment.pk).update(starts_at=at(9, 10))


def test_the_database_refuses_a_clearance_for_another_area(
    clinic, clearance, front_desk, is_postgresql
):
    if not is_postgresql:
        pytest.skip("the trigger is PostgreSQL's")
    appointment = book(clearance, clinic, front_desk)
    from consultations.catalog.models import Area

    with (
        pytest.raises(IntegrityError, match="another patient, product or area"),
        transaction.atomic(),
    ):
        Appointment.objects.filter(pk=appointment.pk).update(area=Area.objects.get(code="neck"))


# --- Time -------------------------------------------------------------------------------


def test_outside_opening_hours_and_working_hours_is_refused(clinic, clearance, front_desk):
    with pytest.raises(BookingRefused, match="closed"):
        book(clearance, clinic, front_desk, hour=8)
    with pytest.raises(BookingRefused, match="closed"):
        book(clearance, clinic, front_desk, hour=17, minute=30)  # would end after 18:00
    TimeOff.objects.create(
        practitioner=clinic["nurse"], starts_at=at(3, 12), ends_at=at(3, 14), reason="course"
    )
    with pytest.raises(BookingRefused, match="away"):
        book(clearance, clinic, front_desk, hour=12, minute=30)


def test_a_past_time_is_refused(clinic, clearance, front_desk):
    with pytest.raises(BookingRefused, match="passed"):
        book(clearance, clinic, front_desk, days=-1)


def test_a_practitioner_who_does_not_perform_the_treatment_is_refused(
    clinic, clearance, front_desk
):
    clinic["nurse"].treatments.clear()
    with pytest.raises(BookingRefused, match="does not perform"):
        book(clearance, clinic, front_desk)


def test_the_buffer_keeps_the_next_appointment_apart(
    clinic, clearance, patient_b, clinician, front_desk
):
    book(clearance, clinic, front_desk, hour=10)  # 10:00-10:45, free at 11:00
    other = cleared(patient_b, clinician)
    with pytest.raises(SlotTaken):
        book(other, clinic, front_desk, hour=10, minute=45)
    assert book(other, clinic, front_desk, hour=11).starts_at == at(3, 11)


def test_a_second_practitioner_uses_the_second_room(
    clinic, clearance, patient_b, clinician, front_desk
):
    from tests.booking.conftest import make_practitioner

    other_nurse = make_practitioner("nurse.lan@example.com", "Nurse Lan", ["mesotherapy"])
    first = book(clearance, clinic, front_desk)
    second = book(cleared(patient_b, clinician), clinic, front_desk, practitioner=other_nurse)
    assert {first.room.name, second.room.name} == {"Room 1", "Room 2"}


# --- Spacing and session limits (the screening's own rules) -------------------------------


def test_a_series_is_spaced_on_both_sides(clinic, clearance, front_desk):
    book(clearance, clinic, front_desk, days=20)
    # mesotherapy: 2 weeks apart
    with pytest.raises(BookingRefused, match="apart"):
        book(clearance, clinic, front_desk, days=10)  # 10 days before the other
    with pytest.raises(BookingRefused, match="apart"):
        book(clearance, clinic, front_desk, days=30)  # 10 days after
    assert book(clearance, clinic, front_desk, days=34).local_date


def test_the_session_limit_counts_appointments_and_declared_sessions(
    clinic, patient_a, clinician, front_desk
):
    from consultations.booking.models import Practitioner
    from consultations.catalog.models import Treatment

    nurse = clinic["nurse"]
    nurse.treatments.add(Treatment.objects.get(code="fat_dissolving"))
    assert Practitioner.objects.filter(treatments__code="fat_dissolving").exists()
    clearance = cleared(
        patient_a,
        clinician,
        product="kybella",
        area="submental",
        expires_on=timezone.localdate() + dt.timedelta(days=360),
    )
    # Kybella: one month apart, at most 6 sessions. Complete 6, one month and a day apart.
    for n in range(6):
        appointment = book(clearance, clinic, front_desk, days=2 + 32 * n)
        Appointment.objects.filter(pk=appointment.pk).update(status=Status.COMPLETED)
    with pytest.raises(BookingRefused, match="at most 6"):
        book(clearance, clinic, front_desk, days=2 + 32 * 6)


def test_a_cancelled_appointment_does_not_count_for_spacing(clinic, clearance, front_desk):
    first = book(clearance, clinic, front_desk, days=10)
    appointment_cancel(appointment_id=first.pk, by=front_desk)
    assert book(clearance, clinic, front_desk, days=12).local_date


# --- Two requests at once -----------------------------------------------------------------


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_many_requests_for_one_slot_book_it_once(
    clinic, patient_a, patient_b, clinician, front_desk
):
    if connection.vendor != "postgresql":
        pytest.skip("exclusion constraints are PostgreSQL's")
    from consultations.patients.services import patient_register
    from tests.conftest import PASSWORD

    patients = [patient_a, patient_b] + [
        patient_register(email=f"p{n}@example.com", password=PASSWORD, full_name=f"Patient {n}")
        for n in range(6)
    ]
    clearances = [cleared(p, clinician) for p in patients]
    # One room: every request competes for the same practitioner and the same room.
    clinic["rooms"][1].is_active = False
    clinic["rooms"][1].save()
    barrier = threading.Barrier(len(clearances))
    outcomes: list[str] = []
    lock = threading.Lock()

    def attempt(clearance) -> None:
        try:
            barrier.wait()
            appointment_book(
                clearance_id=clearance.pk,
                starts_at=at(3, 10),
                practitioner_id=clinic["nurse"].pk,
                by=front_desk,
            )
            result = "booked"
        except SlotTaken as taken:
            result = "taken: " + taken.messages[0]
        except Exception as error:  # any other outcome is the failure this test looks for
            result = f"error: {error!r}"
        finally:
            connection.close()
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=attempt, args=(c,)) for c in clearances]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert outcomes.count("booked") == 1, outcomes
    assert all(o.startswith("taken: That time was just taken") for o in outcomes if o != "booked")
    assert Appointment.objects.filter(status=Status.BOOKED).count() == 1


# --- Moving and cancelling ----------------------------------------------------------------


def test_the_patient_moves_and_cancels_within_the_window_only(
    clinic, clearance, patient_a, front_desk, time_machine
):
    time_machine.move_to(timezone.now())
    appointment = book(clearance, clinic, patient_a, days=3)
    moved = appointment_reschedule(appointment_id=appointment.pk, starts_at=at(3, 14), by=patient_a)
    assert moved.starts_at == at(3, 14)
    assert moved.events.last().detail.startswith("was ")
    time_machine.move_to(at(3, 0))  # 14 hours before
    with pytest.raises(BookingRefused, match="24 hours"):
        appointment_cancel(appointment_id=appointment.pk, by=patient_a)
    with pytest.raises(BookingRefused, match="24 hours"):
        appointment_reschedule(appointment_id=appointment.pk, starts_at=at(4, 10), by=patient_a)
    cancelled = appointment_cancel(appointment_id=appointment.pk, by=front_desk, reason="called")
    assert cancelled.status == Status.CANCELLED
    assert [e.kind for e in cancelled.events.all()] == ["booked", "rescheduled", "cancelled"]


def test_moving_onto_a_taken_time_is_refused(clinic, clearance, patient_b, clinician, front_desk):
    mine = book(clearance, clinic, front_desk, hour=10)
    book(cleared(patient_b, clinician), clinic, front_desk, hour=14)
    with pytest.raises(SlotTaken):
        appointment_reschedule(appointment_id=mine.pk, starts_at=at(3, 14, 15), by=front_desk)


def test_a_cancelled_appointment_frees_the_time(
    clinic, clearance, patient_b, clinician, front_desk
):
    first = book(clearance, clinic, front_desk)
    appointment_cancel(appointment_id=first.pk, by=front_desk)
    assert book(cleared(patient_b, clinician), clinic, front_desk).starts_at == first.starts_at


# --- The day of the treatment -------------------------------------------------------------


@pytest.fixture
def today(clinic, clearance, front_desk, time_machine):
    """An appointment at 15:00 today, seen from 09:00 today."""
    time_machine.move_to(at(0, 9))
    return book(clearance, clinic, front_desk, days=0, hour=15)


def test_check_in_with_nothing_changed_goes_to_the_treatment_room(today, front_desk):
    appointment = appointment_check_in(
        appointment_id=today.pk,
        by=front_desk,
        pregnancy_changed=False,
        infection_at_area=False,
        new_medications=False,
    )
    assert appointment.status == Status.CHECKED_IN
    assert CheckIn.objects.get().confirmed_by == front_desk


@pytest.mark.parametrize(
    "change",
    [
        {"pregnancy_changed": True},
        {"infection_at_area": True},
        {"new_medications": True, "new_medications_detail": "warfarin since Monday"},
    ],
)
def test_a_change_at_check_in_holds_and_goes_back_to_a_clinician(today, patient_a, change):
    answers = {"pregnancy_changed": False, "infection_at_area": False, "new_medications": False}
    appointment = appointment_check_in(
        appointment_id=today.pk, by=patient_a, **{**answers, **change}
    )
    assert appointment.status == Status.ON_HOLD
    today.clearance.refresh_from_db()
    assert today.clearance.revoked_because == Clearance.RevokedBecause.CHECK_IN_CHANGE
    case = ReviewCase.objects.get(kind=ReviewCase.Kind.CHECK_IN)
    assert case.priority == Priority.PROBLEM
    assert case.status == ReviewCase.Status.OPEN
    assert "changed" in case.summary
    with pytest.raises(BookingRefused):
        appointment_complete(appointment_id=today.pk, by=today.practitioner.user)


def test_new_medicines_must_be_named(today, front_desk):
    with pytest.raises(BookingRefused) as refused:
        appointment_check_in(
            appointment_id=today.pk,
            by=front_desk,
            pregnancy_changed=False,
            infection_at_area=False,
            new_medications=True,
        )
    assert "new_medications_detail" in refused.value.message_dict


def test_check_in_opens_on_the_day(clinic, clearance, front_desk):
    appointment = book(clearance, clinic, front_desk, days=3)
    with pytest.raises(BookingRefused, match="on the day"):
        appointment_check_in(
            appointment_id=appointment.pk,
            by=front_desk,
            pregnancy_changed=False,
            infection_at_area=False,
            new_medications=False,
        )


def test_a_held_appointment_goes_ahead_under_a_new_clearance(
    today, patient_a, clinician, front_desk
):
    appointment_check_in(
        appointment_id=today.pk,
        by=front_desk,
        pregnancy_changed=False,
        infection_at_area=True,
        new_medications=False,
    )
    case = ReviewCase.objects.get(kind=ReviewCase.Kind.CHECK_IN)
    with pytest.raises(BookingRefused, match="withdrawn"):
        appointment_release_hold(
            appointment_id=today.pk, clearance_id=today.clearance_id, by=front_desk
        )
    new = decide(case, clinician, "meso-vitamin", "face", "clear").clearance
    released = appointment_release_hold(appointment_id=today.pk, clearance_id=new.pk, by=front_desk)
    assert (released.status, released.clearance_id) == (Status.BOOKED, new.pk)


def test_completing_marks_the_clearance_used(today, front_desk):
    appointment_check_in(
        appointment_id=today.pk,
        by=front_desk,
        pregnancy_changed=False,
        infection_at_area=False,
        new_medications=False,
    )
    with pytest.raises(PermissionDenied):
        appointment_complete(appointment_id=today.pk, by=front_desk)
    done = appointment_complete(appointment_id=today.pk, by=today.practitioner.user)
    assert done.status == Status.COMPLETED
    done.clearance.refresh_from_db()
    assert done.clearance.first_used_at is not None


def test_no_show_only_after_the_start(today, front_desk, time_machine):
    with pytest.raises(BookingRefused, match="not started"):
        appointment_no_show(appointment_id=today.pk, by=front_desk)
    time_machine.move_to(at(0, 15, 30))
    assert appointment_no_show(appointment_id=today.pk, by=front_desk).status == Status.NO_SHOW


def test_a_finished_appointment_cannot_be_cancelled(today, front_desk, time_machine):
    time_machine.move_to(at(0, 15, 30))
    appointment_no_show(appointment_id=today.pk, by=front_desk)
    with pytest.raises(BookingRefused, match="cannot be changed"):
        appointment_cancel(appointment_id=today.pk, by=front_desk)


# --- After the treatment ------------------------------------------------------------------


def test_a_problem_after_treatment_goes_to_the_top_of_the_queue(today, patient_a, patient_b):
    appointment_check_in(
        appointment_id=today.pk,
        by=patient_a,
        pregnancy_changed=False,
        infection_at_area=False,
        new_medications=False,
    )
    with pytest.raises(BookingRefused, match="after a treatment"):
        problem_report(appointment_id=today.pk, by=patient_a, symptoms=["pus"])
    appointment_complete(appointment_id=today.pk, by=today.practitioner.user)
    with pytest.raises(PermissionDenied):
        problem_report(appointment_id=today.pk, by=patient_b, symptoms=["pus"])
    with pytest.raises(BookingRefused):
        problem_report(appointment_id=today.pk, by=patient_a, symptoms=[])
    report = problem_report(
        appointment_id=today.pk, by=patient_a, symptoms=["pus", "fever"], details="since Tuesday"
    )
    case = ReviewCase.objects.get(kind=ReviewCase.Kind.PROBLEM)
    assert case.priority == Priority.PROBLEM
    assert "Pus or discharge" in case.summary
    assert "Fever" in case.summary
    assert report.symptoms == ["fever", "pus"]


def test_a_released_hold_is_checked_in_again_and_treated(today, clinician, front_desk):
    appointment_check_in(
        appointment_id=today.pk,
        by=front_desk,
        pregnancy_changed=False,
        infection_at_area=True,
        new_medications=False,
    )
    case = ReviewCase.objects.get(kind=ReviewCase.Kind.CHECK_IN)
    new = decide(case, clinician, "meso-vitamin", "face", "clear").clearance
    appointment_release_hold(appointment_id=today.pk, clearance_id=new.pk, by=front_desk)
    again = appointment_check_in(
        appointment_id=today.pk,
        by=front_desk,
        pregnancy_changed=False,
        infection_at_area=False,
        new_medications=False,
    )
    assert again.status == Status.CHECKED_IN
    assert again.check_ins.count() == 2
    assert appointment_complete(appointment_id=today.pk, by=today.practitioner.user).status == (
        Status.COMPLETED
    )


def test_checking_in_twice_is_refused_plainly(today, front_desk):
    answers = {"pregnancy_changed": False, "infection_at_area": False, "new_medications": False}
    appointment_check_in(appointment_id=today.pk, by=front_desk, **answers)
    with pytest.raises(BookingRefused, match="nothing to check in"):
        appointment_check_in(
            appointment_id=today.pk, by=front_desk, **{**answers, "pregnancy_changed": True}
        )


def test_the_days_spacing_refuses_are_known_before_booking(clinic, clearance, front_desk):
    from consultations.booking.services import spacing_refused_days

    book(clearance, clinic, front_desk, days=20)
    days = [timezone.localdate() + dt.timedelta(d) for d in (3, 10, 20, 30, 34, 40)]
    refused = spacing_refused_days(clearance, days)
    assert refused == {days[1], days[2], days[3]}
