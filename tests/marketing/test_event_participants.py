"""An event's participant rows must be consistent: a contact given with a customer is
one of that customer's, and the same customer (or contact) is not listed twice."""

from __future__ import annotations

import pytest

from crm.customers.models import Contact, Customer
from crm.marketing.models import EventParticipant
from tests.conftest import client_for


@pytest.fixture
def people(admin):
    def customer(name):
        return Customer.objects.create(tenant=admin.tenant, name=name, owner=admin)

    a, b = customer("上海云图科技有限公司"), customer("北京星河有限公司")
    contact_of_a = Contact.objects.create(tenant=admin.tenant, customer=a, name="张三")
    return a, b, contact_of_a


@pytest.mark.django_db
def test_a_contact_of_another_customer_is_refused(admin, people):
    _a, b, contact_of_a = people
    api = client_for(admin)
    body = {
        "name": "客户沙龙",
        "type": "seminar",
        "participants": [{"customer": b.pk, "contact": contact_of_a.pk}],
    }
    refused = api.post("/api/v1/marketing-events/", body, format="json")
    assert refused.status_code == 400, refused.content
    assert list(refused.json()["fields"]) == ["participants"]
    assert refused.json()["fields"]["participants"] == ["第 1 位参与者：该联系人不属于所选客户。"]
    assert not EventParticipant.objects.exists()


@pytest.mark.django_db
def test_the_same_participant_twice_is_refused(admin, people):
    a, _b, contact_of_a = people
    api = client_for(admin)
    made = api.post("/api/v1/marketing-events/", {"name": "展会", "type": "exhibition"})
    pk = made.json()["id"]
    for rows in (
        [{"customer": a.pk}, {"customer": a.pk}],
        [{"contact": contact_of_a.pk}, {"customer": a.pk, "contact": contact_of_a.pk}],
    ):
        refused = api.patch(
            f"/api/v1/marketing-events/{pk}/", {"participants": rows}, format="json"
        )
        assert refused.status_code == 400, refused.content
        (reason,) = refused.json()["fields"]["participants"]
        assert reason == "第 2 位参与者：与第 1 位参与者重复。"
    assert not EventParticipant.objects.exists()

    # The customer itself and one of its contacts are two participants.
    rows = [{"customer": a.pk}, {"contact": contact_of_a.pk}]
    ok = api.patch(f"/api/v1/marketing-events/{pk}/", {"participants": rows}, format="json")
    assert ok.status_code == 200, ok.content
    assert EventParticipant.objects.count() == 2
