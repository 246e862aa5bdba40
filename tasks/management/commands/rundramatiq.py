import os

from django.conf import settings
from django.core.management.base import CommandError
from django_dramatiq.management.commands.rundramatiq import Command as BaseCommand

from tasks.broker import is_in_process, redacted, wait_for_redis


class Command(BaseCommand):
    help = "Run dramatiq worker processes (needs REDIS_URL: Redis is the broker)."

    def handle(self, *args, **options):
        if is_in_process():
            raise CommandError(
                "REDIS_URL is not set: the in-process broker only works inside "
                "`manage.py serve`. Set REDIS_URL to run separate worker processes."
            )
        error = wait_for_redis(settings.REDIS_URL, attempts=settings.WORKER_BROKER_ATTEMPTS)
        if error is not None:
            raise CommandError(
                f"Redis at {redacted(settings.REDIS_URL)} did not answer after "
                f"{settings.WORKER_BROKER_ATTEMPTS} attempts ({error}). Check REDIS_URL and "
                "that Redis is running; the worker did not start."
            )
        # An idle consumer polls Redis with a growing pause capped at dramatiq's
        # worker timeout (1 s by default): a job sent to an idle worker waited
        # up to a second before it started (an import's progress bar sat at
        # "pending"). The cap is read from the environment of the processes
        # this command execs.
        os.environ.setdefault("dramatiq_worker_timeout", str(settings.DRAMATIQ_WORKER_POLL_MAX_MS))
        return super().handle(*args, **options)
