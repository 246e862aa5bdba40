"""Permission-matrix entries for core endpoints not in ``tests/reliability/specs.py``.

Imported at the end of that file, which holds the matrix's PATHS.
"""

from __future__ import annotations

from tests.conftest import PASSWORD
from tests.reliability.specs import ACTIONS, PATHS, RESOURCES, ActionSpec, PathSpec


def _token(ctx, user) -> int:
    from crm.core.credentials import issue_token

    return issue_token(user=user, client="matrix")[0].pk


def _session(ctx, user) -> int:
    """A signed-in session of ``user`` as the login view leaves it."""
    from django.contrib.auth import SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    from crm.core.models import UserSession

    store = SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store.create()
    return UserSession.objects.create(session_id=store.session_key, user=user).pk


def _saved_view(ctx, user) -> int:
    """A view owned by ``user`` (only the owner changes or deletes it)."""
    from crm.core.saved_views import saved_view_create

    return saved_view_create(
        tenant=ctx.tenant, actor=user, collection="customers", name=ctx.unique("视图")
    ).pk


# The signed-in user's own tokens and sessions (personal settings; no permission code).
RESOURCES.update({"me-token": {"make": _token}, "me-session": {"make": _session}})
# Saved list views: any signed-in user; the matrix's writes act on the user's own view.
RESOURCES.update(
    {
        "saved-view": {
            "make": _saved_view,
            "create": lambda ctx: {"collection": "leads", "name": ctx.unique("视图")},
        }
    }
)

PATHS.update(
    {
        # The matrix's users are made by tests.conftest.make_user, with PASSWORD.
        "me-password": {
            "post": PathSpec(
                body={"old_password": PASSWORD, "new_password": "Matrix-new-pass-9876!"},
                status=204,
            )
        },
    }
)


ACTIONS.update(
    {
        ("user", "invite"): ActionSpec(
            body=lambda ctx: {"emails": [f"{ctx.unique('invitee')}@example.cn"]}, status=201
        ),
        ("user", "reset_password"): ActionSpec(body={}, status=204),
    }
)

PATHS.update(
    {
        # No avatar yet: 404 past 401; removing none is fine; uploading needs a file (400).
        "me-avatar": {
            "get": PathSpec(status=404),
            "post": PathSpec(status=400),
            "delete": PathSpec(status=204),
        },
        "report-usage": {"get": PathSpec(code="reports.usage")},
        # The public link pages: an unknown key answers 400 naming the token.
        "invitation": {"get": PathSpec(anonymous=True, tenant_scoped=False)},
        "invitation-accept": {
            "post": PathSpec(anonymous=True, body={"password": "x"}, tenant_scoped=False)
        },
    }
)


def _reorder_body(ctx) -> dict:
    """Every industry of the company, in reverse order (the reorder takes all of a kind)."""
    from crm.core.models import DictionaryItem

    ids = list(
        DictionaryItem.objects.filter(tenant=ctx.tenant, kind="industry")
        .order_by("-order", "-id")
        .values_list("id", flat=True)
    )
    return {"kind": "industry", "ids": ids}


ACTIONS[("dictionary", "reorder")] = ActionSpec(body=_reorder_body)
# The settings' descriptions (module, unit, limits): any user of the company reads them.
PATHS["tenant-setting-fields"] = {"get": PathSpec()}
