"""Customer care on lunar dates: conversion per year (incl. leap months), the
daily tick making one care follow-up per contact, occasion and year (even when
it runs twice, through a real worker), the care calendar endpoint."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from crm.care.lunar import to_solar
from crm.care.models import CareOccurrence, CareRule
from crm.care.services import care_rule_create, care_tick, lunar_birthday_create
from crm.customers.services import contact_create, customer_create
from crm.service.models import FollowUp
from tests.conftest import client_for, make_user

pytestmark = pytest.mark.django_db


def test_a_lunar_birthday_maps_to_its_solar_day_each_year():
    # 八月十五 (中秋): 2026-09-25, 2027-09-15, 2028-10-03.
    assert to_solar(2026, 8, 15) == dt.date(2026, 9, 25)
    assert to_solar(2027, 8, 15) == dt.date(2027, 9, 15)
    assert to_solar(2028, 8, 15) == dt.date(2028, 10, 3)


def test_a_leap_month_birthday_falls_on_the_ordinary_month_without_that_leap_month():
    # 闰六月初十 of 2025 (a year with a leap sixth month) is 2025-08-03, the
    # ordinary 六月初十 is 2025-07-04; 2026 has no leap month: the ordinary 六月初十.
    assert to_solar(2025, 6, 10, leap=True) == dt.date(2025, 8, 3)
    assert to_solar(2025, 6, 10, leap=False) == dt.date(2025, 7, 4)
    assert to_solar(2026, 6, 10, leap=True) == to_solar(2026, 6, 10) == dt.date(2026, 7, 23)
    # 2028 has a leap fifth month, not a sixth: still the ordinary sixth month.
    assert to_solar(2028, 6, 10, leap=True) == to_solar(2028, 6, 10)
    # Day 30 of a month that has 29 days that year: its last day.
    assert to_solar(2026, 12, 30) == to_solar(2026, 12, 29)


@pytest.fixture
def lunar_contact(admin, rep):
    customer = customer_create(tenant=admin.tenant, actor=admin, name="江南丝绸", owner=rep)
    contact = contact_create(tenant=admin.tenant, actor=admin, customer=customer, name="王秋月")
    lunar_birthday_create(tenant=admin.tenant, actor=admin, contact=contact, month=8, day=15)
    return contact


def _rule(admin, **extra):
    values = {"name": "生日关怀", "occasion": "birthday", "days_before": 3, **extra}
    return care_rule_create(tenant=admin.tenant, actor=admin, **values)


def test_the_tick_makes_one_care_follow_up_per_occasion_and_year(admin, rep, lunar_contact):
    _rule(admin)
    # Too early: 2026-09-21 is four days before 2026-09-25.
    assert care_tick(today=dt.date(2026, 9, 21)) == 0
    assert care_tick(today=dt.date(2026, 9, 22)) == 1
    assert care_tick(today=dt.date(2026, 9, 22)) == 0  # a second run does nothing
    assert care_tick(today=dt.date(2026, 9, 24)) == 0  # nor a later day of the window
    (followup,) = FollowUp.objects.filter(tenant=admin.tenant, kind="care")
    assert followup.owner == rep
    assert followup.customer == lunar_contact.customer
    assert timezone.localtime(followup.due_at).date() == dt.date(2026, 9, 25)
    assert "王秋月" in followup.subject and "八月十五" in followup.subject
    # The next lunar year: once more, on 2027-09-15.
    assert care_tick(today=dt.date(2027, 9, 12)) == 1
    assert care_tick(today=dt.date(2027, 9, 12)) == 0
    assert FollowUp.objects.filter(tenant=admin.tenant, kind="care").count() == 2
    assert list(
        CareOccurrence.objects.filter(contact=lunar_contact).values_list("year", "date")
    ) == [(2026, dt.date(2026, 9, 25)), (2027, dt.date(2027, 9, 15))]


def test_festivals_and_solar_birthdays(admin, rep):
    customer = customer_create(tenant=admin.tenant, actor=admin, name="北方重工", owner=rep)
    contact_create(
        tenant=admin.tenant,
        actor=admin,
        customer=customer,
        name="赵阳",
        birthday=dt.date(1980, 10, 3),
    )
    _rule(admin, days_before=0)
    care_rule_create(
        tenant=admin.tenant,
        actor=admin,
        name="中秋",
        occasion="festival",
        festival="mid_autumn",
        days_before=2,
    )
    # 中秋 2026 = 2026-09-25: one follow-up per customer two days before.
    assert care_tick(today=dt.date(2026, 9, 23)) == 1
    assert care_tick(today=dt.date(2026, 10, 3)) == 1  # the solar birthday, on the day
    subjects = sorted(FollowUp.objects.filter(kind="care").values_list("subject", flat=True))
    assert any("中秋" in s or "Mid-Autumn" in s for s in subjects)
    assert any("赵阳" in s for s in subjects)


def test_a_customer_in_the_pool_gets_no_care(admin, lunar_contact):
    from crm.customers.models import Customer

    Customer.objects.filter(pk=lunar_contact.customer_id).update(owner=None)
    _rule(admin)
    assert care_tick(today=dt.date(2026, 9, 22)) == 0


@pytest.mark.django_db(transaction=True)
def test_the_worker_makes_care_once_when_the_tick_runs_twice(worker, monkeypatch):
    from crm.customers.models import Contact
    from tasks.care import run_care_tick
    from tests.conftest import make_company

    admin = make_company()
    rep = make_user(admin, "销售代表", name="小李")
    customer = customer_create(tenant=admin.tenant, actor=admin, name="东海渔业", owner=rep)
    contact = contact_create(tenant=admin.tenant, actor=admin, customer=customer, name="林中秋")
    lunar_birthday_create(tenant=admin.tenant, actor=admin, contact=contact, month=8, day=15)
    _rule(admin)
    moment = dt.datetime(2026, 9, 23, 8, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))
    monkeypatch.setattr(timezone, "now", lambda: moment)
    run_care_tick.send()
    run_care_tick.send()
    worker.drain()
    assert FollowUp.objects.filter(tenant=admin.tenant, kind="care", owner=rep).count() == 1
    assert CareOccurrence.objects.filter(contact=contact).count() == 1
    assert Contact.objects.filter(pk=contact.pk).exists()


def test_the_care_calendar_lists_coming_occasions(admin, rep, lunar_contact):
    _rule(admin)
    care_rule_create(
        tenant=admin.tenant, actor=admin, name="国庆", occasion="festival", festival="national_day"
    )
    api = client_for(rep)
    with CaptureQueriesContext(connection) as few:
        response = api.get("/api/v1/care/upcoming/?from=2026-09-20&days=30")
    assert response.status_code == 200, response.content
    rows = response.json()["results"]
    birthday = next(r for r in rows if r["occasion"] == "birthday")
    assert birthday["date"] == "2026-09-25"
    assert birthday["calendar"] == "lunar" and birthday["lunar_label"] == "八月十五"
    assert birthday["contact_name"] == "王秋月"
    assert any(r["festival"] == "national_day" and r["date"] == "2026-10-01" for r in rows)
    # More customers and contacts do not add queries.
    for i in range(5):
        c = customer_create(tenant=admin.tenant, actor=admin, name=f"客户{i}", owner=rep)
        p = contact_create(tenant=admin.tenant, actor=admin, customer=c, name=f"联系人{i}")
        lunar_birthday_create(tenant=admin.tenant, actor=admin, contact=p, month=8, day=20 + i)
    with CaptureQueriesContext(connection) as more:
        response = api.get("/api/v1/care/upcoming/?from=2026-09-20&days=30")
    assert len(response.json()["results"]) > len(rows)
    assert len(more) == len(few)
    # Bad input names the field.
    assert api.get("/api/v1/care/upcoming/?days=0").json()["fields"].keys() == {"days"}
    assert api.get("/api/v1/care/upcoming/?from=2026-13-01").json()["fields"].keys() == {"from"}


def test_rules_and_lunar_birthdays_refuse_bad_input(admin, lunar_contact):
    api = client_for(admin)
    response = api.post(
        "/api/v1/care-rules/", {"name": "节日", "occasion": "festival"}, format="json"
    )
    assert response.status_code == 400 and "festival" in response.json()["fields"]
    response = api.post(
        "/api/v1/care-rules/",
        {"name": "生日", "occasion": "birthday", "days_before": 61},
        format="json",
    )
    assert response.status_code == 400 and "days_before" in response.json()["fields"]
    response = api.post(
        "/api/v1/contact-birthdays/",
        {"contact": lunar_contact.pk, "month": 13, "day": 1},
        format="json",
    )
    assert response.status_code == 400 and "month" in response.json()["fields"]
    response = api.post(
        "/api/v1/contact-birthdays/",
        {"contact": lunar_contact.pk, "month": 1, "day": 1},
        format="json",
    )
    assert response.status_code == 400 and "contact" in response.json()["fields"]
    row = api.get(f"/api/v1/contact-birthdays/?contact={lunar_contact.pk}").json()["results"][0]
    assert row["lunar_label"] == "八月十五"


def test_a_greeting_is_queued_to_the_contacts_mobile_on_the_day(admin, rep, monkeypatch):
    from crm.messaging import services as messaging
    from crm.messaging.models import Delivery

    moment = dt.datetime(2026, 9, 22, 8, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))
    monkeypatch.setattr(timezone, "now", lambda: moment)

    messaging.channel_create(
        tenant=admin.tenant,
        actor=admin,
        kind="sms",
        name="阿里云短信",
        endpoint="http://127.0.0.1:9/sms",
        secret="sms-secret",
        options={"access_key_id": "AK1"},
    )
    customer = customer_create(tenant=admin.tenant, actor=admin, name="西湖茶业", owner=rep)
    contact = contact_create(
        tenant=admin.tenant, actor=admin, customer=customer, name="陈秋", mobile="13912345678"
    )
    lunar_birthday_create(tenant=admin.tenant, actor=admin, contact=contact, month=8, day=15)
    _rule(admin, greeting="{name}您好，祝您生日快乐！")
    assert care_tick(today=dt.date(2026, 9, 22)) == 1
    (delivery,) = Delivery.objects.filter(tenant=admin.tenant)
    assert delivery.recipient.endswith("13912345678")
    assert delivery.body == "陈秋您好，祝您生日快乐！"
    assert timezone.localtime(delivery.next_attempt_at).date() == dt.date(2026, 9, 25)
    assert CareOccurrence.objects.get(contact=contact).greeting_queued


def test_a_rep_records_lunar_birthdays_only_of_contacts_in_scope(admin, rep, lunar_contact):
    """The contact must be one the rep sees (their customers'): another rep's contact
    answers as one that does not exist, and no birthday is written."""
    from crm.care.models import ContactLunarBirthday

    other = make_user(admin, "销售代表", name="孙二部")
    customer = customer_create(tenant=admin.tenant, actor=other, name="别人的客户")
    theirs = contact_create(tenant=admin.tenant, actor=other, customer=customer, name="赵六")
    url = "/api/v1/contact-birthdays/"
    response = client_for(rep).post(
        url, {"contact": theirs.pk, "month": 3, "day": 3}, format="json"
    )
    assert response.status_code == 400 and list(response.json()["fields"]) == ["contact"]
    assert not ContactLunarBirthday.objects.filter(contact=theirs).exists()
    own_customer = customer_create(tenant=admin.tenant, actor=rep, name="自己的客户")
    mine = contact_create(tenant=admin.tenant, actor=rep, customer=own_customer, name="钱七")
    response = client_for(rep).post(url, {"contact": mine.pk, "month": 3, "day": 3}, format="json")
    assert response.status_code == 201, response.content


def test_a_greeting_with_an_unknown_placeholder_or_a_lone_brace_is_refused(admin):
    api = client_for(admin)
    body = {"name": "生日", "occasion": "birthday", "days_before": 3}
    for greeting, named in (
        ("{name}您好，您的密码是 {password}", "{password}"),
        ("{name您好，生日快乐", "{"),
        ("您好 {{联系人}}", "{联系人}"),
    ):
        response = api.post("/api/v1/care-rules/", {**body, "greeting": greeting}, format="json")
        assert response.status_code == 400, (greeting, response.content)
        assert named in response.json()["fields"]["greeting"][0], response.json()
    assert not CareRule.objects.exists()
    made = api.post(
        "/api/v1/care-rules/", {**body, "greeting": "{name}您好，生日快乐！"}, format="json"
    )
    assert made.status_code == 201, made.content
    url = f"/api/v1/care-rules/{made.json()['id']}/"
    bad = api.patch(url, {"greeting": "}{name}", "version": made.json()["version"]}, format="json")
    assert bad.status_code == 400 and "}" in bad.json()["fields"]["greeting"][0]
    assert CareRule.objects.get().greeting == "{name}您好，生日快乐！"
    # The demo rules' greetings pass the same check.
    assert care_rule_create(
        tenant=admin.tenant,
        actor=admin,
        name="demo",
        occasion="birthday",
        greeting="{name}您好，商慧 CRM 祝您生日快乐！",
    ).pk
