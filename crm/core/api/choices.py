"""``GET /api/v1/choices/``: the fixed choices of every collection's fields, labelled.

``{"customers": {"kind": [{"value": "company", "label": "公司"}, ...]}, ...}``:
each choice field of a collection's serializer (a model field's ``choices``,
a ``ChoiceField``) with its labels in the request's language. The web app
builds its select options, filters and cell labels from it instead of keeping
copies; a record's process states are also listed by ``GET /api/v1/processes/``.

Core imports no domain app: ``register_routes`` receives the router the apps
filled and reads the serializers from it.
"""

from __future__ import annotations

import logging

from django.urls import path
from django.utils import translation
from django.utils.cache import patch_cache_control, patch_vary_headers
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

logger = logging.getLogger(__name__)


class FieldChoiceSerializer(serializers.Serializer):
    value = serializers.CharField()
    label = serializers.CharField()


CHOICES_SCHEMA = serializers.DictField(
    child=serializers.DictField(child=serializers.ListField(child=FieldChoiceSerializer())),
    help_text="collection -> field -> its choices in order",
)


def _choice_field(field):
    """The field's choices: its own, or those of each item of a list of choices."""
    if isinstance(field, serializers.ChoiceField):
        return field
    child = getattr(field, "child", None)
    if isinstance(field, serializers.ListField) and isinstance(child, serializers.ChoiceField):
        return child
    return None


def collection_choices(registry) -> dict[str, dict[str, list[dict[str, str]]]]:
    """Every choice field of every registered collection, labelled in the active language."""
    out: dict[str, dict[str, list[dict[str, str]]]] = {}
    for prefix, viewset, _basename in registry:
        serializer_class = getattr(viewset, "serializer_class", None)
        if serializer_class is None:
            continue
        try:
            fields = serializer_class(context={}).fields
        except Exception:  # a serializer that needs a request to build its fields
            logger.warning("choices: cannot build the fields of %s", serializer_class.__name__)
            continue
        found = {
            name: [
                {"value": str(value), "label": str(label)} for value, label in field.choices.items()
            ]
            for name, field in ((n, _choice_field(f)) for n, f in fields.items())
            if field is not None
        }
        if found:
            out[prefix] = found
    return out


class ChoicesView(APIView):
    """The choices of every collection's fields (any signed-in user)."""

    registry: list = []
    _cache: dict[str, dict] = {}

    @extend_schema(responses=CHOICES_SCHEMA)
    def get(self, request):
        language = translation.get_language() or ""
        if language not in self._cache:
            self._cache[language] = collection_choices(self.registry)
        response = Response(self._cache[language])
        patch_cache_control(response, private=True, max_age=300)
        patch_vary_headers(response, ["Accept-Language", "Cookie", "Authorization"])
        return response


def register_routes(router):
    """Called by ``crm.api_router`` after the apps registered their collections."""
    view = ChoicesView.as_view(registry=router.registry, _cache={})
    return [path("choices/", view, name="choices")]
