"""Every browse list of the business records exports its rows (CSV and xlsx)."""

from __future__ import annotations

import csv
import io

import pytest
from django_scopes import scopes_disabled

from crm.api_router import router
from crm.core.models import User
from fixtures import demo
from tests.conftest import client_for
from tests.core.test_fast_list import _fill
from tests.imports.helpers import read_xlsx

pytestmark = pytest.mark.django_db

# Settings-like collections (managed in their own admin pages) need no export.
WITHOUT_EXPORT = {
    "users",
    "roles",
    "teams",
    "dictionary",
    "notifications",
    "requirements",
    "solutions",
    "approval-bands",
    "calendar/days",
    "imports",
    # The company's backups (a zip each; the page lists the latest).
    "backup/jobs",
    # A user's own API tokens and signed-in sessions (personal settings).
    "me/tokens",
    "me/sessions",
    # A user's saved list views (filters and columns of another list).
    "saved-views",
    # Files on a record (their list is the record's attachments panel, not a report).
    "attachments",
    # Messaging settings (channels, webhooks, message templates) and their delivery logs.
    "message-templates",
    # Lead capture forms (settings: a handful of forms, each with its public link).
    "lead-forms",
    "channels",
    "deliveries",
    "webhooks",
    "webhook-deliveries",
    # Lead assignment rules and per-level pool rules (settings, a handful of rows).
    "assignment-rules",
    "pool-level-rules",
}


def test_every_business_list_has_an_export():
    missing = [
        prefix
        for prefix, viewset, _b in router.registry
        if hasattr(viewset, "list")
        and prefix not in WITHOUT_EXPORT
        and not hasattr(viewset, "export")
    ]
    assert not missing, f"lists without export: {missing}"


def test_exports_return_the_listed_rows_in_both_formats():
    with scopes_disabled():
        demo.load()
        admin = User.objects.get(username="demo")
    _fill(admin)
    client = client_for(admin)
    checked = 0
    for prefix, viewset, _b in router.registry:
        if not hasattr(viewset, "export"):
            continue
        count = client.get(f"/api/v1/{prefix}/?page_size=1").json()["count"]
        assert count >= 1, prefix
        response = client.get(f"/api/v1/{prefix}/export/?file_format=csv")
        assert response.status_code == 200, (prefix, response.content[:300])
        text = b"".join(response.streaming_content).decode("utf-8-sig")
        rows = list(csv.reader(io.StringIO(text)))
        assert len(rows) == count + 1, prefix  # the header and every row
        response = client.get(f"/api/v1/{prefix}/export/?file_format=xlsx")
        assert response.status_code == 200, prefix
        sheet = read_xlsx(b"".join(response.streaming_content))
        assert len(sheet) == count + 1 and sheet[0] == rows[0], prefix
        checked += 1
    assert checked >= 14
