"""POST /api/v1/sync/push/: once, in order, merged or in conflict, refused with reasons."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from crm.activities.models import Activity
from crm.core.models import Role
from crm.customers import services as customer_services
from crm.customers.models import Customer, Lead
from crm.sync.models import SyncOperation
from crm.sync.services import purge_operations
from tests.conftest import client_for, make_user
from tests.sync.helpers import op, push


@pytest.fixture
def rep_api(rep):
    return client_for(rep)


def _customer(rep, **fields):
    return customer_services.customer_create(
        tenant=rep.tenant, actor=rep, name=fields.pop("name", "离线客户"), **fields
    )


def _lead(rep, **fields):
    return customer_services.lead_create(
        tenant=rep.tenant, actor=rep, company_name=fields.pop("company_name", "线索公司"), **fields
    )


def test_replay_of_the_same_batch_applies_once(rep, rep_api):
    lead = _lead(rep)
    batch = [
        op("create", "activities", {"kind": "visit", "subject": "拜访", "lead": lead.pk}),
        op("create", "leads", {"company_name": "新线索", "mobile": "13800138000"}),
        op("create", "customers", {"name": "新客户"}),
        op("update", "leads", {"need": "CRM"}, record=lead.pk, base_version=lead.version),
    ]
    first = push(rep_api, batch)
    assert [r["status"] for r in first] == ["applied"] * 4
    assert first[3]["record"]["need"] == "CRM" and first[3]["record"]["version"] == 2
    assert first[3]["version"] == 2
    counts = (Activity.objects.count(), Lead.objects.count(), Customer.objects.count())

    again = push(rep_api, batch)
    assert [r["status"] for r in again] == ["duplicate"] * 4
    # The earlier answer, the same records: nothing applied twice.
    assert [r["record"]["id"] for r in again] == [r["record"]["id"] for r in first]
    assert (Activity.objects.count(), Lead.objects.count(), Customer.objects.count()) == counts
    lead.refresh_from_db()
    assert lead.version == 2
    assert SyncOperation.objects.filter(tenant=rep.tenant).count() == 4


def test_a_batch_cut_midway_and_resent_applies_each_operation_once(rep, rep_api):
    lead = _lead(rep)
    batch = [
        op("create", "activities", {"kind": "call", "subject": f"电话 {n}", "lead": lead.pk})
        for n in range(5)
    ]
    # The connection dropped after the server applied the first two.
    assert [r["status"] for r in push(rep_api, batch[:2])] == ["applied"] * 2
    results = push(rep_api, batch)
    assert [r["status"] for r in results] == ["duplicate"] * 2 + ["applied"] * 3
    subjects = sorted(Activity.objects.filter(lead=lead).values_list("subject", flat=True))
    assert subjects == [f"电话 {n}" for n in range(5)]


def test_same_field_changed_on_both_sides_is_a_conflict_and_nothing_is_applied(
    admin, api, rep, rep_api
):
    customer = _customer(rep, remark="原备注", region="上海")
    # A colleague changes the remark online while the rep is offline.
    assert (
        api.patch(
            f"/api/v1/customers/{customer.pk}/", {"remark": "线上备注"}, format="json"
        ).status_code
        == 200
    )
    [result] = push(
        rep_api,
        [
            op(
                "update",
                "customers",
                {"remark": "离线备注", "region": "北京"},
                record=customer.pk,
                base_version=1,
            )
        ],
    )
    assert result["status"] == "conflict"
    assert result["conflicts"] == {
        "remark": {"mine": "离线备注", "theirs": "线上备注", "base": "原备注"}
    }
    assert result["record"]["version"] == 2 and result["record"]["remark"] == "线上备注"
    assert result["version"] == 2
    assert "remark" in result["reasons"][0]
    customer.refresh_from_db()
    # Nothing of the operation applied (not even the region), nothing lost: the
    # device still has its values in the answer and asks the user.
    assert (customer.remark, customer.region, customer.version) == ("线上备注", "上海", 2)
    # Resolved on the device ("keep mine") and sent again on the server's version.
    [resolved] = push(
        rep_api,
        [
            op(
                "update",
                "customers",
                {"remark": "离线备注", "region": "北京"},
                record=customer.pk,
                base_version=2,
            )
        ],
    )
    assert resolved["status"] == "applied"
    customer.refresh_from_db()
    assert (customer.remark, customer.region) == ("离线备注", "北京")


def test_different_fields_merge(api, rep, rep_api):
    customer = _customer(rep, remark="原备注", region="上海", address="旧地址")
    assert (
        api.patch(
            f"/api/v1/customers/{customer.pk}/", {"region": "深圳"}, format="json"
        ).status_code
        == 200
    )
    # The device sends its whole edited record: region as it was (base), a new remark.
    [result] = push(
        rep_api,
        [
            op(
                "update",
                "customers",
                {"remark": "离线备注", "region": "上海", "address": "旧地址"},
                record=customer.pk,
                base_version=1,
            )
        ],
    )
    assert result["status"] == "applied", result
    customer.refresh_from_db()
    # The server's region stays (the device did not change it), the remark merges in.
    assert (customer.region, customer.remark, customer.version) == ("深圳", "离线备注", 3)
    assert result["record"]["region"] == "深圳" and result["record"]["version"] == 3


def test_the_same_value_on_both_sides_is_no_conflict(api, rep, rep_api):
    customer = _customer(rep, remark="原备注")
    api.patch(f"/api/v1/customers/{customer.pk}/", {"remark": "一样"}, format="json")
    [result] = push(
        rep_api,
        [op("update", "customers", {"remark": "一样"}, record=customer.pk, base_version=1)],
    )
    assert result["status"] == "applied"


def test_a_guard_refusal_of_a_queued_transition_comes_back_with_its_reasons(rep, rep_api):
    lead = _lead(rep)  # no activity logged yet: "contact" is refused by its guard
    [result] = push(rep_api, [op("transition", "leads", {}, record=lead.pk, transition="contact")])
    assert result["status"] == "rejected"
    assert result["code"] == "guard_failed"
    assert any("活动" in reason or "activity" in reason for reason in result["reasons"])
    # Queued after the visit that makes it pass: the engine takes it.
    visit = op("create", "activities", {"kind": "visit", "subject": "拜访", "lead": lead.pk})
    step = op("transition", "leads", {}, record=lead.pk, transition="contact")
    results = push(rep_api, [visit, step])
    assert [r["status"] for r in results] == ["applied", "applied"]
    assert results[1]["record"]["status"] == "contacted"
    # A refused operation is not remembered: sent again it is checked again.
    lead.refresh_from_db()
    assert lead.status == "contacted"


def test_a_validation_error_names_the_field_and_writes_nothing(rep, rep_api):
    results = push(
        rep_api,
        [
            op("create", "customers", {"name": "好客户", "email": "不是邮箱"}),
            op("create", "leads", {"need": "没有公司名"}),
            op("create", "galaxies", {"name": "x"}),
            {"op": "create", "collection": "leads", "data": {}},
        ],
    )
    assert [r["status"] for r in results] == ["rejected"] * 4
    assert "email" in results[0]["fields"] and results[0]["reasons"][0].startswith("email:")
    assert "company_name" in results[1]["fields"]
    assert "collection" in results[2]["fields"]
    assert "id" in results[3]["fields"]
    assert not Customer.objects.filter(name="好客户").exists()
    assert not SyncOperation.objects.exists()


def test_a_body_that_is_not_a_list_of_operations_is_a_400_naming_it(rep_api):
    response = rep_api.post("/api/v1/sync/push/", {"operations": "x"}, format="json")
    assert response.status_code == 400
    assert "operations" in response.json()["fields"]


def test_permissions_and_data_scope_are_the_collections_own(admin, rep, rep_api, sales_team):
    other = make_user(admin, "销售代表", team=sales_team, name="张销售")
    theirs = _customer(other, remark="别人的")
    results = push(
        rep_api,
        [
            op("update", "customers", {"remark": "改别人的"}, record=theirs.pk, base_version=1),
            op("transition", "customers", {"reason": "x"}, record=theirs.pk, transition="release"),
        ],
    )
    assert [r["status"] for r in results] == ["rejected"] * 2
    assert results[0]["code"] == "not_found"
    assert results[0]["record"] is None  # nothing of the other rep's record shown
    theirs.refresh_from_db()
    assert theirs.remark == "别人的" and theirs.owner_id == other.pk

    # A user without the create code: refused like the REST endpoint refuses.
    service = make_user(admin, "销售代表", name="只读")
    readonly = Role.objects.create(tenant=admin.tenant, name="只读角色", permissions=["leads.view"])
    service.roles.set([readonly])
    [refused] = push(client_for(service), [op("create", "leads", {"company_name": "x"})])
    assert refused["status"] == "rejected" and refused["code"] == "permission_denied"


def test_an_operation_id_of_another_user_is_not_answered_with_their_record(
    admin, rep, rep_api, sales_team
):
    batch = [op("create", "customers", {"name": "我的客户"})]
    assert push(rep_api, batch)[0]["status"] == "applied"
    other = make_user(admin, "销售代表", team=sales_team)
    [result] = push(client_for(other), batch)
    assert result["status"] == "rejected" and result["record"] is None


def test_keys_are_kept_for_the_tenants_days_then_purged(rep, rep_api):
    batch = [op("create", "customers", {"name": "留存"})]
    push(rep_api, batch)
    assert purge_operations() == 0
    later = timezone.now() + dt.timedelta(days=31)
    assert purge_operations(now=later) == 1
    # A tenant that keeps them longer.
    push(rep_api, [op("create", "customers", {"name": "留存2"})])
    rep.tenant.settings["sync_key_days"] = 60
    rep.tenant.save(update_fields=["settings"])
    assert purge_operations(now=later) == 0
    assert purge_operations(now=later + dt.timedelta(days=30)) == 1


def test_the_scheduler_forgets_old_change_rows_and_an_old_cursor_is_refused(rep, rep_api):
    import base64
    import json
    import time

    from crm.sync.models import SyncChange
    from tasks import scheduler

    _customer(rep)
    (chore,) = [c for c in scheduler.housekeeping() if c.name == "sync"]
    assert chore.run_if_due() == {"operations": 0, "changes": 0}
    assert SyncChange.objects.filter(tenant=rep.tenant).exists()
    later = timezone.now() + dt.timedelta(days=91)
    from crm.sync.services import purge

    assert purge(now=later)["changes"] >= 1
    assert not SyncChange.objects.filter(tenant=rep.tenant).exists()
    old = {"l": [0, 0], "t": int(time.time()) - 91 * 86400}
    cursor = base64.urlsafe_b64encode(json.dumps(old).encode()).decode().rstrip("=")
    response = rep_api.get("/api/v1/sync/pull/", {"cursor": cursor})
    assert response.status_code == 410 and response.json()["code"] == "cursor_expired"


def _activity(rep, **fields):
    from crm.activities import services as activity_services

    return activity_services.activity_create(
        tenant=rep.tenant,
        actor=rep,
        kind="visit",
        subject=fields.pop("subject", "拜访"),
        lead=_lead(rep),
        **fields,
    )


def test_an_activity_has_a_version_every_write_bumps(rep, rep_api):
    activity = _activity(rep, note="原记录")
    assert activity.version == 1
    response = rep_api.patch(
        f"/api/v1/activities/{activity.pk}/", {"note": "改了", "version": 9}, format="json"
    )
    assert response.status_code == 200, response.content
    # Read-only: the client's number is ignored, the server counts.
    assert response.json()["version"] == 2
    activity.refresh_from_db()
    assert (activity.note, activity.version) == ("改了", 2)


def test_an_activity_edited_offline_and_online_on_the_same_field_is_a_conflict(api, rep, rep_api):
    activity = _activity(rep, note="原记录", subject="拜访")
    assert (
        api.patch(
            f"/api/v1/activities/{activity.pk}/", {"note": "线上记录"}, format="json"
        ).status_code
        == 200
    )
    [result] = push(
        rep_api,
        [
            op(
                "update",
                "activities",
                {"note": "离线记录", "subject": "回访"},
                record=activity.pk,
                base_version=1,
            )
        ],
    )
    assert result["status"] == "conflict", result
    assert result["conflicts"] == {
        "note": {"mine": "离线记录", "theirs": "线上记录", "base": "原记录"}
    }
    assert result["version"] == 2 and result["record"]["note"] == "线上记录"
    activity.refresh_from_db()
    # Nothing of the operation applied, not even the subject: no last writer wins.
    assert (activity.note, activity.subject, activity.version) == ("线上记录", "拜访", 2)


def test_an_activity_edited_offline_and_online_on_different_fields_merges(api, rep, rep_api):
    activity = _activity(rep, note="原记录", subject="拜访")
    assert (
        api.patch(
            f"/api/v1/activities/{activity.pk}/", {"subject": "线上主题"}, format="json"
        ).status_code
        == 200
    )
    # The device sends its whole edited record: subject as it was (base), a new note.
    [result] = push(
        rep_api,
        [
            op(
                "update",
                "activities",
                {"note": "离线记录", "subject": "拜访"},
                record=activity.pk,
                base_version=1,
            )
        ],
    )
    assert result["status"] == "applied", result
    activity.refresh_from_db()
    assert (activity.subject, activity.note, activity.version) == ("线上主题", "离线记录", 3)
    assert result["record"]["subject"] == "线上主题" and result["record"]["version"] == 3
