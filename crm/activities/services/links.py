"""The record a task, an event, an activity or a plan item points at."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext as _

from crm.activities.models import LINK_FIELDS
from crm.core.errors import Invalid
from crm.core.writes import check_same_tenant


def check_links(tenant, data: Mapping[str, Any], *, current=None) -> None:
    """At most one record linked, of the tenant. ``current``: the row being changed
    (its link counts unless the data replaces it)."""
    given = {name: data[name] for name in LINK_FIELDS if name in data}
    check_same_tenant(tenant, **{k: v for k, v in given.items() if v is not None})
    linked = {
        name
        for name in LINK_FIELDS
        if (given[name] if name in given else getattr(current, f"{name}_id", None)) is not None
    }
    if len(linked) > 1:
        message = _("Link one record only.")
        raise Invalid(fields={name: [message] for name in sorted(linked)})
