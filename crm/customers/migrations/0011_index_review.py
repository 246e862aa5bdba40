"""Index review (issue 19, bench/README.md "Index review"): drop the indexes no query uses.

* ``(tenant_id, phone)`` on customers: the one phone look-up (the duplicate
  check) ORs it with the mobile and the contacts' mobiles and never uses it;
* the lone ``tenant_id`` indexes of customers, contacts and leads: each table's
  tenant-prefixed composite indexes serve every ``tenant_id = ...`` look-up;
* the lone ``owner_id`` of customers and leads: ``(tenant_id, owner_id[, created_at])``
  serves the owner filter and the data scope (every query carries the tenant);
* ``created_by_id`` of customers and leads: never filtered or sorted on, and
  users are deactivated, never deleted, by the application;
* the lone ``customer_id`` of contacts: ``(customer_id, mobile)`` serves it.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0008_saved_views"),
        ("customers", "0010_campaign_links"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name="customer",
            name="customers_c_tenant__6d2a04_idx",
        ),
        # The foreign keys keep their constraints: only their lone indexes go
        # (Django's AlterField would drop and re-validate each constraint).
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="contact",
                    name="customer",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="contacts",
                        to="customers.customer",
                        verbose_name="customer",
                    ),
                ),
                migrations.AlterField(
                    model_name="contact",
                    name="tenant",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="core.tenant",
                    ),
                ),
                migrations.AlterField(
                    model_name="customer",
                    name="created_by",
                    field=models.ForeignKey(
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                migrations.AlterField(
                    model_name="customer",
                    name="owner",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="owner",
                    ),
                ),
                migrations.AlterField(
                    model_name="customer",
                    name="tenant",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="core.tenant",
                    ),
                ),
                migrations.AlterField(
                    model_name="lead",
                    name="created_by",
                    field=models.ForeignKey(
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                migrations.AlterField(
                    model_name="lead",
                    name="owner",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="owner",
                    ),
                ),
                migrations.AlterField(
                    model_name="lead",
                    name="tenant",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="core.tenant",
                    ),
                ),
            ],
            database_operations=[
                migrations.RunSQL(
                    'DROP INDEX IF EXISTS "customers_contact_customer_id_b9afc0da"',
                    reverse_sql=(
                        'CREATE INDEX "customers_contact_customer_id_b9afc0da" '
                        'ON "customers_contact" ("customer_id")'
                    ),
                ),
                migrations.RunSQL(
                    'DROP INDEX IF EXISTS "customers_contact_tenant_id_c7f2d2ca"',
                    reverse_sql=(
                        'CREATE INDEX "customers_contact_tenant_id_c7f2d2ca" '
                        'ON "customers_contact" ("tenant_id")'
                    ),
                ),
                migrations.RunSQL(
                    'DROP INDEX IF EXISTS "customers_customer_created_by_id_e3e9e010"',
                    reverse_sql=(
                        'CREATE INDEX "customers_customer_created_by_id_e3e9e010" '
                        'ON "customers_customer" ("created_by_id")'
                    ),
                ),
                migrations.RunSQL(
                    'DROP INDEX IF EXISTS "customers_customer_owner_id_fbb2798e"',
                    reverse_sql=(
                        'CREATE INDEX "customers_customer_owner_id_fbb2798e" '
                        'ON "customers_customer" ("owner_id")'
                    ),
                ),
                migrations.RunSQL(
                    'DROP INDEX IF EXISTS "customers_customer_tenant_id_b3a9de9f"',
                    reverse_sql=(
                        'CREATE INDEX "customers_customer_tenant_id_b3a9de9f" '
                        'ON "customers_customer" ("tenant_id")'
                    ),
                ),
                migrations.RunSQL(
                    'DROP INDEX IF EXISTS "customers_lead_created_by_id_01616509"',
                    reverse_sql=(
                        'CREATE INDEX "customers_lead_created_by_id_01616509" '
                        'ON "customers_lead" ("created_by_id")'
                    ),
                ),
                migrations.RunSQL(
                    'DROP INDEX IF EXISTS "customers_lead_owner_id_5d8dbdbf"',
                    reverse_sql=(
                        'CREATE INDEX "customers_lead_owner_id_5d8dbdbf" '
                        'ON "customers_lead" ("owner_id")'
                    ),
                ),
                migrations.RunSQL(
                    'DROP INDEX IF EXISTS "customers_lead_tenant_id_ee6f92ad"',
                    reverse_sql=(
                        'CREATE INDEX "customers_lead_tenant_id_ee6f92ad" '
                        'ON "customers_lead" ("tenant_id")'
                    ),
                ),
            ],
        ),
    ]
