"""``POST /<collection>/{id}/transitions/{name}/``: the record's scope, checked by the
engine's lock query, and what one transition costs in queries.

The API reads no record before the engine locks it: the lock query itself keeps
to the user's data scope, so a record outside it (or another company's) answers
404 and nothing changes, whatever the body says.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.db.models import Value
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_scopes import scope

from crm.core import services as core
from crm.core.errors import NotFound as DomainNotFound
from crm.core.models import AuditEntry
from crm.customers.models import Lead
from tests.conftest import client_for, make_company, make_user, uses_postgres
from tests.customers.leads import lead_in_state, new_lead
from workflows.engine import transition
from workflows.models import Reminder, TransitionLog

pytestmark = pytest.mark.django_db


def post(client, lead_id, step, body=None):
    return client.post(
        f"/api/v1/leads/{lead_id}/transitions/{step}/?lang=en", body or {}, format="json"
    )


def pending_lead_reminders(lead):
    return Reminder.objects.filter(object_id=lead.pk, rule__startswith="lead.", status="pending")


@pytest.fixture
def other_rep(admin):
    team = core.team_create(tenant=admin.tenant, actor=admin, name="销售二部")
    return make_user(admin, "销售代表", team=team, name="孙二部")


@pytest.mark.parametrize(
    "step,body",
    [
        ("pool", {}),
        ("pool", ["not", "an", "object"]),  # a bad body does not tell the record exists
        ("disqualify", {"reason": ""}),
        ("disqualify", {"reason": ["x"]}),
        ("fly", {}),
    ],
)
def test_a_lead_outside_the_users_scope_answers_404_and_stays(rep, other_rep, admin, step, body):
    lead = new_lead(admin, owner=other_rep)
    response = post(client_for(rep), lead.pk, step, body)
    assert response.status_code == 404, response.content
    assert response.json()["code"] == "not_found"
    lead.refresh_from_db()
    assert (lead.status, lead.owner_id, lead.version) == ("new", other_rep.pk, 1)
    assert not TransitionLog.objects.filter(object_id=lead.pk).exists()


def test_the_same_bad_body_on_a_visible_lead_is_a_400(rep, admin):
    lead = new_lead(admin, owner=rep)
    response = post(client_for(rep), lead.pk, "pool", ["not", "an", "object"])
    assert response.status_code == 400, response.content
    assert response.json()["code"] == "invalid"


def test_another_companys_lead_answers_404(admin, api):
    stranger = make_company("别家公司")
    lead = new_lead(stranger)
    assert post(api, lead.pk, "pool").status_code == 404
    lead.refresh_from_db()
    assert lead.status == "new"


def test_an_id_that_is_not_a_number_answers_404(api):
    assert post(api, "abc", "pool").status_code == 404


def test_a_lead_in_the_public_pool_may_be_claimed_by_a_rep(rep, admin, sales_team):
    lead = lead_in_state(admin, "pooled")
    response = post(client_for(rep), lead.pk, "claim")
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["status"], body["owner"], body["owner_name"]) == ("new", rep.pk, "李销售")
    assert {t["name"] for t in body["transitions"]} >= {"pool", "disqualify"}
    # The reminders of the state entered, the escalation to the owner's team leader.
    pending = dict(pending_lead_reminders(lead).values_list("rule", "recipient_id"))
    assert pending["lead.first_contact"] == rep.pk
    assert pending["lead.first_contact_escalation"] == sales_team.leader_id


@pytest.mark.parametrize("step", ["pool", "claim"])
def test_the_answer_is_the_record_as_read_afterwards(api, admin, step):
    """Relations in hand or empty are not joined again: the answer is what a read gives."""
    source = core.dictionary_create(
        tenant=admin.tenant, actor=admin, kind="source", code="t19fair", label="展会"
    )
    industry = core.dictionary_create(
        tenant=admin.tenant, actor=admin, kind="industry", code="t19it", label="信息技术"
    )
    state = "new" if step == "pool" else "pooled"
    lead = lead_in_state(admin, state, source=source, industry=industry)
    response = post(api, lead.pk, step)
    assert response.status_code == 200, response.content
    answer = response.json()
    assert answer["source_label"] == "展会" and answer["industry_label"] == "信息技术"
    assert answer["owner_name"] == (admin.display_name if step == "claim" else None)
    read = api.get(f"/api/v1/leads/{lead.pk}/?lang=en")
    assert read.status_code == 200
    assert answer == read.json()


def _lead_sql(queries) -> list[str]:
    return [q["sql"] for q in queries if 'FROM "customers_lead"' in q["sql"]]


@pytest.mark.skipif(
    not uses_postgres(),
    reason="needs PostgreSQL (DATABASE_URL; CI sets it): the engine's row lock "
    "(SELECT ... FOR UPDATE OF) is what it checks, and SQLite has no row locks",
)
def test_pool_and_claim_cost_a_fixed_number_of_queries(rep, admin):
    """One read of the lead (locked) before the change, one after it for the answer;
    the tenant in hand (not read again), no reminder update when leaving the pool."""
    client = client_for(rep)
    lead = new_lead(admin, owner=rep, company_name="查询计数")
    warm = new_lead(admin, owner=rep, company_name="预热")
    assert post(client, warm.pk, "pool").status_code == 200
    assert post(client, warm.pk, "claim").status_code == 200

    with CaptureQueriesContext(connection) as pool:
        assert post(client, lead.pk, "pool").status_code == 200
    with CaptureQueriesContext(connection) as claim:
        assert post(client, lead.pk, "claim").status_code == 200

    for queries in (pool, claim):
        reads = _lead_sql(queries.captured_queries)
        assert len(reads) == 2, reads  # the lock, the answer
        # The scope's own filter locks the row: one query, no subquery, only the lead locked.
        assert reads[0].endswith('FOR UPDATE OF "customers_lead"'), reads[0]
        assert "(SELECT" not in reads[0], reads[0]
        # The log row and the audit entry: one statement.
        sql = [q["sql"] for q in queries.captured_queries]
        writes = [s for s in sql if "workflows_transitionlog" in s and "INSERT" in s]
        assert len(writes) == 1 and 'INSERT INTO "core_auditentry"' in writes[0], writes
        assert not [s for s in sql if s.startswith('INSERT INTO "core_auditentry"')]
        # The answer joins nothing: the owner is empty (pool) or the actor (claim),
        # source, industry and campaign empty, the company in hand.
        assert "JOIN" not in reads[1], reads[1]
        # no read of the company itself (authentication may join it to the token)
        sql = [q["sql"] for q in queries.captured_queries]
        assert not any(s.startswith('SELECT "core_tenant".') for s in sql), sql
    claim_sql = [q["sql"] for q in claim.captured_queries]
    assert not any(s.startswith('UPDATE "workflows_reminder"') for s in claim_sql)
    # the team and its leader for the escalation reminder: one query
    assert sum('FROM "core_team"' in s and '"core_user"' in s for s in claim_sql) == 1
    # Budgets (authentication and data scope included): pool 10, claim 11 on PostgreSQL.
    assert len(pool.captured_queries) <= 10, [q["sql"][:120] for q in pool.captured_queries]
    assert len(claim.captured_queries) <= 11, [q["sql"][:120] for q in claim.captured_queries]
    lead.refresh_from_db()
    assert (lead.status, lead.owner_id, lead.version) == ("new", rep.pk, 3)
    assert list(
        TransitionLog.objects.filter(object_id=lead.pk)
        .order_by("id")
        .values_list("transition", flat=True)
    ) == ["pool", "claim"]


def test_leaving_a_state_with_reminders_still_cancels_them(rep, admin):
    lead = new_lead(admin, owner=rep)
    assert pending_lead_reminders(lead).exists()
    assert post(client_for(rep), lead.pk, "pool").status_code == 200
    assert not pending_lead_reminders(lead).exists()
    assert Lead.objects.get(pk=lead.pk).status == "pooled"


def test_the_log_row_and_the_audit_entry_written_together(rep, admin):
    lead = new_lead(admin, owner=rep)
    assert post(client_for(rep), lead.pk, "pool", {"comment": "不再跟进"}).status_code == 200
    log = TransitionLog.objects.get(object_id=lead.pk, process="lead")
    assert (log.tenant_id, log.transition, log.source, log.target, log.actor_id, log.comment) == (
        admin.tenant_id,
        "pool",
        "new",
        "pooled",
        rep.pk,
        "不再跟进",
    )
    entry = AuditEntry.objects.get(object_id=lead.pk, action="transition:pool")
    assert (entry.tenant_id, entry.actor_id, entry.content_type_id) == (
        admin.tenant_id,
        rep.pk,
        log.content_type_id,
    )
    assert entry.changes == {"status": ["new", "pooled"]}
    assert entry.created_at == log.created_at
    assert abs((timezone.now() - log.created_at).total_seconds()) < 60


def test_the_claim_cap_counts_the_users_claims_of_today_only(rep, admin):
    core.tenant_settings_update(tenant=admin.tenant, actor=admin, daily_claim_cap=1)
    first, second, third = (
        lead_in_state(admin, "pooled", company_name=f"公海{i}") for i in "一二三"
    )
    client = client_for(rep)
    assert post(client, first.pk, "claim").status_code == 200
    # yesterday's claim is not today's
    TransitionLog.objects.filter(object_id=first.pk, transition="claim").update(
        created_at=timezone.now() - dt.timedelta(days=1, hours=1)
    )
    assert post(client, second.pk, "claim").status_code == 200
    response = post(client, third.pk, "claim")
    assert response.status_code == 400, response.content
    assert response.json()["reasons"] == ["You have claimed 1 leads today, the daily limit."]
    # the pooled lead's answer lists the claim blocked the same way
    assert post(client, second.pk, "pool").status_code == 200
    answer = post(client, first.pk, "pool").json()
    claim = next(t for t in answer["transitions"] if t["name"] == "claim")
    assert claim["reasons"] == ["You have claimed 1 leads today, the daily limit."]


@pytest.mark.skipif(
    not uses_postgres(),
    reason="needs PostgreSQL (DATABASE_URL; CI sets it): the engine's row lock "
    "(SELECT ... FOR UPDATE OF) is what it checks, and SQLite has no row locks",
)
@pytest.mark.parametrize(
    "shape",
    [
        lambda qs: qs.annotate(one=Value(1)),
        lambda qs: qs.distinct(),
        lambda qs: qs.only("id", "status"),
    ],
    ids=["annotated", "distinct", "deferred"],
)
def test_a_scope_that_is_not_plain_is_locked_through_a_subquery(rep, other_rep, admin, shape):
    """The engine locks the scope's rows as they are only when they are whole rows,
    filtered; any other scope still decides, as ``pk IN (<the scope>)``."""
    mine = new_lead(admin, owner=rep, company_name="我的线索")
    theirs = new_lead(admin, owner=other_rep, company_name="别人的线索")
    with scope(tenant=admin.tenant_id):
        visible = shape(Lead.objects.filter(owner=rep))
        with pytest.raises(DomainNotFound):
            transition(
                model=Lead,
                pk=theirs.pk,
                name="pool",
                tenant=admin.tenant,
                actor=admin,
                visible=visible,
            )
        with CaptureQueriesContext(connection) as queries:
            moved = transition(
                model=Lead,
                pk=mine.pk,
                name="pool",
                tenant=admin.tenant,
                actor=admin,
                visible=visible,
            )
    assert moved.status == "pooled"
    lock = next(q["sql"] for q in queries.captured_queries if "FOR UPDATE" in q["sql"])
    assert "(SELECT" in lock, lock
    theirs.refresh_from_db()
    assert (theirs.status, theirs.version) == ("new", 1)
