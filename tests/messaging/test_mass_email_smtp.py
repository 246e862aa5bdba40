"""A worker's batch of e-mails goes over one SMTP connection (one handshake, not one per
message), checked by a real SMTP server on 127.0.0.1 that counts connections."""

from __future__ import annotations

import pytest
from django.utils import timezone

from crm.messaging import services
from crm.messaging.models import Delivery


@pytest.fixture
def smtp(settings, smtp_recorder):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = smtp_recorder.host
    settings.EMAIL_PORT = smtp_recorder.port
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 5
    return smtp_recorder


def _queued_emails(admin, count: int) -> list[int]:
    channel = services.channel_create(tenant=admin.tenant, actor=admin, kind="email", name="邮件")
    now = timezone.now()
    rows = Delivery.objects.bulk_create(
        [
            Delivery(
                tenant=admin.tenant,
                channel=channel,
                recipient=f"c{i}@example.com",
                title=f"月报{i}",
                body="您好",
                next_attempt_at=now,
            )
            for i in range(count)
        ]
    )
    return [d.pk for d in rows]


@pytest.mark.django_db
def test_a_batch_of_emails_is_sent_over_one_smtp_connection(admin, smtp):
    ids = _queued_emails(admin, 5)
    outcomes = services.deliver_batch(ids)
    assert set(outcomes.values()) == {services.SENT}
    assert smtp.connections == 1
    assert sorted(to[0] for _conn, to, _data in smtp.messages) == [
        f"c{i}@example.com" for i in range(5)
    ]
    assert all(b"Subject: =?utf-8?b?" in data for _conn, _to, data in smtp.messages)
    assert set(Delivery.objects.filter(pk__in=ids).values_list("status", flat=True)) == {"sent"}


@pytest.mark.django_db
def test_a_failed_email_drops_the_connection_and_the_next_opens_a_new_one(admin, smtp):
    ids = _queued_emails(admin, 4)
    smtp.refuse = {"c1@example.com"}
    outcomes = services.deliver_batch(ids)
    assert [outcomes[pk] for pk in ids] == [
        services.SENT,
        services.RETRY,
        services.SENT,
        services.SENT,
    ]
    # c0 on the first connection; c1 refused (connection dropped); c2, c3 on a second.
    assert smtp.connections == 2
    assert [(conn, to) for conn, to, _data in smtp.messages] == [
        (1, ["c0@example.com"]),
        (2, ["c2@example.com"]),
        (2, ["c3@example.com"]),
    ]
    retried = Delivery.objects.get(pk=ids[1])
    assert retried.status == "queued" and retried.attempts == 1 and "451" in retried.error
