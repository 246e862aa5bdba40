"""Refresh and compile the translation catalogs (zh_Hans, en) of each app.

Each app keeps its own ``locale/`` so modules can be worked on separately.
"""

import subprocess
import sys
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

LOCALES = ["zh_Hans", "en"]


def project_app_dirs(labels=None) -> list[Path]:
    base = Path(settings.BASE_DIR)
    out = []
    for config in apps.get_app_configs():
        path = Path(config.path)
        if base not in path.parents or ".venv" in path.parts:
            continue
        if labels and config.label not in labels:
            continue
        out.append(path)
    return out


class Command(BaseCommand):
    help = "makemessages + compilemessages for the project's apps (all, or the labels given)."

    def add_arguments(self, parser):
        parser.add_argument("labels", nargs="*")
        parser.add_argument("--compile-only", action="store_true")

    def handle(self, *args, labels, compile_only, **options):
        for path in project_app_dirs(labels):
            (path / "locale").mkdir(exist_ok=True)
            if not compile_only:
                # English is regenerated from the source strings (no fuzzy guesses).
                en = path / "locale" / "en" / "LC_MESSAGES" / "django.po"
                en.unlink(missing_ok=True)
                # Our makemessages (crm/core/management/commands) also extracts _lazy().
                subprocess.run(
                    [
                        sys.executable,
                        str(Path(settings.BASE_DIR) / "manage.py"),
                        "makemessages",
                        "--no-obsolete",
                        "--no-location",
                        *[f"-l{loc}" for loc in LOCALES],
                    ],
                    cwd=path,
                    check=True,
                    env={"PATH": str(Path(settings.BASE_DIR) / ".venv" / "bin") + ":/usr/bin:/bin"},
                )
                # English is the source language: its catalog maps each string to itself.
                if en.exists():
                    subprocess.run(["msgen", "--no-wrap", str(en), "-o", str(en)], check=True)
            self.stdout.write(f"catalogs: {path.relative_to(settings.BASE_DIR)}")
        call_command(
            "compilemessages", verbosity=0, ignore_patterns=[".venv", "node_modules", "frontend"]
        )
