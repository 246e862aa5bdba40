"""List pages from ``values()`` rows: no model instances, only the columns shown.

The compiled list path (``fast_list``) still builds a model instance per row
and fetches every column of every ``select_related`` table (the lead list:
about 150 columns over six tables for 21 shown). When every readable field of
a list serializer is a column reachable by forward relations (``status``,
``owner_id``, ``source.label``, ``get_status_display``, an annotation, or a
model property that declares the columns it reads with :func:`reads`), the
page is fetched as ``values()`` rows of exactly those columns and each cell is
computed from the row. Anything else (a method field, a many-relation, a
property without ``reads``) keeps the instance path, so the JSON is the same
either way (``tests/core/test_fast_list.py`` compares both on every list).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from types import SimpleNamespace

from django.core.exceptions import FieldDoesNotExist
from django.utils.translation import get_language
from rest_framework import relations, serializers
from rest_framework.fields import SkipField

from crm.core.api.fast_list import compile_field, display_labels


@dataclass
class _Cell:
    key: str
    field: serializers.Field
    hops: list[str]  # the foreign-key columns walked, in order
    extract: Callable[[dict], object]
    converter: Callable | None
    empty_answers: dict = dataclass_field(default_factory=dict)  # by depth: see _empty_relation


def _column(model, name: str, prefix: str, annotations) -> tuple[list[str], Callable] | None:
    """Look-ups and an extractor for the last attribute of a source, or None."""
    try:
        field = model._meta.get_field(name)
    except FieldDoesNotExist:
        if not prefix and name in annotations:
            return [name], lambda row: row[name]
        prop = getattr(model, name, None)
        fget = getattr(prop, "fget", None)
        columns = getattr(fget, "value_columns", None)
        if not isinstance(prop, property) or not columns:
            return None
        lookups = [prefix + column for column in columns]
        pairs = list(zip(columns, lookups, strict=True))
        return lookups, lambda row: fget(SimpleNamespace(**{c: row[lk] for c, lk in pairs}))
    if field.is_relation or not getattr(field, "concrete", False):
        return None
    lookup = prefix + field.attname
    return [lookup], lambda row: row[lookup]


def _display(model, name: str) -> tuple[list[str], Callable] | None:
    """``get_FOO_display`` from FOO's column (Django's own method, not a custom one)."""
    found = display_labels(model, name)
    if found is None:
        return None
    field, labels = found
    lookup = field.attname
    return [lookup], lambda row: labels.get(row[lookup], row[lookup])


def _cell(field, model, annotations) -> tuple[_Cell, list[str]] | None:
    compiled = compile_field(field, model)
    if compiled is None:
        return None
    key, _getter, converter = compiled
    attrs = list(field.source_attrs)
    if isinstance(field, relations.PrimaryKeyRelatedField):
        # compile_field accepted it: one attribute, a forward key read as its id.
        lookup = model._meta.get_field(attrs[0]).attname
        return _Cell(key, field, [], lambda row: row[lookup], converter), [lookup]
    hops, prefix, current = [], "", model
    for name in attrs[:-1]:
        try:
            relation = current._meta.get_field(name)
        except FieldDoesNotExist:
            return None
        if not (relation.many_to_one or relation.one_to_one) or not relation.concrete:
            return None
        hops.append(prefix + relation.attname)
        prefix += name + "__"
        current = relation.related_model
    found = _display(current, attrs[-1]) if not prefix else None
    if found is None:
        found = _column(current, attrs[-1], prefix, annotations)
    if found is None:
        return None
    lookups, extract = found
    return _Cell(key, field, hops, extract, converter), [*hops, *lookups]


class ValuesPlan:
    """The look-ups to fetch and how to turn each row into the serializer's dict."""

    def __init__(self, cells: list[_Cell], lookups: list[str]):
        self.cells = cells
        self.lookups = lookups

    def rows(self, rows) -> list[dict]:
        return [self.row(row) for row in rows]

    def row(self, row: dict) -> dict:
        out = {}
        for cell in self.cells:
            for depth, hop in enumerate(cell.hops):
                if row[hop] is None:
                    self._empty_relation(out, cell, depth)
                    break
            else:
                value = cell.extract(row)
                if value is not None and cell.converter is not None:
                    value = cell.converter(value)
                out[cell.key] = value
        return out

    _SKIP = object()

    def _empty_relation(self, out: dict, cell: _Cell, depth: int) -> None:
        """What DRF answers when the relation at ``depth`` is empty (default, null or skip).

        Computed by DRF's own code once per cell and depth: it depends on the
        field's ``default``/``allow_null``/``required``, not on the row (a
        callable default is asked each time).
        """
        answers = cell.empty_answers
        answer = answers.get(depth)
        if answer is None:
            answer = self._drf_answer(cell, depth)
            if not callable(getattr(cell.field, "default", None)):
                answers[depth] = answer
        if answer is not self._SKIP:
            out[cell.key] = answer

    def _drf_answer(self, cell: _Cell, depth: int):
        attrs = list(cell.field.source_attrs)
        instance = SimpleNamespace(**{attrs[depth]: None})
        for name in reversed(attrs[:depth]):
            instance = SimpleNamespace(**{name: instance})
        try:
            attribute = cell.field.get_attribute(instance)
        except SkipField:
            return self._SKIP
        return None if attribute is None else cell.field.to_representation(attribute)


class PageRows:
    """``values()`` rows to paginate, counted on the record query.

    ``values()`` over related columns adds their joins, and Django keeps them in
    ``count()``: counting the records themselves needs none of them.
    """

    def __init__(self, records, rows):
        self.records = records
        self.rows = rows
        self.ordered = records.ordered
        self.model = records.model

    def count(self) -> int:
        return self.records.count()

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, index):
        return self.rows[index]


#: Plans by (serializer class, language, model, annotations): building a
#: ModelSerializer's fields costs more than serialising a page. The fields of our
#: list serializers do not depend on the request (the ``get_fields`` overrides
#: only add fixed fields), and labels are per language, hence the key.
_PLANS: dict[tuple, ValuesPlan | None] = {}


def plan_for(serializer_class, make_child: Callable[[], serializers.Serializer], queryset):
    """The plan for ``serializer_class`` over ``queryset``, built once per key, or None."""
    query = queryset.query
    if query.group_by is not None or query.combinator or query.distinct_fields:
        return None  # grouping or unions change what a narrower SELECT means
    key = (serializer_class, get_language(), queryset.model, frozenset(query.annotations))
    try:
        return _PLANS[key]
    except KeyError:
        plan = _PLANS[key] = values_plan(make_child(), queryset)
        return plan


def values_plan(child: serializers.Serializer, queryset) -> ValuesPlan | None:
    """A plan when every readable field of ``child`` is a reachable column, else None."""
    model = getattr(getattr(child, "Meta", None), "model", None)
    if model is None or model is not queryset.model:
        return None
    if type(child).to_representation is not serializers.Serializer.to_representation:
        return None
    annotations = set(queryset.query.annotations)
    cells, lookups = [], ["pk"]  # pk: a distinct() query keeps one row per record
    for field in child._readable_fields:
        found = _cell(field, model, annotations)
        if found is None:
            return None
        cell, needed = found
        cells.append(cell)
        lookups.extend(lk for lk in needed if lk not in lookups)
    return ValuesPlan(cells, lookups)
