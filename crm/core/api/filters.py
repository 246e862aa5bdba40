"""The base FilterSet: tenant-safe choices and the fuzzy ``search`` parameter."""

from __future__ import annotations

import datetime as dt

import django_filters
import django_filters.rest_framework
from django import forms
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.db.models import QuerySet
from django.forms.utils import ErrorDict, ErrorList
from django.utils.translation import gettext_lazy as _
from django_filters.widgets import SuffixedMultiWidget
from django_scopes import scopes_disabled
from rest_framework import filters as drf_filters

from crm.core.collation import pinyin_ordered
from crm.core.errors import Invalid
from crm.core.search import normalize_query


def _as_utc(value):
    """Aware datetimes in UTC: an offset PostgreSQL cannot store (e.g. +22:02) is no 500."""
    if isinstance(value, dt.datetime) and value.tzinfo is not None:
        return value.astimezone(dt.UTC)
    return value


BOOLEAN_WORDS = {"true": True, "1": True, "yes": True, "false": False, "0": False, "no": False}


def boolean_word(raw, name: str) -> bool | None:
    """A true/false parameter's value: true/false, 1/0, yes/no (any case); None when
    absent or blank; anything else is a 400 naming the parameter ``name``."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    word = str(raw).strip().lower()
    if word in BOOLEAN_WORDS:
        return BOOLEAN_WORDS[word]
    raise Invalid(fields={name: [str(_("Send true or false."))]})


def query_flag(request, name: str) -> bool:
    """A view's own true/false query parameter (``?mine=1``), read like the boolean
    filters: an unknown word is a 400 naming it, never a silent false."""
    return bool(boolean_word(request.query_params.get(name), name))


class TenantFilterSet(django_filters.FilterSet):
    """Choice filters only accept the request tenant's rows (others: invalid choice)."""

    @classmethod
    def get_filters(cls):
        # django-filter inspects the default (scoped) manager when the class is built.
        with scopes_disabled():
            return super().get_filters()

    def __init__(self, data=None, queryset=None, *, request=None, prefix=None, tenant_id=None):
        """``tenant_id``: the company whose rows the choices are, for a filter set
        built without a request (a saved filter); else the request user's."""
        super().__init__(data, queryset, request=request, prefix=prefix)
        tenant_id = tenant_id or getattr(getattr(request, "user", None), "tenant_id", None)
        asked = self.data if self.data is not None else {}
        for name, flt in self.filters.items():
            if isinstance(flt, django_filters.MultipleChoiceFilter) and "__" not in (
                flt.field_name or ""
            ):
                # A choice on the row's own column cannot duplicate rows: no DISTINCT
                # (django-filter's default), which made PostgreSQL sort every column.
                flt.distinct = False
            qs = getattr(flt, "queryset", None)
            if isinstance(qs, QuerySet) and hasattr(qs.model, "tenant_id"):
                key = f"{self.form_prefix}-{name}" if self.form_prefix else name
                if tenant_id and key in asked:
                    flt.queryset = qs.model._base_manager.filter(
                        pk__in=qs.values("pk"), tenant_id=tenant_id
                    )
                else:
                    # Not asked for (an empty choice reads no row) or no company.
                    flt.queryset = qs.none()

    def _strict_booleans(self) -> None:
        """``?pool=1`` means true: the default widget of a model's boolean read only
        "true"/"false" and dropped anything else, so ``?pool=1`` or ``?active=0``
        filtered nothing and answered (and exported) every row. Unknown values are
        a 400 naming the parameter, like every other bad filter."""
        data = self.data if self.data is not None else {}
        for name, flt in self.filters.items():
            if not isinstance(flt, django_filters.BooleanFilter):
                continue
            key = f"{self.form_prefix}-{name}" if self.form_prefix else name
            value = boolean_word(data.get(key), name)
            if value is not None:
                self.form.cleaned_data[name] = value

    def _sent_names(self, name: str) -> list[str]:
        """The parameters a range filter reads (``due_at`` -> ``due_at_after``,
        ``due_at_before``); other filters read their own name."""
        field = self.form.fields.get(name)
        widget = getattr(field, "widget", None)
        if not isinstance(widget, SuffixedMultiWidget):
            return [name]
        return [widget.suffixed(name, suffix) for suffix in widget.suffixes]

    @property
    def errors(self):
        """The form's errors, a range filter's under the parameter sent
        (``?due_at_after=x`` -> ``due_at_after``), not under the filter's name that
        no request carries."""
        errors = ErrorDict()
        data = self.data if self.data is not None else {}
        for name, messages in self.form.errors.items():
            field = self.form.fields.get(name)
            parts = self._sent_names(name)
            found = False
            if len(parts) > 1 and isinstance(field, forms.MultiValueField):
                for part, subfield in zip(parts, field.fields, strict=False):
                    key = f"{self.form_prefix}-{part}" if self.form_prefix else part
                    raw = data.get(key)
                    if raw in (None, ""):
                        continue
                    try:
                        subfield.clean(raw)
                    except forms.ValidationError as exc:
                        errors[part] = ErrorList(exc.error_list)
                        found = True
            if not found:  # a reason about the pair, or not a range: the filter's name
                errors[name] = messages
        return errors

    def filter_queryset(self, queryset):
        self._strict_booleans()
        for name, value in list(self.form.cleaned_data.items()):
            if isinstance(value, slice):
                parts = self._sent_names(name)
                after, before = parts if len(parts) == 2 else (name, name)
                value = slice(
                    self._utc(value.start, after), self._utc(value.stop, before), value.step
                )
            else:
                value = self._utc(value, name)
            self.form.cleaned_data[name] = value
        return super().filter_queryset(queryset)

    @staticmethod
    def _utc(value, name: str):
        try:
            return _as_utc(value)
        except (OverflowError, ValueError):
            message = forms.DateTimeField.default_error_messages["invalid"]
            raise Invalid(fields={name: [str(message)]}) from None


class SearchFilterSet(TenantFilterSet):
    search = django_filters.CharFilter(method="filter_search", label=_("search"))

    def filter_search(self, queryset, name, value):
        """Fuzzy search over the stored key: name, pinyin, initials, phone digits."""
        q = normalize_query(value)
        return queryset.filter(search_key__contains=q) if q else queryset


class TenantFilterBackend(django_filters.rest_framework.DjangoFilterBackend):
    """Filter sets built from ``filterset_fields`` use the tenant-safe base too."""

    filterset_base = TenantFilterSet


# Text columns ordered by pinyin rather than by code point (北京 before 上海).
PINYIN_ORDERED_FIELDS = frozenset({"name", "company_name", "full_name"})


class OrderingFilter(drf_filters.OrderingFilter):
    """DRF's ``?ordering=``, with Chinese names ordered by pinyin (crm.core.collation)."""

    def filter_queryset(self, request, queryset, view):
        ordering = self.get_ordering(request, queryset, view)
        if not ordering:
            return queryset
        return queryset.order_by(*(pinyin_term(queryset.model, term) for term in ordering))


def pinyin_term(model, term):
    """One ordering term: a name-like text column by pinyin, anything else unchanged."""
    if not isinstance(term, str):
        return term
    name = term.lstrip("-")
    if name not in PINYIN_ORDERED_FIELDS:
        return term
    try:
        field = model._meta.get_field(name)
    except FieldDoesNotExist:
        return term
    if not isinstance(field, models.CharField | models.TextField):
        return term
    expression = pinyin_ordered(name)
    return expression.desc() if term.startswith("-") else expression.asc()
