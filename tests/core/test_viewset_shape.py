"""Every app's viewsets have one shape: a base instead of a hand-stacked set of
mixins, and list/detail serializers chosen one way (``serializer_class`` plus
``list_serializer_class``, resolved by the base; no ``get_serializer_class`` of
their own)."""

from __future__ import annotations

from rest_framework.test import APIRequestFactory

from crm.api_router import router
from crm.core.api.export import ExportMixin
from crm.core.api.mixins import HistoryMixin, ServiceWriteMixin
from crm.core.api.viewsets import DocumentViewSet, RecordViewSet, TenantScopedMixin
from workflows.api import ProcessViewSet, TransitionsMixin

BASES = {TenantScopedMixin, RecordViewSet, DocumentViewSet, ProcessViewSet}
STACKED = (ServiceWriteMixin, HistoryMixin, TransitionsMixin)


def _app_classes(viewset):
    """The viewset and its ancestors written in the apps (not the shared bases)."""
    return [
        cls
        for cls in viewset.__mro__
        if cls.__module__.startswith("crm.")
        and not cls.__module__.startswith(("crm.core.api.viewsets", "crm.core.api.mixins"))
        and cls not in BASES
        and cls is not ExportMixin
    ]


def test_no_app_viewset_stacks_the_document_mixins_by_hand():
    stacked = sorted(
        f"{cls.__module__}.{cls.__name__}"
        for _prefix, viewset, _basename in router.registry
        for cls in _app_classes(viewset)
        if any(base in STACKED for base in cls.__bases__)
    )
    assert stacked == []


def test_every_process_document_uses_the_process_base():
    with_transitions = [v for _p, v, _b in router.registry if issubclass(v, TransitionsMixin)]
    assert with_transitions
    assert [v.__name__ for v in with_transitions if not issubclass(v, ProcessViewSet)] == []


def test_no_app_viewset_chooses_its_serializer_its_own_way():
    own = sorted(
        f"{cls.__module__}.{cls.__name__}"
        for _prefix, viewset, _basename in router.registry
        for cls in _app_classes(viewset)
        if "get_serializer_class" in vars(cls) or "detail_serializer_class" in vars(cls)
    )
    assert own == []


def test_lists_and_exports_take_the_list_serializer_the_rest_the_records():
    request = APIRequestFactory().get("/")
    checked = 0
    for _prefix, viewset, _basename in router.registry:
        if getattr(viewset, "list_serializer_class", None) is None:
            continue
        for action, expected in (
            ("list", viewset.list_serializer_class),
            ("export", viewset.list_serializer_class),
            ("retrieve", viewset.serializer_class),
            ("create", viewset.serializer_class),
            ("partial_update", viewset.serializer_class),
        ):
            view = viewset(action=action, request=request, format_kwarg=None, kwargs={})
            assert view.get_serializer_class() is expected, (viewset.__name__, action)
        checked += 1
    assert checked >= 10
