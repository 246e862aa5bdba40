"""Attaching a file names its record in the request body: a record out of the user's
data scope answers as an id that does not exist (400, the field named, nothing
written), like a missing id. A file of a record out of scope is still a 404 when
read or removed (the file itself is the resource there).
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from crm.core import services as core
from crm.core.models import User
from crm.customers.services import contact_create, customer_create
from crm.office import services
from crm.office.models import Attachment
from crm.sales.services.opportunities import opportunity_create
from tests.conftest import client_for, make_user
from tests.customers.leads import new_lead

pytestmark = pytest.mark.django_db

URL = "/api/v1/attachments/"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@dataclass
class People:
    admin: User
    leader: User
    rep_a: User  # in the leader's team
    rep_b: User  # another team
    records: dict  # (kind, owner key) -> record


@pytest.fixture
def people(admin, sales_team, rep) -> People:
    tenant = admin.tenant
    other_team = core.team_create(tenant=tenant, actor=admin, name="销售二部")
    rep_b = make_user(admin, "销售代表", team=other_team, name="孙二部")
    records = {}
    for key, user in {"a": rep, "b": rep_b}.items():
        customer = customer_create(tenant=tenant, actor=user, name=f"{key}的客户")
        records[("customer", key)] = customer
        records[("contact", key)] = contact_create(
            tenant=tenant, actor=user, customer=customer, name=f"{key}联系人"
        )
        records[("lead", key)] = new_lead(admin, owner=user, company_name=f"{key}的线索")
        records[("opportunity", key)] = opportunity_create(
            tenant=tenant, actor=user, name=f"{key}的商机", customer=customer
        )
    return People(admin, sales_team.leader, rep, rep_b, records)


def upload(client, **record):
    return client.post(
        URL, {"file": SimpleUploadedFile("a.pdf", PDF), **record}, format="multipart"
    )


def _refused_as_missing(response, field: str) -> str:
    assert response.status_code == 400, response.content
    body = response.json()
    assert list(body["fields"]) == [field], body
    (message,) = body["fields"][field]
    assert "does not exist" in message or "不存在" in message, message
    return message


@pytest.mark.parametrize("kind", ["customer", "contact", "lead", "opportunity"])
def test_rep_cannot_attach_to_another_reps_record(people, kind):
    theirs = people.records[(kind, "b")]
    client = client_for(people.rep_a)
    _refused_as_missing(upload(client, **{kind: theirs.pk}), kind)
    assert not Attachment.objects.exists()
    mine = people.records[(kind, "a")]
    response = upload(client, **{kind: mine.pk})
    assert response.status_code == 201, response.content
    assert getattr(Attachment.objects.get(), f"{kind}_id") == mine.pk


def test_the_refusal_reads_like_a_missing_id(people):
    client = client_for(people.rep_a)
    hidden_pk = people.records[("customer", "b")].pk
    hidden = _refused_as_missing(upload(client, customer=hidden_pk), "customer")
    missing = _refused_as_missing(upload(client, customer=999_999_999), "customer")
    assert hidden.replace(str(hidden_pk), "#") == missing.replace("999999999", "#")


def test_a_json_body_is_refused_alike(people):
    import base64

    file = {"name": "a.pdf", "content": base64.b64encode(PDF).decode()}
    theirs = people.records[("contact", "b")]
    response = client_for(people.rep_a).post(
        URL, {"file": file, "contact": theirs.pk}, format="json"
    )
    _refused_as_missing(response, "contact")
    assert not Attachment.objects.exists()


def test_leader_attaches_to_a_members_record_but_not_another_teams(people):
    leader = client_for(people.leader)
    member = people.records[("customer", "a")]
    assert upload(leader, customer=member.pk).status_code == 201
    outside = people.records[("customer", "b")]
    _refused_as_missing(upload(leader, customer=outside.pk), "customer")
    assert not Attachment.objects.filter(customer=outside).exists()


def test_admin_attaches_to_any_record_of_the_company(people):
    admin = client_for(people.admin)
    for kind in ("customer", "contact", "lead", "opportunity"):
        response = upload(admin, **{kind: people.records[(kind, "b")].pk})
        assert response.status_code == 201, (kind, response.content)
    assert Attachment.objects.count() == 4


def test_a_file_of_a_hidden_record_is_still_not_found(people):
    """Reading or removing the file itself: 404, as before."""
    theirs = people.records[("customer", "b")]
    att = services.attachment_create(
        tenant=people.admin.tenant,
        actor=people.rep_b,
        file=SimpleUploadedFile("b.pdf", PDF),
        customer=theirs,
    )
    client = client_for(people.rep_a)
    assert client.get(f"{URL}{att.pk}/").status_code == 404
    assert client.get(f"{URL}{att.pk}/download/").status_code == 404
    assert client.delete(f"{URL}{att.pk}/").status_code == 404
    assert Attachment.objects.filter(pk=att.pk).exists()
