"""Roles remember their default template; companies, the permission codes offered.

Back-fill for the companies that exist now:

- ``Role.preset``: the role's name where it still equals a default role's name
  (the defaults seeded so far, listed below). A renamed or custom role keeps no
  preset and is never granted new codes automatically.
- ``Tenant.permissions_offered``: the registered codes one of the company's roles
  holds, plus the codes no default role grants. An admin who took a code from a
  role while another role kept it is not overruled; a code no role holds (a
  module added since the company signed up) is left to the first
  ``sync_permissions`` (run after this ``migrate``, ``crm.core.apps``), which
  grants it to the preset roles whose template has it. The one case this rule
  gets wrong: a code an admin removed from *every* role, the administrator role
  included, is granted back once to the preset roles that have it by default;
  from then on it is offered and stays as the admin leaves it.

Reads the live permission registry (the codes registered by the code running the
migration), as the sync after it does.
"""

from django.db import migrations, models
from django_scopes import scopes_disabled

# The default roles seeded on sign-up so far (core's five, marketing's stock keeper).
DEFAULT_ROLE_NAMES = ("管理员", "销售经理", "销售代表", "客服", "市场", "库管")


def backfill(apps, schema_editor):
    from crm.core.permissions import registry

    Role = apps.get_model("core", "Role")
    Tenant = apps.get_model("core", "Tenant")
    with scopes_disabled():
        for name in DEFAULT_ROLE_NAMES:
            Role.objects.filter(name=name, preset="").update(preset=name)
        registered = set(registry.codes())
        granted_by_default = set()
        for name in registry.default_role_names():
            granted_by_default.update(registry.default_codes(name))
        never_granted = registered - granted_by_default
        held = {}
        for tenant_id, codes in Role.objects.values_list("tenant_id", "permissions"):
            held.setdefault(tenant_id, set()).update(codes or ())
        tenants = list(Tenant.objects.only("pk", "permissions_offered"))
        for tenant in tenants:
            tenant.permissions_offered = sorted(
                (held.get(tenant.pk, set()) & registered) | never_granted
            )
        Tenant.objects.bulk_update(tenants, ["permissions_offered"], batch_size=500)


class Migration(migrations.Migration):

    dependencies = [
        ("core", "0008_saved_views"),
    ]

    operations = [
        migrations.AddField(
            model_name="role",
            name="preset",
            field=models.CharField(
                blank=True, default="", editable=False, max_length=100, verbose_name="default role"
            ),
        ),
        migrations.AddField(
            model_name="tenant",
            name="permissions_offered",
            field=models.JSONField(
                blank=True, default=list, editable=False, verbose_name="permission codes offered"
            ),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop),
    ]
