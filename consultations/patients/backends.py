"""Finding who is signed in, on every request: Django's ModelBackend, with the read made once.

Each request of a signed-in person reads their user row and then, for the roles that decide
what they may reach (`User.roles`), their groups: in Django's ModelBackend two queries,
each built by the ORM afresh. `ClinicBackend` reads both in one query compiled once per
process (`consultations.db.Prepared`): on PostgreSQL the group names come as an array
column of the user's row, and become the request's `User.roles`. Logging in (the password
check, `user_can_authenticate`) is ModelBackend's own. Every request reads the row afresh:
a deactivated account or a changed role counts from the next request, as before.
"""

from functools import cache
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Group
from django.contrib.postgres.expressions import ArraySubquery
from django.db import connection
from django.db.models import BigIntegerField, OuterRef

from consultations.db import Param, Prepared
from consultations.patients.second_factor import SECOND_FACTOR_DEVICES

# The path sessions record at login (`login(..., backend=AUTH_BACKEND)`).
AUTH_BACKEND = "consultations.patients.backends.ClinicBackend"


@cache
def _user_read() -> Prepared:
    user_model = get_user_model()

    def build() -> Any:
        users = user_model._default_manager.filter(pk=Param("pk", BigIntegerField())).order_by()
        if connection.vendor == "postgresql":
            names = Group.objects.filter(user=OuterRef("pk")).order_by().values("name")
            users = users.annotate(group_names=ArraySubquery(names))
            # The ids of the user's confirmed second-factor devices of each kind: the device
            # a verified session names is checked against them (SecondFactorMiddleware).
            users = users.annotate(
                **{
                    _devices_column(model): ArraySubquery(
                        model.objects.filter(user=OuterRef("pk"), confirmed=True)
                        .order_by()
                        .values("id")
                    )
                    for model in SECOND_FACTOR_DEVICES
                }
            )
        return users[:1]

    return Prepared(build)


class ClinicBackend(ModelBackend):
    def get_user(self, user_id: Any) -> Any:
        try:
            pk = int(user_id)
        except (TypeError, ValueError):
            return None  # not an id this table could hold (sessions are signed: not ours)
        user = _user_read().first(pk=pk)
        if user is None or not self.user_can_authenticate(user):
            return None
        names = getattr(user, "group_names", None)
        if names is not None:
            user.keep_roles(names)
            user.confirmed_device_ids = {
                model._meta.label_lower: frozenset(user.__dict__.pop(_devices_column(model)))
                for model in SECOND_FACTOR_DEVICES
            }
        return user


def _devices_column(model: type) -> str:
    return f"_confirmed_{model._meta.model_name}_ids"
