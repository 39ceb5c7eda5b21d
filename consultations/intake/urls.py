from django.urls import path

from consultations.intake import views

app_name = "intake"
urlpatterns = [
    path("", views.intake_home, name="home"),
    path("start/", views.intake_start, name="start"),
    path("<uuid:public_id>/", views.intake_detail, name="detail"),
    path("<uuid:public_id>/check/", views.intake_review, name="review"),
    path("<uuid:public_id>/<slug:step>/", views.intake_step, name="step"),
]
