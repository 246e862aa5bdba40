"""A saved filter of the customer list (a mass send's audience, a campaign's target):
checked and applied as the list applies its query string, for a company.

The filter is an object ``{"level": 3, "status": ["owned"]}``: a filter's name (a
range's two ends: ``created_at_after``, ``created_at_before``) and its value, a list
for a filter that takes several (``status``; one value reads as a one-item list).
Choices that are the company's own rows (level, industry, source, owner) are the
company's, as on the list; built without a request they read no row and every value
was refused. A name the list does not know, or a value it refuses, is refused:
ignored, it would widen the audience to every customer.
"""

from __future__ import annotations

from django.utils.datastructures import MultiValueDict
from django.utils.translation import gettext as _

from crm.core.errors import Invalid


def _filterset(data, queryset, tenant_id):
    from crm.customers.api import CustomerFilter

    return CustomerFilter(data=data, queryset=queryset, tenant_id=tenant_id)


def _params(filterset) -> dict[str, bool]:
    """{query parameter the customer list reads: whether it takes several values}
    (a range: its two ends, one value each)."""
    names = {}
    for name, form_field in filterset.form.fields.items():
        suffixes = getattr(form_field.widget, "suffixes", None)
        if suffixes:
            names.update({f"{name}_{s}" if s else name: False for s in suffixes})
        else:
            names[name] = bool(getattr(form_field.widget, "allow_multiple_selected", False))
    return names


def _text(value) -> str | None:
    """A JSON scalar as a query string writes it (``true``, ``3``); None if not one."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str | int | float):
        return str(value)
    return None


def _query(params: dict, known: dict[str, bool]) -> tuple[MultiValueDict, list[str]]:
    """``params`` as the list's query string, and why a value cannot be one."""
    data = MultiValueDict()
    errors = []
    for key, value in params.items():
        several = known[key]
        values = value if isinstance(value, list | tuple) else [value]
        texts = [_text(v) for v in values]
        if any(t is None for t in texts):
            errors.append(f"{key}: {_('Give a value or a list of values.')}")
        elif len(texts) > 1 and not several:
            errors.append(f"{key}: {_('Give one value.')}")
        elif several:
            data.setlist(key, [t for t in texts if t != ""])
        else:
            data.setlist(key, texts[-1:] or [""])
    return data, errors


def _check(params, queryset, tenant_id):
    """(the filter set, []) or (None, reasons each naming its filter)."""
    if not isinstance(params, dict):
        return None, [_("A filter is an object of the customer list's filters.")]
    known = _params(_filterset(None, queryset, tenant_id))
    unknown = sorted(str(k) for k in params if k not in known)
    if unknown:
        return None, [
            _("Unknown filters: %(names)s. Use the customer list's filters: %(known)s.")
            % {"names": ", ".join(unknown), "known": ", ".join(sorted(known))}
        ]
    data, errors = _query(params, known)
    if errors:
        return None, errors
    filterset = _filterset(data, queryset, tenant_id)
    if not filterset.is_valid():
        return None, [
            f"{name}: {message}"
            for name, messages in filterset.errors.items()
            for message in messages
        ]
    return filterset, []


def _customers(tenant_id):
    from crm.customers.models import Customer

    return Customer.objects.filter(tenant_id=tenant_id)


def filter_errors(tenant_id, params) -> list[str]:
    """Why the customer list refuses ``params`` for the company (each reason naming
    its filter), or []."""
    if params == {}:
        return []
    return _check(params, _customers(tenant_id), tenant_id)[1]


def filtered(customers, tenant_id, params, *, field: str = "filter"):
    """``customers`` (the company's, in the scope the caller applies) narrowed by the
    saved filter as the customer list narrows them; a filter it refuses is a 400
    naming ``field``, never every customer."""
    if not params:
        return customers
    filterset, errors = _check(params, customers, tenant_id)
    if errors:
        raise Invalid(fields={field: errors})
    return filterset.qs
