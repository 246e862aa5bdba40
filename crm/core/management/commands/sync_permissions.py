"""Grant the permission codes added by a release to existing companies' default roles.

Runs by itself after every ``migrate`` (``crm.core.apps``); run it by hand after
a deploy that skipped ``migrate``. Idempotent: a second run grants nothing.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand

from crm.core import services
from crm.core.models import Tenant


class Command(BaseCommand):
    help = (
        "Grant newly registered permission codes to each company's default roles "
        "(codes once offered, e.g. removed by an admin, are never granted again)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--tenant", type=int, action="append", help="Only this company (id); repeatable."
        )

    def handle(self, *args, tenant: list[int] | None = None, **options):
        tenants = Tenant.objects.filter(pk__in=tenant) if tenant else None
        granted = services.sync_permissions(tenants)
        for company, roles in sorted(granted.items(), key=lambda item: item[0].pk):
            self.stdout.write(f"{company.name} (#{company.pk}):")
            for role, codes in roles.items():
                self.stdout.write(f"  {role}: {len(codes)} granted: {', '.join(codes)}")
        if not granted:
            self.stdout.write("No role changed: every company has been offered every code.")
        else:
            self.stdout.write(self.style.SUCCESS(f"{len(granted)} companies updated."))
