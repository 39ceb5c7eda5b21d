"""Say in one line whether the configured database can be reached, and how to fix it.

`make test` runs this before the suite: a missing PostgreSQL server should read as
that, not as a page of tracebacks from every test.
"""

import os
import sys

import dj_database_url

FIX = (
    "start it with: pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start"
    " (or point TEST_DATABASE_URL at a reachable server)"
)


def problem() -> str | None:
    """Return a one-line description of what is wrong, or None when all is well."""
    url = os.environ.get("DATABASE_URL", "")
    config = dj_database_url.parse(url) if url else {}
    if config.get("ENGINE") != "django.db.backends.postgresql":
        return f"the tests need PostgreSQL, but DATABASE_URL is {url or 'unset'!r}"
    import psycopg2

    where = f"{config.get('HOST') or 'localhost'}:{config.get('PORT') or 5432}"
    try:
        # The maintenance database: the test database is created by the run itself.
        psycopg2.connect(
            dbname="postgres",
            user=config.get("USER") or None,
            password=config.get("PASSWORD") or None,
            host=config.get("HOST") or None,
            port=config.get("PORT") or None,
            connect_timeout=5,
        ).close()
    except psycopg2.OperationalError as exc:
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else "no answer"
        return f"PostgreSQL is not reachable at {where} ({reason}); {FIX}"
    return None


def main() -> int:
    message = problem()
    if message:
        print(f"Cannot run the tests: {message}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
