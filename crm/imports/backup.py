"""A tenant's full backup (one zip of JSON files) and its restore into an empty tenant.

What is in it: the tenant's users (no password hashes, no tokens) and every
row of every ``TenantModel`` (customers, leads, activities, audit log,
transition log, reminders, and the sales/service models as they are added),
except the import machinery's own rows. One ``<app>.<model>.json`` per model
plus ``manifest.json``.

Restoring remaps every id, because the rows get new primary keys in the new
tenant:

* models are restored in dependency order (non-nullable foreign keys first);
  nullable foreign keys that point forward (a team's leader, a user's team, a
  team's parent) are set in a second pass;
* rows a new tenant already has from sign-up are matched by the model's
  per-tenant unique constraint (roles by name, dictionary items by kind+code)
  and updated to the backup's values instead of duplicated;
* users are matched by username inside the tenant, otherwise created; a
  username taken by another company gets the suffix ``@<tenant id>``; restored
  users get no usable password (the admin sets new ones);
* generic references (audit entries, transition log, reminders,
  notifications: ``content_type`` + ``object_id``) are remapped through the
  target model's id map; a reference to the old tenant points at the new one.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import decimal
import io
import json
import uuid
import zipfile
from collections import defaultdict

from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from crm.core import audit
from crm.core import services as core_services
from crm.core.errors import Invalid
from crm.core.models import AuditEntry, DictionaryItem, Role, Tenant, TenantModel, User
from crm.core.registries import signup_models
from crm.core.tenant_settings import settings_errors

FORMAT_VERSION = 1
# Import jobs and offline-sync bookkeeping (operation keys, the change log) describe this
# database, not the company: a restored company starts them afresh (devices pull anew).
EXCLUDED_APPS = {"imports", "sync"}
USER_FIELDS = (
    "username",
    "email",
    "full_name",
    "first_name",
    "last_name",
    "is_active",
    "language",
    "team_id",
    "date_joined",
    "last_login",
    "is_system",
    "mobile",
    "page_size",
    "email_signature",
    "avatar",
)
# Rows a new company starts with (sign-up, plus the apps' registered sign-up seeds);
# anything else means "not empty".
SIGNUP_MODELS = {Role, DictionaryItem, AuditEntry}
CHUNK = 2000


def backup_models() -> list[type[models.Model]]:
    found = [
        m
        for m in apps.get_models()
        if issubclass(m, TenantModel)
        and not m._meta.abstract
        and not m._meta.proxy
        and m._meta.app_label not in EXCLUDED_APPS
    ]
    return [User, *sorted(found, key=lambda m: m._meta.label)]


def _generic(model) -> bool:
    names = {f.attname for f in model._meta.concrete_fields}
    return "content_type_id" in names and "object_id" in names


def _fields(model) -> list[models.Field]:
    if model is User:
        return [f for f in model._meta.concrete_fields if f.attname in USER_FIELDS]
    return [
        f for f in model._meta.concrete_fields if not f.primary_key and f.attname != "tenant_id"
    ]


def _m2m(model) -> list[models.ManyToManyField]:
    return [f for f in model._meta.many_to_many if f.remote_field.through._meta.auto_created]


def _json(value):
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, bytes | memoryview):
        return base64.b64encode(bytes(value)).decode()
    if isinstance(value, uuid.UUID):
        return str(value)
    return value


def _queryset(model, tenant):
    if model is User:
        return User.objects.filter(tenant=tenant).order_by("pk")
    return model.objects.filter(tenant=tenant).order_by("pk")


# --- backup ---------------------------------------------------------------------


def write_backup(tenant, out, progress=None) -> dict:
    """Write the tenant's zip into the binary file ``out``; returns the manifest.

    ``progress(done, total)`` is called after each model's file (a background job's bar).
    """
    manifest = {
        "format": FORMAT_VERSION,
        "tenant": tenant.name,
        "settings": tenant.settings,
        # The permission codes the company had been offered: a restore into a later
        # release grants its roles the codes added since (``_offered_after_restore``).
        "permissions_offered": sorted(tenant.permissions_offered or ()),
        "created_at": timezone.now().isoformat(),
        "models": [],
    }
    cts = {ct.pk: f"{ct.app_label}.{ct.model}" for ct in ContentType.objects.all()}
    everything = backup_models()
    files: set = set()  # (model, field, stored name): the attachments' and logos' content
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for done, model in enumerate(everything, start=1):
            fields = _fields(model)
            m2m = _m2m(model)
            label = model._meta.label_lower
            count = 0
            with archive.open(f"{label}.json", "w") as handle:
                handle.write(b"[")
                qs = _queryset(model, tenant)
                if m2m:
                    qs = qs.prefetch_related(*[f.name for f in m2m])
                for obj in qs.iterator(chunk_size=CHUNK):
                    row = {"pk": obj.pk}
                    for f in fields:
                        value = getattr(obj, f.attname)
                        if f.attname == "content_type_id":
                            value = cts.get(value)
                        if isinstance(f, models.FileField):
                            value = value.name or ""
                            if value:
                                files.add((model, f.name, value))
                        row[f.attname] = _json(value)
                    for f in m2m:
                        row[f.name] = sorted(r.pk for r in getattr(obj, f.name).all())
                    handle.write(
                        (b"," if count else b"") + json.dumps(row, ensure_ascii=False).encode()
                    )
                    count += 1
                handle.write(b"]")
            manifest["models"].append({"label": label, "rows": count})
            if progress is not None:
                progress(done, len(everything))
        for model, field_name, name in sorted(files, key=lambda t: t[2]):
            storage = model._meta.get_field(field_name).storage
            try:
                with storage.open(name, "rb") as source, archive.open(f"files/{name}", "w") as out:
                    while chunk := source.read(1024 * 1024):
                        out.write(chunk)
            except FileNotFoundError:  # a row whose file is gone: the row still comes back
                continue
        archive.writestr("manifest.json", json.dumps(manifest, ensure_ascii=False, indent=1))
    return manifest


# --- restore --------------------------------------------------------------------


def _is_empty(tenant, actor) -> bool:
    for model in backup_models():
        if model is User:
            if User.objects.filter(tenant=tenant).exclude(pk=actor.pk).exists():
                return False
        elif (
            model not in SIGNUP_MODELS | signup_models()
            and model.objects.filter(tenant=tenant).exists()
        ):
            return False
    return True


def _settings(manifest: dict) -> dict:
    """The backup's company settings, checked against their limits like the settings API."""
    settings = manifest.get("settings") or {}
    if not isinstance(settings, dict):
        raise Invalid(fields={"file": [_("This backup's manifest is damaged.")]})
    problems = settings_errors(settings)
    if problems:
        raise Invalid(
            fields={
                "file": [
                    _("The backup's company settings are invalid: %(keys)s.")
                    % {"keys": ", ".join(sorted(problems))}
                ],
                **{f"settings.{key}": reasons for key, reasons in problems.items()},
            }
        )
    return settings


def _order(models_: list) -> list:
    """Dependency order over non-nullable foreign keys; generic-reference models last."""
    present = set(models_)
    done: list = []
    visiting: set = set()

    def visit(model):
        if model in done or model in visiting:
            return
        visiting.add(model)
        for f in model._meta.concrete_fields:
            target = getattr(f.remote_field, "model", None) if f.is_relation else None
            if target in present and target is not model and not f.null:
                visit(target)
        visiting.discard(model)
        done.append(model)

    plain = [m for m in models_ if not _generic(m)]
    for model in plain:
        visit(model)
    return done + [m for m in models_ if _generic(m)]


def restore_backup(upload, *, tenant: Tenant, actor) -> dict:
    """Restore a backup zip into ``tenant``, which must be empty (fresh from sign-up)."""
    try:
        archive = zipfile.ZipFile(upload)
        manifest = json.loads(archive.read("manifest.json"))
    except (zipfile.BadZipFile, KeyError, ValueError):
        raise Invalid(fields={"file": [_("This is not a backup file.")]}) from None
    if not isinstance(manifest, dict):
        raise Invalid(fields={"file": [_("This is not a backup file.")]})
    if manifest.get("format") != FORMAT_VERSION:
        raise Invalid(fields={"file": [_("This backup's format is not supported.")]})
    if not _is_empty(tenant, actor):
        raise Invalid(
            fields={
                "file": [
                    _(
                        "This company already has data: restore a backup only into a new, "
                        "empty company."
                    )
                ]
            }
        )
    by_label = {m._meta.label_lower: m for m in backup_models()}
    entries = manifest.get("models")
    if not isinstance(entries, list) or not all(
        isinstance(e, dict) and isinstance(e.get("label"), str) for e in entries
    ):
        raise Invalid(fields={"file": [_("This backup's manifest is damaged.")]})
    wanted = [by_label[e["label"]] for e in entries if e["label"] in by_label]
    names = set(archive.namelist())
    missing = [m._meta.label_lower for m in wanted if f"{m._meta.label_lower}.json" not in names]
    if missing:
        raise Invalid(
            fields={
                "file": [
                    _("The backup is incomplete: %(files)s is missing.")
                    % {"files": ", ".join(f"{label}.json" for label in missing)}
                ]
            }
        )
    settings = _settings(manifest)
    cts = {f"{ct.app_label}.{ct.model}": ct for ct in ContentType.objects.all()}
    ids: dict[type, dict[int, int]] = defaultdict(dict)
    ids[Tenant] = {}
    summary: dict[str, int] = {}
    renamed: dict[str, str] = {}
    deferred: list[tuple[type, int, str, type, int]] = []  # (model, new pk, attname, target, old)
    m2m_rows: list[tuple[type, int, str, list[int]]] = []
    restored_models = set()
    with transaction.atomic():
        seeded = signup_models()
        for model in _order(wanted):
            rows = _rows(archive, model)
            summary[model._meta.label_lower] = len(rows)
            if model in seeded and rows:
                # What an app seeded at sign-up (approval bands) gives way to the backup's rows.
                model._base_manager.filter(tenant=tenant).delete()
            _restore_model(
                archive,
                model,
                rows,
                tenant,
                actor,
                ids,
                cts,
                restored_models,
                deferred,
                m2m_rows,
                renamed,
            )
            restored_models.add(model)
        _second_pass(deferred, ids)
        for model, new_pk, name, old_ids in m2m_rows:
            field = model._meta.get_field(name)
            target = field.remote_field.model
            getattr(model._base_manager.get(pk=new_pk), name).set(
                [ids[target][i] for i in old_ids if i in ids[target]]
            )
        tenant.settings = {**tenant.settings, **settings}
        update_fields = ["settings"]
        if Role in restored_models:
            tenant.permissions_offered = _offered_after_restore(manifest, tenant)
            update_fields.append("permissions_offered")
        tenant.save(update_fields=update_fields)
        audit.record(
            tenant=tenant,
            actor=actor,
            action="restore",
            obj=tenant,
            changes={"from": manifest.get("tenant"), "rows": summary},
        )
    if Role in restored_models:
        # The backup's roles hold the code lists of the release that wrote it: the
        # codes registered since reach its preset roles, as in any older company.
        core_services.sync_permissions(Tenant.objects.filter(pk=tenant.pk))
    return {"rows": summary, "renamed_users": renamed}


def _offered_after_restore(manifest: dict, tenant: Tenant) -> list[str]:
    """The codes the backed-up company had been offered (the manifest's list; a backup
    older than that list: the codes any of its restored roles holds)."""
    offered = manifest.get("permissions_offered")
    if isinstance(offered, list) and all(isinstance(c, str) for c in offered):
        return sorted(set(offered))
    held = Role._base_manager.filter(tenant=tenant).values_list("permissions", flat=True)
    return sorted({code for codes in held for code in codes or ()})


class BadCell(Exception):
    """A cell of a backup file that cannot be restored (the whole restore is refused)."""


def _refuse(model, number: int, column: str, problem) -> Invalid:
    return Invalid(
        fields={
            "file": [
                _("%(file)s, row %(row)d, column “%(column)s”: %(problem)s")
                % {
                    "file": f"{model._meta.label_lower}.json",
                    "row": number,
                    "column": column,
                    "problem": problem,
                }
            ]
        }
    )


def _rows(archive, model) -> list[dict]:
    """The rows of one model's file: a JSON list of objects, each with its ``pk``."""
    name = f"{model._meta.label_lower}.json"
    try:
        rows = json.loads(archive.read(name))
    except (ValueError, RecursionError):
        raise Invalid(
            fields={"file": [_("%(file)s is not valid JSON.") % {"file": name}]}
        ) from None
    if not isinstance(rows, list):
        raise Invalid(fields={"file": [_("%(file)s is not a list of rows.") % {"file": name}]})
    for number, row in enumerate(rows, start=1):
        if not isinstance(row, dict):
            raise _refuse(model, number, "pk", _("the row is not an object."))
        if isinstance(row.get("pk"), bool) or not isinstance(row.get("pk"), int):
            raise _refuse(model, number, "pk", _("a whole number is required."))
    return rows


def _convert(field: models.Field, value):
    """The column's value from its JSON form; BadCell names what is wrong with it."""
    if value is None:
        if not field.null:
            raise BadCell(_("a value is required."))
        return None
    if isinstance(field, models.JSONField):
        return value
    if isinstance(value, dict | list):
        raise BadCell(_("a single value is required, not a list or an object."))
    try:
        if isinstance(field, models.BinaryField):
            return base64.b64decode(value, validate=True)
        if isinstance(field, models.CharField | models.TextField) and not isinstance(value, str):
            raise BadCell(_("text is required."))
        converted = field.to_python(value)
        field.run_validators(converted)  # lengths, digits of a decimal
    except ValidationError as exc:
        raise BadCell(" ".join(exc.messages)) from None
    except (TypeError, ValueError, decimal.InvalidOperation, binascii.Error):
        raise BadCell(_("the value has the wrong type.")) from None
    return converted


def _restored_file(archive, field, name: str) -> str:
    """The file's copy in this company's storage (a new name), from the backup's copy."""
    if not name or f"files/{name}" not in archive.NameToInfo:
        return name
    from django.core.files import File

    with archive.open(f"files/{name}") as content:
        return field.storage.save(name, File(content, name=name.rsplit("/", 1)[-1]))


def _restore_model(
    archive, model, rows, tenant, actor, ids, cts, restored, deferred, m2m_rows, renamed
):
    fields = _fields(model)
    m2m = _m2m(model)
    stamps = [
        f.attname
        for f in fields
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
    ]
    matchers = _unique_matchers(model)
    existing_by_key = {}
    for key_fields in matchers:
        for obj in model._base_manager.filter(tenant=tenant):
            existing_by_key[(key_fields, tuple(getattr(obj, a) for a in key_fields))] = obj
    new_objs: list[tuple[int, models.Model, list]] = []
    updates: list[models.Model] = []
    for number, row in enumerate(rows, start=1):
        values = {}
        later = []
        skip = False
        for f in fields:
            if f.attname not in row and f.has_default():
                continue  # a column newer than the backup: the model's default
            if f.unique and not f.is_relation and f.has_default():
                continue  # a key unique across companies (a form's public key): a new one
            raw = row.get(f.attname)
            if f.attname == "content_type_id":
                ct = cts.get(raw)
                if ct is None and not (raw is None and f.null):
                    skip = True
                    break
                values["content_type_id"] = ct.pk if ct else None
                continue
            if f.is_relation and (f.many_to_one or f.one_to_one):
                target = f.remote_field.model
                if raw is not None and (isinstance(raw, bool) or not isinstance(raw, int)):
                    raise _refuse(model, number, f.attname, _("the value has the wrong type."))
                if raw is None and not f.null:
                    raise _refuse(model, number, f.attname, _("a value is required."))
                if raw is None:
                    values[f.attname] = None
                elif target is Tenant:
                    values[f.attname] = tenant.pk
                elif target is ContentType:
                    values[f.attname] = raw
                elif target in restored and raw in ids[target]:
                    values[f.attname] = ids[target][raw]
                elif target in restored or target is model or f.null:
                    values[f.attname] = None
                    later.append((f.attname, target, raw))
                else:
                    skip = True  # points at a row outside the backup
                    break
                continue
            if isinstance(f, models.FileField) and isinstance(raw, str):
                values[f.attname] = _restored_file(archive, f, raw)
                continue
            try:
                values[f.attname] = _convert(f, raw)
            except BadCell as exc:
                raise _refuse(model, number, f.attname, exc.args[0]) from None
        for f in m2m:
            listed = row.get(f.name)
            if listed is not None and not (
                isinstance(listed, list)
                and all(isinstance(i, int) and not isinstance(i, bool) for i in listed)
            ):
                raise _refuse(model, number, f.name, _("a list of ids is required."))
        if skip:
            continue
        if _generic(model) and values.get("content_type_id"):
            target_model = ContentType.objects.get_for_id(values["content_type_id"]).model_class()
            old = row.get("object_id")
            if target_model is Tenant:
                values["object_id"] = tenant.pk
            elif target_model in ids and old in ids[target_model]:
                values["object_id"] = ids[target_model][old]
            else:
                continue  # its record is not part of the backup
        match = None
        if model is User:
            match = User.objects.filter(tenant=tenant, username=values["username"]).first()
            if match is None and User.objects.filter(username=values["username"]).exists():
                new_name = f"{values['username']}@{tenant.pk}"[:150]
                renamed[values["username"]] = new_name
                values["username"] = new_name
        else:
            for key_fields in matchers:
                key = (key_fields, tuple(values.get(a) for a in key_fields))
                if key in existing_by_key:
                    match = existing_by_key[key]
                    break
        if match is not None:
            if model is not User:
                for attname, value in values.items():
                    setattr(match, attname, value)
                updates.append(match)
            ids[model][row["pk"]] = match.pk
            _remember(model, match.pk, later, deferred, row, m2m, m2m_rows)
            continue
        if model is User:
            obj = User(tenant=tenant, **values)
            obj.set_unusable_password()
            obj.is_staff = obj.is_superuser = False
        else:
            obj = model(tenant=tenant, **values)
        new_objs.append((row["pk"], obj, later, row))
    if updates:
        names = [f.attname for f in fields if not f.primary_key]
        model._base_manager.bulk_update(updates, names, batch_size=500)
    if new_objs:
        wanted_stamps = [[getattr(o, a) for a in stamps] for _pk, o, _l, _r in new_objs]
        model._base_manager.bulk_create([o for _pk, o, _l, _r in new_objs], batch_size=500)
        for (old_pk, obj, later, row), stamp_values in zip(new_objs, wanted_stamps, strict=True):
            ids[model][old_pk] = obj.pk
            for attname, value in zip(stamps, stamp_values, strict=True):
                setattr(obj, attname, value)
            _remember(model, obj.pk, later, deferred, row, m2m, m2m_rows)
        if stamps:
            model._base_manager.bulk_update(
                [o for _pk, o, _l, _r in new_objs], stamps, batch_size=500
            )


def _remember(model, new_pk, later, deferred, row, m2m, m2m_rows):
    for attname, target, old in later:
        deferred.append((model, new_pk, attname, target, old))
    for f in m2m:
        if row.get(f.name):
            m2m_rows.append((model, new_pk, f.name, row[f.name]))


def _second_pass(deferred, ids):
    updates: dict[tuple[type, str], list[tuple[int, int]]] = defaultdict(list)
    for model, new_pk, attname, target, old in deferred:
        mapped = ids[target].get(old)
        if mapped is not None:
            updates[(model, attname)].append((new_pk, mapped))
    for (model, attname), pairs in updates.items():
        for new_pk, mapped in pairs:
            model._base_manager.filter(pk=new_pk).update(**{attname: mapped})


def _unique_matchers(model) -> list[tuple[str, ...]]:
    """Per-tenant unique field sets (unconditional constraints) to match sign-up rows by."""
    out = []
    for constraint in model._meta.constraints:
        if (
            isinstance(constraint, models.UniqueConstraint)
            and constraint.condition is None
            and constraint.fields
            and "tenant" in constraint.fields
        ):
            names = [model._meta.get_field(n).attname for n in constraint.fields if n != "tenant"]
            if names:
                out.append(tuple(names))
    return out


def backup_bytes(tenant) -> bytes:
    buffer = io.BytesIO()
    write_backup(tenant, buffer)
    return buffer.getvalue()
