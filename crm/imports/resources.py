"""Import/export resources: one class per model, shared by the API importer,
the list exports and the Django admin (they are django-import-export
``ModelResource`` classes).

A resource declares:

* ``columns``: each with its canonical name, translated label (the export
  header, accepted on import in every language) and the usual aliases
  (Chinese and English headers from old systems), a cleaner, and an export
  getter;
* ``natural_keys``: the upsert keys (model attnames), tried in order: the first
  key a row has values for and that finds a record decides the match;
* ``frozen_q``: rows an import must never change (a confirmed document). The
  default comes from the model: ``frozen_states`` (and ``frozen_parent``) of
  ``crm.sales.freeze.Freezable``, so contracts, payments and their lines are
  protected as soon as their resource exists;
* hooks: ``finish`` (cross-column rules), ``prepare_chunk`` (resolve references
  in bulk), ``insert_defaults``, ``on_update`` and ``after_write`` (e.g. lead
  reminders, through ``workflows.reminders.schedule_many``).

Each app keeps its resources in its own package and registers them from its
``AppConfig.ready`` with ``register(...)``: see ``crm.customers.resources``
(customers, contacts, leads) and ``crm.sales.resources`` (products,
opportunities, contracts, contract installments; it also explains which
states an import may set). Bulk side effects go through the owning app's bulk
services (``workflows.reminders.schedule_many``, the sales sequences), never a
copy of their rules.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from import_export import resources

from crm.core.models import DictionaryItem, User
from crm.core.scoping import visible_owner_q
from crm.core.validators import TEXT_MAX_LENGTH, halfwidth
from crm.imports import cleaners
from crm.imports.pinyin import search_key

# --- the per-import context: tenant, actor, dictionary and user look-ups ------


class ImportContext:
    """What cleaners need to resolve values within one tenant (cached per import)."""

    def __init__(
        self, tenant, actor, *, add_missing_dictionary: bool = False, dry_run: bool = False
    ):
        self.tenant = tenant
        self.actor = actor
        self.add_missing_dictionary = add_missing_dictionary
        self.dry_run = dry_run
        self.now = timezone.now()
        self._dictionary: dict[str, tuple[dict[str, int], dict[str, int]]] = {}
        self._users: tuple[dict[str, int], dict[str, list[int]]] | None = None
        self.added_dictionary: list[dict[str, str]] = []
        self._placeholder = 0
        # Column name -> {raw cell: (ok, value or message)}, None once too varied.
        self.cell_memos: dict[str, dict | None] = {}
        self._editable: dict[tuple[str, bool], Q | None] = {}

    def editable_q(self, owner_field: str | None, include_unowned: bool = False) -> Q | None:
        """The rows the importing user may edit: the API's data scope (``crm.core.scoping``).

        None means every row of the tenant: a model without an owner, a user
        whose scope is "all", or an operator importing in the Django admin (no
        tenant of their own). An import matches and updates only these rows,
        and resolves references (a row's customer, contract...) only among them.
        """
        if owner_field is None:
            return None
        key = (owner_field, include_unowned)
        if key not in self._editable:
            actor = self.actor
            if actor is not None and actor.tenant_id is None and actor.is_superuser:
                q = None
            elif actor is None or actor.tenant_id != self.tenant.pk:
                q = Q(pk__in=[])  # nobody of this company: nothing is theirs
            else:
                q = visible_owner_q(actor, owner_field)
                if q is not None and include_unowned:
                    q |= Q(**{f"{owner_field}__isnull": True})
            self._editable[key] = q
        return self._editable[key]

    def editable(self, queryset, owner_field: str | None, include_unowned: bool = False):
        """``queryset`` restricted to the rows the importing user may edit."""
        q = self.editable_q(owner_field, include_unowned)
        return queryset if q is None else queryset.filter(q)

    def default_owner(self) -> int | None:
        """The importing user owns new rows (like the services), if they belong to the tenant."""
        actor = self.actor
        if actor is not None and actor.tenant_id == self.tenant.pk:
            return actor.pk
        return None

    def preload(self) -> None:
        """Load every look-up now (two queries): cleaning then never queries the database,
        so it may run on another thread (``importer.Ahead``)."""
        loaded: dict[str, tuple[dict[str, int], dict[str, int]]] = {
            kind: ({}, {}) for kind in DictionaryItem.Kind.values
        }
        rows = DictionaryItem.objects.filter(tenant=self.tenant, active=True).order_by("pk")
        for kind, pk, code, label in rows.values_list("kind", "pk", "code", "label"):
            by_label, by_code = loaded.setdefault(kind, ({}, {}))
            by_label.setdefault(_norm(label), pk)
            by_code.setdefault(_norm(code), pk)
        for kind, maps in loaded.items():
            self._dictionary.setdefault(kind, maps)
        self._user_maps()

    # dictionary items (industry, level, source...) by label or code
    def _items(self, kind: str):
        if kind not in self._dictionary:
            by_label: dict[str, int] = {}
            by_code: dict[str, int] = {}
            rows = DictionaryItem.objects.filter(tenant=self.tenant, kind=kind, active=True)
            for pk, code, label in rows.order_by("pk").values_list("pk", "code", "label"):
                by_label.setdefault(_norm(label), pk)
                by_code.setdefault(_norm(code), pk)
            self._dictionary[kind] = (by_label, by_code)
        return self._dictionary[kind]

    def dictionary(self, kind: str, raw) -> int:
        value = cleaners.text(raw)
        by_label, by_code = self._items(kind)
        key = _norm(value)
        found = by_label.get(key) or by_code.get(key)
        if found:
            return found
        if not self.add_missing_dictionary:
            raise ValidationError(
                _("“%(value)s” is not in the %(kind)s list; add it or correct the value."),
                code="dictionary_unknown",
                params={"value": value, "kind": DictionaryItem.Kind(kind).label},
            )
        pk = self._add_item(kind, value)
        by_label[key] = pk
        return pk

    def _add_item(self, kind: str, label: str) -> int:
        from crm.core import services

        label = label[:100]
        self.added_dictionary.append({"kind": kind, "label": label})
        if self.dry_run:
            self._placeholder -= 1
            return self._placeholder  # a preview never writes
        _by_label, _by_code = self._items(kind)
        code = label[:50]
        n = 1
        existing = set(
            DictionaryItem.objects.filter(tenant=self.tenant, kind=kind).values_list(
                "code", flat=True
            )
        )
        while code in existing:
            n += 1
            code = f"{label[:45]}-{n}"
        item = services.dictionary_create(
            tenant=self.tenant, actor=self.actor, kind=kind, code=code, label=label
        )
        return item.pk

    # owners: a username or a full name of an active user of the tenant
    def _user_maps(self) -> tuple[dict[str, int], dict[str, list[int]]]:
        if self._users is None:
            by_username: dict[str, int] = {}
            by_name: dict[str, list[int]] = {}
            rows = User.objects.filter(tenant=self.tenant, is_active=True, is_system=False)
            for pk, username, full_name in rows.values_list("pk", "username", "full_name"):
                by_username[username.lower()] = pk
                if full_name:
                    by_name.setdefault(_norm(full_name), []).append(pk)
            self._users = (by_username, by_name)
        return self._users

    def user(self, raw) -> int:
        by_username, by_name = self._user_maps()
        value = cleaners.text(raw)
        if value.lower() in by_username:
            return by_username[value.lower()]
        found = by_name.get(_norm(value), [])
        if len(found) == 1:
            return found[0]
        if len(found) > 1:
            raise ValidationError(
                _("Several users are called “%(value)s”: use the username."),
                code="user_ambiguous",
                params={"value": value},
            )
        raise ValidationError(
            _("No active user “%(value)s” (give a username or a full name)."),
            code="user_unknown",
            params={"value": value},
        )


def _norm(value: str) -> str:
    return halfwidth(value or "").strip().lower().replace(" ", "")


# --- columns ----------------------------------------------------------------------

#: Distinct values of one column cleaned once per import, up to this many.
CELL_MEMO_SIZE = 2000
_NO_MEMO_YET = object()

Cleaner = Callable[[ImportContext, Any], Any]


@dataclass(frozen=True)
class Column:
    """One column of a resource.

    ``attr`` is the model attname the value goes to; None for a virtual column
    the resource combines in ``finish`` (province + city -> region...).
    ``importable=False`` marks an export-only column: recognised on re-import
    and ignored. ``export`` reads the column's value from a record; by default
    the ``attr`` attribute itself (a virtual column without one is not exported).
    """

    name: str
    label: str | Promise
    aliases: tuple[str, ...] = ()
    attr: str | None = None
    clean: Cleaner | None = None
    required: bool = False
    export: Callable[[Any], Any] | None = None
    importable: bool = True
    create_only: bool = False  # set on new rows, never compared or updated

    def __post_init__(self):
        if self.export is None and self.attr is not None:
            object.__setattr__(self, "export", value_of(self.attr))


def plain(cleaner: Callable[[Any], Any]) -> Cleaner:
    return lambda ctx, raw: cleaner(raw)


def dictionary(kind: str) -> Cleaner:
    return lambda ctx, raw: ctx.dictionary(kind, raw)


def owner(ctx: ImportContext, raw) -> int:
    return ctx.user(raw)


def choice(choices: type[models.TextChoices]) -> Cleaner:
    def clean(ctx, raw):
        value = _norm(cleaners.text(raw))
        for member in choices:
            if value in (_norm(member.value), _norm(str(member.label))):
                return member.value
            with translation.override("en"):
                en = _norm(str(member.label))
            with translation.override("zh-hans"):
                zh = _norm(str(member.label))
            if value in (en, zh):
                return member.value
        raise ValidationError(
            _("“%(value)s” is not one of: %(choices)s."),
            code="choice_invalid",
            params={"value": raw, "choices": ", ".join(str(m.label) for m in choices)},
        )

    return clean


_MIDNIGHTS: dict[dt.date, dt.datetime] = {}


def aware_date(ctx: ImportContext, raw) -> dt.datetime:
    """A date column stored in a DateTimeField: local midnight of that day."""
    day = cleaners.date(raw)
    found = _MIDNIGHTS.get(day)
    if found is None:
        found = timezone.make_aware(dt.datetime.combine(day, dt.time()))
        if len(_MIDNIGHTS) > 50_000:
            _MIDNIGHTS.clear()
        _MIDNIGHTS[day] = found
    return found


def label_of(attr: str):
    def get(obj):
        related = getattr(obj, attr)
        return related.label if related is not None else ""

    return get


def display_of(attr: str):
    def get(obj):
        related = getattr(obj, attr)
        return related.display_name if related is not None else ""

    return get


def value_of(attr: str):
    return lambda obj: getattr(obj, attr)


def local_date(attr: str):
    def get(obj):
        value = getattr(obj, attr)
        if isinstance(value, dt.datetime):
            return timezone.localtime(value).date()
        return value

    return get


# --- the resource base ------------------------------------------------------------


class CrmResource(resources.ModelResource):
    """A model's import/export definition (see the module docstring)."""

    name: str = ""
    permission_module: str = ""
    columns: list[Column] = []
    natural_keys: list[tuple[str, ...]] = []
    frozen_q: Q | None = None
    # Model attnames feeding ``search_key`` (None: the model has no search key).
    search_names: tuple[str, ...] | None = None
    search_phones: tuple[str, ...] = ()
    # The data scope of the rows an import may match and update, as in the API's
    # viewset: the owner's lookup (None: no owner, every row) and whether rows
    # without an owner (the public pool) count as everyone's.
    owner_field: str | None = None
    include_unowned: bool = False
    # Whether cleaning a row (cleaners and ``finish``) only uses the context's
    # preloaded look-ups, never the database: it may then run on a second thread.
    clean_off_thread: bool = False

    # -- class-level description ------------------------------------------------
    @classmethod
    def model(cls) -> type[models.Model]:
        return cls._meta.model

    @classmethod
    def frozen(cls) -> Q | None:
        """Rows an import must not change; defaults to the model's frozen states."""
        if cls.frozen_q is not None:
            return cls.frozen_q
        model = cls.model()
        states = getattr(model, "frozen_states", ())
        parent = getattr(model, "frozen_parent", None)
        if parent:
            parent_model = model._meta.get_field(parent).related_model
            return Q(**{f"{parent}__status__in": getattr(parent_model, "frozen_states", ())})
        if states:
            return Q(status__in=states)
        return None

    @classmethod
    def header_map(cls) -> dict[str, str]:
        """Normalised header -> column name: names, labels in every language, aliases."""
        out: dict[str, str] = {}
        for col in cls.columns:
            names = [col.name, *col.aliases]
            for language in ("zh-hans", "en"):
                with translation.override(language):
                    names.append(str(col.label))
            for name in names:
                out.setdefault(_norm(name), col.name)
        return out

    @classmethod
    def column(cls, name: str) -> Column:
        return next(c for c in cls.columns if c.name == name)

    @classmethod
    def compare_attrs(cls) -> list[str]:
        """Attnames an import sets and compares (the update columns)."""
        seen: list[str] = []
        for col in cls.columns:
            if col.attr and col.importable and not col.create_only and col.attr not in seen:
                seen.append(col.attr)
        for extra in cls.extra_attrs():
            if extra not in seen:
                seen.append(extra)
        return seen

    @classmethod
    def extra_attrs(cls) -> tuple[str, ...]:
        """Attnames ``finish`` may set besides the columns' own."""
        return ()

    @classmethod
    def describe(cls) -> dict:
        return {
            "name": cls.name,
            "label": str(cls.model()._meta.verbose_name_plural),
            "columns": [
                {
                    "name": c.name,
                    "label": str(c.label),
                    "aliases": list(c.aliases),
                    "required": c.required,
                    "importable": c.importable,
                }
                for c in cls.columns
            ],
            "natural_keys": [list(k) for k in cls.natural_keys],
        }

    # -- cleaning ------------------------------------------------------------------
    @classmethod
    def clean_cells(
        cls, ctx: ImportContext, cells: Iterable[tuple[Column, Any]]
    ) -> tuple[dict, dict, list[tuple[str, Any, str]]]:
        """(values by attname, virtual values by column name, errors (column, value, message))."""
        values: dict[str, Any] = {}
        virtual: dict[str, Any] = {}
        errors: list[tuple[str, Any, str]] = []
        memos = ctx.cell_memos
        for col, raw in cells:
            if raw is None or raw == "":
                if col.required:
                    errors.append((col.name, "", _("This column needs a value.")))
                continue
            # Columns repeat their values (industry, owner, city, dates...): each
            # distinct value is cleaned once per import, while the column's memo
            # stays small; a column of mostly distinct values stops being memoised.
            # Text cells only: 1, 1.0 and True are equal keys but clean differently.
            memo = memos.get(col.name, _NO_MEMO_YET) if type(raw) is str else None
            if memo is _NO_MEMO_YET:
                memo = memos[col.name] = {}
            outcome = memo.get(raw) if memo is not None else None
            if outcome is None:
                outcome = cls._clean_cell(ctx, col, raw)
                if memo is not None:
                    if len(memo) < CELL_MEMO_SIZE:
                        memo[raw] = outcome
                    else:
                        memos[col.name] = None
            ok, value = outcome
            if not ok:
                errors.append((col.name, raw, value))
            elif col.attr:
                values[col.attr] = value
            else:
                virtual[col.name] = value
        cls.finish(ctx, values, virtual, errors)
        return values, virtual, errors

    @classmethod
    def _clean_cell(cls, ctx: ImportContext, col: Column, raw) -> tuple[bool, Any]:
        """(True, the value) or (False, the translated message)."""
        try:
            value = col.clean(ctx, raw) if col.clean else cleaners.text(raw)
            if isinstance(value, str) and col.attr:
                limit = cls._max_length(col.attr)
                if limit:
                    cleaners.max_length(value, limit)
        except ValidationError as exc:
            return False, cleaners.render_error(exc)
        return True, value

    @classmethod
    def _max_length(cls, attr: str) -> int | None:
        cache = cls.__dict__.get("_limits")
        if cache is None:
            cache = {}
            for f in cls.model()._meta.concrete_fields:
                # Free text has the API's limit too (a 4.9 MB remark was accepted).
                text = isinstance(f, models.TextField)
                cache[f.attname] = getattr(f, "max_length", None) or (
                    TEXT_MAX_LENGTH if text else None
                )
            cls._limits = cache
        return cache.get(attr)

    @classmethod
    def finish(cls, ctx: ImportContext, values: dict, virtual: dict, errors: list) -> None:
        """Cross-column rules; append (column, value, message) to ``errors``."""

    @classmethod
    def prepare_chunk(cls, ctx: ImportContext, rows: list) -> None:
        """Resolve references for a chunk of rows at once (rows: ``PlannedRow``)."""

    # -- keys ----------------------------------------------------------------------
    @classmethod
    def identity(cls, values: dict) -> tuple[int, tuple] | None:
        for index, key in enumerate(cls.natural_keys):
            parts = tuple(values.get(a) for a in key)
            if all(p not in (None, "") for p in parts):
                return index, parts
        return None

    # -- writing -------------------------------------------------------------------
    @classmethod
    def compute_search_key(cls, values: dict) -> str:
        names = [values.get(a) or "" for a in cls.search_names or ()]
        phones = tuple(values.get(a) or "" for a in cls.search_phones)
        return search_key(*names, phones=phones)

    @classmethod
    def insert_defaults(cls, ctx: ImportContext) -> dict[str, Any]:
        """Values of a new row's fields that no column sets (model defaults, audit fields)."""
        out: dict[str, Any] = {}
        for f in cls.model()._meta.concrete_fields:
            if f.primary_key:
                continue
            if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
                out[f.attname] = ctx.now
            elif f.has_default():
                out[f.attname] = f.get_default()
            elif f.null:
                out[f.attname] = None
            elif isinstance(f, models.CharField | models.TextField):
                out[f.attname] = ""
        out["tenant_id"] = ctx.tenant.pk
        if "created_by_id" in out:
            out["created_by_id"] = ctx.actor.pk if ctx.actor else None
        return out

    @classmethod
    def on_create(cls, ctx: ImportContext, values: dict) -> None:
        """Adjust a new row's full values (e.g. the default owner)."""

    @classmethod
    def on_update(cls, ctx: ImportContext, existing: dict, changes: dict) -> None:
        """Add derived changes to an update (e.g. ``owned_since`` when the owner moves)."""

    @classmethod
    def after_write(cls, ctx: ImportContext, created: list, updated: list) -> None:
        """After a chunk's rows are written: created [(id, values)], updated [(id, changes)]."""

    # -- export --------------------------------------------------------------------
    @classmethod
    def export_columns(cls) -> list[Column]:
        return [c for c in cls.columns if c.export is not None]

    @classmethod
    def export_header(cls) -> list[str]:
        return [str(c.label) for c in cls.export_columns()]

    @classmethod
    def export_row(cls, obj) -> list:
        return [_cell(c.export(obj)) for c in cls.export_columns()]

    # -- django-import-export (the Django admin's import/export) ----------------------
    def __init__(self, tenant=None, actor=None, **kwargs):
        super().__init__(**kwargs)
        self.tenant = tenant
        self.actor = actor
        self.ctx = ImportContext(tenant, actor) if tenant is not None else None
        self._renamed: dict[str, str] = {}
        self._import_created = False
        self._import_changes: dict | None = None
        self._import_values: dict = {}

    def before_import(self, dataset, **kwargs):
        if self.ctx is None:
            raise ValidationError(_("Choose the company to import into."))
        header_map = self.header_map()
        dataset.headers = [
            header_map.get(_norm(str(h or "")), str(h or "")) for h in dataset.headers
        ]

    def _clean_admin_row(self, row):
        from crm.imports.importer import PlannedRow

        values, virtual, errors = self.clean_cells(self.ctx, self._cells(row))
        planned = PlannedRow(number=0, cells=[], values=values, virtual=virtual, errors=errors)
        if not errors:
            self.prepare_chunk(self.ctx, [planned])
        return planned.values, planned.virtual, planned.errors

    def get_instance(self, instance_loader, row):
        values, _virtual, _errors = self._clean_admin_row(row)
        manager = self.model()._base_manager.filter(tenant=self.tenant)
        for key in self.natural_keys:
            parts = {a: values.get(a) for a in key}
            if any(v in (None, "") for v in parts.values()):
                continue
            found = list(manager.filter(**parts)[:2])
            if len(found) == 1:
                return found[0]
        return None

    def _cells(self, row) -> list[tuple[Column, Any]]:
        return [
            (col, row.get(col.name))
            for col in self.columns
            if col.importable and col.name in row and col.clean is not False
        ]

    def import_instance(self, instance, row, **kwargs):
        self._import_created, self._import_changes, self._import_values = False, None, {}
        values, _virtual, errors = self._clean_admin_row(row)
        if errors:
            raise ValidationError({name: [message] for name, _raw, message in errors})
        self._import_created = instance.pk is None
        if instance.pk is None:
            self.on_create(self.ctx, values)
            self._import_changes = {}
        else:
            create_only = {c.attr for c in self.columns if c.create_only}
            values = {a: v for a, v in values.items() if a not in create_only}
            existing = {a: getattr(instance, a, None) for a in self.compare_attrs()}
            existing["id"] = instance.pk
            changes = {a: v for a, v in values.items() if existing.get(a) != v}
            if changes:
                self.on_update(self.ctx, existing, changes)
                values = {**values, **changes}
            self._import_changes = changes
        self._import_values = values
        for attr, value in values.items():
            setattr(instance, attr, value)

    def skip_row(self, instance, original, row, import_validation_errors=None):
        """An existing record the row would not change is skipped (never saved)."""
        if import_validation_errors:
            return False
        return instance.pk is not None and not self._import_changes

    def before_save_instance(self, instance, row, **kwargs):
        from crm.core.errors import Frozen

        instance.tenant_id = self.tenant.pk
        if instance.pk is not None:
            frozen = self.frozen()
            manager = self.model()._base_manager.filter(pk=instance.pk)
            if frozen is not None and manager.filter(frozen).exists():
                raise ValidationError(str(Frozen.default_detail))
            if hasattr(instance, "version"):
                instance.version = (instance.version or 0) + 1
        elif hasattr(instance, "created_by_id") and self.actor is not None:
            instance.created_by_id = self.actor.pk
        if self.search_names is not None:
            values = {a: getattr(instance, a) for a in (*self.search_names, *self.search_phones)}
            instance.search_key = self.compute_search_key(values)

    def after_save_instance(self, instance, row, **kwargs):
        from crm.core import audit

        if kwargs.get("dry_run"):
            return
        values = self._import_values if self._import_created else self._import_changes
        audit.record(
            tenant=self.tenant,
            actor=self.actor,
            action="import",
            obj=instance,
            changes={a: audit.json_value(v) for a, v in (values or {}).items()},
        )
        # The same bulk hooks as the API importer (reminders of new leads and
        # opportunities, moved owners...), for this one row.
        if self._import_created:
            self.after_write(self.ctx, [(instance.pk, values)], [])
        elif self._import_changes:
            self.after_write(self.ctx, [], [(instance.pk, self._import_changes)])

    def export_field(self, field, instance, **kwargs):
        col = next((c for c in self.columns if c.name == field.column_name), None)
        if col is not None and col.export is not None:
            return _cell(col.export(instance))
        return super().export_field(field, instance, **kwargs)

    def get_export_headers(self, selected_fields=None):
        return self.export_header()

    def get_export_fields(self, selected_fields=None):
        from import_export.fields import Field

        return [Field(attribute=None, column_name=c.name) for c in self.export_columns()]


def _cell(value):
    if isinstance(value, dt.datetime):
        return timezone.localtime(value).replace(tzinfo=None) if timezone.is_aware(value) else value
    if value is None:
        return ""
    return value


# --- the registry -----------------------------------------------------------------

_RESOURCES: dict[str, type[CrmResource]] = {}


def register(resource: type[CrmResource]) -> type[CrmResource]:
    _RESOURCES[resource.name] = resource
    return resource


def get(name: str) -> type[CrmResource] | None:
    return _RESOURCES.get(name)


def all_resources() -> list[type[CrmResource]]:
    return list(_RESOURCES.values())


def for_model(model: type[models.Model]) -> type[CrmResource] | None:
    concrete = model._meta.concrete_model
    return next((r for r in _RESOURCES.values() if r.model() is concrete), None)


# Common headers, shared by several resources.
NAME_ALIASES = ("名称",)
MOBILE_ALIASES = ("手机", "手机号", "手机号码", "移动电话", "mobile phone", "cell", "cellphone")
EMAIL_ALIASES = ("邮箱", "电子邮件", "电子邮箱", "e-mail", "mail")
OWNER_ALIASES = ("负责人", "客户经理", "销售", "所属人", "owner name")
SOURCE_ALIASES = ("来源", "客户来源", "线索来源", "渠道")


def owner_column() -> Column:
    """负责人: a user of the company by username or full name."""
    return Column(
        "owner",
        _lazy("owner"),
        OWNER_ALIASES,
        attr="owner_id",
        clean=owner,
        export=display_of("owner"),
    )


def source_column(label) -> Column:
    """来源: the ``source`` dictionary item by label or code."""
    return Column(
        "source",
        label,
        SOURCE_ALIASES,
        attr="source_id",
        clean=dictionary("source"),
        export=label_of("source"),
    )
