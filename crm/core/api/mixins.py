"""Reusable endpoints: service-backed writes, history, If-Match.

The transitions endpoint belongs to the process layer: ``workflows.api``.
"""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.response import Response

from crm.core.errors import Invalid
from crm.core.selectors import history_for


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
    # A frozen document answers 409 ``frozen`` before its body is even validated.
    editable_check = None

    def update(self, request, *args, **kwargs):
        if self.editable_check is not None:
            type(self).editable_check(self.get_object())
        return super().update(request, *args, **kwargs)

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


class ChangeLineSerializer(serializers.Serializer):
    """One changed field as people read it (``crm.core.history``)."""

    field = serializers.CharField()
    label = serializers.CharField()
    old = serializers.CharField(allow_null=True, help_text="null: the entry records a value")
    new = serializers.CharField()


HistorySerializer = inline_serializer(
    "HistoryEntry",
    {
        "kind": serializers.CharField(),
        "id": serializers.IntegerField(required=False),
        "action": serializers.CharField(),
        "actor": serializers.CharField(allow_null=True),
        "at": serializers.DateTimeField(),
        "source": serializers.CharField(required=False),
        "target": serializers.CharField(required=False),
        "step_label": serializers.CharField(required=False),
        "source_label": serializers.CharField(required=False),
        "target_label": serializers.CharField(required=False),
        "comment": serializers.CharField(required=False),
        "changes": serializers.DictField(required=False),
        "lines": ChangeLineSerializer(many=True, required=False),
        "job": serializers.IntegerField(required=False, allow_null=True),
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
