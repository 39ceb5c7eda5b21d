"""Run with a `replica` alias configured (tests/test_replica_router.py starts this file).

The replica is Django's test mirror of the primary: the same database reached through a
connection of its own, so each query shows which alias asked it.
"""

import pytest
from django.conf import settings
from django.db import connections
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from consultations.catalog.models import Treatment

pytestmark = pytest.mark.django_db(
    transaction=True, serialized_rollback=True, databases=["default", "replica"]
)


def _queries(alias: str, run) -> list[str]:
    with CaptureQueriesContext(connections[alias]) as captured:
        run()
    return [q["sql"] for q in captured.captured_queries]


def test_a_replica_is_configured_as_the_primarys_mirror() -> None:
    assert "replica" in settings.DATABASES
    assert settings.DATABASES["replica"]["TEST"]["MIRROR"] == "default"


def test_the_public_catalog_reads_from_the_replica() -> None:
    client = Client()
    for name, kwargs in (
        ("catalog:index", {}),
        ("catalog:treatment", {"code": "skin_booster"}),
        ("catalog:product", {"code": "skinvive"}),
    ):
        url = reverse(name, kwargs=kwargs)
        on_replica = _queries("replica", lambda url=url: client.get(url, secure=True))
        on_primary = _queries("default", lambda url=url: client.get(url, secure=True))
        assert any("catalog_" in sql for sql in on_replica), name
        assert not any("catalog_" in sql for sql in on_primary), name


def test_what_someone_has_just_changed_is_read_from_the_primary() -> None:
    client = Client()
    on_replica = _queries("replica", lambda: client.get(reverse("home"), secure=True))
    assert on_replica == []
    # Writes go to the primary even from inside a replica page's code path.
    Treatment.objects.filter(code="skin_booster").update(display_order=99)
    page = Client().get(reverse("catalog:index"), secure=True)
    assert page.status_code == 200
