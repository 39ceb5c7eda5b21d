from django.urls import path

from consultations.booking.views import calendar, desk, patient, treating

app_name = "booking"
urlpatterns = [
    # Patients and the front desk: booking, an appointment, moving, cancelling (views/patient.py).
    path("appointments/", patient.mine, name="mine"),
    path("book/<uuid:clearance_public_id>/", patient.book, name="book"),
    path("appointments/<uuid:public_id>/", patient.appointment_detail, name="appointment"),
    path("appointments/<uuid:public_id>/move/", patient.reschedule, name="reschedule"),
    path("appointments/<uuid:public_id>/cancel/", patient.cancel, name="cancel"),
    path("appointments/<uuid:public_id>/problem/", patient.report_problem, name="report_problem"),
    path("appointments/<uuid:public_id>/calendar.ics", patient.appointment_ics, name="ics"),
    # The front desk: patients' clearances, check-in, holds, no-shows (views/desk.py).
    path("desk/", desk.desk, name="desk"),
    path("desk/patients/<uuid:public_id>/", desk.desk_patient, name="desk_patient"),
    path("appointments/<uuid:public_id>/check-in/", desk.check_in, name="check_in"),
    path("appointments/<uuid:public_id>/no-show/", desk.no_show, name="no_show"),
    path("appointments/<uuid:public_id>/release-hold/", desk.release_hold, name="release_hold"),
    path("appointments/<uuid:public_id>/complete/", desk.complete, name="complete"),
    # The front desk: day and week calendars per practitioner and room (views/calendar.py).
    path("desk/calendar/", calendar.calendar_page, name="calendar"),
    # Clinicians: today's treatments (views/treating.py).
    path("my-day/", treating.my_day, name="my_day"),
]
