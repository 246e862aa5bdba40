"""The mass-send list export names a send's customer group and campaign (kept as ids
on the send) as the lists name them, read in the export's one query: ``#12`` when the
record is gone or is a campaign out of the exporting user's sight."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_scopes import scopes_disabled

from crm.core import services as core
from crm.core.permissions import registry
from crm.customers.models import CustomerGroup
from crm.marketing.campaigns import campaign_create
from crm.marketing.models import Campaign
from crm.messaging import services as messaging_services
from crm.messaging import templating
from crm.messaging.massing import mass_send_create
from crm.messaging.models import MassSend
from tests.conftest import client_for, make_user
from tests.imports.test_export_values import _export

pytestmark = pytest.mark.django_db


def _heading(field: str) -> str:
    return str(MassSend._meta.get_field(field).verbose_name).lower()


def _sends(admin, actor, audiences: list[dict]) -> None:
    channel = messaging_services.channel_create(
        tenant=admin.tenant, actor=admin, kind="email", name=f"邮件{len(audiences)}"
    )
    template = templating.template_create(
        tenant=admin.tenant,
        actor=admin,
        name=f"模板{len(audiences)}",
        channel_kind="email",
        subject="你好",
        body="您好",
    )
    for i, audience in enumerate(audiences):
        mass_send_create(
            tenant=admin.tenant,
            actor=actor,
            name=f"群发{i}",
            channel=channel,
            template=template,
            **audience,
        )


def _cells(rows) -> dict[str, tuple[str, str]]:
    return {row["name"]: (row[_heading("group_id")], row[_heading("campaign_id")]) for row in rows}


def test_the_group_and_campaign_read_as_their_names_in_one_query(admin):
    client = client_for(admin)
    with scopes_disabled():
        group = CustomerGroup.objects.create(tenant=admin.tenant, name="VIP客户")
    campaign = campaign_create(tenant=admin.tenant, actor=admin, name="双十二")
    _sends(admin, admin, [{"audience": "group", "group_id": group.pk}])
    with CaptureQueriesContext(connection) as few:
        rows = _export(client, "mass-sends", "en")
    assert _cells(rows) == {"群发0": ("VIP客户", "")}

    gone_group = CustomerGroup.objects.create(tenant=admin.tenant, name="旧分组")
    gone_campaign = campaign_create(tenant=admin.tenant, actor=admin, name="旧活动")
    _sends(
        admin,
        admin,
        [
            {"audience": "campaign", "campaign_id": campaign.pk},
            {"audience": "group", "group_id": gone_group.pk},
            {"audience": "campaign", "campaign_id": gone_campaign.pk},
            {"audience": "filter", "filter": {}},
        ],
    )
    with scopes_disabled():
        CustomerGroup.objects.filter(pk=gone_group.pk).delete()
        Campaign.objects.filter(pk=gone_campaign.pk).delete()
    with CaptureQueriesContext(connection) as more:
        rows = _export(client, "mass-sends", "en")
    by_audience = sorted((row[_heading("group_id")], row[_heading("campaign_id")]) for row in rows)
    assert by_audience == sorted(
        [
            ("VIP客户", ""),
            ("", "双十二"),
            (f"#{gone_group.pk}", ""),
            ("", f"#{gone_campaign.pk}"),
            ("", ""),
        ]
    )
    assert len(more.captured_queries) == len(few.captured_queries)


def test_a_campaign_out_of_the_users_sight_reads_as_its_id(admin):
    role = core.role_create(
        tenant=admin.tenant,
        actor=admin,
        name="群发专员",
        permissions=list(registry.codes()),
        data_scope="own",
    )
    mine = make_user(admin, role.name)
    own = campaign_create(tenant=admin.tenant, actor=mine, name="我的活动", owner=mine)
    theirs = campaign_create(tenant=admin.tenant, actor=admin, name="别人的活动", owner=admin)
    _sends(
        admin,
        mine,
        [
            {"audience": "campaign", "campaign_id": own.pk},
            {"audience": "campaign", "campaign_id": theirs.pk},
        ],
    )
    seen = sorted(
        row[_heading("campaign_id")] for row in _export(client_for(mine), "mass-sends", "en")
    )
    assert seen == sorted(["我的活动", f"#{theirs.pk}"])
    by_admin = _export(client_for(admin), "mass-sends", "en")
    assert sorted(row[_heading("campaign_id")] for row in by_admin) == ["别人的活动", "我的活动"]
