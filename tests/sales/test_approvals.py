"""Approvals reach someone (issue 20 item 1): the approvers of a submitted quote or
contract are told after commit, may open and act on it whatever their data scope,
find it under ?awaiting_me=true, and a submission nobody can approve is refused."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_scopes import scopes_disabled

from crm.activities.models import Notification
from crm.core import services as core_services
from crm.core.errors import GuardFailed
from crm.core.models import Role
from crm.sales.approvals import approvers_for
from crm.sales.models import Contract, Quote
from tests.conftest import make_user
from tests.sales import factories as f
from tests.sales.factories import client_for


@pytest.fixture
def manager(sales_team):
    return sales_team.leader


def _notes(user):
    with scopes_disabled():
        return list(Notification.objects.filter(recipient=user).order_by("id"))


def _own_scope(role_name, tenant):
    with scopes_disabled():
        role = Role.objects.get(tenant=tenant, name=role_name)
        role.data_scope = "own"
        role.save(update_fields=["data_scope"])


@pytest.mark.django_db(transaction=True)
def test_submitting_a_contract_notifies_the_team_leader_after_commit(rep, manager):
    c = f.contract(rep)
    assert _notes(manager) == []
    f.move(c, "submit", rep)
    notes = _notes(manager)
    assert len(notes) == 1
    assert c.number in notes[0].title
    assert notes[0].link == f"/contracts/{c.pk}"
    assert "¥30,000.00" in notes[0].body
    # Nobody else is told: the leader chain comes first.
    with scopes_disabled():
        assert Notification.objects.filter(object_id=c.pk).count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_submit_tells_nobody(rep, manager):
    from django.db import transaction

    c = f.contract(rep)
    with pytest.raises(RuntimeError), transaction.atomic():
        f.move(c, "submit", rep)
        raise RuntimeError("roll back")
    assert _notes(manager) == []


@pytest.mark.django_db(transaction=True)
def test_without_a_leader_the_permission_holders_of_the_band_are_told(admin):
    """The admin is in no team: every other holder of the band's permission is told."""
    manager_a = make_user(admin, "销售经理", name="经理甲")
    manager_b = make_user(admin, "销售经理", name="经理乙")
    make_user(admin, "销售代表", name="代表丙")  # may not approve
    c = f.contract(admin, amount="50000.00")
    assert {u.pk for u in approvers_for(c, submitter=admin)} == {manager_a.pk, manager_b.pk}
    f.move(c, "submit", admin)
    assert len(_notes(manager_a)) == len(_notes(manager_b)) == 1
    assert _notes(admin) == []


def test_a_large_contract_goes_to_the_holders_of_the_large_band(admin, rep, manager):
    """The leader may approve up to 100,000 only: a larger contract skips him."""
    c = f.contract(rep, amount="200000.00")
    assert [u.pk for u in approvers_for(c, submitter=rep)] == [admin.pk]


def test_a_submission_nobody_can_approve_is_refused_with_the_reason(admin):
    """Alone in the company, the admin cannot submit: nobody could approve."""
    c = f.contract(admin)
    with pytest.raises(GuardFailed) as err:
        f.move(c, "submit", admin)
    assert any(
        "Nobody can approve this" in r and "approve contracts" in r for r in err.value.reasons
    )
    # The API says the same before the click: the step is shown blocked with the reason.
    body = client_for(admin).get(f"/api/v1/contracts/{c.pk}/").json()
    submit = next(t for t in body["transitions"] if t["name"] == "submit")
    assert submit["allowed"] is False
    assert any("Nobody can approve this" in r for r in submit["reasons"])


def test_a_quote_nobody_can_approve_is_refused(admin):
    opp = f.opportunity(admin)
    q = f.quote(opp, admin)
    with pytest.raises(GuardFailed) as err:
        f.move(q, "submit", admin)
    assert any("approve quotes" in r for r in err.value.reasons)


def test_the_approver_opens_and_approves_outside_their_data_scope(admin, rep):
    """A manager with the 'own' scope, in another team, is the only approver of a
    rep's contract: he sees it in 待我审批, opens it and approves it."""
    _own_scope("销售经理", admin.tenant)
    other = make_user(admin, "销售经理", name="外部经理")
    # The rep's team leader is no manager now: the holders of the band approve.
    with scopes_disabled():
        team = rep.team
        team.leader = None
        team.save(update_fields=["leader"])
    with scopes_disabled():
        for user in Role.objects.get(tenant=admin.tenant, name="销售经理").users.exclude(
            pk=other.pk
        ):
            core_services.user_update(user, tenant=admin.tenant, actor=admin, is_active=False)
    c = f.contract(rep)
    api = client_for(other)
    assert api.get(f"/api/v1/contracts/{c.pk}/").status_code == 404  # a draft: out of scope
    f.move(c, "submit", rep)
    listed = api.get("/api/v1/contracts/?awaiting_me=true").json()
    assert [row["id"] for row in listed["results"]] == [c.pk]
    assert api.get(f"/api/v1/contracts/{c.pk}/").status_code == 200
    res = api.post(f"/api/v1/contracts/{c.pk}/transitions/approve/", {}, format="json")
    assert res.status_code == 200, res.json()
    with scopes_disabled():
        assert Contract.objects.get(pk=c.pk).status == "approved"
    # Approved, it waits for nobody: out of his scope again.
    assert api.get(f"/api/v1/contracts/{c.pk}/").status_code == 404
    assert api.get("/api/v1/contracts/?awaiting_me=true").json()["count"] == 0


def test_awaiting_me_lists_only_what_waits_for_the_user(admin, rep, manager):
    mine = f.move(f.contract(rep), "submit", rep)
    f.contract(rep)  # a draft waits for nobody
    large = f.move(f.contract(rep, amount="150000.00"), "submit", rep)
    by_manager = client_for(manager).get("/api/v1/contracts/?awaiting_me=true").json()
    assert [row["id"] for row in by_manager["results"]] == [mine.pk]
    by_admin = client_for(admin).get("/api/v1/contracts/?awaiting_me=true").json()
    assert [row["id"] for row in by_admin["results"]] == [large.pk]
    assert client_for(rep).get("/api/v1/contracts/?awaiting_me=true").json()["count"] == 0
    # Quotes as well.
    opp = f.opportunity(rep)
    q = f.move(f.quote(opp, rep), "submit", rep)
    rows = client_for(manager).get("/api/v1/quotes/?awaiting_me=true").json()["results"]
    assert [row["id"] for row in rows] == [q.pk]
    assert client_for(rep).get("/api/v1/quotes/?awaiting_me=true").json()["count"] == 0


def test_awaiting_me_runs_constant_queries(admin, rep, manager):
    api = client_for(manager)
    second_ctx = []

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert api.get("/api/v1/contracts/?awaiting_me=true").status_code == 200
        second_ctx[:] = [ctx.captured_queries]
        return len(ctx.captured_queries)

    f.move(f.contract(rep), "submit", rep)
    first = count()
    for _ in range(4):
        f.move(f.contract(rep), "submit", rep)
        make_user(admin, "销售代表", team=rep.team)
    second = count()
    assert second == first, "\n".join(q["sql"][:150] for q in second_ctx[0])


def test_quote_approvers_are_told(rep, manager, django_capture_on_commit_callbacks):
    opp = f.opportunity(rep)
    q = f.quote(opp, rep)
    with django_capture_on_commit_callbacks(execute=True):
        f.move(q, "submit", rep)
    notes = _notes(manager)
    assert len(notes) == 1 and notes[0].link == f"/quotes/{q.pk}"
    with scopes_disabled():
        assert Quote.objects.get(pk=q.pk).status == "submitted"


def test_bulk_transfer_refuses_pending_quotes_unless_confirmed(admin, rep, manager):
    """Moving a customer's open opportunities while a quote waits for approval is
    refused with the quote named; confirmed, it moves."""
    opp = f.opportunity(rep, name="待审项目")
    f.move(f.quote(opp, rep), "submit", rep)
    other = make_user(admin, "销售代表", team=rep.team, name="新负责人")
    api = client_for(admin)
    body = {
        "ids": [opp.customer_id],
        "owner": other.pk,
        "reason": "调岗",
        "move_open_opportunities": True,
    }
    res = api.post("/api/v1/customers/bulk-transfer/", body, format="json")
    assert res.status_code == 400
    reasons = res.json()["fields"]["confirm_pending"]
    assert "待审项目 v1" in reasons[0] and "confirm" in reasons[0]
    with scopes_disabled():
        opp.refresh_from_db()
        assert opp.owner_id == rep.pk and opp.customer.owner_id == rep.pk  # nothing moved
    res = api.post(
        "/api/v1/customers/bulk-transfer/", {**body, "confirm_pending": True}, format="json"
    )
    assert res.status_code == 200, res.json()
    assert res.json()["opportunities"] == 1
    # Without moving the opportunities nothing is refused.
    back = {**body, "owner": rep.pk, "move_open_opportunities": False}
    assert api.post("/api/v1/customers/bulk-transfer/", back, format="json").status_code == 200
