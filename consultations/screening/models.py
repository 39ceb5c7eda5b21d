"""Stored screening results: the exact input, the ruleset version and the result.

One row per submitted intake version and ruleset, never changed afterwards
(a PostgreSQL trigger refuses updates and deletes), so any decision can be
replayed and explained: run the stored input under the stored ruleset.
"""

import uuid

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from consultations.intake.models import Intake


class Outcome(models.TextChoices):
    CLEAR = "clear", pgettext_lazy("screening outcome", "Clear")
    REVIEW = "review", _("Needs review")
    BLOCKED = "blocked", _("Blocked")


# Queue order and filters read this: higher is more dangerous.
OUTCOME_SEVERITY = {Outcome.CLEAR: 0, Outcome.REVIEW: 1, Outcome.BLOCKED: 2}


class Screening(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    # Indexed by screening_once_per_ruleset (intake, ruleset).
    intake = models.ForeignKey(
        Intake, on_delete=models.PROTECT, related_name="screenings", db_index=False
    )
    ruleset = models.CharField(_("ruleset version"), max_length=40)
    input = models.JSONField(_("screening input"))
    result = models.JSONField(_("screening result"))
    outcome = models.CharField(_("outcome"), max_length=8, choices=Outcome.choices)
    severity = models.PositiveSmallIntegerField(_("severity rank"))
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["-created_at"]
        get_latest_by = "created_at"
        verbose_name = _("screening")
        verbose_name_plural = _("screenings")
        constraints = [
            models.UniqueConstraint(
                fields=["intake", "ruleset"], name="screening_once_per_ruleset"
            ),
            models.CheckConstraint(
                condition=Q(outcome__in=Outcome.values), name="screening_outcome_valid"
            ),
            models.CheckConstraint(
                condition=Q(outcome="clear", severity=0)
                | Q(outcome="review", severity=1)
                | Q(outcome="blocked", severity=2),
                name="screening_severity_matches_outcome",
            ),
        ]
        indexes = [models.Index(fields=["severity", "created_at"], name="screening_queue_idx")]

    def __str__(self) -> str:
        return f"{self.intake} — {self.outcome} ({self.ruleset})"

    def flags(self) -> list[dict]:
        """Every flag of every request, each with its request's product and area."""
        return [
            {**flag, "product": request["product"], "area": request["area"]}
            for request in self.result["requests"]
            for flag in request["flags"]
        ]
