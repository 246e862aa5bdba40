"""``manage.py build_manual``: build the user manual served at /docs/ (see manual/build.py)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from crm.core.manual import manual_dir


def load_builder():
    path = Path(settings.BASE_DIR) / "manual" / "build.py"
    spec = importlib.util.spec_from_file_location("shanghui_manual_build", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class Command(BaseCommand):
    help = "Build the user manual (zh-CN and English) into MANUAL_DIR (default var/manual)."

    def add_arguments(self, parser):
        parser.add_argument("--out", help="output directory (default: MANUAL_DIR)")
        parser.add_argument("--if-stale", action="store_true", help="skip a fresh build")

    def handle(self, *args, out=None, if_stale=False, **options):
        builder = load_builder()
        target = Path(out) if out else manual_dir()
        if if_stale and not builder.is_stale(target):
            self.stdout.write(f"manual is up to date: {target}")
            return
        try:
            builder.build(target)
        except Exception as exc:  # mkdocs' Abort carries the warnings of a strict build
            raise CommandError(f"the manual did not build: {exc}") from exc
        self.stdout.write(self.style.SUCCESS(f"manual built: {target}/index.html, en/index.html"))
