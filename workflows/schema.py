"""The OpenAPI schema of the transition endpoints: one operation per step.

One URL route serves every step (``transitions/(?P<name>...)``), but each step
takes its own body, so the schema lists ``POST /<collection>/{id}/transitions/
<step>/`` once per step of the collection's process, each with the step's input
serializer as its request body and its label as the summary. A client generated
from the schema (and schemathesis) thus knows every step and its inputs.
"""

from __future__ import annotations

import re

from drf_spectacular.openapi import AutoSchema
from rest_framework import serializers

from workflows.process import Process, Step, get_process

STEP_PATH = "/transitions/{name}/"
_NAME_GROUP = re.compile(r"\(\?P<name>[^)]*\)")


def _process_of(view_class) -> Process | None:
    model = getattr(view_class, "model", None)
    if model is None:
        queryset = getattr(view_class, "queryset", None)
        model = getattr(queryset, "model", None)
    try:
        return get_process(model) if model is not None else None
    except KeyError:
        return None


def one_operation_per_step(endpoints):
    """drf-spectacular preprocessing hook: expand ``{name}`` into the process's steps."""
    out = []
    for path, path_regex, method, callback in endpoints:
        process = _process_of(getattr(callback, "cls", None))
        if not path.endswith(STEP_PATH) or process is None:
            out.append((path, path_regex, method, callback))
            continue
        for name in process.steps:
            out.append(
                (
                    path.replace("{name}", name),
                    _NAME_GROUP.sub(re.escape(name), path_regex),
                    method,
                    callback,
                )
            )
    return out


class TransitionSchema(AutoSchema):
    """The transition action's schema: the body is the step's input serializer."""

    def _step(self) -> Step | None:
        process = _process_of(type(self.view))
        if process is None:
            return None
        return process.step(self.path.rstrip("/").rsplit("/", 1)[-1])

    def get_request_serializer(self):
        step = self._step()
        return step.inputs if step is not None else super().get_request_serializer()

    def get_summary(self):
        step = self._step()
        return str(step.label) if step is not None else super().get_summary()

    def get_description(self):
        step = self._step()
        if step is None:
            return super().get_description()
        required = ", ".join(step.required_inputs) or "-"
        return (
            f"Step `{step.name}`. Answers the updated record. A missing required input "
            f"({required}) or a blocking guard answers 400 `guard_failed` with the reasons; "
            "a bad value 400 `invalid` naming the field; the wrong state 409 "
            "`invalid_transition`; a stale `If-Match` 409 `conflict`."
        )


# --- the ``transitions`` of a record --------------------------------------------------


class StepInputChoiceSerializer(serializers.Serializer):
    value = serializers.JSONField()
    label = serializers.CharField()


class StepInputSerializer(serializers.Serializer):
    """One input of a step, as ``Step.describe_inputs`` gives it (the dialog's field)."""

    name = serializers.CharField()
    label = serializers.CharField()
    type = serializers.ChoiceField(
        choices=["text", "textarea", "number", "date", "datetime", "enum", "dict", "ref"]
    )
    required = serializers.BooleanField()
    max_length = serializers.IntegerField(required=False)
    min_value = serializers.IntegerField(required=False)
    max_value = serializers.IntegerField(required=False)
    choices = StepInputChoiceSerializer(many=True, required=False)
    dict = serializers.CharField(required=False, help_text="the dictionary kind (type dict)")
    ref = serializers.CharField(required=False, help_text="the collection (type ref)")


class TransitionSerializer(serializers.Serializer):
    """One entry of a record's ``transitions`` (``workflows.engine.available_transitions``)."""

    name = serializers.CharField()
    label = serializers.CharField()
    allowed = serializers.BooleanField()
    reasons = serializers.ListField(child=serializers.CharField())
    irreversible = serializers.BooleanField()
    inputs = StepInputSerializer(many=True)
