"""The booking room's views: patients (patient.py), the front desk (desk.py, calendar.py)."""
