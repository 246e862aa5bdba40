"""A customer group a mass send still has to read its audience from is not deleted
(409 ``protected`` naming how many sends use it): deleted, the send would point at
nothing. Sends that are finished, cancelled or already expanded into their
deliveries do not stop the delete."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from crm.customers.models import CustomerGroup
from crm.messaging.models import MassSend
from tests.conftest import client_for
from tests.messaging.audience import group_with_contacts
from tests.messaging.test_mass_sends import _sms, _template


@pytest.mark.django_db
def test_a_group_used_by_a_draft_or_scheduled_mass_send_is_not_deleted(admin):
    api = client_for(admin)
    channel = _sms(admin, "http://127.0.0.1:9")
    template = _template(api).json()
    group, _contacts = group_with_contacts(admin, 2)

    def send(name):
        made = api.post(
            "/api/v1/mass-sends/",
            {
                "name": name,
                "channel": channel.pk,
                "template": template["id"],
                "audience": "group",
                "group_id": group.pk,
            },
            format="json",
        )
        assert made.status_code == 201, made.content
        return made.json()["id"]

    draft, scheduled, done, cancelled, expanded = (send(n) for n in "ABCDE")
    later = (timezone.now() + dt.timedelta(days=1)).isoformat()
    step = api.post(
        f"/api/v1/mass-sends/{scheduled}/transitions/schedule/",
        {"scheduled_at": later},
        format="json",
    )
    assert step.status_code == 200, step.content
    MassSend.objects.filter(pk=done).update(status="completed", expanded_at=timezone.now())
    MassSend.objects.filter(pk=cancelled).update(status="cancelled")
    MassSend.objects.filter(pk=expanded).update(status="paused", expanded_at=timezone.now())

    url = f"/api/v1/customer-groups/{group.pk}/?lang=en"
    refused = api.delete(url)
    assert refused.status_code == 409, refused.content
    body = refused.json()
    assert body["code"] == "protected"
    assert body["detail"] == "This customer group cannot be deleted: it is used by 2 mass sends."
    assert body["blockers"] == [{"model": "mass send", "count": 2}]
    assert CustomerGroup.objects.filter(pk=group.pk).exists()

    # Started but not yet expanded: the worker still reads the group.
    MassSend.objects.filter(pk=scheduled).update(status="sending")
    cancel = api.post(f"/api/v1/mass-sends/{draft}/transitions/cancel/", {}, format="json")
    assert cancel.status_code == 200, cancel.content
    one = api.delete(url)
    assert one.status_code == 409
    assert one.json()["detail"].endswith("it is used by 1 mass send.")

    MassSend.objects.filter(pk=scheduled).update(expanded_at=timezone.now())
    assert api.delete(url).status_code == 204
    assert not CustomerGroup.objects.filter(pk=group.pk).exists()
    assert MassSend.objects.count() == 5
