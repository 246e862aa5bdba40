"""Reusable endpoints: service-backed writes, history, transitions, If-Match."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.response import Response

from crm.core.errors import Invalid
from crm.core.selectors import history_for
from workflows.engine import transition
from workflows.process import get_process


def expected_version(request) -> int | None:
    """The version from ``If-Match`` (an ETag like ``"3"`` or ``W/"3"``), if sent."""
    header = request.headers.get("If-Match")
    if not header or header.strip() == "*":
        return None
    value = header.strip().removeprefix("W/").strip('"')
    try:
        return int(value)
    except ValueError:
        raise Invalid(fields={"If-Match": [_("Send the record's version number.")]}) from None


class ServiceWriteMixin:
    """Create/update/delete call the services named on the viewset."""

    create_service = None
    update_service = None
    delete_service = None

    def _service_kwargs(self):
        return {"tenant": self.request.tenant, "actor": self.request.user}

    def perform_create(self, serializer):
        serializer.instance = type(self).create_service(
            **self._service_kwargs(), **serializer.validated_data
        )

    def perform_update(self, serializer):
        instance = serializer.instance
        version = expected_version(self.request)
        with transaction.atomic():
            if version is not None and hasattr(instance, "version"):
                # Compare under a row lock: concurrent writers holding the same
                # version must not all pass the check (one wins, the rest get 409).
                current = (
                    type(instance)
                    ._base_manager.select_for_update()
                    .filter(pk=instance.pk)
                    .values_list("version", flat=True)
                    .first()
                )
                if current != version:
                    from crm.core.errors import Conflict

                    raise Conflict()
                if instance.version != current:  # read before a write that just committed
                    instance.refresh_from_db()
            serializer.instance = type(self).update_service(
                instance, **self._service_kwargs(), **serializer.validated_data
            )

    def perform_destroy(self, instance):
        type(self).delete_service(instance, **self._service_kwargs())

    def finalize_response(self, request, response, *args, **kwargs):
        data = getattr(response, "data", None)
        if isinstance(data, dict) and "version" in data and "results" not in data:
            response["ETag"] = f'"{data["version"]}"'
        return super().finalize_response(request, response, *args, **kwargs)


HistorySerializer = inline_serializer(
    "HistoryEntry",
    {
        "kind": serializers.CharField(),
        "action": serializers.CharField(),
        "actor": serializers.CharField(allow_null=True),
        "at": serializers.DateTimeField(),
        "source": serializers.CharField(required=False),
        "target": serializers.CharField(required=False),
        "comment": serializers.CharField(required=False),
        "changes": serializers.DictField(required=False),
    },
    many=True,
)


class HistoryMixin:
    # Not paginated: pagination_class=None makes the schema say so (a plain list).
    @extend_schema(responses=HistorySerializer)
    @action(detail=True, methods=["get"], code_verb="view", pagination_class=None)
    def history(self, request, pk=None):
        """Transitions and field changes of the record, newest first."""
        return Response(history_for(self.get_object()))


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
