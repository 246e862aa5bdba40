"""Give every existing company the default approval bands.

Bands used to be seeded on first read; new companies now get them at sign-up
(the sales app's sign-up seed). Companies that never read their bands have none:
seed them here so reads stay reads. The values are copied (a migration must not
import app code that may change): up to 100,000 needs ``approve``, above that
``approve_large``.
"""

from decimal import Decimal

from django.db import migrations

DEFAULT_BANDS = [
    (Decimal("100000.00"), "sales.contract.approve"),
    (None, "sales.contract.approve_large"),
]


def seed_missing_bands(apps, schema_editor):
    Tenant = apps.get_model("core", "Tenant")
    ApprovalBand = apps.get_model("sales", "ApprovalBand")
    have = set(ApprovalBand._base_manager.values_list("tenant_id", flat=True).distinct())
    missing = Tenant._base_manager.exclude(pk__in=have).values_list("pk", flat=True)
    ApprovalBand._base_manager.bulk_create(
        ApprovalBand(tenant_id=tenant_id, max_amount=limit, permission=code)
        for tenant_id in missing
        for limit, code in DEFAULT_BANDS
    )


class Migration(migrations.Migration):
    dependencies = [
        ("sales", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(seed_missing_bands, migrations.RunPython.noop),
    ]
