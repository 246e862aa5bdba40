"""A customer group an open campaign targets is not deleted (409 ``protected``
naming how many campaigns): deleted, the campaign's audience would fall back to
its saved filter without a word. Completed and cancelled campaigns do not stop
the delete; mass sends are counted alongside."""

from __future__ import annotations

import pytest

from crm.customers.models import CustomerGroup
from crm.marketing.campaigns import campaign_create
from crm.marketing.models import Campaign
from crm.messaging.models import MassSend
from tests.conftest import client_for
from tests.messaging.test_mass_sends import _sms, _template
from workflows.engine import transition

pytestmark = pytest.mark.django_db


def _move(campaign, name, actor, **inputs):
    return transition(
        model=Campaign,
        pk=campaign.pk,
        name=name,
        tenant=campaign.tenant,
        actor=actor,
        inputs=inputs,
    )


def test_a_group_an_open_campaign_targets_is_not_deleted(admin):
    tenant = admin.tenant
    api = client_for(admin)
    group = CustomerGroup.objects.create(tenant=tenant, name="重点客户")

    def campaign(name):
        return campaign_create(tenant=tenant, actor=admin, name=name, target_group=group)

    planned, active, completed, cancelled = (campaign(n) for n in ("春季", "夏季", "秋季", "冬季"))
    _move(active, "start", admin)
    _move(_move(completed, "start", admin), "complete", admin)
    _move(cancelled, "cancel", admin, reason="预算取消")

    url = f"/api/v1/customer-groups/{group.pk}/?lang=en"
    refused = api.delete(url)
    assert refused.status_code == 409, refused.content
    body = refused.json()
    assert body["code"] == "protected"
    assert body["detail"] == "This customer group cannot be deleted: it is used by 2 campaigns."
    assert body["blockers"] == [{"model": "campaign", "count": 2}]
    assert CustomerGroup.objects.filter(pk=group.pk).exists()

    # Mass sends and campaigns are named together, each with its count.
    send = api.post(
        "/api/v1/mass-sends/",
        {
            "name": "群发",
            "channel": _sms(admin, "http://127.0.0.1:9").pk,
            "template": _template(api).json()["id"],
            "audience": "group",
            "group_id": group.pk,
        },
        format="json",
    )
    assert send.status_code == 201, send.content
    both = api.delete(url)
    assert both.status_code == 409
    assert both.json()["blockers"] == [
        {"model": "mass send", "count": 1},
        {"model": "campaign", "count": 2},
    ]
    MassSend.objects.filter(group_id=group.pk).update(status=MassSend.Status.CANCELLED)

    _move(planned, "cancel", admin, reason="不做了")
    one = api.delete(url)
    assert one.status_code == 409
    assert one.json()["detail"].endswith("it is used by 1 campaign.")

    _move(active, "complete", admin)
    assert api.delete(url).status_code == 204
    assert not CustomerGroup.objects.filter(pk=group.pk).exists()
    assert Campaign.objects.filter(tenant=tenant, target_group__isnull=True).count() == 4
