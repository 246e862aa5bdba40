"""Issue 12, defect 8: the validation gaps an outside test found.

A contract ending before it starts, free text without a length limit, a
contract with 20,000 lines, due dates in year 1, invisible characters that
let a duplicate name slip past the check, and a worker that retried an
unreachable Redis forever.
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import time

import pytest
from django.conf import settings
from django.db import models
from rest_framework import serializers

from crm.core.errors import Invalid
from crm.core.limits import MAX_DOCUMENT_LINES
from crm.core.validators import INVISIBLE_CHARACTERS, TEXT_MAX_LENGTH, strip_invisible
from crm.customers.models import Customer, Lead
from crm.imports import cleaners
from crm.sales import services as sales
from crm.sales.models import Contract
from tests.sales.factories import D, client_for, contract, customer, product

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(admin):
    return client_for(admin)


def field_errors(response, field: str) -> list[str]:
    assert response.status_code == 400, (response.status_code, response.content[:400])
    body = response.json()
    assert body["code"] == "invalid", body
    assert field in body["fields"], body
    messages = body["fields"][field]
    assert isinstance(messages, list) and messages and all(isinstance(m, str) for m in messages)
    return messages


# --- contract dates ----------------------------------------------------------------------


def test_a_contract_cannot_end_before_it_starts(api, admin):
    cust = customer(admin)
    response = api.post(
        "/api/v1/contracts/",
        {
            "customer": cust.pk,
            "amount": "100.00",
            "start_date": "2025-06-01",
            "end_date": "2025-05-31",
        },
        format="json",
    )
    assert field_errors(response, "end_date") == ["The contract cannot end before it starts."]
    assert Contract.objects.count() == 0

    draft = contract(admin, cust=cust, start=dt.date(2025, 1, 1), end=dt.date(2025, 12, 31))
    moved = api.patch(f"/api/v1/contracts/{draft.pk}/", {"start_date": "2026-01-01"}, format="json")
    field_errors(moved, "end_date")
    draft.refresh_from_db()
    assert draft.start_date == dt.date(2025, 1, 1)

    same_day = api.patch(
        f"/api/v1/contracts/{draft.pk}/", {"end_date": "2025-01-01"}, format="json"
    )
    assert same_day.status_code == 200, same_day.content


def test_the_service_refuses_the_dates_too(admin):
    with pytest.raises(Invalid) as refused:
        contract(admin, start=dt.date(2025, 2, 1), end=dt.date(2025, 1, 1))
    assert "end_date" in refused.value.fields


# --- free text has a length limit ----------------------------------------------------------


def test_a_remark_over_the_limit_names_the_field(api):
    too_long = api.post(
        "/api/v1/customers/",
        {"name": "长备注", "remark": "备" * (TEXT_MAX_LENGTH + 1)},
        format="json",
    )
    field_errors(too_long, "remark")
    assert Customer.objects.count() == 0
    at_limit = api.post(
        "/api/v1/customers/",
        {"name": "长备注", "remark": "备" * TEXT_MAX_LENGTH},
        format="json",
    )
    assert at_limit.status_code == 201, at_limit.content[:300]


def test_every_writable_text_field_of_the_api_has_a_length_limit():
    """One default (crm.core.api.fields) covers every app's model serializers."""
    from crm.api_router import router

    checked = 0
    for _prefix, viewset, _basename in router.registry:
        serializer_class = getattr(viewset, "serializer_class", None)
        if serializer_class is None or not issubclass(
            serializer_class, serializers.ModelSerializer
        ):
            continue
        model = serializer_class.Meta.model
        for name, field in serializer_class().fields.items():
            source = field.source if field.source != "*" else name
            try:
                model_field = model._meta.get_field(source)
            except Exception:
                continue
            if field.read_only or not isinstance(model_field, models.TextField):
                continue
            assert field.max_length, f"{serializer_class.__name__}.{name} has no max_length"
            checked += 1
    assert checked >= 5


# --- lines per document ------------------------------------------------------------------


def test_a_contract_or_quote_with_too_many_lines_is_refused(api, admin):
    cust = customer(admin)
    prod = product(admin)
    many = [{"product": prod.pk, "quantity": "1"}] * (MAX_DOCUMENT_LINES + 1)
    started = time.monotonic()
    response = api.post("/api/v1/contracts/", {"customer": cust.pk, "lines": many}, format="json")
    field_errors(response, "lines")
    assert time.monotonic() - started < 10  # refused before 501 lines are looked at
    assert Contract.objects.count() == 0

    from tests.sales.factories import opportunity

    opp = opportunity(admin, cust=cust)
    quote = api.post("/api/v1/quotes/", {"opportunity": opp.pk, "lines": many}, format="json")
    field_errors(quote, "lines")


def test_the_services_cap_the_lines_too(admin):
    prod = product(admin)
    line = {"product": prod, "quantity": D(1), "unit_price": D(1), "discount_percent": D(0)}
    with pytest.raises(Invalid) as refused:
        sales.contract_create(
            tenant=admin.tenant,
            actor=admin,
            customer=customer(admin),
            lines=[line] * (MAX_DOCUMENT_LINES + 1),
        )
    assert "lines" in refused.value.fields
    plan = [{"due_date": dt.date(2025, 1, 1), "amount": D(1)}] * (MAX_DOCUMENT_LINES + 1)
    with pytest.raises(Invalid) as refused:
        sales.contract_create(
            tenant=admin.tenant, actor=admin, customer=customer(admin), installments=plan
        )
    assert "installments" in refused.value.fields


# --- dates in year 1 ---------------------------------------------------------------------


def test_an_instalment_due_in_year_one_names_the_field(api, admin):
    cust = customer(admin)
    response = api.post(
        "/api/v1/contracts/",
        {
            "customer": cust.pk,
            "amount": "100.00",
            "installments": [{"due_date": "0001-01-01", "amount": "100.00"}],
        },
        format="json",
    )
    assert response.status_code == 400, response.content
    errors = response.json()["fields"]["installments"]  # per row: {"0": {"due_date": [...]}}
    assert errors["0"]["due_date"] == ["Enter a date between 1900-01-01 and 2200-12-31."]
    assert Contract.objects.count() == 0


def test_import_dates_keep_the_same_range():
    with pytest.raises(Exception) as refused:
        cleaners.date("0001-01-01")
    assert "1900-01-01" in " ".join(refused.value.messages)
    assert cleaners.date("2023年5月6日") == dt.date(2023, 5, 6)


# --- invisible characters ----------------------------------------------------------------


def test_invisible_characters_are_the_ones_named():
    for code in [
        *range(0x200B, 0x2010),
        *range(0x202A, 0x202F),
        *range(0x2060, 0x2065),
        *range(0x2066, 0x206A),
        0xFEFF,
    ]:
        assert chr(code) in INVISIBLE_CHARACTERS
        assert strip_invisible(f"北京{chr(code)}科技") == "北京科技"
    assert strip_invisible("北京 科技") == "北京 科技"  # visible spaces stay


def test_a_name_with_invisible_characters_is_a_duplicate(api, admin):
    existing = customer(admin, name="北京科技")
    lead = api.post(
        "/api/v1/leads/",
        {"company_name": "\u202e北京\u200b科技\ufeff", "mobile": "13812345678", "need": "需要 CRM"},
        format="json",
    )
    assert lead.status_code == 201, lead.content
    assert Lead.objects.get(pk=lead.json()["id"]).company_name == "北京科技"
    Lead.objects.filter(pk=lead.json()["id"]).update(status="qualified")  # ready to convert
    detail = api.get(f"/api/v1/leads/{lead.json()['id']}/").json()
    convert = next(t for t in detail["transitions"] if t["name"] == "convert")
    assert not convert["allowed"]
    assert any(f"#{existing.pk}" in reason for reason in convert["reasons"]), convert

    created = api.post("/api/v1/customers/", {"name": "北京\u2060科技\u200d"}, format="json")
    assert created.status_code == 201
    assert created.json()["name"] == "北京科技"
    found = api.get("/api/v1/customers/", {"search": "北京\u200b科技"}).json()["results"]
    assert {row["id"] for row in found} >= {existing.pk, created.json()["id"]}


def test_the_import_cleaner_strips_them_the_same_way():
    assert cleaners.text(" 北京\u200b科技\u2066 ") == "北京科技"


# --- a worker with an unreachable Redis --------------------------------------------------


def test_a_worker_with_an_unreachable_redis_exits_with_a_clear_error():
    env = dict(os.environ)
    env.update(
        REDIS_URL="redis://:hunter2@127.0.0.1:1/0",
        WORKER_BROKER_ATTEMPTS="3",
        SECRET_KEY="a-test-key-long-enough-for-the-deploy-checks-0123456789abcdefghij",
        DJANGO_SETTINGS_MODULE="crm.settings",
    )
    started = time.monotonic()
    result = subprocess.run(
        [sys.executable, "manage.py", "rundramatiq", "--processes", "1", "--threads", "1"],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    elapsed = time.monotonic() - started
    output = result.stdout + result.stderr
    assert result.returncode != 0, output
    assert elapsed < 30, elapsed
    assert "did not answer after 3 attempts" in output, output
    assert "127.0.0.1:1" in output and "hunter2" not in output  # the password stays hidden
    assert "Restarting consumer" not in output  # it never started looping
