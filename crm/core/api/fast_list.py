"""Faster list pages: the same JSON as DRF, without its per-cell machinery.

DRF serialises a page cell by cell: ``field.get_attribute`` (a generic
attribute walk that inspects callables with ``inspect.signature``), then
``field.to_representation``. For a 50-row lead page that is ~1,000 cells and
most of the request's time. ``FastListSerializer`` compiles, once per list,
one small function per column for the field types our list serializers use
(model attributes, foreign keys as ids, ``x.y`` labels, ``get_FOO_display``,
date-times); any other field falls back to DRF's own two calls, so the output
is the same for every field (``tests/core/test_fast_list.py`` compares both on
every list endpoint).
"""

from __future__ import annotations

import copy
import datetime as dt
from collections.abc import Callable
from functools import partialmethod

from django.core.exceptions import ObjectDoesNotExist
from django.utils import timezone
from django.utils.translation import get_language
from rest_framework import ISO_8601, fields, relations, serializers
from rest_framework.fields import SkipField
from rest_framework.relations import PKOnlyObject
from rest_framework.settings import api_settings
from rest_framework.utils.serializer_helpers import BindingDict

from crm.core.api.fields import RelatedLabelField

Getter = Callable[[object], object]

# Field classes whose ``to_representation`` is ``str(value)`` / ``int(value)`` /
# ``bool(value)`` (exact classes: a subclass may override it).
_AS_STR = {
    fields.CharField,
    fields.EmailField,
    fields.RegexField,
    fields.SlugField,
    fields.URLField,
}
_AS_INT = {fields.IntegerField}
_AS_BOOL = {fields.BooleanField}


class _Slow(Exception):
    """This cell needs DRF's own path (a callable, an empty relation...)."""


def _walk(attrs: list[str]) -> Getter:
    """``instance.a.b`` for plain attributes; anything unusual raises ``_Slow``."""
    if len(attrs) == 1:
        name = attrs[0]

        def one(obj):
            value = getattr(obj, name)
            if callable(value):
                raise _Slow
            return value

        return one

    def walk(obj):
        for name in attrs:
            if obj is None:
                raise _Slow  # DRF decides: default, null or skipped
            obj = getattr(obj, name)
            if callable(obj):
                raise _Slow
        return obj

    return walk


def display_labels(model, name: str) -> tuple[object, dict] | None:
    """``(field, {value: label})`` when ``name`` is Django's own ``get_FOO_display``
    of a field with choices (not a model's own method), else None. Labels in the
    active language."""
    if not (name.startswith("get_") and name.endswith("_display")):
        return None
    if not isinstance(model.__dict__.get(name), partialmethod):
        return None  # the model defines its own get_FOO_display: DRF calls it
    try:
        field = model._meta.get_field(name[4:-8])
    except Exception:
        return None
    if not field.choices:
        return None
    return field, {value: str(label) for value, label in field.flatchoices}


def _display_getter(model, attrs: list[str]) -> Getter | None:
    """``get_FOO_display`` through a label table built once (no lazy-string hashing)."""
    found = display_labels(model, attrs[0]) if len(attrs) == 1 else None
    if found is None:
        return None
    field, labels = found
    attname = field.attname

    def display(obj):
        value = getattr(obj, attname)
        # Django's get_FOO_display: the label, else the value itself (as text).
        return labels.get(value, value)

    return display


def _datetime(field: fields.DateTimeField) -> Callable[[object], object] | None:
    output_format = getattr(field, "format", api_settings.DATETIME_FORMAT)
    if output_format is None or str(output_format).lower() != ISO_8601:
        return None
    if getattr(field, "timezone", None) is not None:
        return None
    zone = field.default_timezone()
    if zone is None:
        return None

    def represent(value):
        if isinstance(value, str):
            return value
        if isinstance(value, dt.datetime) and timezone.is_aware(value):
            value = value.astimezone(zone)
        elif isinstance(value, dt.datetime):
            return field.to_representation(value)
        text = value.isoformat()
        if text.endswith("+00:00"):
            text = text[:-6] + "Z"
        return text

    return represent


def _decimal(field: fields.DecimalField) -> Callable[[object], object] | None:
    # DRF sets ``coerce_to_string`` on the field only when it is given (or localized).
    coerce = getattr(field, "coerce_to_string", None)
    if coerce is False or (coerce is None and not api_settings.COERCE_DECIMAL_TO_STRING):
        return None
    if field.decimal_places is None or field.localize:
        return None
    return field.to_representation  # cheap already; kept exact


def compile_field(field: fields.Field, model) -> tuple[str, Getter, Callable | None] | None:
    """``(key, getter, converter)`` for a field with a fast path, else ``None``."""
    if not getattr(field, "source_attrs", None) or field.source == "*":
        return None
    kind = type(field)
    attrs = list(field.source_attrs)
    if (
        isinstance(field, relations.PrimaryKeyRelatedField)
        and type(field).to_representation is relations.PrimaryKeyRelatedField.to_representation
        and type(field).get_attribute is relations.RelatedField.get_attribute
        and not getattr(field, "pk_field", None)
    ):
        if len(attrs) != 1:
            return None
        try:
            attname = model._meta.get_field(attrs[0]).attname
        except Exception:
            return None
        if attname == attrs[0]:
            return None
        return field.field_name, _walk([attname]), None
    getter = _display_getter(model, attrs)
    if getter is not None and kind in _AS_STR:
        return field.field_name, getter, str
    if any(a.startswith("get_") for a in attrs):
        return None  # a method: DRF calls it; keep its semantics
    if kind in _AS_STR:
        converter = str
    elif kind is fields.ChoiceField:
        converter = _choice(field)
    elif kind in _AS_INT:
        converter = int
    elif kind is fields.BigIntegerField:
        converter = _bigint(field)
    elif kind in _AS_BOOL:
        converter = None
    elif issubclass(kind, fields.DateTimeField) and _same(kind, fields.DateTimeField):
        converter = _datetime(field)
        if converter is None:
            return None
    elif kind is fields.DecimalField:
        converter = _decimal(field)
        if converter is None:
            return None
    elif (
        issubclass(kind, fields.DateField)
        and _same(kind, fields.DateField)
        and str(getattr(field, "format", api_settings.DATE_FORMAT)).lower() == ISO_8601
    ):
        converter = _date_iso
    elif kind is fields.FloatField:
        converter = float
    else:
        # Custom fields (RelatedLabelField, MobileField...) subclass CharField and
        # keep its ``to_representation``: safe when they only override input.
        if (
            isinstance(field, fields.CharField)
            and type(field).to_representation is fields.CharField.to_representation
            and type(field).get_attribute in _PLAIN_GET_ATTRIBUTE
        ):
            converter = str
        else:
            return None
    return field.field_name, _walk(attrs), converter


def _same(kind: type, base: type) -> bool:
    """``kind`` shows values as ``base`` does (it may only change how input is read)."""
    return (
        kind.to_representation is base.to_representation
        and kind.get_attribute is base.get_attribute
        and getattr(kind, "default_timezone", None) is getattr(base, "default_timezone", None)
    )


def _bigint(field: fields.BigIntegerField):
    if getattr(field, "coerce_to_string", api_settings.COERCE_BIGINT_TO_STRING):
        return str
    return int


def _choice(field: fields.ChoiceField):
    table = field.choice_strings_to_values

    def represent(value):
        if value == "":
            return value
        return table.get(str(value), value)

    return represent


def _date_iso(value):
    if isinstance(value, str):
        return value
    if isinstance(value, dt.datetime):
        raise AssertionError("a datetime in a DateField")
    return value.isoformat()


#: ``get_attribute`` implementations that only walk attributes (what ``_walk`` does).
_PLAIN_GET_ATTRIBUTE = {fields.Field.get_attribute, RelatedLabelField.get_attribute}


class FastListSerializer(serializers.ListSerializer):
    """A ``ListSerializer`` whose rows are built by compiled per-column functions."""

    def to_representation(self, data):
        iterable = data.all() if hasattr(data, "all") else data
        child = self.child
        model = getattr(getattr(child, "Meta", None), "model", None)
        if model is None or type(child).to_representation is not (
            serializers.Serializer.to_representation
        ):
            return super().to_representation(data)
        plan = []
        for field in child._readable_fields:
            compiled = compile_field(field, model)
            plan.append((*compiled, field) if compiled is not None else field)
        return [self._row(plan, instance) for instance in iterable]

    @staticmethod
    def _row(plan, instance) -> dict:
        row = {}
        for step in plan:
            if type(step) is tuple:
                key, getter, converter, field = step
                try:
                    value = getter(instance)
                except (_Slow, AttributeError, ObjectDoesNotExist):
                    step = field  # this cell takes DRF's path below
                else:
                    if value is None or converter is None:
                        row[key] = value
                    else:
                        row[key] = converter(value)
                    continue
            try:
                attribute = step.get_attribute(instance)
            except SkipField:
                continue
            check = attribute.pk if isinstance(attribute, PKOnlyObject) else attribute
            row[step.field_name] = None if check is None else step.to_representation(attribute)
        return row


#: Built fields of model serializers, by (class, language): see ``use_cached_fields``.
_FIELDS: dict[tuple[type, str | None], dict] = {}


def use_cached_fields(serializer) -> None:
    """Give ``serializer`` copies of its fields built once per class and language.

    ``ModelSerializer.get_fields`` inspects the model and builds every field on
    each request (twice a record's serialisation time); a deep copy of fields
    built before is the same thing for half the cost. Only for serializers that
    do not override ``get_fields`` (theirs may depend on the request).
    """
    if not ENABLED or "fields" in serializer.__dict__:
        return
    kind = type(serializer)
    if not isinstance(serializer, serializers.ModelSerializer) or kind.get_fields is not (
        serializers.ModelSerializer.get_fields
    ):
        return
    key = (kind, get_language())
    built = _FIELDS.get(key)
    if built is None:
        built = _FIELDS[key] = kind.get_fields(serializer)
    fields = BindingDict(serializer)
    for name, field in built.items():
        fields[name] = copy.deepcopy(field)
    serializer.__dict__["fields"] = fields


#: Off only in the test that compares both paths on every list endpoint.
ENABLED = True


def fast_list(serializer):
    """Swap a plain ``ListSerializer`` for the fast one (custom list classes are kept)."""
    if ENABLED and type(serializer) is serializers.ListSerializer:
        serializer.__class__ = FastListSerializer
    return serializer
