"""The import actor: takes a job id, claims the job row, runs or resumes it.

The ``ImportJob`` row is the source of truth; the message only carries its id.
A redelivered message (a crashed worker, Redis maintenance) finds the job
running with a stale heartbeat and resumes it from its last committed chunk; a
message for a finished or live job does nothing.
"""

import logging

import dramatiq
from django_scopes import scopes_disabled

log = logging.getLogger(__name__)

# Two hours: a very large file on a slow machine must not be killed half-way
# (abort mode would then roll back and start again, forever).
TIME_LIMIT_MS = 2 * 60 * 60 * 1000


@dramatiq.actor(queue_name="imports", max_retries=0, time_limit=TIME_LIMIT_MS)
def run_import(job_id: int) -> None:
    from crm.imports.services import run_job

    with scopes_disabled():  # run_job enters the job's tenant scope itself
        outcome = run_job(job_id)
    log.info("import job %s: %s", job_id, outcome)


def recover_stale_imports() -> list[int]:
    """For the scheduler tick: re-enqueue imports whose worker died or whose message was lost."""
    from crm.imports.services import recover_stale

    with scopes_disabled():
        return recover_stale()


@dramatiq.actor(queue_name="imports", max_retries=3, time_limit=TIME_LIMIT_MS)
def run_backup(job_id: int) -> None:
    """Make a company's backup (``crm.imports.backup_jobs``); a finished job does nothing."""
    from crm.imports.backup_jobs import run_backup_job

    with scopes_disabled():
        outcome = run_backup_job(job_id)
    log.info("backup job %s: %s", job_id, outcome)
