"""Attaching a file names its record in the request body: a record out of the user's
data scope answers as an id that does not exist (400, the field named, nothing
written), like a missing id. A file of a record out of scope is still a 404 when
read or removed (the file itself is the resource there).
"""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from crm.office import services
from crm.office.models import Attachment
from tests.conftest import client_for
from tests.link_scope import People, refused_as_missing, two_teams

pytestmark = pytest.mark.django_db

URL = "/api/v1/attachments/"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def people(admin, sales_team, rep) -> People:
    return two_teams(admin, sales_team, rep)


def upload(client, **record):
    return client.post(
        URL, {"file": SimpleUploadedFile("a.pdf", PDF), **record}, format="multipart"
    )


@pytest.mark.parametrize("kind", ["customer", "contact", "lead", "opportunity"])
def test_rep_cannot_attach_to_another_reps_record(people, kind):
    theirs = people.records[(kind, "b")]
    client = client_for(people.rep_a)
    refused_as_missing(upload(client, **{kind: theirs.pk}), kind)
    assert not Attachment.objects.exists()
    mine = people.records[(kind, "a")]
    response = upload(client, **{kind: mine.pk})
    assert response.status_code == 201, response.content
    assert getattr(Attachment.objects.get(), f"{kind}_id") == mine.pk


def test_the_refusal_reads_like_a_missing_id(people):
    client = client_for(people.rep_a)
    hidden_pk = people.records[("customer", "b")].pk
    hidden = refused_as_missing(upload(client, customer=hidden_pk), "customer")
    missing = refused_as_missing(upload(client, customer=999_999_999), "customer")
    assert hidden.replace(str(hidden_pk), "#") == missing.replace("999999999", "#")


def test_a_json_body_is_refused_alike(people):
    import base64

    file = {"name": "a.pdf", "content": base64.b64encode(PDF).decode()}
    theirs = people.records[("contact", "b")]
    response = client_for(people.rep_a).post(
        URL, {"file": file, "contact": theirs.pk}, format="json"
    )
    refused_as_missing(response, "contact")
    assert not Attachment.objects.exists()


def test_leader_attaches_to_a_members_record_but_not_another_teams(people):
    leader = client_for(people.leader)
    member = people.records[("customer", "a")]
    assert upload(leader, customer=member.pk).status_code == 201
    outside = people.records[("customer", "b")]
    refused_as_missing(upload(leader, customer=outside.pk), "customer")
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
