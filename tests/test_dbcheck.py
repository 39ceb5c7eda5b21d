"""`make test` says in one line what is wrong when it cannot reach PostgreSQL."""

import socket

import pytest

from clinic import dbcheck


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_an_unreachable_server_is_named_with_the_fix(monkeypatch):
    port = free_port()
    monkeypatch.setenv("DATABASE_URL", f"postgres://postgres@127.0.0.1:{port}/clinic")
    message = dbcheck.problem()
    assert message is not None
    assert f"not reachable at 127.0.0.1:{port}" in message
    assert "pg_ctlcluster" in message
    assert "\n" not in message


@pytest.mark.parametrize("url", ["", "sqlite:///tmp/clinic.sqlite3"])
def test_a_database_that_is_not_postgresql_is_refused(monkeypatch, url):
    monkeypatch.setenv("DATABASE_URL", url)
    assert "need PostgreSQL" in dbcheck.problem()


def test_the_configured_server_is_reachable_here():
    # The suite itself runs on it, so this holds whenever the suite runs.
    assert dbcheck.problem() is None
