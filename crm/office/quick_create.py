"""Quick create: a customer, its first contact and a lead or an opportunity in one
form and one transaction, ``POST /api/v1/quick-create/``.

Each part is checked by its own collection's serializer and written by its own
service (so owners, search keys, reminders and audit entries are as usual). The
customer is first looked for as lead conversion does (credit code, mobile, name):
a match answers 409 ``duplicate`` naming it (``duplicate.id``), unless the body
says ``"link_to": <id>`` to put the contact and the lead on that customer.
"""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response
from rest_framework.views import APIView

from crm.core.api.viewsets import TenantScopedMixin
from crm.core.errors import Invalid
from crm.office.records import action_code, visible_record


def _checked(serializer_class, data, context, *, drop=(), prefix: str) -> dict:
    if not isinstance(data, dict):
        raise Invalid(fields={prefix: [_("Send an object.")]})
    serializer = serializer_class(data=data, context=context)
    for name in drop:
        serializer.fields.pop(name, None)
    if not serializer.is_valid():
        raise Invalid(
            fields={
                f"{prefix}.{name}": [str(m) for m in (msgs if isinstance(msgs, list) else [msgs])]
                for name, msgs in serializer.errors.items()
            }
        )
    return dict(serializer.validated_data)


@extend_schema(request=OpenApiTypes.OBJECT, responses={201: OpenApiTypes.OBJECT})
class QuickCreateView(TenantScopedMixin, APIView):
    def post(self, request):
        from crm.customers import services as customer_services
        from crm.customers.api import ContactSerializer, CustomerSerializer, LeadSerializer
        from crm.customers.selectors import find_duplicate_customer
        from crm.sales.serializers import OpportunitySerializer
        from crm.sales.services import check_claimed, opportunity_create

        body = request.data if isinstance(request.data, dict) else {}
        user, tenant = request.user, request.tenant
        kind = "opportunity" if "opportunity" in body else "lead"
        if kind == "opportunity" and "lead" in body:
            message = _("Send a lead or an opportunity, not both.")
            raise Invalid(fields={"lead": [message], "opportunity": [message]})
        link_to = body.get("link_to")
        collections = ["contacts", "leads" if kind == "lead" else "opportunities"]
        if link_to is None:
            collections.append("customers")
        needed = [action_code(request, c, "create") for c in collections]
        if not all(code is None or user.has_code(code) for code in needed):
            raise PermissionDenied()
        context = {"request": request, "tenant": tenant, "actor": user, "view": self}

        contact_data = _checked(
            ContactSerializer, body.get("contact"), context, drop=("customer",), prefix="contact"
        )
        if kind == "lead":
            second = _checked(
                LeadSerializer, body.get("lead"), context, drop=("customer",), prefix="lead"
            )
        else:
            second = _checked(
                OpportunitySerializer,
                body.get("opportunity"),
                context,
                drop=("customer", "contact"),
                prefix="opportunity",
            )

        if link_to is not None:
            if not str(link_to).isdigit():
                raise Invalid(fields={"link_to": [_("Send a customer id.")]})
            customer = visible_record(request, "customers", int(link_to), raise_403=False)
            customer_data = None
            if kind == "opportunity":
                # As on /opportunities/, for every user (an admin too): a customer
                # in the public pool is claimed first. Checked before anything is
                # written, and named as sent.
                check_claimed(customer, "link_to")
        else:
            customer_data = _checked(
                CustomerSerializer, body.get("customer"), context, prefix="customer"
            )
            duplicate, field = find_duplicate_customer(
                tenant_id=tenant.pk,
                name=customer_data.get("name", ""),
                credit_code=customer_data.get("credit_code", "") or "",
                mobile=customer_data.get("mobile") or contact_data.get("mobile") or "",
            )
            if duplicate is not None:
                detail = _(
                    "A customer with the same %(field)s already exists: “%(name)s” (#%(id)s). "
                    "Link the contact and the %(kind)s to it, or change the customer."
                ) % {
                    "field": field,
                    "name": duplicate.name,
                    "id": duplicate.pk,
                    "kind": _("lead") if kind == "lead" else _("opportunity"),
                }
                return Response(
                    {
                        "code": "duplicate",
                        "detail": detail,
                        "fields": {"customer": [detail]},
                        "duplicate": {"id": duplicate.pk, "name": duplicate.name},
                    },
                    status=status.HTTP_409_CONFLICT,
                )

        with transaction.atomic():
            if customer_data is not None:
                customer = customer_services.customer_create(
                    tenant=tenant, actor=user, **customer_data
                )
            contact = customer_services.contact_create(
                tenant=tenant, actor=user, customer=customer, **contact_data
            )
            if kind == "lead":
                record = customer_services.lead_create(
                    tenant=tenant, actor=user, customer=customer, **second
                )
                out = LeadSerializer(record, context=context).data
            else:
                record = opportunity_create(
                    tenant=tenant, actor=user, customer=customer, contact=contact, **second
                )
                out = OpportunitySerializer(record, context=context).data
        return Response(
            {
                "customer": CustomerSerializer(customer, context=context).data,
                "contact": ContactSerializer(contact, context=context).data,
                kind: out,
            },
            status=status.HTTP_201_CREATED,
        )
