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
        return super().handle(*args, **options)
