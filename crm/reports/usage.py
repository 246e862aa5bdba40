"""Usage statistics of a company (``GET /api/v1/reports/usage/?start=&end=``).

Computed on request by a fixed number of grouped queries (one per figure,
whatever the number of rows), over at most ``MAX_DAYS`` days in the company's
time zone, on indexed columns (``created_at`` of the audit log, the transition
log and the sign-ins). Figures:

* active users per day and per ISO week: anyone who signed in, changed a record
  (audit log) or moved a process (transition log) that day;
* sign-ins per day (web sessions and API tokens, ``SignIn`` rows);
* actions per module per day: audit entries plus transitions, by the app of
  the record they touched; records created per module;
* storage used by attachments (all time, with the company's quota).

A module here is the app owning the record (``customers`` holds customers and
leads); its label is the app's name.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from zoneinfo import ZoneInfo

from django.apps import apps
from django.contrib.auth.signals import user_logged_in
from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, Sum
from django.db.models.functions import TruncDate
from django.dispatch import receiver
from django.utils.translation import gettext as _

from crm.core.errors import Invalid
from crm.core.models import AuditEntry

MAX_DAYS = 366


@receiver(user_logged_in, dispatch_uid="crm.reports.usage.count_sign_in")
def count_sign_in(sender, request, user, **kwargs) -> None:
    """One ``SignIn`` row per sign-in of a company user (sessions and tokens)."""
    from crm.reports.models import SignIn

    if getattr(user, "tenant_id", None) is None:
        return
    method = "session" if getattr(request, "session", None) is not None else "token"
    if request is not None and request.path.endswith("/auth/token/"):
        method = "token"
    SignIn.objects.create(tenant_id=user.tenant_id, user=user, method=method)


def period(start: str | None, end: str | None, *, today: dt.date) -> tuple[dt.date, dt.date]:
    """The requested days (default: the last 30 days); 400 naming the field otherwise."""

    def parse(name: str, value: str | None, default: dt.date) -> dt.date:
        if not value:
            return default
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            raise Invalid(fields={name: [_("Enter a date (YYYY-MM-DD).")]}) from None

    last = parse("end", end, today)
    first = parse("start", start, last - dt.timedelta(days=29))
    if first > last:
        raise Invalid(fields={"start": [_("The start must not be after the end.")]})
    if (last - first).days + 1 > MAX_DAYS:
        raise Invalid(
            fields={"end": [_("Choose at most %(n)d days.") % {"n": MAX_DAYS}]},
        )
    return first, last


def _module_of(content_type_id: int, cache: dict) -> str:
    if content_type_id not in cache:
        ct = ContentType.objects.get_for_id(content_type_id)
        cache[content_type_id] = ct.app_label
    return cache[content_type_id]


def usage(tenant, first: dt.date, last: dt.date) -> dict:
    from crm.office.models import Attachment
    from crm.reports.models import SignIn
    from workflows.models import TransitionLog

    tz = ZoneInfo(tenant.time_zone or "Asia/Shanghai")
    lo = dt.datetime.combine(first, dt.time.min, tz)
    hi = dt.datetime.combine(last + dt.timedelta(days=1), dt.time.min, tz)
    day = TruncDate("created_at", tzinfo=tz)

    def window(model):
        return model.objects.filter(tenant=tenant, created_at__gte=lo, created_at__lt=hi)

    audit = window(AuditEntry)
    transitions = window(TransitionLog)
    sign_ins = window(SignIn)

    active: dict[dt.date, set[int]] = defaultdict(set)
    for qs, actor in ((audit, "actor_id"), (transitions, "actor_id"), (sign_ins, "user_id")):
        rows = qs.exclude(**{f"{actor}__isnull": True}).annotate(day=day).values_list("day", actor)
        for d, user_id in rows.distinct():
            active[d].add(user_id)

    cts: dict[int, str] = {}
    actions: dict[tuple[dt.date, str], int] = defaultdict(int)
    for qs in (audit, transitions):
        rows = qs.annotate(day=day).values("day", "content_type_id").annotate(n=Count("id"))
        for row in rows.order_by():
            actions[(row["day"], _module_of(row["content_type_id"], cts))] += row["n"]
    created: dict[str, int] = defaultdict(int)
    rows = audit.filter(action="create").values("content_type_id").annotate(n=Count("id"))
    for row in rows.order_by():
        created[_module_of(row["content_type_id"], cts)] += row["n"]
    signins = dict(
        sign_ins.annotate(day=day).values("day").annotate(n=Count("id")).values_list("day", "n")
    )
    storage = Attachment.objects.filter(tenant=tenant).aggregate(
        bytes=Sum("size"), files=Count("id")
    )

    days = [first + dt.timedelta(days=i) for i in range((last - first).days + 1)]
    weeks: dict[dt.date, set[int]] = defaultdict(set)
    for d, users in active.items():
        weeks[d - dt.timedelta(days=d.weekday())].update(users)
    modules = sorted({m for _d, m in actions} | set(created))
    return {
        "start": first,
        "end": last,
        "modules": [{"key": m, "label": str(apps.get_app_config(m).verbose_name)} for m in modules],
        "days": [
            {
                "date": d,
                "active_users": len(active.get(d, ())),
                "sign_ins": signins.get(d, 0),
                "actions": {m: actions[(d, m)] for m in modules if actions.get((d, m))},
            }
            for d in days
        ],
        "weeks": [
            {"week_start": w, "active_users": len(weeks[w])}
            for w in sorted({d - dt.timedelta(days=d.weekday()) for d in days})
        ],
        "active_users": len(set().union(*active.values())) if active else 0,
        "sign_ins": sum(signins.values()),
        "created": dict(sorted(created.items())),
        "storage": {
            "bytes": storage["bytes"] or 0,
            "files": storage["files"],
            "quota_bytes": tenant.setting("attachment_quota_mb") * 1024 * 1024,
        },
    }
