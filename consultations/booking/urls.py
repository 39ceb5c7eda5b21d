from django.urls import path  # noqa: F401 (the helpers' routes below)

app_name = "booking"
urlpatterns = [
    # Patients and the front desk: booking, an appointment, moving, cancelling (views/patient.py).
    # The front desk: patients' clearances, check-in, holds, no-shows (views/desk.py).
    # The front desk: day and week calendars per practitioner and room (views/calendar.py).
]
