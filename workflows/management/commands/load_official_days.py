"""``manage.py load_official_days``: load a State Council schedule into official_days.json.

Input is a small file for one year, either JSON::

    {"year": 2027, "holidays": ["2027-01-01", ...], "makeup_workdays": ["2027-02-06"],
     "source": "国务院办公厅关于2027年部分节假日安排的通知 (国办发明电〔2026〕N号), 2026-11-xx"}

or text, one date a line (``#`` starts a comment)::

    2027-01-01 off
    2027-02-06 on

Parsing and validation live in :func:`workflows.calendar.parse_official_schedule`;
the table is written atomically by :func:`workflows.calendar.save_official_year`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from workflows import calendar


class Command(BaseCommand):
    help = (
        "Load one year's official holidays and make-up workdays (调休) into "
        "workflows/data/official_days.json, for years the chinese_calendar package lacks."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "input", help="JSON file, or text file with lines 'YYYY-MM-DD off' / 'YYYY-MM-DD on'"
        )
        parser.add_argument("--year", type=int, help="the year (else taken from the file)")
        parser.add_argument(
            "--source", help="the State Council notice and publication date (else from the file)"
        )
        parser.add_argument(
            "--replace", action="store_true", help="overwrite the year if already loaded"
        )
        parser.add_argument("--dry-run", action="store_true", help="validate only, write nothing")

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["input"])
        try:
            text = path.read_text(encoding="utf-8-sig")
        except OSError as exc:
            raise CommandError(f"cannot read {path}: {exc.strerror or exc}") from exc
        except UnicodeDecodeError as exc:
            raise CommandError(f"{path} is not UTF-8 text: {exc}") from exc
        try:
            entry = calendar.parse_official_schedule(
                text, year=options.get("year"), source=options.get("source")
            )
            summary = (
                f"{entry.year}: {len(entry.holidays)} holidays, "
                f"{len(entry.makeup_workdays)} make-up workdays (source: {entry.source})"
            )
            if options.get("dry_run"):
                self.stdout.write(f"Valid, not written: {summary}")
                return
            written = calendar.save_official_year(entry, replace=options.get("replace", False))
        except calendar.OfficialDaysError as exc:
            raise CommandError(f"{path}: {exc}") from exc
        self.stdout.write(self.style.SUCCESS(f"Loaded {summary} into {written}"))
