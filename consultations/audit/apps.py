from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "consultations.audit"
    label = "audit"
    verbose_name = "Audit"

    def ready(self) -> None:
        _no_audit_context_before_prepared_reads()


def _no_audit_context_before_prepared_reads() -> None:
    """pghistory puts the audit context (two `set_config` calls, the metadata as JSON) before
    every statement of a request but a SELECT and a few others it knows write nothing. A
    `Prepared` read is a SELECT too, sent as `PREPARE clinic_…`/`EXECUTE clinic_…`: without
    this, every hot read of every request would carry the context to PostgreSQL for nothing
    (no history trigger fires on a read). The PREPARE of a `PreparedSave` write (`PREPARE
    write_…`) is left out too: it writes nothing, and its EXECUTE carries the context, as any
    write does. pghistory has no setting for it; its list of such statements is read at each
    statement, so it is extended here, once."""
    from pghistory import runtime

    from consultations.db import READ_STATEMENT_STARTS, WRITE_PREPARE_START

    known = runtime.IGNORED_SQL_PREFIXES
    quiet = (*READ_STATEMENT_STARTS, WRITE_PREPARE_START)
    runtime.IGNORED_SQL_PREFIXES = (*known, *(s for s in quiet if s not in known))
