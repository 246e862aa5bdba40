"""The embedded default: web server, worker threads and scheduler in one process."""

from __future__ import annotations

import threading
from pathlib import Path

import dramatiq
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.core.servers.basehttp import run
from django.core.wsgi import get_wsgi_application

from tasks import scheduler
from tasks.broker import is_in_process


class Command(BaseCommand):
    help = "Run the whole app in one process: migrate, demo data, web, worker, scheduler."

    def add_arguments(self, parser):
        parser.add_argument("addrport", nargs="?", default="127.0.0.1:8000")
        parser.add_argument("--no-demo", action="store_true", help="Do not load demo data.")
        parser.add_argument("--threads", type=int, default=4, help="Worker threads.")

    def handle(self, *args, addrport: str, no_demo: bool, threads: int, **options):
        host, _, port = addrport.rpartition(":")
        host = host or "127.0.0.1"
        Path(settings.STATIC_ROOT).mkdir(parents=True, exist_ok=True)  # WhiteNoise looks here
        call_command("migrate", interactive=False, verbosity=0)
        if not no_demo:
            call_command("load_demo", if_empty=True)

        import tasks.actors  # noqa: F401 - register every actor

        stop = threading.Event()
        worker = None
        if is_in_process():
            worker = dramatiq.Worker(dramatiq.get_broker(), worker_threads=threads)
            worker.start()
            self.stdout.write(f"in-process worker: {threads} threads")
        else:
            self.stdout.write("REDIS_URL set: run `manage.py rundramatiq` for the workers")
        sched = threading.Thread(
            target=scheduler.run_forever, kwargs={"stop": stop}, daemon=True, name="scheduler"
        )
        sched.start()
        db = settings.DATABASES["default"]
        self.stdout.write(f"database: {db['ENGINE'].rsplit('.', 1)[-1]} {db.get('NAME', '')}")
        self.stdout.write(
            self.style.SUCCESS(
                f"Shanghui CRM on http://{host}:{port}/  (API docs: /api/docs/, admin: /admin/)"
            )
        )
        try:
            run(host, int(port), get_wsgi_application(), threading=True)
        except KeyboardInterrupt:
            pass
        finally:
            stop.set()
            if worker is not None:
                worker.stop()
