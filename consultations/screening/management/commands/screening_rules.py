from typing import Any

from django.core.management.base import BaseCommand

from consultations.screening.engine.documentation import rules_markdown


class Command(BaseCommand):
    help = "Print docs/screening.md: every screening rule with its source, from the declarations."

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(rules_markdown(), ending="")
