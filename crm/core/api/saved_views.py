"""``/api/v1/saved-views/``: a user's named list views (filters, columns, sort).

Lists the signed-in user's own views plus the shared views of their team's
members (``?collection=customers`` narrows to one list). Any signed-in user
uses it (no permission code); only the owner changes or deletes a view (403),
a view the user cannot see answers 404.
"""

from __future__ import annotations

from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from crm.core import saved_views
from crm.core.api.fields import RelatedLabelField
from crm.core.api.viewsets import RecordViewSet
from crm.core.models import SavedView


class SavedViewSerializer(serializers.ModelSerializer):
    collection = serializers.CharField(
        label=_("list"),
        max_length=60,
        validators=[RegexValidator(r"^[a-z0-9][a-z0-9/_-]*$", _("Send the list's endpoint name."))],
    )
    query = serializers.DictField(label=_("filters"), child=serializers.JSONField(), required=False)
    columns = serializers.ListField(
        label=_("columns"),
        child=serializers.CharField(max_length=saved_views.MAX_KEY_LENGTH),
        max_length=saved_views.MAX_COLUMNS,
        required=False,
    )
    owner_name = RelatedLabelField(source="owner.display_name", label=_("owner"))
    mine = serializers.SerializerMethodField(label=_("my view"))

    class Meta:
        model = SavedView
        fields = [
            "id",
            "collection",
            "name",
            "query",
            "columns",
            "shared",
            "owner",
            "owner_name",
            "mine",
            "created_at",
        ]
        read_only_fields = ["owner", "created_at"]

    def get_mine(self, view) -> bool:
        request = self.context.get("request")
        return request is not None and view.owner_id == request.user.pk


class SavedViewViewSet(RecordViewSet):
    """The user's saved list views and those their team shares, by name."""

    model = SavedView
    serializer_class = SavedViewSerializer
    filterset_fields = ["collection", "shared"]
    ordering = ["name", "id"]
    create_service = staticmethod(saved_views.saved_view_create)
    update_service = staticmethod(saved_views.saved_view_update)
    delete_service = staticmethod(saved_views.saved_view_delete)

    def get_queryset(self):
        queryset = super().get_queryset()
        if getattr(self, "swagger_fake_view", False):
            return queryset
        return saved_views.visible_to(self.request.user, queryset).select_related("owner")
