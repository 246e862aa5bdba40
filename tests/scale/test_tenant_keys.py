"""Every business table carries ``tenant_id`` and every uniqueness includes it.

This is what distributing the tables by tenant (Citus, docs/scaling.md) needs:
a distributed table must hold the distribution column, and a unique constraint
on it must include that column (each tenant's rows live on one node, which can
only check uniqueness among its own rows). A new model that breaks this fails
here; a justified exception goes in an allow-list below with its reason.
"""

from django.apps import apps
from django.db import models

PROJECT_APPS = ("crm.", "workflows", "tasks")

# Tables without tenant_id that are global by nature (Citus: reference or local tables).
GLOBAL_TABLES = {
    "core.Tenant": "the tenant itself: the distribution key's own table (reference table)",
    "core.ApiToken": "found by its digest before the tenant is known (then its user's tenant)",
    "core.UserSession": "found by its session key before the tenant is known",
    "tasks.SchedulerLease": "one scheduler loop for the whole installation, not per tenant",
    "core.Invitation": "found by its link's digest before the tenant is known (then its user's)",
}

# Unique keys without the tenant that are global by nature.
GLOBAL_UNIQUES = {
    ("core.ApiToken", ("digest",)): "a token's digest identifies it across all tenants",
    ("core.UserSession", ("session",)): "a session key identifies it across all tenants",
    ("core.Invitation", ("digest",)): "an invitation link's digest identifies it everywhere",
    ("customers.LeadForm", ("public_key",)): "the public form's key in /f/<key>/ (no tenant yet)",
    ("core.User", ("username",)): (
        "sign-in finds the user, and so the tenant, by username; "
        "users stay a coordinator table under Citus (docs/scaling.md)"
    ),
}

# Known gaps, found by this test (issue 19): tenant-owned in effect (reached through a
# tenant's row), but Citus needs the column itself. docs/scaling.md lists them as the
# work before distributing. Fix one, remove it here: the list may only shrink.
GAP = "reached through a tenant's row; needs its own tenant_id before distribution"
GAP_TABLES = {
    "core.User_roles": "many-to-many " + GAP,
    "core.User_groups": "Django's auth many-to-many " + GAP,
    "core.User_user_permissions": "Django's auth many-to-many " + GAP,
    "activities.CalendarEvent_invitees": "many-to-many " + GAP,
    "office.Announcement_teams": "many-to-many " + GAP,
    "office.Announcement_roles": "many-to-many " + GAP,
    "imports.ImportFile": "an import job's file: " + GAP,
    "imports.ImportRecord": "an import job's per-record history: " + GAP,
    "customers.CustomerGroup_customers": "many-to-many " + GAP,
}
UNIQUE_GAP = "unique within a tenant in effect (a tenant's row leads it); add tenant"
GAP_UNIQUES = {
    ("activities.PlanNudge", ("user", "day")): UNIQUE_GAP,
    ("activities.Notification", ("reminder", "recipient")): UNIQUE_GAP,
    ("sales.Quote", ("revised_from",)): UNIQUE_GAP,
    ("sales.Quote", ("opportunity", "number")): UNIQUE_GAP,
    ("sales.Payment", ("reversal_of",)): UNIQUE_GAP,
    ("service.ComplaintBreach", ("complaint", "kind", "due_at")): UNIQUE_GAP,
    ("marketing.StockBalance", ("item",)): UNIQUE_GAP,
    ("messaging.WebhookDelivery", ("uid",)): "a random uid, unique everywhere; add tenant",
    ("office.AnnouncementRead", ("announcement", "user")): UNIQUE_GAP,
    ("customers.CustomerGroup_customers", ("customergroup", "customer")): UNIQUE_GAP,
    ("customers.CustomerTag", ("customer", "name")): UNIQUE_GAP,
    ("marketing.CampaignMember", ("campaign", "customer")): UNIQUE_GAP,
    ("messaging.Delivery", ("mass_send", "recipient")): UNIQUE_GAP,
    ("care.ContactLunarBirthday", ("contact",)): UNIQUE_GAP,
    ("care.CareOccurrence", ("rule", "subject", "year")): UNIQUE_GAP,
}


def _project_models():
    for model in apps.get_models(include_auto_created=True):
        config = apps.get_app_config(model._meta.app_label)
        if not config.name.startswith(PROJECT_APPS):
            continue
        if model._meta.proxy or not model._meta.managed:
            continue
        yield model


def _label(model) -> str:
    return f"{model._meta.app_label}.{model.__name__}"


def _has_tenant(model) -> bool:
    return any(f.column == "tenant_id" for f in model._meta.concrete_fields)


def _uniques(model):
    """Each unique key as a tuple of field names (the primary key left out)."""
    opts = model._meta
    for field in opts.concrete_fields:
        if field.unique and not field.primary_key:
            yield (field.name,)
    for fields in opts.unique_together:
        yield tuple(fields)
    for constraint in opts.constraints:
        if isinstance(constraint, models.UniqueConstraint) and constraint.fields:
            yield tuple(constraint.fields)


def test_every_business_table_carries_tenant_id():
    missing = [
        f"{_label(m)} ({m._meta.db_table})"
        for m in _project_models()
        if not _has_tenant(m) and _label(m) not in {**GLOBAL_TABLES, **GAP_TABLES}
    ]
    assert missing == [], "business tables without tenant_id: " + ", ".join(missing)


def test_every_unique_key_includes_the_tenant():
    offending = []
    for model in _project_models():
        if _label(model) in GAP_TABLES:
            continue  # its unique keys change with the tenant column it needs
        for fields in _uniques(model):
            if "tenant" in fields or (_label(model), fields) in {**GLOBAL_UNIQUES, **GAP_UNIQUES}:
                continue
            offending.append(f"{_label(model)}{fields}")
    assert offending == [], "unique keys without the tenant: " + ", ".join(offending)


def test_the_allow_lists_name_real_tables_and_keys():
    """An allow-list entry for a model or key that no longer exists is stale."""
    labels = {_label(m): m for m in _project_models()}
    for label in {**GLOBAL_TABLES, **GAP_TABLES}:
        assert label in labels, label
        assert not _has_tenant(labels[label]), f"{label} has tenant_id now: drop its entry"
    for label, fields in {**GLOBAL_UNIQUES, **GAP_UNIQUES}:
        assert fields in set(_uniques(labels[label])), (label, fields)
    reasons = (*GLOBAL_TABLES.values(), *GAP_TABLES.values())
    reasons += (*GLOBAL_UNIQUES.values(), *GAP_UNIQUES.values())
    assert all(reasons)
