"""``POST /api/v1/sync/push/`` and ``GET /api/v1/sync/pull/``: offline devices.

Push answers per operation (``applied``, ``duplicate``, ``conflict``,
``rejected``) with 200, whatever each operation's fate: a bad operation does not
refuse the batch. Only a body that is not a list of operations is a 400.
Pull answers ``{"changes": [...], "cursor": "...", "more": bool, "reset": bool}``;
ask again with the cursor until ``more`` is false, and later from the last
cursor. ``reset`` true: the user's role, data scope or team changed since the
cursor, and this pull starts over with everything they see now (drop the rest).
"""

from __future__ import annotations

from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from crm.core.api.viewsets import TenantScopedMixin
from crm.core.errors import DomainError, Invalid
from crm.sync import selectors, services
from crm.sync.collections import COLLECTIONS, get_collection


class OperationSerializer(serializers.Serializer):
    """One queued operation (checked one by one: see ``services.parse_operation``)."""

    id = serializers.UUIDField(help_text=gettext_lazy("made by the client, unique"))
    op = serializers.ChoiceField(choices=services.OPS)
    collection = serializers.ChoiceField(choices=list(COLLECTIONS))
    record = serializers.IntegerField(required=False, allow_null=True)
    base_version = serializers.IntegerField(required=False, allow_null=True)
    data = serializers.DictField(required=False)
    transition = serializers.CharField(required=False, allow_blank=True)


class PushSerializer(serializers.Serializer):
    operations = OperationSerializer(many=True)


class OperationResultSerializer(serializers.Serializer):
    id = serializers.CharField(allow_null=True)
    status = serializers.ChoiceField(choices=["applied", "duplicate", "conflict", "rejected"])
    record = serializers.DictField(allow_null=True)
    version = serializers.IntegerField(
        required=False,
        allow_null=True,
        help_text=gettext_lazy("the record's version after the operation (applied) or now"),
    )
    conflicts = serializers.DictField(help_text=gettext_lazy('{field: {"mine", "theirs", "base"}}'))
    reasons = serializers.ListField(child=serializers.CharField())
    code = serializers.CharField(required=False)
    fields = serializers.DictField(required=False)


class PushResultSerializer(serializers.Serializer):
    results = OperationResultSerializer(many=True)


class ChangeSerializer(serializers.Serializer):
    collection = serializers.CharField()
    record = serializers.DictField()
    deleted = serializers.BooleanField()


class PullSerializer(serializers.Serializer):
    changes = ChangeSerializer(many=True)
    cursor = serializers.CharField()
    more = serializers.BooleanField()
    reset = serializers.BooleanField(
        help_text=gettext_lazy(
            "the user's scope changed since the cursor: drop what is kept and store "
            "this full pull instead"
        )
    )


class CursorExpired(DomainError):
    code = "cursor_expired"
    status = 410
    default_detail = gettext_lazy("This sync position is too old: pull everything again.")


class PushView(TenantScopedMixin, APIView):
    """Apply a batch of operations queued offline, each once, each in its own
    transaction, through the same checks as the collection's own endpoints."""

    @extend_schema(request=PushSerializer, responses=PushResultSerializer)
    def post(self, request):
        operations = request.data.get("operations") if isinstance(request.data, dict) else None
        if not isinstance(operations, list):
            raise Invalid(fields={"operations": [_("Send a list of operations.")]})
        if len(operations) > services.MAX_OPERATIONS:
            raise Invalid(
                fields={
                    "operations": [
                        _("Send at most %(n)d operations at once.") % {"n": services.MAX_OPERATIONS}
                    ]
                }
            )
        return Response({"results": services.push(request, operations)})


class PullView(TenantScopedMixin, APIView):
    """What changed in the user's data scope since ``cursor`` (everything they see
    when no cursor is given), deletions and records that left the scope as
    tombstones."""

    @extend_schema(
        parameters=[
            OpenApiParameter("cursor", str, required=False),
            OpenApiParameter("limit", int, required=False),
            OpenApiParameter(
                "collections",
                str,
                required=False,
                description=gettext_lazy(
                    "Comma-separated collections to pull (default: all); keep the same "
                    "list for a cursor's later pulls"
                ),
            ),
        ],
        responses=PullSerializer,
    )
    def get(self, request):
        limit_text = request.query_params.get("limit") or str(selectors.PAGE)
        try:
            limit = int(limit_text)
        except ValueError:
            limit = 0
        if not 1 <= limit <= selectors.MAX_PAGE:
            raise Invalid(
                fields={"limit": [_("Enter a number from 1 to %(n)d.") % {"n": selectors.MAX_PAGE}]}
            )
        only = None
        if request.query_params.get("collections"):
            only = [
                get_collection(name.strip()).name if get_collection(name.strip()) else name
                for name in request.query_params["collections"].split(",")
            ]
            unknown = [name for name in only if name not in COLLECTIONS]
            if unknown:
                raise Invalid(
                    fields={
                        "collections": [
                            _("Not a synced collection: %(names)s.") % {"names": ", ".join(unknown)}
                        ]
                    }
                )
        try:
            page = selectors.Puller(request, self, only).page(
                request.query_params.get("cursor"), limit
            )
        except selectors.BadCursor:
            raise Invalid(
                fields={"cursor": [_("Send a cursor given by a previous pull.")]}
            ) from None
        except selectors.CursorExpired:
            raise CursorExpired() from None
        return Response(page)


def register_routes(router) -> list:
    return [
        path("sync/push/", PushView.as_view(), name="sync-push"),
        path("sync/pull/", PullView.as_view(), name="sync-pull"),
    ]
