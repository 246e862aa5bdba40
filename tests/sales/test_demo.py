"""The demo company's sales (issue 20): every user in a team with a leader, a quote
and a contract waiting for the manager (told, listed in 待我审批 and on his
workbench), an approved quote that prints with its 大写金额."""

import time
from decimal import Decimal

import pytest
from django.db import transaction
from django_scopes import scopes_disabled

from crm.activities.models import Notification
from crm.core.models import User
from crm.sales.money import amount_in_capitals
from fixtures import demo
from tests.conftest import client_for


@pytest.mark.django_db(transaction=True)
def test_demo_approvals_reach_the_manager():
    started = time.monotonic()
    with transaction.atomic():
        demo.load()
    elapsed = time.monotonic() - started
    with scopes_disabled():
        users = list(User.objects.filter(tenant__name=demo.DEMO_COMPANY, is_system=False))
        assert users and all(u.team_id for u in users), [u.username for u in users if not u.team_id]
        manager = User.objects.get(username="manager")
        titles = list(
            Notification.objects.filter(recipient=manager).values_list("title", flat=True)
        )
    assert any("合同" in t or "Contract" in t for t in titles), titles
    assert any("报价" in t or "Quote" in t for t in titles), titles
    api = client_for(manager)
    contracts = api.get("/api/v1/contracts/?awaiting_me=true").json()
    quotes = api.get("/api/v1/quotes/?awaiting_me=true").json()
    assert contracts["count"] == 1 and quotes["count"] == 1
    bench = api.get("/api/v1/workbench/").json()["panels"]["approvals"]
    kinds = [r["kind"] for r in bench["results"]]
    assert kinds.count("contract") == 1 and kinds.count("quote") == 1
    # The approved quote prints for the customer.
    sent = api.get("/api/v1/quotes/?status=sent").json()["results"][0]
    html = api.get(f"/api/v1/quotes/{sent['id']}/document/").content.decode()
    assert amount_in_capitals(Decimal(sent["total"])) in html
    print(f"demo load {elapsed:.2f}s")
