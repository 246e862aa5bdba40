"""What the importer knows of a file and its rows: the column plan and the planned rows."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from crm.core.errors import Invalid
from crm.imports.resources import Column, CrmResource, _norm


@dataclass
class PlannedRow:
    number: int
    cells: list
    values: dict = field(default_factory=dict)
    virtual: dict = field(default_factory=dict)
    errors: list = field(default_factory=list)
    identity: tuple | None = None
    existing: dict | None = None
    action: str = ""
    changes: dict = field(default_factory=dict)
    cleaned: bool = False
    # (search key inputs, key) computed while cleaning, reused when they still match.
    search: tuple | None = None

    def error(self, column: str, value: Any, message: str) -> None:
        self.errors.append((column, value, message))


class ColumnPlan:
    """Which file column feeds which resource column (headers + explicit mapping).

    A column the import will not store is never dropped silently: ``ignored``
    lists every such header, ``read_only`` the recognised export-only ones
    (status, collected amount...), and ``unmapped`` those the user has neither
    mapped nor ignored (mapped to "" or named in ``ignore``): a real run
    refuses to start while any is left (``refuse_unmapped``).
    """

    def __init__(
        self,
        resource: type[CrmResource],
        header: list[str],
        mapping: dict | None,
        ignore: list[str] | None = None,
    ):
        self.resource = resource
        self.header = header
        known = resource.header_map()
        names = {c.name for c in resource.columns}
        explicit = {_norm(k): v for k, v in (mapping or {}).items()}
        ignore_keys = {_norm(h) for h in ignore or ()} | {k for k, v in explicit.items() if not v}
        bad = sorted(v for v in explicit.values() if v and v not in names)
        if bad:
            raise Invalid(
                fields={
                    "mapping": [
                        _("Unknown columns in the mapping: %(names)s") % {"names": ", ".join(bad)}
                    ]
                }
            )
        self.pairs: list[tuple[int, Column]] = []
        self.ignored: list[str] = []
        self.unmapped: list[str] = []
        self.read_only: list[str] = []
        self.headers: dict[str, str] = {}  # column name -> the file's header text
        used: set[str] = set()
        for index, text in enumerate(header):
            key = _norm(text)
            target = explicit[key] if key in explicit else known.get(key)
            if not target or target in used or key in ignore_keys:
                if text:
                    self.ignored.append(text)
                    if key not in ignore_keys:
                        self.unmapped.append(text)
                continue
            col = resource.column(target)
            used.add(target)
            self.headers[target] = text
            if not col.importable:
                self.read_only.append(text)
                continue
            self.pairs.append((index, col))
        missing = [c for c in resource.columns if c.required and c.name not in used]
        if missing:
            raise Invalid(
                fields={
                    "file": [
                        _("The file has no column for “%(label)s” (header row: %(header)s).")
                        % {"label": c.label, "header": ", ".join(h for h in header if h)}
                        for c in missing
                    ]
                }
            )

    def refuse_unmapped(self) -> None:
        """A real run stores every column it reads, or is told which to leave out."""
        if self.unmapped:
            raise Invalid(
                fields={
                    "ignore_columns": [
                        _(
                            "These columns of the file would not be stored: %(names)s. Map "
                            "each to a field, or ignore it explicitly, and import again."
                        )
                        % {"names": ", ".join(f"“{h}”" for h in self.unmapped)}
                    ]
                }
            )

    def cells(self, row: list) -> list[tuple[Column, Any]]:
        n = len(row)
        return [(col, row[i] if i < n else None) for i, col in self.pairs]

    def header_of(self, name: str) -> str:
        if name in self.headers:
            return self.headers[name]
        return str(self.resource.column(name).label)

    def mapping(self) -> dict[str, str]:
        return {self.header[i]: col.name for i, col in self.pairs}
