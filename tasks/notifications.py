"""E-mail for an in-app notification, sent once (the row remembers it).

Each notification first goes through ``crm.messaging.routing.route``: the
channels its recipient chose for its event kind (WeCom, DingTalk, Feishu, SMS,
an e-mail channel) get a delivery each; plain e-mail here only when the
recipient chose e-mail and the company has no e-mail channel."""

import logging

import dramatiq
from django.conf import settings
from django.core.mail import EmailMessage, get_connection, send_mail
from django.db import transaction
from django.utils import timezone
from django_scopes import scopes_disabled

from crm.messaging.routing import route

log = logging.getLogger(__name__)

FAILED = "failed"


@dramatiq.actor(queue_name="notifications", max_retries=5, min_backoff=1000, max_backoff=60000)
def send_notification_email(notification_id: int) -> None:
    # Returns nothing: a returned value makes dramatiq log a warning per message.
    outcome = email_notification(notification_id)
    log.debug("notification %s e-mail: %s", notification_id, outcome)


@dramatiq.actor(queue_name="notifications", max_retries=5, min_backoff=1000, max_backoff=60000)
def send_notification_emails(notification_ids: list[int]) -> None:
    """The e-mails of a batch of notifications (one message per delivered batch)."""
    outcomes = email_notifications(notification_ids)
    failed = [pk for pk, outcome in outcomes.items() if outcome == FAILED]
    if len(failed) == len(outcomes) > 1:
        # Nothing went out (the mail server is down?): retry the whole message later.
        raise RuntimeError(f"no e-mail of {len(failed)} notifications could be sent")
    for pk in failed:  # retried alone, with the single actor's backoff
        send_notification_email.send(pk)


def _message(notification) -> EmailMessage | None:
    address = notification.recipient.email
    if not address:
        return None
    link = f"{settings.APP_BASE_URL}{notification.link}" if notification.link else ""
    return EmailMessage(
        subject=notification.title,
        body=f"{notification.body}\n\n{link}".strip(),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[address],
    )


def email_notification(notification_id: int) -> str:
    """Send a notification's e-mail once; returns what happened."""
    from crm.activities.models import Notification

    with scopes_disabled(), transaction.atomic():
        notification = (
            Notification.objects.select_for_update(of=("self",))
            .select_related("recipient", "reminder")
            .filter(pk=notification_id)
            .first()
        )
        if notification is None or notification.emailed_at is not None:
            return "skipped"
        if not route([notification]):  # the recipient's channels took it (no plain e-mail)
            return "routed"
        message = _message(notification)
        if message is None:
            return "no-address"
        send_mail(
            subject=message.subject,
            message=message.body,
            from_email=message.from_email,
            recipient_list=message.to,
        )
        notification.emailed_at = timezone.now()
        notification.save(update_fields=["emailed_at"])
        return "sent"


def email_notifications(notification_ids: list[int]) -> dict[int, str]:
    """Send the e-mails of several notifications once, over one mail connection.

    Returns each id's outcome (as ``email_notification``; ``FAILED`` when its
    e-mail could not be sent: it stays unmarked, the caller retries it alone).
    """
    from crm.activities.models import Notification

    ids = sorted({int(pk) for pk in notification_ids})
    outcomes: dict[int, str] = dict.fromkeys(ids, "skipped")
    with scopes_disabled(), transaction.atomic():
        rows = list(
            Notification.objects.select_for_update(of=("self",))
            .select_related("recipient", "reminder")
            .filter(pk__in=ids, emailed_at__isnull=True)
            .order_by("pk")
        )
        # The recipients' channels (WeCom, SMS...) first; plain e-mail for the rest.
        rows = route(rows)
        messages = []
        for notification in rows:
            message = _message(notification)
            if message is None:
                outcomes[notification.pk] = "no-address"
            else:
                messages.append((notification.pk, message))
        if not messages:
            return outcomes
        sent: list[int] = []
        connection = get_connection()
        try:
            for pk, message in messages:
                try:
                    connection.send_messages([message])
                except Exception:
                    log.exception("notification %s: e-mail failed", pk)
                    outcomes[pk] = FAILED
                else:
                    outcomes[pk] = "sent"
                    sent.append(pk)
        finally:
            try:
                connection.close()
            except Exception:
                log.warning("cannot close the mail connection", exc_info=True)
        if sent:
            Notification.objects.filter(pk__in=sent).update(emailed_at=timezone.now())
    return outcomes
