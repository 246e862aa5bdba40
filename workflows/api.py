"""The process layer's API: ``POST /<collection>/{id}/transitions/{name}/``.

Lives here, not in ``crm.core``, because it drives the engine (core imports no
process code); document viewsets mix it in. The body is checked by the step's
own input serializer (``Step.inputs``); the OpenAPI schema shows one operation
per step with that body (``workflows.schema``).
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.response import Response

from crm.core.api.mixins import expected_version
from crm.core.api.viewsets import DocumentViewSet
from workflows.engine import transition
from workflows.process import get_process
from workflows.schema import TransitionSchema


class TransitionsMixin:
    """``POST /<collection>/{id}/transitions/{name}/`` through the engine."""

    @extend_schema(
        parameters=[
            OpenApiParameter("If-Match", str, OpenApiParameter.HEADER, required=False),
        ],
    )
    @action(
        detail=True,
        methods=["post"],
        url_path=r"transitions/(?P<name>[a-z_]+)",
        code_verb="view",
        schema=TransitionSchema(),
    )
    def transitions(self, request, pk=None, name=None):
        obj = self.get_object()
        process = get_process(obj)
        step = process.step(name)
        if step is None:
            raise NotFound(_("Unknown step “%(name)s”.") % {"name": name})
        inputs = step.validate_inputs(request.data)
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


class ProcessViewSet(TransitionsMixin, DocumentViewSet):
    """A document with a process: service writes, ``history/``, ``export/`` and
    ``transitions/{name}/``. Its ``serializer_class`` shows the record with its
    ``transitions``; ``list_serializer_class`` the list rows without them."""
