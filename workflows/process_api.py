"""``GET /api/v1/processes/``: every process's states and steps with their labels.

The web app takes status options, filter choices and status labels from here
instead of keeping its own copies: a process's states are the choices of its
state field, its steps the registered ``Step`` labels, both translated into the
request's language. The answer depends on the code and the language only, so
clients may cache it (``Cache-Control: private``, varying by language).
"""

from __future__ import annotations

from django.urls import path
from django.utils.cache import patch_cache_control, patch_vary_headers
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from workflows.process import Process, all_processes


class ProcessStateSerializer(serializers.Serializer):
    value = serializers.CharField()
    label = serializers.CharField()


class ProcessStepSerializer(serializers.Serializer):
    name = serializers.CharField()
    label = serializers.CharField()


class ProcessSerializer(serializers.Serializer):
    name = serializers.CharField(help_text="the process, e.g. `lead`")
    collection = serializers.CharField(
        allow_blank=True, help_text="its API collection, e.g. `leads` (blank: none)"
    )
    field = serializers.CharField(help_text="the record's state field, e.g. `status`")
    states = ProcessStateSerializer(many=True)
    steps = ProcessStepSerializer(many=True)


def describe(process: Process) -> dict:
    """A process as the API lists it; labels in the active language."""
    state_field = process.model._meta.get_field(process.field_name)
    # ui_path is "/<collection>/{id}"; the web app's routes and the API's
    # collections share their names.
    collection = process.ui_path.strip("/").split("/")[0] if process.ui_path else ""
    return {
        "name": process.name,
        "collection": collection,
        "field": process.field_name,
        "states": [{"value": str(v), "label": str(label)} for v, label in state_field.choices],
        "steps": [{"name": s.name, "label": str(s.label)} for s in process.steps.values()],
    }


class ProcessListView(APIView):
    """Every process with its states and steps (any signed-in user)."""

    @extend_schema(responses=ProcessSerializer(many=True))
    def get(self, request):
        data = [describe(p) for p in sorted(all_processes(), key=lambda p: p.name)]
        response = Response(ProcessSerializer(data, many=True).data)
        patch_cache_control(response, private=True, max_age=300)
        patch_vary_headers(response, ["Accept-Language", "Cookie", "Authorization"])
        return response


def register_routes(router):
    return [path("processes/", ProcessListView.as_view(), name="processes")]
