"""Users from a file (issue 17 item 8): a checked preview, then accounts and invitations.

``POST /api/v1/users/import/`` multipart ``file`` (.xlsx, or CSV in UTF-8 or GBK)
with columns found by their header, Chinese or English: 用户名/username,
姓名/name, 邮箱/email, 手机/mobile, 角色/role (role names, several separated by
commas), 团队/team (a team name). ``dry_run`` (default true) answers the
preview: each row's number, values and errors by column. With ``dry_run=false``
and no errors every user is created in one transaction, each with no password
and an invitation link (``crm.core.invitations``) mailed after the commit; with
errors nothing is created and the answer is 400 with the same rows. Needs
``users.create``, like inviting. Lives here for the upload readers and the xlsx
zip-bomb guard of ``crm.imports.formats`` (core imports no domain app).
"""

from __future__ import annotations

import re

from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models.functions import Lower
from django.utils.translation import gettext as _

from crm.core import invitations
from crm.core.errors import Invalid
from crm.core.models import Role, Team, User
from crm.core.writes import audited_create
from crm.imports import formats

MAX_ROWS = 500
MAX_BYTES = 5 * 1024 * 1024
COLUMNS = ("username", "full_name", "email", "mobile", "role", "team")
#: Header spellings (compared lower-cased, without spaces) -> column.
ALIASES = {
    "username": ("用户名", "账号", "登录名", "username", "user"),
    "full_name": ("姓名", "名字", "name", "fullname", "full_name"),
    "email": ("邮箱", "电子邮箱", "邮件", "email", "e-mail", "mail"),
    "mobile": ("手机", "手机号", "手机号码", "mobile", "phone"),
    "role": ("角色", "role", "roles"),
    "team": ("团队", "部门", "team"),
}
_LOOKUP = {alias: column for column, names in ALIASES.items() for alias in names}
_SPLIT = re.compile(r"[,，;；、/]+")
_MOBILE = re.compile(r"^\+?[\d\s-]{5,20}$")
_LIMITS = {"username": 150, "full_name": 100, "email": 254, "mobile": 20}


def _text(cell) -> str:
    if cell is None:
        return ""
    if isinstance(cell, float) and cell.is_integer():
        cell = int(cell)  # a mobile number typed into a number cell
    return str(cell).strip()


def _columns(header: list[str]) -> dict[int, str]:
    found: dict[int, str] = {}
    for index, title in enumerate(header):
        key = re.sub(r"\s+", "", str(title or "")).lower()
        column = _LOOKUP.get(key)
        if column and column not in found.values():
            found[index] = column
    if "email" not in found.values():
        raise Invalid(
            fields={"file": [_("The file has no e-mail column (邮箱 or email) in its first row.")]}
        )
    return found


def read_rows(content: bytes, filename: str = "") -> list[dict]:
    """The file's data rows as ``{"row": n, "values": {column: text}}`` (at most 500)."""
    if not content:
        raise Invalid(fields={"file": [_("Choose a file.")]})
    if len(content) > MAX_BYTES:
        raise Invalid(fields={"file": [_("The file is larger than 5 MB.")]})
    kind = formats.detect_format(filename, content[:8])
    sheet = (
        formats.open_xlsx(content, name=filename) if kind == "xlsx" else formats.open_csv(content)
    )
    columns = _columns(sheet.header)
    rows = []
    for number, cells in sheet.rows:
        if len(rows) >= MAX_ROWS:
            raise Invalid(
                fields={
                    "file": [
                        _("The file has more than %(n)d rows: import at most %(n)d at once.")
                        % {"n": MAX_ROWS}
                    ]
                }
            )
        values = dict.fromkeys(COLUMNS, "")
        for index, column in columns.items():
            if index < len(cells):
                values[column] = _text(cells[index])
        rows.append({"row": number, "values": values})
    if not rows:
        raise Invalid(fields={"file": [_("The file has no data rows.")]})
    return rows


def check_rows(rows: list[dict], *, tenant) -> list[dict]:
    """Add ``errors`` ({column: [reasons]}) and the resolved roles and team to each row."""
    roles_by_name: dict[str, list[Role]] = {}
    for role in Role.objects.filter(tenant=tenant):
        roles_by_name.setdefault(role.name.strip().lower(), []).append(role)
    teams_by_name: dict[str, list[Team]] = {}
    for team in Team.objects.filter(tenant=tenant):
        teams_by_name.setdefault(team.name.strip().lower(), []).append(team)
    usernames = [(r["values"]["username"] or r["values"]["email"]).lower() for r in rows]
    emails = [r["values"]["email"].lower() for r in rows]
    taken_usernames = set(
        User.objects.annotate(u=Lower("username"))
        .filter(u__in=[u for u in usernames if u])
        .values_list("u", flat=True)
    )
    taken_emails = set(
        User.objects.filter(tenant=tenant, is_active=True)
        .annotate(e=Lower("email"))
        .filter(e__in=[e for e in emails if e])
        .values_list("e", flat=True)
    )
    seen_usernames: dict[str, int] = {}
    seen_emails: dict[str, int] = {}
    for row, username, email in zip(rows, usernames, emails, strict=True):
        values, errors = row["values"], {}

        def add(column: str, message: str, errors=errors) -> None:
            errors.setdefault(column, []).append(message)

        for column, limit in _LIMITS.items():
            if len(values[column]) > limit:
                add(column, _("Longer than %(n)d characters.") % {"n": limit})
        if not values["email"]:
            add("email", _("The e-mail address is missing."))
        else:
            try:
                validate_email(values["email"])
            except ValidationError:
                add(
                    "email", _("“%(value)s” is not an e-mail address.") % {"value": values["email"]}
                )
            if email in seen_emails:
                add("email", _("The same e-mail address as row %(n)d.") % {"n": seen_emails[email]})
            elif email in taken_emails:
                add("email", _("A user of the company already has this e-mail address."))
            seen_emails.setdefault(email, row["row"])
        if username:
            try:
                UnicodeUsernameValidator()(username)
            except ValidationError:
                add(
                    "username",
                    _("Use only letters, digits and @ . + - _ in a username."),
                )
            if username in seen_usernames:
                add(
                    "username",
                    _("The same username as row %(n)d.") % {"n": seen_usernames[username]},
                )
            elif username in taken_usernames:
                add("username", _("This username is taken."))
            seen_usernames.setdefault(username, row["row"])
        if values["mobile"] and not _MOBILE.match(values["mobile"]):
            add("mobile", _("“%(value)s” is not a phone number.") % {"value": values["mobile"]})
        row["roles"] = []
        for name in filter(None, (n.strip() for n in _SPLIT.split(values["role"]))):
            found = roles_by_name.get(name.lower())
            if not found:
                add("role", _("Unknown role “%(name)s”.") % {"name": name})
            else:
                row["roles"].append(found[0])
        row["team"] = None
        if values["team"]:
            found = teams_by_name.get(values["team"].lower())
            if not found:
                add("team", _("Unknown team “%(name)s”.") % {"name": values["team"]})
            elif len(found) > 1:
                add("team", _("Several teams are named “%(name)s”.") % {"name": values["team"]})
            else:
                row["team"] = found[0]
        row["username"] = username
        row["errors"] = errors
    return rows


def public(rows: list[dict]) -> list[dict]:
    """What the preview answers per row."""
    return [{"row": r["row"], "values": r["values"], "errors": r["errors"]} for r in rows]


def import_users(
    content: bytes, *, filename: str, tenant, actor: User, base_url: str, dry_run: bool = True
) -> dict:
    """The preview; unless ``dry_run``, also the users (all or none) and their invitations.

    Raises ``RowErrors`` when a real run finds any row error: nothing is created.
    """
    rows = check_rows(read_rows(content, filename), tenant=tenant)
    failed = sum(1 for r in rows if r["errors"])
    answer = {"total": len(rows), "error_rows": failed, "rows": public(rows), "created": []}
    if dry_run:
        return answer
    if failed:
        raise RowErrors(answer)
    created = []
    with transaction.atomic():
        for row in rows:
            values = row["values"]
            user = audited_create(
                User,
                tenant=tenant,
                actor=actor,
                fields={
                    "username": row["username"],
                    "email": values["email"].lower(),
                    "full_name": values["full_name"],
                    "mobile": values["mobile"],
                    "team": row["team"],
                },
                prepare=lambda new: new.set_unusable_password(),
                extra_changes={
                    "roles": [r.pk for r in row["roles"]],
                    "invited": True,
                    "imported": True,
                },
            )
            user.roles.set(row["roles"])
            invitations.send_invitation(user, actor=actor, base_url=base_url)
            created.append({"id": user.pk, "username": user.username, "email": user.email})
    answer["created"] = created
    return answer


class RowErrors(Invalid):
    """A real run refused: the preview with its per-row errors travels along."""

    def __init__(self, answer: dict):
        super().__init__(
            detail=_("%(n)d rows have errors: nothing was imported.") % {"n": answer["error_rows"]},
            fields={"file": [_("Correct the rows with errors and try again.")]},
        )
        self.answer = answer
