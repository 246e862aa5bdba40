"""The write path for tenants, users, roles, teams, dictionary data and settings."""

from __future__ import annotations

from contextlib import nullcontext
from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django_scopes import scope

from crm.core import audit, credentials
from crm.core.admin_guard import keeps_an_administrator
from crm.core.defaults import ADMIN_ROLE, DICTIONARY, default_roles
from crm.core.errors import Invalid
from crm.core.models import DictionaryItem, Role, Team, Tenant, User
from crm.core.permissions import registry
from crm.core.registries import signup_seeds
from crm.core.tenant_settings import DEFAULTS, settings_errors
from crm.core.writes import (
    audited_create,
    audited_delete,
    audited_save,
    audited_update,
    count_label,
    lock_row,
    refuse_protected,
)


def _check_password(password: str, user: User | None = None) -> None:
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise Invalid(fields={"password": list(exc.messages)}) from None


def _check_username(username: str, exclude_id=None) -> None:
    qs = User.objects.filter(username__iexact=username)
    if exclude_id:
        qs = qs.exclude(pk=exclude_id)
    if qs.exists():
        raise Invalid(fields={"username": [_("This username is taken.")]})


def tenant_signup(*, company: str, username: str, password: str, email: str) -> User:
    """Create a company, its admin user, the default roles and dictionary data."""
    company = company.strip()
    if not company:
        raise Invalid(fields={"company": [_("Enter the company name.")]})
    _check_username(username)
    _check_password(password, User(username=username, email=email))
    with transaction.atomic():
        # Every code registered now is offered to it (its roles get the defaults below).
        tenant = Tenant.objects.create(
            name=company, settings={}, permissions_offered=registry.codes()
        )
        with scope(tenant=tenant.pk):
            roles = {
                spec["name"]: Role.objects.create(tenant=tenant, **spec) for spec in default_roles()
            }
            DictionaryItem.objects.bulk_create(
                DictionaryItem(tenant=tenant, kind=kind, code=code, label=label, order=i)
                for kind, items in DICTIONARY.items()
                for i, (code, label) in enumerate(items)
            )
            admin = User.objects.create_user(
                username=username, password=password, email=email, tenant=tenant
            )
            admin.roles.set([roles[ADMIN_ROLE]])
            for seed in signup_seeds():  # what each app gives a new company
                seed.seed(tenant)
            audit.record(
                tenant=tenant,
                actor=admin,
                action="signup",
                obj=tenant,
                changes={"company": company},
            )
    return admin


def _check_team(tenant, team) -> None:
    if team is not None and team.tenant_id != tenant.pk:
        raise Invalid(fields={"team": [_("Unknown team.")]})


def user_create(*, tenant, actor, password: str, roles=(), **data: Any) -> User:
    _check_username(data["username"])
    _check_team(tenant, data.get("team"))
    _check_password(password, User(tenant=tenant, **data))
    with transaction.atomic():
        user = audited_create(
            User,
            tenant=tenant,
            actor=actor,
            fields=data,
            prepare=lambda new: new.set_password(password),
            extra_changes={"roles": [r.pk for r in roles]},
        )
        user.roles.set(roles)
    return user


def user_update(
    user: User,
    *,
    tenant,
    actor,
    password: str | None = None,
    roles=None,
    keep_token_id: int | None = None,
    keep_session_key: str | None = None,
    **data,
):
    """Change a user. A new password revokes the user's tokens and sessions, except
    the token or session given as ``keep_*`` (the one changing its own password)."""
    if "username" in data:
        _check_username(data["username"], exclude_id=user.pk)
    _check_team(tenant, data.get("team"))
    guard = (
        keeps_an_administrator(tenant)
        if roles is not None or "is_active" in data
        else nullcontext()
    )
    with transaction.atomic(), guard:
        lock_row(user)
        changes = audit.apply_changes(user, data)
        if password:
            _check_password(password, user)
            user.set_password(password)
            changes["password"] = ["***", "***"]
            # Saving the new password revokes the user's tokens and sessions but these.
            credentials.keep_on_password_change(
                user, token_id=keep_token_id, session_key=keep_session_key
            )
        if roles is not None:
            before = sorted(user.roles.values_list("pk", flat=True))
            after = sorted(r.pk for r in roles)
            if before != after:
                user.roles.set(roles)
                changes["roles"] = [before, after]
        if changes:  # the roles are audited only; a new password is saved (not shown)
            audited_save(user, tenant=tenant, actor=actor, changes=changes)
    return user


def user_deactivate(user: User, *, tenant, actor) -> None:
    """Users are never deleted (their records keep them); they are deactivated."""
    if user.pk == actor.pk:
        raise Invalid(fields={"non_field_errors": [_("You cannot deactivate yourself.")]})
    with transaction.atomic(), keeps_an_administrator(tenant):
        # Saving is_active=False revokes the user's tokens and sessions.
        audited_update(
            user, tenant=tenant, actor=actor, fields={"is_active": False}, action="deactivate"
        )


def _check_codes(codes: list[str]) -> None:
    unknown = [c for c in codes if c not in registry]
    if unknown:
        raise Invalid(
            fields={
                "permissions": [
                    _("Unknown permission codes: %(codes)s") % {"codes": ", ".join(unknown)}
                ]
            }
        )


def role_create(*, tenant, actor, **data: Any) -> Role:
    _check_codes(data.get("permissions", []))
    if Role.objects.filter(tenant=tenant, name=data["name"]).exists():
        raise Invalid(fields={"name": [_("A role with this name exists.")]})
    return audited_create(Role, tenant=tenant, actor=actor, fields=data)


def role_update(role: Role, *, tenant, actor, **data: Any) -> Role:
    if "permissions" in data:
        _check_codes(data["permissions"])
        data["permissions"] = sorted(set(data["permissions"]))
    if (
        "name" in data
        and Role.objects.filter(tenant=tenant, name=data["name"]).exclude(pk=role.pk).exists()
    ):
        raise Invalid(fields={"name": [_("A role with this name exists.")]})
    guard = keeps_an_administrator(tenant) if "permissions" in data else nullcontext()
    with transaction.atomic(), guard:
        audited_update(role, tenant=tenant, actor=actor, fields=data)
    return role


def sync_permissions(tenants=None) -> dict[Tenant, dict[str, list[str]]]:
    """Offer each company the permission codes registered since it last was offered.

    A release adds codes (a new module, a new transition); a company signed up
    before it keeps its roles' old code lists. The codes registered now but not
    in ``Tenant.permissions_offered`` are new to it: each goes to the company's
    roles whose default template (``Role.preset``) has it, as a new company's
    would, then all are marked offered. A custom role gets nothing; a code once
    offered is never granted again, so an admin's removal stands. Codes are only
    ever added, never taken away. Idempotent: a second run finds nothing new.

    ``tenants``: a queryset or iterable of companies (default: all). Returns
    ``{tenant: {role name: [codes granted]}}`` for the companies whose roles
    changed. One audit entry (``update``, no actor) per changed role.
    """
    registered = set(registry.codes())
    templates = {name: set(registry.default_codes(name)) for name in registry.default_role_names()}
    candidates = Tenant.objects.all() if tenants is None else tenants
    if isinstance(candidates, models.QuerySet):
        candidates = candidates.only("pk", "permissions_offered")
    # Read the offered lists only; the few companies with something new are locked.
    pending = [t.pk for t in candidates if not registered <= set(t.permissions_offered or ())]
    granted: dict[Tenant, dict[str, list[str]]] = {}
    for pk in pending:
        with transaction.atomic():
            tenant = Tenant.objects.select_for_update().filter(pk=pk).first()
            if tenant is None:
                continue  # deleted meanwhile
            offered = set(tenant.permissions_offered or ())
            new = registered - offered
            if not new:
                continue  # a parallel run did it
            with scope(tenant=tenant.pk):
                for role in _seed_new_modules(tenant, offered):
                    granted.setdefault(tenant, {})[role.name] = sorted(role.permissions)
                roles = Role.objects.select_for_update().filter(tenant=tenant).exclude(preset="")
                for role in roles.order_by("pk"):
                    add = sorted((new & templates.get(role.preset, set())) - set(role.permissions))
                    if not add:
                        continue
                    before = list(role.permissions)
                    role.permissions = sorted(set(before) | set(add))
                    audited_save(
                        role,
                        tenant=tenant,
                        actor=None,
                        changes={"permissions": [before, role.permissions]},
                    )
                    granted.setdefault(tenant, {})[role.name] = add
            tenant.permissions_offered = sorted(offered | new)
            tenant.save(update_fields=["permissions_offered"])
    return granted


def _seed_new_modules(tenant: Tenant, offered: set[str]) -> list[Role]:
    """Run the sign-up seeds of the modules that arrived after the company signed up
    (``SignupSeed.new_with``: none of its codes offered yet); the roles they made."""
    seeds = [
        s
        for s in signup_seeds()
        if s.new_with and not any(code.startswith(s.new_with) for code in offered)
    ]
    if not seeds:
        return []
    before = set(Role.objects.filter(tenant=tenant).values_list("pk", flat=True))
    for seed in seeds:
        seed.seed(tenant)
    made = list(Role.objects.filter(tenant=tenant).exclude(pk__in=before).order_by("pk"))
    for role in made:
        audit.record(
            tenant=tenant,
            actor=None,
            action="create",
            obj=role,
            changes={"name": role.name, "permissions": sorted(role.permissions)},
        )
    return made


def _role_unused(role: Role) -> None:
    users = role.users.count()
    if users:
        raise refuse_protected(role, {User: users}, detail=_("This role is still given to users."))


def role_delete(role: Role, *, tenant, actor) -> None:
    """A role still given to users answers 409 ``protected``."""
    audited_delete(role, tenant=tenant, actor=actor, check=_role_unused)


def _check_team_parent(team: Team | None, parent: Team | None) -> None:
    node = parent
    while node is not None:
        if team is not None and node.pk == team.pk:
            raise Invalid(fields={"parent": [_("A team cannot be inside itself.")]})
        node = node.parent


def team_create(*, tenant, actor, **data: Any) -> Team:
    if Team.objects.filter(tenant=tenant, name=data["name"]).exists():
        raise Invalid(fields={"name": [_("A team with this name exists.")]})
    return audited_create(Team, tenant=tenant, actor=actor, fields=data)


def team_update(team: Team, *, tenant, actor, **data: Any) -> Team:
    if (
        "name" in data
        and Team.objects.filter(tenant=tenant, name=data["name"]).exclude(pk=team.pk).exists()
    ):
        raise Invalid(fields={"name": [_("A team with this name exists.")]})
    if "parent" in data:
        _check_team_parent(team, data["parent"])
    audited_update(team, tenant=tenant, actor=actor, fields=data)
    return team


def _team_empty(team: Team) -> None:
    blockers = {Team: team.children.count(), User: team.members.count()}
    if any(blockers.values()):
        raise refuse_protected(
            team, blockers, detail=_("Move this team's members and sub-teams first.")
        )


def team_delete(team: Team, *, tenant, actor) -> None:
    """A team with members or sub-teams answers 409 ``protected``."""
    audited_delete(team, tenant=tenant, actor=actor, check=_team_empty)


def dictionary_create(*, tenant, actor, **data: Any) -> DictionaryItem:
    if DictionaryItem.objects.filter(tenant=tenant, kind=data["kind"], code=data["code"]).exists():
        raise Invalid(fields={"code": [_("This code exists for this kind.")]})
    return audited_create(DictionaryItem, tenant=tenant, actor=actor, fields=data)


def dictionary_update(item: DictionaryItem, *, tenant, actor, **data: Any) -> DictionaryItem:
    data.pop("kind", None)
    data.pop("code", None)  # codes are referenced by imports; labels change freely
    audited_update(item, tenant=tenant, actor=actor, fields=data)
    return item


def dictionary_usage(item: DictionaryItem) -> dict:
    """How many rows of each model refer to ``item`` (only those that do).

    Walks every relation pointing at ``DictionaryItem`` (customers' industry,
    opportunities' loss reason, pool level rules...), so a module that adds one is
    covered without core knowing it: one COUNT per relation, whatever the rows.
    """
    usage = {}
    relations = [
        f
        for f in DictionaryItem._meta.get_fields(include_hidden=True)  # related_name="+" too
        if f.auto_created and not f.concrete and (f.one_to_many or f.one_to_one or f.many_to_many)
    ]
    for rel in relations:
        model = rel.related_model
        if rel.many_to_many:
            count = model._base_manager.filter(**{rel.field.name: item.pk}).count()
        else:
            count = model._base_manager.filter(**{rel.field.attname: item.pk}).count()
        if count:
            usage[model] = usage.get(model, 0) + count
    return usage


def _dictionary_unused(item: DictionaryItem) -> None:
    usage = dictionary_usage(item)
    if usage:
        raise refuse_protected(
            item,
            usage,
            detail=_(
                "“%(label)s” is in use (%(where)s): deactivate it instead, so it leaves "
                "the choices and old records keep it."
            )
            % {
                "label": item.label,
                "where": pgettext("list separator", ", ").join(
                    count_label(model, count) for model, count in usage.items()
                ),
            },
        )


def dictionary_delete(item: DictionaryItem, *, tenant, actor) -> None:
    """Delete a value nothing refers to; one in use answers 409 ``protected`` naming
    where it is used (deactivate it instead: ``active=False``)."""
    audited_delete(item, tenant=tenant, actor=actor, check=_dictionary_unused)


def dictionary_reorder(*, tenant, actor, kind: str, ids: list[int]) -> list[DictionaryItem]:
    """Put the values of ``kind`` in the order of ``ids`` (every value of the kind,
    once each); audited per value whose position changed."""
    with transaction.atomic():
        items = {
            item.pk: item
            for item in DictionaryItem.objects.select_for_update().filter(tenant=tenant, kind=kind)
        }
        if len(ids) != len(set(ids)) or set(ids) != set(items):
            raise Invalid(fields={"ids": [_("List every value of this kind once, and no other.")]})
        changed = []
        for position, pk in enumerate(ids):
            item = items[pk]
            if item.order != position:
                changes = {"order": [item.order, position]}
                item.order = position
                changed.append(item)
                audit.record(tenant=tenant, actor=actor, action="update", obj=item, changes=changes)
        DictionaryItem.objects.bulk_update(changed, ["order"])
    return [items[pk] for pk in ids]


def tenant_settings_update(*, tenant: Tenant, actor, **values: int) -> Tenant:
    errors = settings_errors(values, tenant.settings, tenant=tenant)
    if errors:
        raise Invalid(fields=errors)
    merged = {**DEFAULTS, **tenant.settings, **values}
    with transaction.atomic():
        changes = {k: [tenant.setting(k), v] for k, v in values.items() if tenant.setting(k) != v}
        tenant.settings = merged
        tenant.save(update_fields=["settings"])
        if changes:
            audit.record(tenant=tenant, actor=actor, action="settings", obj=tenant, changes=changes)
    return tenant
