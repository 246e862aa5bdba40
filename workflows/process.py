"""How a process is described: transitions with guards and inputs, reminder rules.

The django-fsm mixin in each process file holds the state field and the
``@transition`` methods (which change fields only). A ``Process`` adds what
django-fsm does not model: human-readable guards, the inputs of each step,
work done in the same transaction (e.g. convert creates a customer), side
effects after commit, and the reminder rules of each state.

A step's inputs are declared once, as a DRF serializer on the step
(``Step(..., inputs=DisqualifyInputs)``): the API validates a request body
with it, the OpenAPI schema documents one operation per step with it as the
body (``workflows.schema``), and each record's ``transitions`` describe it to
the web app, which builds the step's dialog from that description.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db import models
from django.utils.functional import Promise, cached_property
from django.utils.translation import gettext_lazy
from rest_framework import serializers
from rest_framework.fields import empty

from crm.core.permissions import registry, transition_code
from crm.core.validators import strip_invisible


@dataclass
class GuardContext:
    actor: Any  # a User, or None for the system actor
    inputs: dict[str, Any]
    # True inside ``engine.transition`` (the step is about to run, in its
    # transaction); False when the guards only describe the step for display.
    applying: bool = False


def lock_actor(ctx: GuardContext) -> None:
    """Serialize the actor's own applying steps: a guard counting what the actor did
    today (a daily claim cap) takes this lock first, so two claims sent at once
    cannot both count the same total and pass. Displaying the step takes no lock."""
    if ctx.applying and ctx.actor is not None:
        from crm.core.models import User

        User.objects.select_for_update().filter(pk=ctx.actor.pk).values_list("pk").first()


Guard = Callable[[models.Model, GuardContext], "str | Promise | None"]


# --- inputs -------------------------------------------------------------------

# The errors that mean "not given": the engine reports a missing required input
# as the step's own reason (400 guard_failed), like a guard, not as a bad value.
MISSING = frozenset({"required", "blank", "null"})


class TextInput(serializers.CharField):
    """Text, and only text: a number or a list is refused, not turned into a string."""

    default_error_messages = {"invalid": gettext_lazy("Send text.")}

    def run_validation(self, data=empty):
        # Zero-width and bidi characters only are no text: "\u200b" as a reason is
        # refused as missing, like a blank one, and never stored.
        if isinstance(data, str):
            data = strip_invisible(data)
        return super().run_validation(data)

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


def required_text(label, message, *, max_length: int = 2000, multiline: bool = True) -> TextInput:
    """A text input the step needs; ``message`` is the reason shown while it is missing."""
    return TextInput(
        label=label,
        max_length=max_length,
        error_messages={"required": message, "blank": message, "null": message},
        style={"input": "textarea"} if multiline else {},
    )


def optional_text(label, *, max_length: int = 2000, multiline: bool = True) -> TextInput:
    return TextInput(
        label=label,
        max_length=max_length,
        required=False,
        allow_blank=True,
        style={"input": "textarea"} if multiline else {},
    )


class TransitionInputs(serializers.Serializer):
    """The body every step takes: a comment kept in the transition log.

    A step with inputs of its own declares a subclass (unknown keys are
    ignored, as everywhere in the API). The class name names the schema
    component, so it says whose step it is (``LeadDisqualifyInputs``).
    """

    comment = optional_text(gettext_lazy("comment"))


def describe_input(name: str, spec: serializers.Field) -> dict[str, Any]:
    """What the web app needs to draw one input: type, label, required, limits, choices.

    ``type`` is one of text, textarea, number, date, datetime, enum (``choices``),
    dict (a tenant dictionary kind: ``dict``) and ref (a record of the collection
    ``ref``); ``style={"input": ...}`` on the field chooses it where the field
    class alone does not say.
    """
    style = spec.style or {}
    out: dict[str, Any] = {
        "name": name,
        "label": str(spec.label or name),
        "required": spec.required,
    }
    if isinstance(spec, serializers.ChoiceField):
        out["type"] = "enum"
        out["choices"] = [{"value": k, "label": str(v)} for k, v in spec.choices.items()]
    elif isinstance(spec, serializers.IntegerField):
        out["type"] = "number"
    elif isinstance(spec, serializers.DateTimeField):
        out["type"] = "datetime"
    elif isinstance(spec, serializers.DateField):
        out["type"] = "date"
    else:
        out["type"] = "text"
    out["type"] = style.get("input", out["type"])
    for key in ("dict", "ref"):
        if key in style:
            out[key] = style[key]
    if getattr(spec, "max_length", None):
        out["max_length"] = spec.max_length
    for key in ("min_value", "max_value"):
        if getattr(spec, key, None) is not None:
            out[key] = getattr(spec, key)
    return out


@dataclass
class Step:
    """One transition of a process, as the engine and the API see it."""

    name: str
    label: str | Promise
    guards: list[Guard] = field(default_factory=list)
    # The step's body: a TransitionInputs subclass (see the module docstring).
    inputs: type[serializers.Serializer] = TransitionInputs
    irreversible: bool = False
    # Runs inside the transaction after the state changed: (obj, ctx) -> None.
    in_transaction: list[Callable[[models.Model, GuardContext], None]] = field(default_factory=list)
    # Run after commit with the object's id.
    after_commit: list[Callable[[int], None]] = field(default_factory=list)

    @cached_property
    def _fields(self) -> dict[str, serializers.Field]:
        return dict(self.inputs().fields)

    @property
    def required_inputs(self) -> dict[str, str | Promise]:
        """The inputs the step needs, each with the reason shown while it is missing."""
        return {
            name: spec.error_messages["required"]
            for name, spec in self._fields.items()
            if spec.required
        }

    def describe_inputs(self) -> list[dict[str, Any]]:
        """The step's own inputs for the web app's dialog (the comment every step takes aside)."""
        return [
            describe_input(name, spec) for name, spec in self._fields.items() if name != "comment"
        ]

    def validate_inputs(self, data) -> dict[str, Any]:
        """The request body checked by the step's serializer: its validated values.

        A required input that is missing or blank is left out, not refused here:
        the engine names it among the step's reasons (400 ``guard_failed``), as it
        does for a call from code. Any other bad value raises a DRF
        ``ValidationError`` naming the field (400 ``invalid``).
        """
        serializer = self.inputs(data=data, partial=True)
        if serializer.is_valid():
            return dict(serializer.validated_data)
        errors = serializer.errors
        required = self.required_inputs
        missing = {
            name
            for name, messages in errors.items()
            if name in required
            and isinstance(messages, list)
            and all(getattr(m, "code", None) in MISSING for m in messages)
        }
        if missing == set(errors):
            data = {k: v for k, v in data.items() if k not in missing}
            serializer = self.inputs(data=data, partial=True)
            serializer.is_valid(raise_exception=True)
            return dict(serializer.validated_data)
        raise serializers.ValidationError({k: v for k, v in errors.items() if k not in missing})


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
    registry.set_group_label(f"transition:{process.name}", process.model._meta.verbose_name)
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


def transition_labels(model, step_name: str, source: str, target: str) -> dict[str, str]:
    """A logged transition as people read it: the step's label and both states' labels
    in the active language (the codes themselves where the process does not know them)."""
    try:
        process = get_process(model)
    except (KeyError, AttributeError):
        return {"step_label": step_name, "source_label": source, "target_label": target}
    step = process.step(step_name)
    state_field = process.model._meta.get_field(process.field_name)
    states = {str(k): str(v) for k, v in state_field.flatchoices}
    return {
        "step_label": str(step.label) if step is not None else step_name,
        "source_label": states.get(str(source), source),
        "target_label": states.get(str(target), target),
    }
