"""A mass e-mail carries the personal signature of the user who made it (personal
settings), above the unsubscribe footer; SMS never does."""

from __future__ import annotations

import pytest

from crm.core import services as core_services
from crm.messaging import massing, services
from crm.messaging.models import Delivery
from tests.conftest import client_for
from tests.messaging.audience import group_with_contacts

pytestmark = pytest.mark.django_db
SIGNATURE = "上海商慧 市场部 钱市场\n电话 021-5000 0000"


def _send(admin, kind: str) -> int:
    api = client_for(admin)
    channel = services.channel_create(tenant=admin.tenant, actor=admin, kind=kind, name=kind)
    template = api.post(
        "/api/v1/message-templates/",
        {"name": "问候", "channel_kind": kind, "subject": "问候", "body": "您好"},
        format="json",
    ).json()
    group, _contacts = group_with_contacts(admin, 2)
    pk = api.post(
        "/api/v1/mass-sends/",
        {
            "name": "问候",
            "channel": channel.pk,
            "template": template["id"],
            "audience": "group",
            "group_id": group.pk,
        },
        format="json",
    ).json()["id"]
    assert api.post(f"/api/v1/mass-sends/{pk}/transitions/start/").status_code == 200
    massing.expand(pk)
    return pk


def test_a_mass_email_ends_with_the_senders_signature(admin):
    core_services.user_update(admin, tenant=admin.tenant, actor=admin, email_signature=SIGNATURE)
    pk = _send(admin, "email")
    bodies = list(Delivery.objects.filter(mass_send_id=pk).values_list("body", flat=True))
    assert len(bodies) == 2
    assert all(b.startswith("您好\n\n-- \n" + SIGNATURE) for b in bodies), bodies


def test_no_signature_no_footer(admin):
    pk = _send(admin, "email")
    assert "-- \n" not in Delivery.objects.filter(mass_send_id=pk).first().body
