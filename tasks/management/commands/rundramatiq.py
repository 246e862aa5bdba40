import os

from django.conf import settings
from django.core.management.base import CommandError
from django_dramatiq.management.commands.rundramatiq import Command as BaseCommand

from tasks.broker import is_in_process


class Command(BaseCommand):
    help = "Run dramatiq worker processes (needs REDIS_URL: Redis is the broker)."

    def handle(self, *args, **options):
        if is_in_process():
            raise CommandError(
                "REDIS_URL is not set: the in-process broker only works inside "
                "`manage.py serve`. Set REDIS_URL to run separate worker processes."
            )
        # An idle consumer polls Redis with a growing pause capped at dramatiq's
        # worker timeout (1 s by default): a job sent to an idle worker waited
        # up to a second before it started (an import's progress bar sat at
        # "pending"). The cap is read from the environment of the processes
        # this command execs.
        os.environ.setdefault("dramatiq_worker_timeout", str(settings.DRAMATIQ_WORKER_POLL_MAX_MS))
        return super().handle(*args, **options)
