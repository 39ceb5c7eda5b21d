"""`python manage.py screen FILE` (or `-` for standard input): the contract's JSON in, result out.

Exit status 0 with the result on standard output; 2 with one line on standard
error for bad input (SCREENING.md). Nothing is stored.
"""

import json
import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from consultations.screening.engine.contract import ContractError
from consultations.screening.services import screening_evaluate_json


class Command(BaseCommand):
    help = "Screen one intake given as JSON (SCREENING.md contract); FILE may be - for stdin."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", metavar="FILE", help="JSON input file, or - for stdin")

    def handle(self, *args: Any, file: str, **options: Any) -> None:
        try:
            raw = sys.stdin.buffer.read() if file == "-" else Path(file).read_bytes()
        except OSError as error:
            self._fail(f"cannot read {file}: {error.strerror or error}")
        try:
            result = screening_evaluate_json(raw)
        except ContractError as error:
            self._fail(str(error))
        self.stdout.write(json.dumps(result, ensure_ascii=False, indent=2))

    def _fail(self, message: str) -> None:
        self.stderr.write(f"screen: {message}")
        sys.exit(2)
