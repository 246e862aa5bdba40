"""Base viewsets: tenant scope, permission codes and data scope applied once.

A concrete viewset names its model, serializers, filterset, permission module
and services; everything else (tenant scoping, 404 for other tenants' ids, data
scope, errors, history, exports) comes from here. Pick the base by what the
collection is:

* ``DocumentViewSet``: a business record users browse and export (customers,
  contacts, products, activities, feedback);
* ``workflows.api.ProcessViewSet``: a document with a process (adds transitions);
* ``RecordViewSet``: settings-like records (users, roles, teams, bands) with
  service writes and history but no export;
* ``TenantViewSet`` and friends: anything else.

List and detail serializers are chosen one way: ``serializer_class`` is the
record's (detail, writes, a transition's answer) and ``list_serializer_class``,
when set, the list rows' and the export's.
"""

from __future__ import annotations

from contextlib import ExitStack

from django.core.exceptions import FieldDoesNotExist
from django.utils import translation
from django_scopes import scope
from rest_framework import mixins, viewsets
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from crm.core.api import fast_list as fast_list_module
from crm.core.api.export import ExportMixin
from crm.core.api.fast_list import fast_list, use_cached_fields
from crm.core.api.mixins import HistoryMixin, ServiceWriteMixin
from crm.core.api.permissions import HasCode, HasTenant
from crm.core.api.values_list import PageRows, plan_for
from crm.core.modules import check_route
from crm.core.scoping import restrict


def with_tenant_in_hand(queryset, tenant):
    """Rows of ``queryset`` come with ``tenant`` set on them, without a join or a query.

    The company is read with the token; guards, labels and services that read
    its settings would otherwise join it (``select_related``) or read it once
    per record. Django's related managers hand their instance to the rows the
    same way (``QuerySet._known_related_objects``, kept by every clone).
    """
    if tenant is None:
        return queryset
    try:
        field = queryset.model._meta.get_field("tenant")
    except FieldDoesNotExist:
        return queryset
    if not field.many_to_one:
        return queryset
    queryset._known_related_objects = {
        **queryset._known_related_objects,
        field: {tenant.pk: tenant},
    }
    return queryset


class TenantScopedMixin:
    """Activates the tenant scope after authentication for the whole request."""

    permission_classes = [IsAuthenticated, HasTenant, HasCode]
    model = None  # the concrete model; its scoped manager is queried per request
    permission_module: str | None = None
    code: str | None = None  # an @action may require a specific permission code
    code_verb: str | None = None  # or a verb of the module (view/create/edit/delete)
    owner_field: str | None = None
    include_unowned = False
    # List rows and exports (no per-row transitions); None: ``serializer_class``.
    list_serializer_class = None
    list_actions = ("list", "export")

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if cls.model is not None:
            # Class-level querysets cannot touch a scoped manager (no scope at import).
            cls.queryset = cls.model._base_manager.none()

    def dispatch(self, request, *args, **kwargs):
        # The tenant scope and the user's language are entered in ``initial()``
        # (after authentication) on this stack and always left here, whatever
        # the view does: a view that raises (a 500) must not leave its tenant's
        # scope active on the thread for the next request.
        with ExitStack() as stack:
            self._scope_stack = stack
            try:
                return super().dispatch(request, *args, **kwargs)
            finally:
                self._scope_stack = None

    def initial(self, request, *args, **kwargs):
        self.perform_authentication(request)
        user = request.user
        stack = getattr(self, "_scope_stack", None)
        if stack is not None and user and user.is_authenticated and user.tenant_id:
            # On the Django request too: OPTIONS clones the DRF request (metadata),
            # and a clone only sees attributes of the request it wraps.
            request.tenant = request._request.tenant = user.tenant
            stack.enter_context(scope(tenant=user.tenant_id))
            if "lang" not in request.query_params and not request.headers.get("Accept-Language"):
                stack.enter_context(translation.override(user.language))
            # A module the company switched off: every path it owns answers 404.
            check_route(user.tenant, request.path)
        super().initial(request, *args, **kwargs)

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        # The language the body was written in (the user's, when it was applied).
        response.headers["Content-Language"] = translation.get_language()
        return response

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation
            return self.model._base_manager.none()
        # The scoped manager (raises outside a scope) plus an explicit tenant filter.
        queryset = with_tenant_in_hand(
            self.model.objects.filter(tenant_id=self.request.user.tenant_id),
            getattr(self.request, "tenant", None),
        )
        return restrict(
            queryset,
            self.request.user,
            self.owner_field,
            include_unowned=self.include_unowned,
            beyond=self.beyond_scope,
        )

    def beyond_scope(self):
        """Rows the user may open outside their data scope (a ``Q``), or None.

        The one, narrow exception to the data scope: a viewset overrides it only
        for records assigned to the user by a process (the sales viewsets: what
        waits for the user's approval). Asked only when the scope narrows.
        """
        return None

    def filter_queryset(self, queryset):
        # A detail route names its record by id: the list's query-string filters,
        # search and ordering do not apply (DRF would build the whole FilterSet).
        lookup = self.kwargs.get(self.lookup_url_kwarg or self.lookup_field)
        if getattr(self, "detail", False) and lookup is not None:
            return queryset
        return super().filter_queryset(queryset)

    def get_serializer_class(self):
        if self.list_serializer_class is not None and self.action in self.list_actions:
            return self.list_serializer_class
        return super().get_serializer_class()

    def get_serializer(self, *args, **kwargs):
        # Lists (pages, exports) take the compiled path: same JSON, a fraction of the time.
        serializer = fast_list(super().get_serializer(*args, **kwargs))
        if not kwargs.get("many"):
            use_cached_fields(serializer)
        return serializer

    def list(self, request, *args, **kwargs):
        # A page of values() rows when the list serializer allows it (values_list.py).
        # (A comment, not a docstring: the schema describes each list by its viewset.)
        queryset = self.filter_queryset(self.get_queryset())
        plan = None
        if fast_list_module.ENABLED:
            plan = plan_for(
                self.get_serializer_class(),
                lambda: self.get_serializer(many=True).child,
                queryset,
            )
        if plan is None:
            return self._instance_list(queryset)
        rows = queryset.values(*plan.lookups)
        page = self.paginate_queryset(PageRows(queryset, rows))
        if page is not None:
            return self.get_paginated_response(plan.rows(page))
        return Response(plan.rows(rows))

    def _instance_list(self, queryset):
        page = self.paginate_queryset(queryset)
        if page is not None:
            serializer = self.get_serializer(page, many=True)
            return self.get_paginated_response(serializer.data)
        return Response(self.get_serializer(queryset, many=True).data)

    def get_serializer_context(self):
        context = super().get_serializer_context()
        context["tenant"] = getattr(self.request, "tenant", None)
        context["actor"] = self.request.user
        return context


class TenantViewSet(TenantScopedMixin, viewsets.ModelViewSet):
    """CRUD over a tenant's rows; writes go through the serializer's service calls."""

    http_method_names = ["get", "post", "put", "patch", "delete", "head", "options"]


class RecordViewSet(ServiceWriteMixin, HistoryMixin, TenantViewSet):
    """Writes through the services named on the viewset (``create_service``,
    ``update_service``, ``delete_service``, ``editable_check``) and ``history/``."""


class DocumentViewSet(ExportMixin, RecordViewSet):
    """A business record: service writes, ``history/`` and ``export/``."""


class TenantReadOnlyViewSet(TenantScopedMixin, viewsets.ReadOnlyModelViewSet):
    pass


class TenantCreateListViewSet(
    TenantScopedMixin,
    mixins.CreateModelMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    pass
