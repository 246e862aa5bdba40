"""The process layer's API: ``POST /<collection>/{id}/transitions/{name}/``.

Lives here, not in ``crm.core``, because it drives the engine (core imports no
process code); document viewsets mix it in. The body is checked by the step's
own input serializer (``Step.inputs``); the OpenAPI schema shows one operation
per step with that body (``workflows.schema``).
"""

from __future__ import annotations

from django.core.exceptions import FieldDoesNotExist
from django.db.models import Field, Model, QuerySet
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.exceptions import APIException, NotFound
from rest_framework.response import Response

from crm.core.api.mixins import expected_version
from crm.core.api.viewsets import DocumentViewSet
from crm.core.errors import DomainError
from workflows.engine import transition
from workflows.process import get_process
from workflows.schema import TransitionSchema


def answer_queryset(visible: QuerySet, obj: Model) -> tuple[QuerySet, dict[Field, Model]]:
    """The scope's query for a transition's answer, joining only what is not in hand.

    The record is read again after the transition (in the user's scope, with the
    queryset's annotations), but a detail queryset's ``select_related`` joins many
    tables and PostgreSQL's planning of that join costs more than all the
    transition's other queries together. A relation the transitioned record
    leaves empty needs no join (it reads None), one the record holds already
    (the tenant, an owner set to the actor) is handed over instead: only the
    remaining relations are joined. Returns the queryset and ``{field: related}``
    to put on the row read when its key still matches.
    """
    related = visible.query.select_related
    if not isinstance(related, dict) or not related:
        return visible, {}
    keep: list[str] = []
    in_hand: dict[Field, Model] = {}

    def paths(prefix: str, nested: dict) -> list[str]:
        if not nested:
            return [prefix]
        return [p for name, sub in nested.items() for p in paths(f"{prefix}__{name}", sub)]

    for name, nested in related.items():
        try:
            field = obj._meta.get_field(name)
        except FieldDoesNotExist:
            field = None
        if field is None or not (field.concrete and (field.many_to_one or field.one_to_one)):
            keep.extend(paths(name, nested))  # e.g. a reverse one-to-one: as asked
            continue
        if getattr(obj, field.attname) is None:
            continue
        if not nested and field.get_cached_value(obj, None) is not None:
            in_hand[field] = field.get_cached_value(obj)
            continue
        keep.extend(paths(name, nested))
    queryset = visible.select_related(None)
    # (no names at all would mean every relation to Django)
    return (queryset.select_related(*keep) if keep else queryset), in_hand


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
        # No read before the engine's lock: the lock query itself checks the record
        # is in the user's scope (``visible``); one scope for the lock and the answer.
        visible = self.get_queryset()
        try:
            pk = int(pk)
        except (TypeError, ValueError):
            raise NotFound() from None
        process = get_process(visible.model)
        try:
            step = process.step(name)
            if step is None:
                raise NotFound(_("Unknown step “%(name)s”.") % {"name": name})
            inputs = step.validate_inputs(request.data)
            version = expected_version(request)
        except (APIException, DomainError):
            # A record the user cannot see answers 404 before any complaint about the body.
            if not visible.filter(pk=pk).exists():
                raise NotFound() from None
            raise
        obj = transition(
            model=visible.model,
            pk=pk,
            name=name,
            tenant=request.tenant,
            actor=request.user,
            inputs=inputs,
            expected_version=version,
            visible=visible,
        )
        queryset, in_hand = answer_queryset(visible, obj)
        fresh = queryset.filter(pk=obj.pk).first()
        if fresh is None:  # e.g. a lead returned to the pool left the caller's scope
            return Response({"id": obj.pk, "status": getattr(obj, process.field_name)})
        for field, related in in_hand.items():
            if getattr(fresh, field.attname) == related.pk:
                field.set_cached_value(fresh, related)
        return Response(self.get_serializer(fresh).data, status=status.HTTP_200_OK)


class ProcessViewSet(TransitionsMixin, DocumentViewSet):
    """A document with a process: service writes, ``history/``, ``export/`` and
    ``transitions/{name}/``. Its ``serializer_class`` shows the record with its
    ``transitions``; ``list_serializer_class`` the list rows without them."""
