"""A mass-send audience in bulk: customers in a group, one contact each (tests, bench)."""

from __future__ import annotations

from crm.customers.models import Contact, Customer, CustomerGroup


def group_with_contacts(admin, count: int, *, name: str = "VIP客户", start: int = 0):
    """A customer group of ``count`` customers with one contact each (mobile 139xxxxxxxx,
    e-mail cNNN@example.com). Returns (group, contacts)."""
    tenant = admin.tenant
    group = CustomerGroup.objects.create(tenant=tenant, name=name)
    customers = Customer.objects.bulk_create(
        [
            Customer(tenant=tenant, name=f"群发客户{start + i}", owner=admin, created_by=admin)
            for i in range(count)
        ],
        batch_size=2000,
    )
    contacts = Contact.objects.bulk_create(
        [
            Contact(
                tenant=tenant,
                customer=c,
                name=f"联系人{start + i}",
                mobile=f"139{start + i:08d}",
                email=f"c{start + i}@example.com",
            )
            for i, c in enumerate(customers)
        ],
        batch_size=2000,
    )
    through = CustomerGroup.customers.through
    through.objects.bulk_create(
        [through(customergroup_id=group.pk, customer_id=c.pk) for c in customers],
        batch_size=2000,
    )
    return group, contacts
