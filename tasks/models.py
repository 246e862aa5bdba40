"""The scheduler's loop lease (see ``tasks.scheduler.loop_lock``)."""

from django.db import models


class SchedulerLease(models.Model):
    """One row per lock name: who holds it and until when.

    A global table (no tenant): there is one scheduler loop for the whole
    installation. It replaces a session-level advisory lock, which a pooler in
    transaction mode (PgBouncer) cannot keep: the lock would stay on whichever
    server connection ran the statement, not with the scheduler.
    """

    name = models.CharField(max_length=40, primary_key=True)
    holder = models.CharField(max_length=80)
    expires_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.name} ({self.holder} until {self.expires_at:%H:%M:%S})"
