"""The OpenAPI schema tells the truth about null.

The generated API test (test_fuzz_schema) only finds a field that answers
``null`` against a schema that forbids it when its random examples happen to
leave the relation empty (``POST /projects/`` once answered ``owner_name:
null``). This walks every serializer of the schema instead: a read-only value
reached through a nullable relation, or a method field annotated to return
``None``, must be documented ``nullable``.
"""

from __future__ import annotations

import inspect
import types
import typing

from django.core.exceptions import FieldDoesNotExist
from drf_spectacular.generators import SchemaGenerator
from rest_framework import serializers


def _may_be_null_through_relation(model, source: str) -> bool:
    """Whether ``a.b.c`` crosses a nullable relation of ``model`` before its last hop."""
    hops = source.split(".")
    for hop in hops[:-1]:
        try:
            field = model._meta.get_field(hop)
        except FieldDoesNotExist:
            return False  # a property or method: not judged here
        if not field.is_relation:
            return False
        if field.null or field.one_to_many or (field.one_to_one and field.auto_created):
            return True
        model = field.related_model
    return False


def _returns_none(serializer, field) -> bool:
    method = getattr(serializer, field.method_name, None)
    if method is None:
        return False
    annotation = inspect.signature(method).return_annotation
    if isinstance(annotation, str):
        return annotation.replace(" ", "").endswith("|None") or "Optional[" in annotation
    return type(None) in typing.get_args(annotation) or (
        isinstance(annotation, types.UnionType) and type(None) in annotation.__args__
    )


def _components():
    generator = SchemaGenerator()
    schema = generator.get_schema(request=None, public=True)
    for component in generator.registry._components.values():
        if component.type == "schemas" and isinstance(component.object, serializers.Serializer):
            yield component.object, schema["components"]["schemas"].get(component.name, {})


def test_every_field_that_can_be_null_is_documented_nullable():
    wrong = []
    for serializer, documented in _components():
        model = getattr(getattr(serializer, "Meta", None), "model", None)
        properties = documented.get("properties", {})
        for name, field in serializer.fields.items():
            if not field.read_only or name not in properties:
                continue
            if isinstance(field, serializers.SerializerMethodField):
                may_be_null = _returns_none(serializer, field)
            elif model is not None and "." in (field.source or ""):
                may_be_null = _may_be_null_through_relation(model, field.source)
                may_be_null = may_be_null and getattr(field, "default", None) in (
                    None,
                    serializers.empty,
                )
            else:
                continue
            spec = properties[name]
            nullable = spec.get("nullable") or any(
                option.get("nullable") for option in spec.get("oneOf", spec.get("allOf", []))
            )
            if may_be_null and not nullable:
                wrong.append(f"{type(serializer).__name__}.{name} (source {field.source})")
    assert wrong == [], "null answered but not documented: " + ", ".join(sorted(set(wrong)))
