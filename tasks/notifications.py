"""E-mail for an in-app notification, sent once (the row remembers it)."""

import logging

import dramatiq
from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone
from django_scopes import scopes_disabled

log = logging.getLogger(__name__)


@dramatiq.actor(queue_name="notifications", max_retries=5, min_backoff=1000, max_backoff=60000)
def send_notification_email(notification_id: int) -> None:
    # Returns nothing: a returned value makes dramatiq log a warning per message.
    outcome = email_notification(notification_id)
    log.debug("notification %s e-mail: %s", notification_id, outcome)


def email_notification(notification_id: int) -> str:
    """Send a notification's e-mail once; returns what happened."""
    from crm.activities.models import Notification

    with scopes_disabled(), transaction.atomic():
        notification = (
            Notification.objects.select_for_update(of=("self",))
            .select_related("recipient")
            .filter(pk=notification_id)
            .first()
        )
        if notification is None or notification.emailed_at is not None:
            return "skipped"
        address = notification.recipient.email
        if not address:
            return "no-address"
        link = f"{settings.APP_BASE_URL}{notification.link}" if notification.link else ""
        send_mail(
            subject=notification.title,
            message=f"{notification.body}\n\n{link}".strip(),
            from_email=settings.DEFAULT_FROM_EMAIL,
            recipient_list=[address],
        )
        notification.emailed_at = timezone.now()
        notification.save(update_fields=["emailed_at"])
        return "sent"
