"""Users, roles, teams, settings, history and audit through the API."""

from __future__ import annotations

import pytest
from django.contrib.contenttypes.models import ContentType
from rest_framework.test import APIClient

from crm.core.models import AuditEntry, Role, Team, User
from crm.core.tenant_settings import DEFAULTS
from crm.customers.models import Customer
from tests.conftest import PASSWORD, client_for, make_user
from tests.customers.leads import log_call, move, new_lead

pytestmark = pytest.mark.django_db


def audit_of(obj) -> list[AuditEntry]:
    ct = ContentType.objects.get_for_model(obj, for_concrete_model=True)
    return list(AuditEntry.objects.filter(content_type=ct, object_id=obj.pk).order_by("id"))


# --- users ---------------------------------------------------------------------------


def test_user_crud(api, admin, sales_team):
    rep_role = Role.objects.get(tenant=admin.tenant, name="销售代表")
    created = api.post(
        "/api/v1/users/",
        {
            "username": "newrep",
            "password": PASSWORD,
            "email": "newrep@example.cn",
            "full_name": "新销售",
            "roles": [rep_role.pk],
            "team": sales_team.pk,
        },
        format="json",
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert "password" not in body
    assert (body["roles"], body["team"], body["team_name"]) == (
        [rep_role.pk],
        sales_team.pk,
        "销售一部",
    )
    user = User.objects.get(username="newrep")
    assert user.tenant == admin.tenant and user.check_password(PASSWORD)
    assert audit_of(user)[0].action == "create"
    assert "password" not in audit_of(user)[0].changes

    token = APIClient().post(
        "/api/v1/auth/token/", {"username": "newrep", "password": PASSWORD}, format="json"
    )
    assert token.status_code == 200

    url = f"/api/v1/users/{user.pk}/"
    patched = api.patch(url, {"full_name": "改名", "roles": []}, format="json")
    assert patched.status_code == 200
    assert patched.json()["roles"] == []
    assert audit_of(user)[-1].changes["full_name"] == ["新销售", "改名"]
    assert api.get(url).json()["full_name"] == "改名"

    assert api.delete(url).status_code == 204
    user.refresh_from_db()
    assert user.is_active is False  # deactivated, never deleted
    assert api.get(url).json()["is_active"] is False


def test_user_validation(api, admin):
    base = {"email": "u@example.cn", "full_name": "x"}
    missing = api.post("/api/v1/users/?lang=en", {**base, "username": "np"}, format="json")
    assert missing.status_code == 400
    assert missing.json()["fields"] == {"password": ["Enter a password."]}
    weak = api.post(
        "/api/v1/users/", {**base, "username": "weak", "password": "123"}, format="json"
    )
    assert weak.status_code == 400 and "password" in weak.json()["fields"]
    taken = api.post(
        "/api/v1/users/?lang=en",
        {**base, "username": admin.username.upper(), "password": PASSWORD},
        format="json",
    )
    assert taken.status_code == 400
    assert taken.json()["fields"] == {"username": ["This username is taken."]}
    unknown_role = api.post(
        "/api/v1/users/",
        {**base, "username": "r1", "password": PASSWORD, "roles": [987654]},
        format="json",
    )
    assert unknown_role.status_code == 400 and "roles" in unknown_role.json()["fields"]
    myself = api.delete(f"/api/v1/users/{admin.pk}/?lang=en")
    assert myself.status_code == 400
    assert myself.json()["fields"] == {"non_field_errors": ["You cannot deactivate yourself."]}


def test_a_rep_reads_users_but_cannot_manage_them(admin, rep):
    client = client_for(rep)
    assert client.get("/api/v1/users/").status_code == 200
    response = client.post(
        "/api/v1/users/", {"username": "x", "password": PASSWORD, "email": "x@x.cn"}, format="json"
    )
    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"
    assert client.get("/api/v1/roles/").status_code == 403
    assert client.patch(f"/api/v1/users/{admin.pk}/", {}, format="json").status_code == 403


# --- roles ---------------------------------------------------------------------------


def test_role_crud_and_codes(api, admin):
    codes = api.get("/api/v1/roles/codes/").json()
    by_code = {c["code"]: c for c in codes}
    assert {"leads.view", "transition:lead.convert", "settings.edit"} <= set(by_code)
    assert by_code["transition:lead.convert"]["module"] == "transition:lead"

    created = api.post(
        "/api/v1/roles/",
        {
            "name": "线索专员",
            "permissions": ["leads.view", "leads.view", "transition:lead.claim"],
            "data_scope": "team",
        },
        format="json",
    )
    assert created.status_code == 201, created.content
    assert created.json()["permissions"] == ["leads.view", "transition:lead.claim"]
    assert created.json()["preset"] == ""  # made by the admin: no default role behind it
    role = Role.objects.get(tenant=admin.tenant, name="线索专员")
    presets = {r["name"]: r["preset"] for r in api.get("/api/v1/roles/").json()["results"]}
    assert presets["销售代表"] == "销售代表" and presets["线索专员"] == ""
    # Read only: a role cannot take over a default role's future codes.
    api.patch(f"/api/v1/roles/{role.pk}/", {"preset": "管理员"}, format="json")
    role.refresh_from_db()
    assert role.preset == ""
    updated = api.patch(f"/api/v1/roles/{role.pk}/", {"permissions": ["leads.view"]}, format="json")
    assert updated.status_code == 200
    role.refresh_from_db()
    assert role.permissions == ["leads.view"]
    assert [e.action for e in audit_of(role)] == ["create", "update"]

    user = make_user(admin, "线索专员")
    in_use = api.delete(f"/api/v1/roles/{role.pk}/?lang=en")
    assert in_use.status_code == 409
    assert in_use.json() == {
        "code": "protected",
        "detail": "This role is still given to users.",
        "blockers": [{"model": "user", "count": 1}],
    }
    user.roles.clear()
    assert api.delete(f"/api/v1/roles/{role.pk}/").status_code == 204
    assert not Role.objects.filter(pk=role.pk).exists()


def test_role_validation(api):
    unknown = api.post(
        "/api/v1/roles/?lang=en",
        {"name": "坏角色", "permissions": ["leads.view", "leads.fly", "x"], "data_scope": "own"},
        format="json",
    )
    assert unknown.status_code == 400
    assert unknown.json()["fields"] == {"permissions": ["Unknown permission codes: leads.fly, x"]}
    scope = api.post(
        "/api/v1/roles/", {"name": "r", "permissions": [], "data_scope": "galaxy"}, format="json"
    )
    assert scope.status_code == 400 and "data_scope" in scope.json()["fields"]
    duplicate = api.post(
        "/api/v1/roles/?lang=en", {"name": "销售代表", "data_scope": "own"}, format="json"
    )
    assert duplicate.status_code == 400
    assert duplicate.json()["fields"] == {"name": ["A role with this name exists."]}


def test_role_permissions_take_effect(admin):
    role = Role.objects.get(tenant=admin.tenant, name="客服")
    user = make_user(admin, "客服")
    client = client_for(user)
    assert client.get("/api/v1/leads/").status_code == 403
    assert client.get("/api/v1/customers/").status_code == 200
    client_for(admin).patch(
        f"/api/v1/roles/{role.pk}/",
        {"permissions": [*role.permissions, "leads.view"]},
        format="json",
    )
    assert client_for(User.objects.get(pk=user.pk)).get("/api/v1/leads/").status_code == 200


# --- teams ---------------------------------------------------------------------------


def test_team_crud_and_cycles(api, admin):
    parent = api.post("/api/v1/teams/", {"name": "华东大区", "leader": admin.pk}, format="json")
    assert parent.status_code == 201, parent.content
    assert parent.json()["leader_name"] == admin.display_name
    child = api.post(
        "/api/v1/teams/", {"name": "上海组", "parent": parent.json()["id"]}, format="json"
    )
    assert child.status_code == 201
    grandchild = api.post(
        "/api/v1/teams/", {"name": "浦东小组", "parent": child.json()["id"]}, format="json"
    )
    p, c, g = parent.json()["id"], child.json()["id"], grandchild.json()["id"]

    for team, new_parent in [(p, g), (p, c), (c, c)]:
        cycle = api.patch(f"/api/v1/teams/{team}/?lang=en", {"parent": new_parent}, format="json")
        assert cycle.status_code == 400, (team, new_parent)
        assert cycle.json()["fields"] == {"parent": ["A team cannot be inside itself."]}
    assert Team.objects.get(pk=p).parent_id is None

    moved = api.patch(f"/api/v1/teams/{g}/", {"parent": p}, format="json")
    assert moved.status_code == 200 and moved.json()["parent"] == p

    duplicate = api.post("/api/v1/teams/?lang=en", {"name": "上海组"}, format="json")
    assert duplicate.status_code == 400
    assert duplicate.json()["fields"] == {"name": ["A team with this name exists."]}

    busy = api.delete(f"/api/v1/teams/{p}/?lang=en")
    assert busy.status_code == 409
    assert busy.json()["code"] == "protected"
    assert busy.json()["detail"] == "Move this team's members and sub-teams first."
    assert busy.json()["blockers"] == [{"model": "team", "count": 2}]  # c and g
    assert api.delete(f"/api/v1/teams/{g}/").status_code == 204
    assert [e.action for e in audit_of(Team(pk=g, tenant=admin.tenant))] == [
        "create",
        "update",
        "delete",
    ]


# --- tenant settings ------------------------------------------------------------------


def test_settings_defaults_and_updates(api, admin):
    got = api.get("/api/v1/settings/")
    assert got.status_code == 200
    assert got.json() == DEFAULTS
    assert got.json()["lead_first_contact_sla_hours"] == 24
    assert got.json()["daily_claim_cap"] == 20

    ok = api.patch("/api/v1/settings/", {"pool_idle_days": 45, "daily_claim_cap": 5}, format="json")
    assert ok.status_code == 200
    assert (ok.json()["pool_idle_days"], ok.json()["daily_claim_cap"]) == (45, 5)
    admin.tenant.refresh_from_db()
    assert admin.tenant.setting("pool_idle_days") == 45
    entry = [e for e in audit_of(admin.tenant) if e.action == "settings"][-1]
    assert entry.changes == {"pool_idle_days": [30, 45], "daily_claim_cap": [20, 5]}


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        (
            {"pool_warning_days": 30},
            "pool_warning_days",
            "The warning must come before the return to the pool.",
        ),
        (
            {"pool_idle_days": 3, "pool_warning_days": 5},
            "pool_warning_days",
            "The warning must come before the return to the pool.",
        ),
        ({"pool_idle_days": 0}, "pool_idle_days", None),
        ({"lead_first_contact_sla_hours": 100000}, "lead_first_contact_sla_hours", None),
        ({"daily_claim_cap": "many"}, "daily_claim_cap", None),
    ],
)
def test_settings_validation(api, admin, body, field, message):
    response = api.patch("/api/v1/settings/?lang=en", body, format="json")
    assert response.status_code == 400, response.content
    fields = response.json()["fields"]
    assert field in fields
    if message:
        assert message in fields[field]
    admin.tenant.refresh_from_db()
    assert admin.tenant.settings.get("pool_idle_days", 30) == 30


def test_settings_edit_needs_the_code(admin, rep):
    client = client_for(rep)
    assert client.get("/api/v1/settings/").status_code == 200
    response = client.patch("/api/v1/settings/", {"daily_claim_cap": 1}, format="json")
    assert response.status_code == 403


# --- history and audit ----------------------------------------------------------------


def test_history_shows_changes_and_transitions_newest_first(api, admin):
    lead = new_lead(admin, need="旧需求")
    assert (
        api.patch(f"/api/v1/leads/{lead.pk}/", {"need": "新需求"}, format="json").status_code == 200
    )
    log_call(lead, admin)
    move(lead, "contact", admin, comment="电话已打通")
    history = api.get(f"/api/v1/leads/{lead.pk}/history/")
    assert history.status_code == 200
    entries = history.json()
    assert [(e["kind"], e["action"]) for e in entries] == [
        ("transition", "contact"),
        ("change", "update"),
        ("change", "create"),
    ]
    assert [e["at"] for e in entries] == sorted((e["at"] for e in entries), reverse=True)
    transition = entries[0]
    assert (transition["source"], transition["target"], transition["comment"]) == (
        "new",
        "contacted",
        "电话已打通",
    )
    assert transition["actor"] == admin.display_name
    assert entries[1]["changes"] == {"need": ["旧需求", "新需求"]}
    assert entries[2]["changes"]["company_name"] == lead.company_name


def test_customer_services_write_audit_entries(api, admin):
    created = api.post("/api/v1/customers/", {"name": "审计客户", "region": "上海"}, format="json")
    customer = Customer.objects.get(pk=created.json()["id"])
    api.patch(f"/api/v1/customers/{customer.pk}/", {"region": "北京"}, format="json")
    api.patch(f"/api/v1/customers/{customer.pk}/", {"region": "北京"}, format="json")  # no-op
    entries = audit_of(customer)
    assert [(e.action, e.actor_id) for e in entries] == [("create", admin.pk), ("update", admin.pk)]
    assert entries[0].changes["name"] == "审计客户"
    assert entries[1].changes == {"region": ["上海", "北京"]}
    customer.refresh_from_db()
    assert customer.version == 2
    api.delete(f"/api/v1/customers/{customer.pk}/")
    assert [e.action for e in audit_of(customer)][-1] == "delete"


def test_history_of_users_and_teams(api, admin, sales_team):
    history = api.get(f"/api/v1/teams/{sales_team.pk}/history/").json()
    assert [e["action"] for e in history] == ["create"]
    assert history[0]["changes"]["name"] == "销售一部"
