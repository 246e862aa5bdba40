"""A collection's viewset as the requesting user meets it: the one place that builds it
outside a request to that collection (links, record pages, permission checks)."""

from __future__ import annotations


def collection_view(request, collection: str, action: str = "retrieve"):
    """The viewset registered at ``collection`` (a router prefix), set up for ``request``
    and ``action``: its ``get_queryset()`` is what the user sees there (tenant and data
    scope), its permission code what the action needs."""
    from crm.api_router import router

    viewsets = {prefix: vs for prefix, vs, _basename in router.registry}
    return viewsets[collection](request=request, format_kwarg=None, action=action, kwargs={})
