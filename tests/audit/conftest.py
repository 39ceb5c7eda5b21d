"""Drafts and submitted intakes for the audit tests, made through the real services."""

from tests.intake.conftest import complete_draft, draft  # noqa: F401 (fixtures)
