"""``POST /<collection>/bulk-delete/``: delete a selection, or first see what would happen.

``{"ids": [...], "dry_run": true}`` runs each row's own delete service inside a
savepoint that is rolled back: the answer says how many would be deleted and
which would be refused and why (409 ``protected`` with its ``blockers``,
``frozen``...), exactly as the single delete decides, since it is the same
code. Without ``dry_run`` each row is deleted in its own savepoint: the deletable
rows go, the refused ones stay and are listed. Rows outside the user's data
scope or company are unknown ids (400), as on the card.
"""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.response import Response

from crm.core.errors import DomainError, Invalid

MAX_BULK_DELETE = 200


class BulkDeleteSerializer(serializers.Serializer):
    ids = serializers.ListField(
        # The bound of a database id: a bigger number is refused (400), not sent to
        # SQLite, which cannot bind it (OverflowError, a 500).
        child=serializers.IntegerField(min_value=1, max_value=2**63 - 1),
        max_length=MAX_BULK_DELETE,
        label=gettext_lazy("records"),
    )
    dry_run = serializers.BooleanField(
        default=False, help_text="Only tell what would be deleted and what is refused."
    )


class BulkDeleteBlockerSerializer(serializers.Serializer):
    model = serializers.CharField()
    count = serializers.IntegerField()


class BulkDeleteRefusalSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    code = serializers.CharField()
    detail = serializers.CharField()
    blockers = BulkDeleteBlockerSerializer(many=True)


class BulkDeleteResultSerializer(serializers.Serializer):
    dry_run = serializers.BooleanField()
    deleted = serializers.IntegerField(help_text="Deleted (or, in a dry run, deletable) rows.")
    refused = BulkDeleteRefusalSerializer(many=True)


class BulkDeleteMixin:
    """Add to a ``RecordViewSet`` (it needs ``delete_service``)."""

    @extend_schema(request=BulkDeleteSerializer, responses=BulkDeleteResultSerializer)
    @action(detail=False, methods=["post"], url_path="bulk-delete", code_verb="delete")
    def bulk_delete(self, request):
        body = BulkDeleteSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        wanted = list(dict.fromkeys(body.validated_data["ids"]))
        dry_run = body.validated_data["dry_run"]
        rows = {row.pk: row for row in self.get_queryset().filter(pk__in=wanted)}
        missing = [pk for pk in wanted if pk not in rows]
        if missing:
            listed = ", ".join(str(pk) for pk in missing[:20])
            raise Invalid(fields={"ids": [_("Unknown records: %(ids)s.") % {"ids": listed}]})
        deleted, refused = 0, []
        for pk in wanted:
            row = rows[pk]
            name = str(row)
            try:
                with transaction.atomic():
                    type(self).delete_service(row, **self._service_kwargs())
                    if dry_run:
                        transaction.set_rollback(True)
            except DomainError as exc:
                refused.append(
                    {
                        "id": pk,
                        "name": name,
                        "code": exc.code,
                        "detail": str(exc.detail),
                        "blockers": getattr(exc, "blockers", []),
                    }
                )
            else:
                deleted += 1
        return Response({"dry_run": dry_run, "deleted": deleted, "refused": refused})
