"""How a process is described: transitions with guards and inputs, reminder rules.

The django-fsm mixin in each process file holds the state field and the
``@transition`` methods (which change fields only). A ``Process`` adds what
django-fsm does not model: human-readable guards, required inputs, work done
in the same transaction (e.g. convert creates a customer), side effects after
commit, and the reminder rules of each state.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db import models
from django.utils.functional import Promise

from crm.core.permissions import registry, transition_code


@dataclass
class GuardContext:
    actor: Any  # a User, or None for the system actor
    inputs: dict[str, Any]


Guard = Callable[[models.Model, GuardContext], "str | Promise | None"]


@dataclass
class Step:
    """One transition of a process, as the engine and the API see it."""

    name: str
    label: str | Promise
    guards: list[Guard] = field(default_factory=list)
    required_inputs: dict[str, str | Promise] = field(default_factory=dict)
    irreversible: bool = False
    # Runs inside the transaction after the state changed: (obj, ctx) -> None.
    in_transaction: list[Callable[[models.Model, GuardContext], None]] = field(default_factory=list)
    # Run after commit with the object's id.
    after_commit: list[Callable[[int], None]] = field(default_factory=list)


@dataclass
class ReminderRule:
    """A reminder scheduled when its record enters ``state``, cancelled when it leaves.

    ``due`` computes the moment from the record (None: no reminder); at delivery
    the rule is re-checked: a recomputed due moment later than the stored one
    means the row is stale (e.g. an activity was logged) and it is skipped.
    """

    name: str
    state: str | tuple[str, ...]
    due: Callable[[models.Model], dt.datetime | None]
    recipient: Callable[[models.Model], Any]
    message: Callable[[models.Model], tuple[str, str]] | None = None
    action: Callable[[models.Model, Any], None] | None = None

    def applies_to(self, state: str) -> bool:
        return state in self.states

    @property
    def states(self) -> tuple[str, ...]:
        return (self.state,) if isinstance(self.state, str) else self.state


@dataclass
class Process:
    name: str
    model: type[models.Model]
    steps: dict[str, Step]
    reminder_rules: list[ReminderRule] = field(default_factory=list)
    field_name: str = "status"
    # A link to the record in the web UI, e.g. "/leads/{id}".
    ui_path: str = ""

    def step(self, name: str) -> Step | None:
        return self.steps.get(name)

    def rule(self, name: str) -> ReminderRule | None:
        return next((r for r in self.reminder_rules if r.name == name), None)

    def code(self, step_name: str) -> str:
        return transition_code(self.name, step_name)


_PROCESSES: dict[str, Process] = {}
_BY_MODEL: dict[type[models.Model], Process] = {}


def register(process: Process) -> Process:
    """Register a process and one permission code per transition."""
    _PROCESSES[process.name] = process
    _BY_MODEL[process.model] = process
    for step in process.steps.values():
        registry.register(process.code(step.name), step.label, f"transition:{process.name}")
    return process


def get_process(name_or_model) -> Process:
    if isinstance(name_or_model, str):
        return _PROCESSES[name_or_model]
    model = name_or_model if isinstance(name_or_model, type) else type(name_or_model)
    return _BY_MODEL[model._meta.concrete_model]


def all_processes() -> list[Process]:
    return list(_PROCESSES.values())
