from django.contrib import admin
from django.urls import include, path

from consultations.patients import views as patient_views

urlpatterns = [
    path("", patient_views.home, name="home"),
    path("accounts/", include("consultations.patients.urls")),
    path("treatments/", include("consultations.catalog.urls")),
    # Before the intake's own URLs: "intake/<id>/submit/" would read as a step name.
    path("", include("consultations.screening.urls")),
    path("", include("consultations.review.urls")),
    path("", include("consultations.booking.urls")),
    path("intake/", include("consultations.intake.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
]
