"""``GET /<collection>/export/?file_format=xlsx|csv``: a list's filtered rows as a file.

Add ``ExportMixin`` to a ``TenantViewSet``: the export runs the viewset's own
``filter_queryset(get_queryset())``, so the tenant, the user's data scope, the
list's filters, search and ordering all apply. Columns come from the model's
import resource when it has one (so an export re-imports cleanly), else from
the list serializer. CSV streams row by row (UTF-8 with a BOM for Excel);
xlsx is written to a temporary file and streamed from there. Text that starts
like a formula is neutralised.

Core owns the HTTP side only: the columns of a resource and the file writers
belong to the import/export engine, which registers them as the
``Exporter`` (``crm.core.registries``); without one, exports answer 404.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from zoneinfo import ZoneInfo

from django.core.exceptions import FieldDoesNotExist
from django.db.models import Exists, OuterRef
from django.http import FileResponse, StreamingHttpResponse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django_scopes import scope
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers as drf
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.fields import ChoiceField, flatten_choices_dict

from crm.core.errors import Invalid, PermissionRefused
from crm.core.registries import exporter
from crm.db_router import replica_db

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CHUNK = 2000


# The optimistic-lock counter (``If-Match``): means nothing in a spreadsheet.
LOCK_SOURCE = "version"
# ``x_label`` / ``x_name`` / ``x_number`` ... is what people read for the code or id
# ``x`` (a status's label, an owner's name, a contract's number); the first found wins.
DISPLAY_SUFFIXES = ("_label", "_name", "_number", "_sequence")


def _display_companions(fields) -> dict[str, str]:
    """{``x``: its display companion} for every readable pair of the serializer."""
    pairs = {}
    for suffix in DISPLAY_SUFFIXES:
        for name, field in fields.items():
            base = name.removesuffix(suffix)
            readable = not (fields.get(base, field).write_only or field.write_only)
            if base != name and base in fields and readable:
                pairs.setdefault(base, name)
    return pairs


def _choices(serializer, field) -> dict[str, str] | None:
    """{code: display label} of a choice field, or of the model field it reads
    (``channel_kind`` reads ``channel.kind``); None for other fields."""
    if isinstance(field, ChoiceField) and field.choices:
        return {str(k): v for k, v in flatten_choices_dict(field.choices).items()}
    model = getattr(getattr(serializer, "Meta", None), "model", None)
    attrs = getattr(field, "source_attrs", None)
    if model is None or not attrs:
        return None
    try:
        for attr in attrs[:-1]:
            model = model._meta.get_field(attr).related_model
        target = model._meta.get_field(attrs[-1])
    except (FieldDoesNotExist, AttributeError):
        return None
    if target.is_relation or not getattr(target, "choices", None):
        return None
    return {str(k): v for k, v in target.flatchoices}


def _choice_text(labels: dict[str, str], value):
    """A choice's display label for its stored code (the code itself if unknown)."""
    if isinstance(value, list | set | tuple):
        return ", ".join(str(labels.get(str(v), v)) for v in value)
    return "" if value in (None, "") else str(labels.get(str(value), value))


# Models whose ``str()`` reads a relation of theirs: joined with them in an export,
# so a column naming such a record takes no query per row.
STR_RELATIONS = {
    "sales.quote": ("opportunity",),
    "service.complaint": ("customer",),
}

# A list's filters kept on a record (a campaign's target filter, a mass send's saved
# filter) name a range's two ends with these suffixes.
RANGE_ENDS = {"after": "≥", "before": "≤", "min": "≥", "max": "≤"}


def _complaint_title(complaint) -> str:
    return str(complaint.customer) if complaint.customer_id else f"#{complaint.pk}"


def _contract_title(contract) -> str:
    return " · ".join(p for p in (contract.number, contract.title) if p)


# How a list names a linked record where that is not its str() (the resources'
# ``titleOf`` / ``titleField`` in frontend/src/resources): a complaint reads its
# customer's name, a contract ``number · title``.
TITLES = {
    "service.complaint": _complaint_title,
    "sales.contract": _contract_title,
}


def _relation(serializer, field) -> tuple[str, bool, tuple[str, ...], object] | None:
    """(model attribute, many, relations its name reads, record -> name) of an id
    field the list shows as the record's name (``customer``, ``invitees``); None for
    other fields."""
    many = isinstance(field, drf.ManyRelatedField)
    if not (many or isinstance(field, drf.RelatedField)):
        return None
    model = getattr(getattr(serializer, "Meta", None), "model", None)
    source = field.source
    if model is None or not source or "." in source or source == "*":
        return None
    try:
        target = model._meta.get_field(source)
    except FieldDoesNotExist:
        return None
    if not target.is_relation or target.related_model is None:
        return None
    related = target.related_model._meta.label_lower
    return source, many, STR_RELATIONS.get(related, ()), TITLES.get(related, str)


def _related_text(obj, source: str, many: bool, title=str) -> str:
    if many:
        return ", ".join(title(o) for o in getattr(obj, source).all())
    value = getattr(obj, source)
    return "" if value is None else title(value)


def _moment(value):
    """An API date-time (ISO text) as the wall-clock time of the export's zone,
    to the second: Excel reads it as a date and time."""
    if isinstance(value, str):
        try:
            value = dt.datetime.fromisoformat(value)
        except ValueError:
            return value
    if isinstance(value, dt.datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value).replace(tzinfo=None)
        return value.replace(microsecond=0)
    return value


ISO_MOMENT = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d")


def _is_moment(value) -> bool:
    return isinstance(value, str) and ISO_MOMENT.match(value) is not None


def _day(value):
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            return value
    return value


def yes_no(value) -> str:
    """A yes/no value as people write it (是/否); empty when unknown."""
    if value is None:
        return ""
    return str(_("Yes") if value else _("No"))


def _plain(value) -> str:
    """Any other list or mapping as text: one item a line, never a Python dump."""
    if isinstance(value, dict):
        return "\n".join(f"{k}: {_plain(v)}" for k, v in value.items())
    if isinstance(value, list | tuple):
        return ("\n" if any(isinstance(v, dict) for v in value) else ", ").join(
            _plain(v) for v in value
        )
    if isinstance(value, bool):
        return yes_no(value)
    return "" if value is None else str(value)


def money_text(value) -> str:
    """An amount as the cards show it: ``¥1,234.50``."""
    if value in (None, ""):
        return ""
    try:
        amount = Decimal(str(value)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    except (InvalidOperation, ValueError):
        return str(value)
    return f"¥{amount:,.2f}"


def line_text(name, quantity, unit="", price=None, amount=None, discount=None) -> str:
    """One line of a document in a cell: ``产品 × 2.00 @ ¥50.00 = ¥100.00``."""
    text = f"{name} × {quantity}"
    if unit:
        text += f" {unit}"
    if price not in (None, ""):
        text += f" @ {money_text(price)}"
        if discount not in (None, "") and Decimal(str(discount)):
            text += f" -{discount}%"
    if amount not in (None, ""):
        text += f" = {money_text(amount)}"
    return text


def _serializer_spec(view):
    """Columns of the list serializer, written for people rather than for the API.

    The lock counter is left out; a code or id with a display companion
    (``status`` + ``status_label``, ``owner`` + ``owner_name``) is one column under
    the code's heading holding the display text; a choice without one shows its
    choice's label; an id without one shows the record's name (its relation is
    joined, so the rows take no query each); yes/no reads 是/否; the lines of a
    document (their serializer's ``export_text``) read one line each; dates and
    times are the export zone's wall-clock time.

    A serializer may add export-only hooks: ``export_omit`` (names of fields that
    mean nothing in a file), ``export_queryset(queryset)`` (joins or counts its
    hooks read, so the rows take no query each) and ``export_<field>(value, obj)``
    (the cell's text for that field).
    Returns (header, obj -> row, queryset -> queryset).
    """
    serializer = view.get_serializer()
    fields = serializer.fields
    companions = _display_companions(fields)
    shown = set(companions.values())
    omitted = set(getattr(serializer, "export_omit", ()))
    names = [
        name
        for name, f in fields.items()
        if not f.write_only
        and f.source != LOCK_SOURCE
        and name not in shown
        and name not in omitted
    ]
    hooks = {n: hook for n in names if callable(hook := getattr(serializer, f"export_{n}", None))}
    header = [str(fields[n].label or n) for n in names]
    choices = {n: _choices(serializer, fields[n]) for n in names if n not in companions}
    choices = {n: labels for n, labels in choices.items() if labels}
    relations = {
        n: rel
        for n in names
        if n not in companions and n not in choices
        if (rel := _relation(serializer, fields[n])) is not None
    }
    texts = {
        n: fields[n].child.export_text
        for n in names
        if isinstance(fields[n], drf.ListSerializer) and hasattr(fields[n].child, "export_text")
    }
    # A linked record out of the user's sight reads as its id, as the list shows it
    # (``#12``): its name does not leak through the file.
    sights = {
        n: f"_export_sees_{n}"
        for n, (_src, many, *_x) in relations.items()
        if not many and hasattr(fields[n], "collection")
    }
    moments = {n for n in names if isinstance(fields[n], drf.DateTimeField)}
    days = {n for n in names if isinstance(fields[n], drf.DateField)}
    # Values a method computes (an occurrence's start): a time among them is one too.
    computed = {n for n in names if isinstance(fields[n], drf.SerializerMethodField)}

    def prepare(queryset):
        joins = [
            f"{src}__{extra}" if extra else src
            for src, many, extras, _t in relations.values()
            if not many
            for extra in (extras or (None,))
        ]
        prefetch = [src for src, many, *_x in relations.values() if many]
        if joins:
            queryset = queryset.select_related(*joins)
        if prefetch:
            queryset = queryset.prefetch_related(*prefetch)
        for name, flag in sights.items():
            seen = fields[name].get_queryset().filter(pk=OuterRef(f"{relations[name][0]}_id"))
            queryset = queryset.annotate(**{flag: Exists(seen)})
        if hasattr(serializer, "export_queryset"):
            queryset = serializer.export_queryset(queryset)
        return queryset

    def row(obj):
        data = serializer.to_representation(obj)
        out = []
        for name in names:
            value = data.get(companions.get(name, name))
            if name in hooks:
                value = hooks[name](value, obj)
            elif name in choices:
                value = _choice_text(choices[name], value)
            elif name in sights and value is not None and not getattr(obj, sights[name]):
                value = f"#{value}"
            elif name in relations:
                source, many, _extras, title = relations[name]
                value = _related_text(obj, source, many, title)
            elif name in texts:
                value = "\n".join(texts[name](item) for item in value or ())
            elif isinstance(value, bool):
                value = yes_no(value)
            elif name in moments or (name in computed and _is_moment(value)):
                value = _moment(value)
            elif name in days:
                value = _day(value)
            elif isinstance(value, list | dict):
                value = _plain(value)
            out.append("" if value is None else value)
        return out

    return header, row, prepare


def filters_text(filterset_class, params, tenant_id, cache: dict, related=None) -> str:
    """A list's saved filters (``{"status": ["owned"], "level": 3}``) as people read
    them: ``状态：有负责人；级别：A``. Each filter reads its label (the filter's, else
    its model field's); a value reads its choice's label, yes/no, or the name of the
    record it picks (``related``: {filter: model} for filters that pick one by a
    method). The records of a model are read once per ``cache`` (one query for the
    whole file). A name the list does not know reads as it is."""
    if not isinstance(params, dict):
        return _plain(params)
    filters = filterset_class.base_filters
    model = filterset_class._meta.model
    related = related or {}
    order = {name: i for i, name in enumerate(filters)}
    named = []
    for key, value in params.items():
        name, sign = str(key), ""
        base, _sep, end = name.rpartition("_")
        if name not in filters and base in filters and end in RANGE_ENDS:
            name, sign = base, RANGE_ENDS[end]
        named.append((order.get(name, len(order)), str(key), name, sign, value))
    parts = []
    # In the list's order of filters (a saved object's keys come back in any order).
    for _i, key, name, sign, value in sorted(named, key=lambda item: item[:2]):
        filt = filters.get(name)
        if filt is None:
            parts.append(_filter_part(key, "", _plain(value)))
            continue
        label = filt.label or _model_label(model, filt.field_name) or name
        text = _filter_value(filt, model, value, tenant_id, cache, related.get(name))
        parts.append(_filter_part(str(label), sign, text))
    return pgettext("filters separator", "; ").join(parts)


def _filter_part(label: str, sign: str, value: str) -> str:
    if sign:
        return f"{label} {sign} {value}"
    return pgettext("a filter in a cell", "%(label)s: %(value)s") % {
        "label": label,
        "value": value,
    }


def _model_label(model, name: str):
    try:
        return model._meta.get_field(name).verbose_name
    except FieldDoesNotExist:
        return None


def _filter_value(filt, model, value, tenant_id, cache: dict, picks=None) -> str:
    values = value if isinstance(value, list | tuple) else [value]
    choices = filt.extra.get("choices")
    if choices:
        labels = {str(k): v for k, v in flatten_choices_dict(dict(choices)).items()}
        texts = [labels.get(str(v), v) for v in values]
    elif type(filt).__name__ == "BooleanFilter":
        flags = {"true": True, "1": True, "yes": True, "false": False, "0": False, "no": False}
        texts = [
            yes_no(v) if isinstance(v, bool) else yes_no(flags.get(str(v).strip().lower(), v))
            for v in values
        ]
    else:
        if picks is None:
            field = None
            try:
                field = model._meta.get_field(filt.field_name)
            except FieldDoesNotExist:
                pass
            picks = field.related_model if field is not None and field.is_relation else None
        if picks is not None:
            names = _record_names(picks, tenant_id, cache)
            texts = [names.get(str(v), v) for v in values]
        else:
            texts = values
    return pgettext("list separator", ", ").join(_plain(t) for t in texts)


def _record_names(model, tenant_id, cache: dict) -> dict[str, str]:
    """{id: name} of the tenant's records of ``model``, read once per cache."""
    key = model._meta.label_lower
    if key not in cache:
        rows = {}
        if any(f.name == "tenant" for f in model._meta.fields):
            manager = getattr(model, "all_objects", None) or model._base_manager
            for record in manager.filter(tenant_id=tenant_id):
                rows[str(record.pk)] = getattr(record, "display_name", None) or str(record)
        cache[key] = rows
    return cache[key]


def _unchanged(queryset):
    return queryset


def export_spec(view, columns=None):
    """(translated header, obj -> row, queryset -> queryset) for the viewset's model."""
    spec = columns(view.model) if columns is not None else None
    return (*spec, _unchanged) if spec is not None else _serializer_spec(view)


def export_zone(tenant):
    """The company's time zone (its settings), else the server's."""
    try:
        return ZoneInfo((getattr(tenant, "time_zone", "") or "").strip())
    except (ValueError, KeyError, OSError):
        return timezone.get_current_timezone()


class ExportMixin:
    @extend_schema(
        parameters=[
            OpenApiParameter("file_format", str, enum=["xlsx", "csv"], required=False),
            OpenApiParameter(
                "ids",
                str,
                required=False,
                description="Comma-separated ids: only these rows (a list's selection).",
            ),
        ],
        responses={
            (200, XLSX_CONTENT_TYPE): OpenApiTypes.BINARY,
            (200, "text/csv"): OpenApiTypes.BINARY,
        },
    )
    @action(detail=False, methods=["get"], url_path="export", code_verb="view")
    def export(self, request):
        """The list's rows (same filters, search and ordering) as an xlsx or CSV file."""
        files = exporter()
        if files is None:
            raise NotFound()
        if not request.user.has_code(files.code):
            raise PermissionRefused()
        file_format = request.query_params.get("file_format", "xlsx")
        if file_format not in ("xlsx", "csv"):
            raise Invalid(fields={"file_format": [_("Choose xlsx or csv.")]})
        # A file of rows tolerates a replica's lag (crm/db_router.py).
        queryset = self.filter_queryset(self.get_queryset()).using(replica_db())
        if "ids" in request.query_params:
            queryset = queryset.filter(pk__in=_selected_ids(request.query_params["ids"]))
        header, row, prepare = export_spec(self, files.columns)
        queryset = prepare(queryset)
        # Times read as the company's clock, whatever the server's zone.
        zone = export_zone(getattr(request, "tenant", None) or request.user.tenant)
        stamp = timezone.localtime(timezone=zone).strftime("%Y%m%d-%H%M")
        basename = f"{self.basename or self.model._meta.model_name}-{stamp}"

        if file_format == "xlsx":
            rows = (row(obj) for obj in queryset.iterator(chunk_size=CHUNK))
            title = str(self.model._meta.verbose_name_plural)
            with timezone.override(zone):
                workbook = files.xlsx_file(header, rows, title)
            return FileResponse(
                workbook,
                as_attachment=True,
                filename=f"{basename}.xlsx",
                content_type=XLSX_CONTENT_TYPE,
            )

        tenant_id = request.user.tenant_id
        language = translation.get_language()

        def lines():
            # Streaming happens after the view returned: re-enter its scope, language and zone.
            with scope(tenant=tenant_id), translation.override(language), timezone.override(zone):
                rows = (_csv_values(row(obj)) for obj in queryset.iterator(chunk_size=CHUNK))
                yield from files.csv_stream(header, rows)

        response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{basename}.csv"'
        return response


MAX_SELECTED = 1000


def _selected_ids(raw: str) -> list[int]:
    """The ids of ``?ids=1,2,3``: whole numbers, at most MAX_SELECTED, else 400."""
    parts = [p.strip() for p in raw.split(",") if p.strip()]
    if not parts or not all(p.isdigit() and len(p) < 19 for p in parts):
        raise Invalid(fields={"ids": [_("Send record ids separated by commas.")]})
    if len(parts) > MAX_SELECTED:
        raise Invalid(
            fields={"ids": [_("Export at most %(n)d selected records.") % {"n": MAX_SELECTED}]}
        )
    return [int(p) for p in parts]


def _csv_values(values: list) -> list:
    out = []
    for value in values:
        if isinstance(value, dt.datetime):
            value = value.replace(microsecond=0).isoformat(sep=" ")
        elif isinstance(value, dt.date):
            value = value.isoformat()
        out.append(value)
    return out
