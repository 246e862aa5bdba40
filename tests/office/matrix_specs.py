"""Permission-matrix entries for attachments, announcements, the workbench, quick
create and the 360 card (hooked into ``tests/reliability/specs.py`` with one line)."""

from __future__ import annotations

import base64

from tests.reliability.specs import ACTIONS, PATHS, RESOURCES, ActionSpec, PathSpec

PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
    b"\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00"
    b"\x00\x00\x00IEND\xaeB`\x82"
)


def _attachment(ctx) -> dict:
    file = {"name": "matrix.png", "content": base64.b64encode(PNG).decode()}
    return {"file": file, "customer": ctx.create("customer")}


def _published(ctx, user) -> int:
    """Readers see published announcements (a draft is its writers')."""
    from crm.office.models import Announcement
    from workflows.engine import transition

    pk = ctx.create("announcement")
    transition(model=Announcement, pk=pk, name="publish", tenant=ctx.tenant, actor=ctx.admin)
    return pk


RESOURCES.update(
    {
        "attachment": {"create": _attachment},
        "announcement": {
            "create": lambda ctx: {"title": ctx.unique("公告"), "body": "正文"},
            "update": lambda ctx: {"body": "改过的正文"},
            "make": _published,
        },
    }
)

ACTIONS.update(
    {
        ("attachment", "download"): ActionSpec(),
        ("attachment", "preview"): ActionSpec(),
        ("attachment", "usage"): ActionSpec(),
        ("announcement", "transitions"): ActionSpec(
            kwargs={"name": "archive"}, body={}, extra_codes=("transition:announcement.archive",)
        ),
        ("announcement", "read"): ActionSpec(body={}),
        # Published is frozen: edits and deletes answer 409 (drafts: test_announcements.py).
        ("announcement", "update"): ActionSpec(status=409),
        ("announcement", "partial_update"): ActionSpec(status=409),
        ("announcement", "destroy"): ActionSpec(status=409),
        ("announcement", "receipts"): ActionSpec(),
        ("customer", "overview"): ActionSpec(),
    }
)


def _quick(ctx) -> dict:
    name = ctx.unique("快速客户")
    return {
        "customer": {"name": name, "kind": "company"},
        "contact": {"name": "陈经理"},
        "lead": {"company_name": name},
    }


PATHS["workbench"] = {"get": PathSpec()}
# Quick create needs the create codes of customers, contacts and leads together (one
# PathSpec code cannot say so): a user holding none is refused here; each code missing
# alone is refused in tests/office/test_quick_create.py.
PATHS["quick-create"] = {"post": PathSpec(body=_quick, status=403)}
