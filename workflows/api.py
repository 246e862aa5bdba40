"""The process layer's API: ``POST /<collection>/{id}/transitions/{name}/``.

Lives here, not in ``crm.core``, because it drives the engine (core imports no
process code); document viewsets mix it in.
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.response import Response

from crm.core.api.mixins import expected_version
from crm.core.errors import Invalid
from workflows.engine import transition
from workflows.process import get_process

TransitionInput = inline_serializer(
    "TransitionInput",
    {
        "comment": serializers.CharField(required=False, allow_blank=True),
        "reason": serializers.CharField(required=False, allow_blank=True),
    },
)


class TransitionsMixin:
    """``POST /<collection>/{id}/transitions/{name}/`` through the engine."""

    @extend_schema(
        request=TransitionInput,
        parameters=[
            OpenApiParameter("name", str, OpenApiParameter.PATH),
            OpenApiParameter("If-Match", str, OpenApiParameter.HEADER, required=False),
        ],
    )
    @action(
        detail=True,
        methods=["post"],
        url_path=r"transitions/(?P<name>[a-z_]+)",
        code_verb="view",
    )
    def transitions(self, request, pk=None, name=None):
        obj = self.get_object()
        process = get_process(obj)
        if process.step(name) is None:
            raise NotFound(_("Unknown step “%(name)s”.") % {"name": name})
        if not isinstance(request.data, dict):
            raise Invalid(fields={"non_field_errors": [_("Send a JSON object.")]})
        inputs = self.clean_transition_inputs(name, dict(request.data))
        transition(
            model=type(obj),
            pk=obj.pk,
            name=name,
            tenant=request.tenant,
            actor=request.user,
            inputs=inputs,
            expected_version=expected_version(request),
        )
        fresh = self.get_queryset().filter(pk=obj.pk).first()
        if fresh is None:  # e.g. a lead returned to the pool left the caller's scope
            return Response({"id": obj.pk, "status": getattr(obj, process.field_name)})
        return Response(self.get_serializer(fresh).data, status=status.HTTP_200_OK)

    def clean_transition_inputs(self, name: str, data: dict) -> dict:
        """Keep known inputs, as strings or ids; a viewset may override per step."""
        cleaned = {}
        for key, value in data.items():
            if key in ("comment", "reason"):
                if value is not None and not isinstance(value, str):
                    raise Invalid(fields={key: [_("Send text.")]})
                cleaned[key] = (value or "")[:2000]
        return cleaned
