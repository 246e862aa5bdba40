"""What the apps above core plug into it, registered from their ``AppConfig.ready()``.

``crm.core`` never imports a domain app, ``workflows`` or ``tasks`` (DESIGN.md §2
rule 10). Where core's behaviour needs something they own (the broker's health,
the export file writers, transition entries in a record's history, the rows a new
company starts with), the owning app registers it here and core calls whatever is
registered. Permission codes and tenant settings have their own registries
(``crm.core.permissions``, ``crm.core.tenant_settings``).

Registration is keyed by name, so a ``ready()`` that runs twice replaces its own
entry instead of adding a second one.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import IO, Any

from django.db.models import Model

# --- health ---------------------------------------------------------------------

# A check returns the fields it adds to ``GET /health/``; the field named like the
# check is its verdict ("ok" or "down"). A check that raises counts as "down".
HealthCheck = Callable[[], dict[str, str]]
_health_checks: dict[str, HealthCheck] = {}


def register_health_check(name: str, check: HealthCheck) -> None:
    _health_checks[name] = check


def health_checks() -> list[tuple[str, HealthCheck]]:
    return list(_health_checks.items())


# --- history --------------------------------------------------------------------

# A source returns history entries (dicts with at least "kind", "action", "actor"
# and "at") of the record ``(content type, object id)``; core adds its audit entries.
HistorySource = Callable[[Any, Any], list[dict]]
_history_sources: dict[str, HistorySource] = {}


def register_history_source(name: str, source: HistorySource) -> None:
    _history_sources[name] = source


def history_sources() -> list[HistorySource]:
    return list(_history_sources.values())


# --- exports --------------------------------------------------------------------


@dataclass(frozen=True)
class Exporter:
    """The file side of ``GET /<collection>/export/`` (core owns the HTTP side).

    ``code`` is the permission code an export needs. ``columns(model)`` gives
    ``(translated header, obj -> row)`` when the model has an import resource (so
    an export re-imports cleanly), else None and the list serializer's fields are
    used; ``xlsx_file(header, rows, title)`` returns an open binary file;
    ``csv_stream(header, rows)`` yields CSV lines.
    """

    columns: Callable[[type[Model]], tuple[list[str], Callable] | None]
    xlsx_file: Callable[[list[str], Iterable[list], str], IO[bytes]]
    csv_stream: Callable[[list[str], Iterable[list]], Iterator[str]]
    code: str


_exporters: dict[str, Exporter] = {}


def register_exporter(name: str, exporter: Exporter) -> None:
    _exporters[name] = exporter


def exporter() -> Exporter | None:
    """The registered exporter (the last one wins), or None: exports are unavailable."""
    return next(reversed(_exporters.values()), None)


# --- sign-up --------------------------------------------------------------------


@dataclass(frozen=True)
class SignupSeed:
    """Rows an app gives every new company, created inside the sign-up transaction.

    ``seed(tenant)`` runs under the new tenant's scope; ``models`` lists the models
    it fills, so a backup restore knows these rows are not "data already there".
    """

    seed: Callable[[Any], None]
    models: tuple[type[Model], ...] = field(default_factory=tuple)
    #: A permission code prefix that arrived with the seed's module: a company that
    #: signed up before it (offered no code with this prefix) gets the seed from
    #: ``crm.core.services.sync_permissions``, as a new company would. None: sign-up only.
    new_with: str | None = None


_signup_seeds: dict[str, SignupSeed] = {}


def register_signup_seed(
    name: str,
    seed: Callable[[Any], None],
    *,
    models: Iterable[type[Model]] = (),
    new_with: str | None = None,
) -> None:
    """``seed`` must be idempotent when ``new_with`` is given (it may meet rows an
    earlier release or an admin made)."""
    _signup_seeds[name] = SignupSeed(seed=seed, models=tuple(models), new_with=new_with)


def signup_seeds() -> list[SignupSeed]:
    return list(_signup_seeds.values())


def signup_models() -> set[type[Model]]:
    """Every model a registered sign-up seed fills."""
    return {model for seed in _signup_seeds.values() for model in seed.models}


# --- the record timeline ----------------------------------------------------------


# A source gives the newest ``limit`` timeline entries of a record and how many it
# has in all: ``source(field, record, limit) -> (entries, count)``. ``field`` names
# the record's kind as a link field does ("customer", "contract"...). An entry is a
# dict with "kind", "id", "at", "title", "actor" and, as they apply, "status",
# "detail", "link", "source", "target", "changes". A source runs a bounded number
# of queries, whatever the record holds (one for the rows, one for the count).
TimelineSource = Callable[[str, Model, int], tuple[list[dict], int]]
_timeline_sources: dict[str, TimelineSource] = {}


def register_timeline_source(name: str, source: TimelineSource) -> None:
    _timeline_sources[name] = source


def timeline_sources() -> list[tuple[str, TimelineSource]]:
    return list(_timeline_sources.items())


# --- the workbench ------------------------------------------------------------------


# A panel of ``GET /api/v1/workbench/``: ``panel(user) -> dict`` (its rows, counts and
# a "link" to the filtered list), in a fixed number of queries whatever the rows.
# Registered by the app that owns the data, so a module switched off drops its panels.
WorkbenchPanel = Callable[[Any], dict]
_workbench_panels: dict[str, WorkbenchPanel] = {}


def register_workbench_panel(name: str, panel: WorkbenchPanel) -> None:
    _workbench_panels[name] = panel


def workbench_panels() -> list[tuple[str, WorkbenchPanel]]:
    return list(_workbench_panels.items())


# --- modules ------------------------------------------------------------------------


@dataclass(frozen=True)
class MenuEntry:
    """An entry of the web app's menu: its page path, label and the code it needs."""

    path: str
    label: Any
    code: str | None = None


@dataclass(frozen=True)
class AppModule:
    """A part of the product a tenant switches on and off (``/api/v1/modules/``).

    Everything a module adds is listed here, so switching it off hides all of it
    in one place: ``routes`` are the API path prefixes under ``/api/v1/`` (a
    router prefix ends with "/", e.g. "leads/"), ``codes`` the permission code
    prefixes the role editor then hides, ``reminder_models`` the models
    ("app_label.Model") whose reminders are held while it is off, ``panels``
    its workbench panels and ``menu`` its menu entries. A ``locked`` module is
    always on (customers, system).
    """

    key: str
    label: Any
    order: int = 100
    locked: bool = False
    routes: tuple[str, ...] = ()
    codes: tuple[str, ...] = ()
    reminder_models: tuple[str, ...] = ()
    panels: tuple[str, ...] = ()
    menu: tuple[MenuEntry, ...] = ()


_modules: dict[str, AppModule] = {}


def register_module(module: AppModule) -> None:
    _modules[module.key] = module


def modules() -> list[AppModule]:
    """Every registered module, in menu order."""
    return sorted(_modules.values(), key=lambda m: (m.order, m.key))


def get_module(key: str) -> AppModule | None:
    return _modules.get(key)
