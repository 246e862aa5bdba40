"""A company always keeps someone who can administer its users and roles.

Without such a user nobody in the company could give the rights back (an
operator would have to). Every change that can take the rights away (a
user's roles, a deactivation, a role's permission codes) runs inside
``keeps_an_administrator(tenant)``: if the company had an administrator
before and has none after, the change is refused with 409 ``last_admin`` and
rolled back.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from crm.core.errors import DomainError
from crm.core.models import Role, Tenant, User

# Holding both is administering users and roles: with them a user can give
# any right to anyone, themselves included.
ADMIN_CODES = ("users.edit", "roles.edit")


class LastAdministrator(DomainError):
    code = "last_admin"
    status = 409
    default_detail = _(
        "This would leave the company without an active user who can manage users and "
        "roles: first give another user a role with the permissions to edit users and roles."
    )


def administrators(tenant: Tenant) -> set[int]:
    """Ids of the company's active users whose roles together hold every ``ADMIN_CODES``."""
    codes_of = {
        pk: set(codes or [])
        for pk, codes in Role._base_manager.filter(tenant=tenant).values_list("pk", "permissions")
    }
    held: dict[int, set[str]] = defaultdict(set)
    links = User.roles.through.objects.filter(
        user__tenant=tenant, user__is_active=True, user__is_system=False
    ).values_list("user_id", "role_id")
    for user_id, role_id in links:
        held[user_id] |= codes_of.get(role_id, set())
    return {pk for pk, codes in held.items() if all(c in codes for c in ADMIN_CODES)}


@contextmanager
def keeps_an_administrator(tenant: Tenant) -> Iterator[None]:
    """Run a change; refuse it if it removes the company's last administrator.

    Must run inside ``transaction.atomic()`` (the refusal rolls the change
    back). The company row is locked so two administrators removing each other
    at the same moment cannot both succeed.
    """
    assert transaction.get_connection().in_atomic_block, "call inside transaction.atomic()"
    list(Tenant.objects.select_for_update().filter(pk=tenant.pk).values_list("pk", flat=True))
    before = administrators(tenant)
    yield
    if before and not administrators(tenant):
        raise LastAdministrator()
