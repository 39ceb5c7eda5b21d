from django.urls import path

from consultations.catalog import views

app_name = "catalog"
urlpatterns = [
    path("", views.index, name="index"),
    path("products/<slug:code>/", views.product, name="product"),
    path("<slug:code>/", views.treatment, name="treatment"),
]
