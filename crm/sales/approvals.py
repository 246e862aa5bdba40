"""Who approves a quote or a contract, and what waits for whom (待我审批).

The approvers of a submitted document are computed, not stored, from the
company's teams and roles as they are now:

1. the nearest leader up the submitter's team chain who may approve it
   (active, not its author, holding the step's permission and, for a
   contract, the permission of its amount band);
2. else every colleague who may approve it, whatever their data scope.

A submission nobody may approve is refused at submit (``has_approver``, a
guard of both processes), so a document never waits for nobody. The viewsets
let an approver open and act on what waits for them even outside their data
scope (``awaiting_q``, the one exception to ``crm.core.scoping.restrict``).
Every function here runs a constant number of queries, whatever the number
of users, teams or waiting documents.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Q
from django.utils.translation import gettext as _

from crm.core.models import Role, Team, User
from crm.core.permissions import transition_code

QUOTE_APPROVE = transition_code("quote", "approve")
CONTRACT_APPROVE = transition_code("contract", "approve")


@dataclass
class Directory:
    """A tenant's teams and active users with their permission codes (three queries)."""

    tenant_id: int
    teams: dict[int, tuple[int | None, int | None]] = field(default_factory=dict)
    users: dict[int, User] = field(default_factory=dict)
    codes: dict[int, set[str]] = field(default_factory=dict)
    bands: list = field(default_factory=list)

    @classmethod
    def load(cls, tenant) -> Directory:
        """Teams, users, their roles' codes and the approval bands: four queries."""
        from crm.sales.selectors import approval_bands

        tenant_id = tenant.pk
        d = cls(tenant_id)
        d.bands = approval_bands(tenant)
        d.teams = {
            tid: (parent, leader)
            for tid, parent, leader in Team.objects.filter(tenant_id=tenant_id).values_list(
                "id", "parent_id", "leader_id"
            )
        }
        d.users = {
            u.pk: u
            for u in User.objects.filter(tenant_id=tenant_id, is_active=True, is_system=False)
        }
        for user_id, permissions in Role.users.through.objects.filter(
            user_id__in=list(d.users)
        ).values_list("user_id", "role__permissions"):
            d.codes.setdefault(user_id, set()).update(permissions or [])
        return d

    def may(self, user_id: int, codes: tuple[str, ...]) -> bool:
        have = self.codes.get(user_id, set())
        return user_id in self.users and all(code in have for code in codes)

    def band_for(self, amount):
        """As ``selectors.approval_band_for``, from the loaded bands."""
        for band in self.bands:
            if band.max_amount is None or amount <= band.max_amount:
                return band
        return self.bands[-1]

    def approvers(self, *, codes: tuple[str, ...], team_id, authors: set) -> list[int]:
        """Ids of the users who may approve: the leader chain first, else all holders."""
        seen: set[int] = set()
        while team_id is not None and team_id not in seen and team_id in self.teams:
            seen.add(team_id)
            parent, leader = self.teams[team_id]
            if leader is not None and leader not in authors and self.may(leader, codes):
                return [leader]
            team_id = parent
        return sorted(uid for uid in self.users if uid not in authors and self.may(uid, codes))


def _kind(doc) -> str:
    return doc._meta.model_name  # "quote" | "contract"


def required_codes(doc, directory: Directory) -> tuple[str, ...]:
    """What an approver of ``doc`` must hold."""
    if _kind(doc) == "contract":
        return (CONTRACT_APPROVE, directory.band_for(doc.amount or 0).permission)
    return (QUOTE_APPROVE,)


def _author_ids(doc, submitter=None) -> set[int]:
    ids = {doc.created_by_id, doc.submitted_by_id}
    if submitter is not None:
        ids.add(submitter.pk)
    return ids - {None}


def _team_of(doc, directory: Directory, submitter=None):
    author_id = (
        (submitter.pk if submitter is not None else None)
        or doc.submitted_by_id
        or doc.created_by_id
        or getattr(doc, "owner_id", None)
    )
    author = directory.users.get(author_id)
    if author is None and author_id is not None:  # an inactive author: still their team
        author = User.objects.filter(pk=author_id).first()
    return author.team_id if author is not None else None


def approvers_for(doc, *, submitter=None, directory: Directory | None = None) -> list[User]:
    """The users who may approve ``doc`` (see the module docstring)."""
    directory = directory or Directory.load(doc.tenant)
    ids = directory.approvers(
        codes=required_codes(doc, directory),
        team_id=_team_of(doc, directory, submitter),
        authors=_author_ids(doc, submitter),
    )
    return [directory.users[uid] for uid in ids]


def no_approver_reason(doc, submitter=None) -> str | None:
    """Why nobody can approve ``doc`` if ``submitter`` submits it, else None."""
    directory = Directory.load(doc.tenant)
    if approvers_for(doc, submitter=submitter, directory=directory):
        return None
    if _kind(doc) == "contract":
        needed = directory.band_for(doc.amount or 0).get_permission_display()
    else:
        needed = _("approve quotes")
    return _(
        "Nobody can approve this: no active colleague other than its author may “%(needed)s”. "
        "Ask the administrator to give that permission to a team leader or a colleague."
    ) % {"needed": needed}


def pending_status(model) -> str:
    from workflows.contract import ContractStatus
    from workflows.quote import QuoteStatus

    if model._meta.model_name == "contract":
        return ContractStatus.PENDING_APPROVAL
    return QuoteStatus.SUBMITTED


def _extra_fields(model) -> tuple[str, ...]:
    return ("amount", "owner_id") if model._meta.model_name == "contract" else ()


def awaiting_ids(user, model) -> list[int]:
    """Ids of the ``model`` documents waiting for ``user``'s approval.

    Constant queries: the waiting documents of the tenant, its teams and users.
    """
    # Asked twice in a request (the scope exception and ?awaiting_me): kept on the
    # request's user object, which lives as long as the request.
    cache = user.__dict__.setdefault("_awaiting_ids", {})
    key = model._meta.label
    if key not in cache:
        cache[key] = _awaiting_ids(user, model)
    return cache[key]


def _awaiting_ids(user, model) -> list[int]:
    step_code = CONTRACT_APPROVE if model._meta.model_name == "contract" else QUOTE_APPROVE
    if not user.is_authenticated or not user.tenant_id or not user.has_code(step_code):
        return []
    pending = list(
        model._base_manager.filter(tenant_id=user.tenant_id, status=pending_status(model)).only(
            "pk", "tenant_id", "status", "created_by_id", "submitted_by_id", *_extra_fields(model)
        )
    )
    if not pending:
        return []
    directory = Directory.load(user.tenant)
    return [
        doc.pk
        for doc in pending
        if any(u.pk == user.pk for u in approvers_for(doc, directory=directory))
    ]


def awaiting_q(user, model) -> Q | None:
    """The rows beyond the user's data scope they may still open: what waits for them."""
    ids = awaiting_ids(user, model)
    return Q(pk__in=ids) if ids else None


def notify_approvers(model, pk: int) -> int:
    """Tell the approvers of a just-submitted document (after commit; ids only).

    Nothing happens when the document is no longer waiting (approved or returned
    meanwhile). One notification each, in the recipient's language; returns how many.
    """
    from django.contrib.contenttypes.models import ContentType
    from django.db import transaction
    from django.utils import timezone, translation
    from django_scopes import scope

    from crm.activities.models import Notification
    from crm.activities.services import notify_many
    from crm.sales.money import money_text

    doc = model._base_manager.filter(pk=pk).select_related("tenant", "submitted_by").first()
    if doc is None or doc.status != pending_status(model):
        return 0
    kind = _kind(doc)
    with scope(tenant=doc.tenant_id), transaction.atomic():
        users = approvers_for(doc)
        ct = ContentType.objects.get_for_model(model)
        by = doc.submitted_by.display_name if doc.submitted_by else "-"
        notes = []
        for user in users:
            with translation.override(user.language):
                if kind == "contract":
                    title = _("Contract %(number)s is waiting for your approval") % {
                        "number": doc.number
                    }
                    amount = doc.amount
                else:
                    title = _("Quote %(name)s is waiting for your approval") % {"name": str(doc)}
                    amount = doc.total
                body = _("%(user)s submitted it for approval (%(amount)s).") % {
                    "user": by,
                    "amount": money_text(amount),
                }
            notes.append(
                Notification(
                    tenant_id=doc.tenant_id,
                    recipient_id=user.pk,
                    title=title,
                    body=body,
                    link=f"/{kind}s/{doc.pk}",
                    content_type=ct,
                    object_id=doc.pk,
                    created_at=timezone.now(),
                )
            )
        notify_many(notes)
    return len(notes)
