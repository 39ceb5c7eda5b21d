from django.urls import path

from consultations.screening import views

app_name = "screening"
urlpatterns = [
    path("api/v1/screenings", views.screenings_api, name="api"),
]
