from django.urls import path

from consultations.review.views import submission

app_name = "review"
urlpatterns = [
    # The patient's submission: screened and queued for review in one transaction.
    path("intake/<uuid:public_id>/submit/", submission.intake_submit, name="submit_intake"),
    # Clinicians: the queue and claims (views/queue.py).
    # Clinicians: a case and its decisions (views/decision.py).
    # The front desk: notes about withdrawn clearances, no medical detail (views/desk.py).
]
