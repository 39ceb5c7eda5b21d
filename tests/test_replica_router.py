"""Reads of the read-only pages go to a streaming replica; everything else to the primary."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

from clinic.db_router import REPLICA, ReadReplicaRouter, read_replica
from consultations.catalog.models import Product

ROOT = Path(settings.BASE_DIR)


def test_reads_go_to_the_replica_only_inside_a_replica_page(monkeypatch) -> None:
    router = ReadReplicaRouter()
    monkeypatch.setitem(settings.DATABASES, REPLICA, settings.DATABASES["default"])
    assert router.db_for_read(Product) is None
    assert read_replica(lambda: router.db_for_read(Product))() == REPLICA
    assert router.db_for_read(Product) is None  # the context ends with the view
    assert read_replica(lambda: router.db_for_write(Product))() is None
    assert router.allow_migrate(REPLICA, "catalog") is False
    assert router.allow_migrate("default", "catalog") is None


def test_without_a_replica_nothing_changes() -> None:
    assert REPLICA not in settings.DATABASES or os.environ.get("DATABASE_REPLICA_URL")
    assert read_replica(lambda: ReadReplicaRouter().db_for_read(Product))() is None


def test_a_view_error_still_ends_the_replica_context() -> None:
    router = ReadReplicaRouter()

    @read_replica
    def failing() -> None:
        raise RuntimeError

    with pytest.raises(RuntimeError):
        failing()
    assert router.db_for_read(Product) is None


def test_with_a_real_replica_alias_the_catalog_reads_from_it_and_the_rest_from_the_primary():
    """The checks in tests/replica/ run in a process whose settings have a replica alias."""
    url = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/clinic")
    database = url.rsplit("/", 1)[0] + "/clinic_replica_check"
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:xdist", "tests/replica/checks_router.py"],
        cwd=ROOT,
        env={**os.environ, "DATABASE_URL": database, "DATABASE_REPLICA_URL": database},
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    assert "3 passed" in result.stdout
