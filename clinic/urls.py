from django.contrib import admin
from django.urls import include, path

from clinic import health
from consultations.patients import views as patient_views

urlpatterns = [
    path("", patient_views.home, name="home"),
    path("livez", health.livez, name="livez"),
    path("readyz", health.readyz, name="readyz"),
    path("healthz", health.healthz, name="healthz"),
    path("accounts/", include("consultations.patients.urls")),
    path("treatments/", include("consultations.catalog.urls")),
    # Before the intake's own URLs: "intake/<id>/submit/" would read as a step name.
    path("", include("consultations.screening.urls")),
    path("", include("consultations.review.urls")),
    path("", include("consultations.booking.urls")),
    path("intake/", include("consultations.intake.urls")),
    # Django's language switch, which also remembers a signed-in person's choice for emails.
    path("i18n/setlang/", patient_views.set_language, name="set_language"),
    path("admin/", admin.site.urls),
]
