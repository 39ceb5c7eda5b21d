"""The catalog's names for lists and selects: cached for a minute, and held by each process
for no longer than the cache entry it took them from."""

import datetime as dt

import pytest
from django.core.cache import cache
from django.utils import translation

from consultations.catalog.models import Area
from consultations.catalog.selectors import NAMES_SECONDS, catalog_names, forget_names

pytestmark = pytest.mark.django_db


def _rename_face(name: str) -> int:
    face = Area.objects.get(code="face")
    face.name = name
    face.save()
    return face.pk


def test_a_page_asking_many_times_takes_the_names_from_the_cache_once(monkeypatch):
    first = catalog_names()
    gets = []
    original = cache.get
    monkeypatch.setattr(cache, "get", lambda *a, **k: gets.append(a) or original(*a, **k))
    assert all(catalog_names() is first for _ in range(5))
    assert gets == []


def test_the_names_are_read_again_a_minute_after_they_were_read(time_machine):
    time_machine.move_to(dt.datetime(2026, 12, 2, 10, 0, tzinfo=dt.UTC), tick=False)
    face = catalog_names().areas
    pk = _rename_face("Whole face")
    time_machine.shift(NAMES_SECONDS - 1)
    assert catalog_names().areas == face  # within the minute: as they were
    time_machine.shift(1)
    assert catalog_names().areas[pk] == "Whole face"


def test_a_process_holds_names_another_took_only_until_that_entry_expires(time_machine):
    """Names another process read 50 s ago (an entry in the shared cache) are held here for
    the 10 s left, not for a minute from now: nowhere longer than the cache's minute."""
    time_machine.move_to(dt.datetime(2026, 12, 2, 10, 0, tzinfo=dt.UTC), tick=False)
    catalog_names()  # as another process: read and put in the cache
    forget_names()  # this process holds nothing yet
    time_machine.shift(50)
    before = catalog_names().areas  # taken from the other's entry
    pk = _rename_face("Whole face")
    time_machine.shift(9)
    assert catalog_names().areas == before
    time_machine.shift(1)
    assert catalog_names().areas[pk] == "Whole face"


def test_each_language_has_its_own_names():
    face = Area.objects.get(code="face")
    face.translations = {**(face.translations or {}), "vi": {"name": "Mặt"}}
    face.save()
    english = catalog_names().areas[face.pk]
    with translation.override("vi"):
        assert catalog_names().areas[face.pk] == "Mặt"
    assert catalog_names().areas[face.pk] == english
