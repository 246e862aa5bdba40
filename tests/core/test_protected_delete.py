"""A delete that other records block answers 409 ``protected`` naming the blockers,
never a 500 (issue 12, defect 5); every app deletes through core's audited helpers
(DESIGN.md §2 rule 11)."""

from __future__ import annotations

import importlib

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db.models import ProtectedError
from django.utils import translation

from crm.core.api.errors import exception_handler
from crm.core.models import AuditEntry
from crm.customers.models import Customer
from crm.sales.models import Opportunity, Product
from tests.sales import factories as f
from tests.sales.factories import client_for

pytestmark = pytest.mark.django_db


def deletes_of(obj) -> int:
    return AuditEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(type(obj)),
        object_id=obj.pk,
        action="delete",
    ).count()


def test_customer_with_opportunities_is_protected(admin):
    """Before: ProtectedError, a 500."""
    customer = f.customer(admin, name="有商机的客户")
    for name in ("商机一", "商机二", "商机三"):
        f.opportunity(admin, cust=customer, name=name)
    response = client_for(admin).delete(f"/api/v1/customers/{customer.pk}/")
    assert response.status_code == 409, response.content
    assert response.json() == {
        "code": "protected",
        "detail": "This customer cannot be deleted: it is used by 3 opportunities.",
        "blockers": [{"model": "opportunity", "count": 3}],
    }
    assert Customer.objects.filter(pk=customer.pk).exists()
    assert deletes_of(customer) == 0  # the audit entry went with the rolled-back delete


def test_every_blocking_kind_is_named(admin, sales_team):
    customer = f.customer(admin, name="有合同的客户")
    f.opportunity(admin, cust=customer)
    f.contract(admin, cust=customer)
    f.contract(admin, cust=customer)
    body = client_for(admin).delete(f"/api/v1/customers/{customer.pk}/").json()
    assert body["code"] == "protected"
    assert body["blockers"] == [
        {"model": "contract", "count": 2},
        {"model": "opportunity", "count": 1},
    ]
    assert body["detail"] == (
        "This customer cannot be deleted: it is used by 2 contracts, 1 opportunity."
    )


def test_a_customer_without_blockers_is_deleted_with_its_contacts(admin):
    customer = f.customer(admin, name="可删除的客户")
    f.contact(customer, admin)
    response = client_for(admin).delete(f"/api/v1/customers/{customer.pk}/")
    assert response.status_code == 204
    assert not Customer.objects.filter(pk=customer.pk).exists()
    assert deletes_of(customer) == 1


def test_product_on_a_quote_is_protected(admin):
    product = f.product(admin, code="PROT-1")
    f.quote(f.opportunity(admin), admin, prod=product)
    response = client_for(admin).delete(f"/api/v1/products/{product.pk}/")
    assert response.status_code == 409
    assert response.json()["blockers"] == [{"model": "quote line", "count": 1}]
    assert Product.objects.filter(pk=product.pk).exists()


def test_opportunity_with_a_quote_is_protected_with_the_hint(admin):
    """Before: 400 ``invalid`` with the hint in ``non_field_errors``."""
    opp = f.opportunity(admin)
    f.quote(opp, admin)
    response = client_for(admin).delete(f"/api/v1/opportunities/{opp.pk}/")
    assert response.status_code == 409
    assert response.json() == {
        "code": "protected",
        "detail": "This opportunity has quotes or contracts; mark it lost instead.",
        "blockers": [{"model": "quote", "count": 1}],
    }
    assert Opportunity.objects.filter(pk=opp.pk).exists()


def test_a_stray_protected_error_is_a_409_not_a_500(admin):
    """The exception handler's safety net, for a delete outside the helpers."""
    customer = f.customer(admin, name="兜底客户")
    opps = {f.opportunity(admin, cust=customer), f.opportunity(admin, cust=customer)}
    response = exception_handler(ProtectedError("protected", opps), {})
    assert response.status_code == 409
    assert response.data == {
        "code": "protected",
        "detail": "This record cannot be deleted: it is used by 2 opportunities.",
        "blockers": [{"model": "opportunity", "count": 2}],
    }


@pytest.mark.parametrize(
    "module",
    [
        "crm.customers.services",
        "crm.sales.services._base",
        "crm.sales.services.catalog",
        "crm.sales.services.contracts",
        "crm.sales.services.opportunities",
        "crm.sales.services.quotes",
        "crm.service.services",
        "crm.activities.services",
    ],
)
def test_the_copied_write_helpers_are_gone(module):
    """customers, sales and service each had their own _delete/_update/_save_changes/
    _create and input checks; they use crm.core.writes now."""
    mod = importlib.import_module(module)
    copies = {
        "_delete",
        "_update",
        "_create",
        "_save_changes",
        "_check_unknown",
        "_refuse_unknown",
        "_same_tenant",
        "_check_tenant",
    }
    assert copies.isdisjoint(vars(mod)), sorted(copies & set(vars(mod)))


def test_the_admin_deletes_a_draft_through_the_service(admin, sales_team, rf):
    """Audited and under the row lock like the API (before: a bare ``obj.delete()``)."""
    from django.contrib import admin as django_admin
    from django.contrib.messages.storage.fallback import FallbackStorage

    from crm.sales.models import Payment

    active = f.active_contract(admin, sales_team.leader)
    draft = f.payment(active, admin, "10.00")
    confirmed = f.confirmed_payment(active, admin, "20.00")
    model_admin = django_admin.site._registry[Payment]
    request = rf.post("/admin/")
    request.user = admin
    request.session = {}
    request._messages = FallbackStorage(request)

    model_admin.delete_model(request, Payment.objects.get(pk=draft.pk))
    assert not Payment.objects.filter(pk=draft.pk).exists()
    assert deletes_of(draft) == 1

    with translation.override("en"):
        model_admin.delete_model(request, Payment.objects.get(pk=confirmed.pk))
    assert Payment.objects.filter(pk=confirmed.pk).exists()
    assert [str(m) for m in request._messages] == [
        "A confirmed payment cannot be changed; reverse it instead."
    ]
