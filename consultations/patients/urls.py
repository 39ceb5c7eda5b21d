from django.contrib.auth import views as auth_views
from django.urls import path

from consultations.patients import views, views_rights, views_second_factor

app_name = "patients"
urlpatterns = [
    path("register/", views.register, name="register"),
    path("login/", views.LoginView.as_view(), name="login"),
    path("my-data/", views_rights.my_data, name="my_data"),
    path("my-data/download/", views_rights.my_data_download, name="my_data_download"),
    path("close/", views_rights.account_close, name="account_close"),
    path("closed/", views_rights.account_closed, name="account_closed"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("two-factor/", views_second_factor.verify, name="second_factor_verify"),
    path("two-factor/setup/", views_second_factor.setup, name="second_factor_setup"),
    path("two-factor/setup/qr.svg", views_second_factor.qr_code, name="second_factor_qr"),
    path(
        "two-factor/recovery-codes/",
        views_second_factor.recovery_codes,
        name="recovery_codes",
    ),
    path("password/", views.PasswordChangeView.as_view(), name="password_change"),
    path("password-reset/", views.PasswordResetView.as_view(), name="password_reset"),
    path(
        "password-reset/sent/",
        auth_views.PasswordResetDoneView.as_view(template_name="patients/password_reset_done.html"),
        name="password_reset_done",
    ),
    path(
        "reset/<uidb64>/<token>/",
        views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "reset/done/",
        auth_views.PasswordResetCompleteView.as_view(
            template_name="patients/password_reset_complete.html"
        ),
        name="password_reset_complete",
    ),
]
