"""New permission codes reach companies that signed up before them (``sync_permissions``).

A company that signed up before a release is modelled as it stands after the
upgrade's migration: the release's codes (the calendar module here) are in no
role and not yet offered. Everything runs on the real database through the
services, the management command and the ``post_migrate`` signal.
"""

from __future__ import annotations

import importlib
import io

import pytest
from django.apps import apps as global_apps
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.db.models.signals import post_migrate

from crm.core import services
from crm.core.models import AuditEntry, Role, Tenant
from crm.core.permissions import SALES_REP, registry
from tests.conftest import make_company

pytestmark = pytest.mark.django_db

NEW = "calendar."  # the module "added by the release"


def new_codes() -> set[str]:
    codes = {c for c in registry.codes() if c.startswith(NEW)}
    assert codes, "the calendar module registers no codes any more: pick another module"
    return codes


def as_before_the_release(tenant: Tenant) -> None:
    """The release's codes in none of the company's roles and not yet offered."""
    for pk, codes in Role.objects.filter(tenant=tenant).values_list("pk", "permissions"):
        Role.objects.filter(pk=pk).update(permissions=[c for c in codes if not c.startswith(NEW)])
    Tenant.objects.filter(pk=tenant.pk).update(
        permissions_offered=[c for c in registry.codes() if not c.startswith(NEW)]
    )


def codes_of(tenant: Tenant) -> dict[str, set[str]]:
    return {r.name: set(r.permissions) for r in Role.objects.filter(tenant=tenant)}


def role_audit(role: Role) -> list[AuditEntry]:
    ct = ContentType.objects.get_for_model(Role)
    return list(AuditEntry.objects.filter(content_type=ct, object_id=role.pk).order_by("id"))


def test_sync_grants_new_codes_to_the_roles_that_have_them_by_default():
    admin = make_company()
    tenant = admin.tenant
    custom = services.role_create(
        tenant=tenant, actor=admin, name="外勤", permissions=["users.view"], data_scope="own"
    )
    # Renamed after sign-up: still seeded from the sales rep template.
    rep = Role.objects.get(tenant=tenant, name=SALES_REP)
    services.role_update(rep, tenant=tenant, actor=admin, name="业务员")
    as_before_the_release(tenant)
    before = codes_of(tenant)
    other = make_company()  # signed up with the release: not touched

    granted = services.sync_permissions()

    after = codes_of(tenant)
    expected = {}
    for role in Role.objects.filter(tenant=tenant):
        want = new_codes() & set(registry.default_codes(role.preset))
        assert after[role.name] == before[role.name] | want, role.name
        if want:
            expected[role.name] = sorted(want)
    assert granted == {tenant: expected}
    assert expected["业务员"]  # the renamed preset role got the sales rep's share
    assert after["外勤"] == {"users.view"}  # a custom role gets nothing
    assert not role_audit(custom)[1:]  # its creation only
    # One audit entry per changed role, by no one, with the before and after lists.
    for name, codes in expected.items():
        entry = role_audit(Role.objects.get(tenant=tenant, name=name))[-1]
        assert entry.actor_id is None and entry.action == "update"
        old, new = entry.changes["permissions"]
        assert set(new) - set(old) == set(codes)
    tenant.refresh_from_db()
    assert set(tenant.permissions_offered) == set(registry.codes())
    assert other.tenant not in granted


def test_a_code_the_admin_removed_is_not_granted_again():
    admin = make_company()
    tenant = admin.tenant
    rep = Role.objects.get(tenant=tenant, name=SALES_REP)
    removed = sorted(new_codes() & set(rep.permissions))
    assert removed
    services.role_update(
        rep,
        tenant=tenant,
        actor=admin,
        permissions=[c for c in rep.permissions if c not in removed],
    )

    assert services.sync_permissions() == {}
    rep.refresh_from_db()
    assert not set(removed) & set(rep.permissions)


def test_a_second_sync_changes_nothing():
    admin = make_company()
    as_before_the_release(admin.tenant)
    assert services.sync_permissions()
    roles = codes_of(admin.tenant)
    entries = AuditEntry.objects.count()

    assert services.sync_permissions() == {}
    assert codes_of(admin.tenant) == roles
    assert AuditEntry.objects.count() == entries


def test_a_new_company_needs_nothing():
    admin = make_company()
    tenant = Tenant.objects.get(pk=admin.tenant_id)
    assert tenant.permissions_offered == registry.codes()
    presets = dict(Role.objects.filter(tenant=tenant).values_list("name", "preset"))
    assert presets[SALES_REP] == SALES_REP and presets["库管"] == "库管"
    before = codes_of(tenant)

    assert services.sync_permissions() == {}
    assert codes_of(tenant) == before


def test_the_command_prints_what_it_granted_per_company():
    admin = make_company("升级前公司")
    as_before_the_release(admin.tenant)
    out = io.StringIO()
    call_command("sync_permissions", stdout=out)
    text = out.getvalue()
    assert f"升级前公司 (#{admin.tenant_id}):" in text
    assert f"  {SALES_REP}: " in text and "calendar.view" in text

    out = io.StringIO()
    call_command("sync_permissions", stdout=out)
    assert "No role changed" in out.getvalue()


def test_runs_after_every_migrate():
    admin = make_company()
    as_before_the_release(admin.tenant)
    core = global_apps.get_app_config("core")
    post_migrate.send(
        sender=core,
        app_config=core,
        verbosity=0,
        interactive=False,
        using="default",
        apps=global_apps,
        plan=[],
    )
    rep = Role.objects.get(tenant=admin.tenant, name=SALES_REP)
    assert new_codes() & set(registry.default_codes(SALES_REP)) <= set(rep.permissions)


def test_the_migration_back_fill_leaves_new_codes_to_the_sync():
    """Existing companies: presets from the default names, offered = codes a role holds."""
    migration = importlib.import_module("crm.core.migrations.0009_role_preset_permissions_offered")
    admin = make_company()
    tenant = admin.tenant
    as_before_the_release(tenant)
    manager = Role.objects.get(tenant=tenant, name="销售经理")
    # The admin took contract deletion from the manager (the administrator keeps it).
    Role.objects.filter(pk=manager.pk).update(
        permissions=[c for c in manager.permissions if c != "sales.contract.delete"]
    )
    Role.objects.filter(tenant=tenant, name=SALES_REP).update(name="业务员")  # renamed
    Role.objects.filter(tenant=tenant).update(preset="")  # as before the migration
    Tenant.objects.filter(pk=tenant.pk).update(permissions_offered=[])

    migration.backfill(global_apps, None)

    presets = dict(Role.objects.filter(tenant=tenant).values_list("name", "preset"))
    assert presets["销售经理"] == "销售经理" and presets["业务员"] == ""
    tenant.refresh_from_db()
    assert not new_codes() & set(tenant.permissions_offered)
    assert "sales.contract.delete" in tenant.permissions_offered

    granted = services.sync_permissions()[tenant]
    assert "业务员" not in granted
    assert set(granted["销售经理"]) == new_codes() & set(registry.default_codes("销售经理"))
    manager.refresh_from_db()
    assert "sales.contract.delete" not in manager.permissions


def _backup_zip(tenant: Tenant, *, drop_offered: bool = False) -> io.BytesIO:
    """The company's backup; ``drop_offered``: as written before the manifest had the list."""
    import json
    import zipfile

    from crm.imports.backup import write_backup

    raw = io.BytesIO()
    write_backup(tenant, raw)
    if not drop_offered:
        raw.seek(0)
        return raw
    out = io.BytesIO()
    with zipfile.ZipFile(raw) as old, zipfile.ZipFile(out, "w") as new:
        for name in old.namelist():
            data = old.read(name)
            if name == "manifest.json":
                manifest = json.loads(data)
                del manifest["permissions_offered"]
                data = json.dumps(manifest).encode()
            new.writestr(name, data)
    out.seek(0)
    return out


@pytest.mark.parametrize("older_backup", [False, True], ids=["manifest", "older-manifest"])
def test_a_restored_backup_of_an_older_release_gets_the_new_codes(older_backup):
    """A backup written before a release restores its roles' old code lists into a
    new company: the codes added since reach its preset roles, as in any older
    company; a code the backed-up company's admin had removed stays removed."""
    from crm.imports.backup import restore_backup

    source = make_company()
    tenant = source.tenant
    as_before_the_release(tenant)
    manager = Role.objects.get(tenant=tenant, name="销售经理")
    kept_out = sorted(set(manager.permissions) - {"customers.view"})[:1]
    assert kept_out
    Role.objects.filter(pk=manager.pk).update(
        permissions=[c for c in manager.permissions if c not in kept_out]
    )
    tenant.refresh_from_db()
    backup = _backup_zip(tenant, drop_offered=older_backup)

    target_admin = make_company("恢复公司")
    restore_backup(backup, tenant=target_admin.tenant, actor=target_admin)

    restored = codes_of(target_admin.tenant)
    for role in Role.objects.filter(tenant=target_admin.tenant).exclude(preset=""):
        want = new_codes() & set(registry.default_codes(role.preset))
        assert want <= restored[role.name], role.name
    assert any(new_codes() & codes for codes in restored.values())
    if not older_backup:  # the manifest says it had been offered: the removal stands
        assert not set(kept_out) & restored["销售经理"]
    target_admin.tenant.refresh_from_db()
    assert set(target_admin.tenant.permissions_offered) == set(registry.codes())


def as_before_the_stock_module(tenant: Tenant) -> None:
    """A company that signed up before marketing's stock module: no 库管 role, no stock
    categories, none of the module's codes offered or held."""
    from crm.core.models import DictionaryItem
    from crm.marketing.permissions import STOCK_KEEPER

    Role.objects.filter(tenant=tenant, name=STOCK_KEEPER).delete()
    DictionaryItem.objects.filter(tenant=tenant, kind="stock_category").delete()
    for pk, codes in Role.objects.filter(tenant=tenant).values_list("pk", "permissions"):
        Role.objects.filter(pk=pk).update(
            permissions=[c for c in codes if not c.startswith("marketing.")]
        )
    Tenant.objects.filter(pk=tenant.pk).update(
        permissions_offered=[c for c in registry.codes() if not c.startswith("marketing.")]
    )


def test_a_module_new_to_the_company_brings_what_sign_up_would():
    """The stock module's 库管 role and categories reach a company older than it, once;
    a company that had the module and deleted the role does not get it back."""
    from crm.core.models import DictionaryItem
    from crm.marketing.permissions import STOCK_KEEPER

    admin = make_company()
    tenant = admin.tenant
    as_before_the_stock_module(tenant)
    newer = make_company()
    Role.objects.filter(tenant=newer.tenant, name=STOCK_KEEPER).delete()  # its admin's choice

    granted = services.sync_permissions()

    keeper = Role.objects.get(tenant=tenant, name=STOCK_KEEPER)
    assert keeper.preset == STOCK_KEEPER
    assert set(keeper.permissions) == set(registry.default_codes(STOCK_KEEPER))
    assert granted[tenant][STOCK_KEEPER] == sorted(keeper.permissions)
    assert role_audit(keeper)[0].action == "create" and role_audit(keeper)[0].actor_id is None
    assert DictionaryItem.objects.filter(tenant=tenant, kind="stock_category").count() == 3
    assert "marketing.stock_item.view" in codes_of(tenant)["市场"] | codes_of(tenant)[STOCK_KEEPER]
    assert newer.tenant not in granted
    assert not Role.objects.filter(tenant=newer.tenant, name=STOCK_KEEPER).exists()
    # Once offered, a second run changes nothing, and a later deletion stands.
    assert services.sync_permissions() == {}
    keeper.delete()
    assert services.sync_permissions() == {}
    assert not Role.objects.filter(tenant=tenant, name=STOCK_KEEPER).exists()
