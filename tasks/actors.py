"""Every actor, imported so workers (``rundramatiq``) register them all."""

from tasks.care import run_care_tick  # noqa: F401
from tasks.imports import run_backup, run_import  # noqa: F401
from tasks.messaging import send_delivery, send_webhook  # noqa: F401
from tasks.notifications import send_notification_email, send_notification_emails  # noqa: F401
from tasks.plans import check_missing_plans  # noqa: F401
from tasks.reminders import deliver_reminder, deliver_reminders  # noqa: F401
