from django.urls import path

from consultations.review.views import decision, desk, queue, submission

app_name = "review"
urlpatterns = [
    # The patient's submission: screened and queued for review in one transaction.
    path("intake/<uuid:public_id>/submit/", submission.intake_submit, name="submit_intake"),
    # Clinicians: the queue and claims (views/queue.py).
    path("review/", queue.queue_page, name="queue"),
    path("review/<uuid:public_id>/claim/", queue.case_claim, name="claim"),
    path("review/<uuid:public_id>/release/", queue.case_release, name="release"),
    # Clinicians: a case and its decisions (views/decision.py).
    path("review/<uuid:public_id>/", decision.case_detail, name="case"),
    path("review/<uuid:public_id>/decide/", decision.case_decide, name="decide"),
    path("review/<uuid:public_id>/resolve/", decision.case_resolve, name="resolve"),
    # The front desk: notes about withdrawn clearances, no medical detail (views/desk.py).
    path("desk/notes/", desk.notes_page, name="desk_notes"),
    path("desk/notes/seen/", desk.notes_acknowledge, name="desk_notes_seen"),
]
