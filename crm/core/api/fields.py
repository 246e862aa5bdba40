"""Serializer fields that validate and normalise like every other entry point."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from rest_framework import serializers
from rest_framework.fields import SkipField

from crm.core.validators import normalize_credit_code, normalize_mobile, normalize_phone


class _NormalisedCharField(serializers.CharField):
    normaliser = staticmethod(lambda value: value)

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("allow_blank", True)
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        value = super().to_internal_value(data)
        if not value:
            return ""
        try:
            return self.normaliser(value)
        except ValidationError as exc:
            raise serializers.ValidationError(list(exc.messages)) from None


class MobileField(_NormalisedCharField):
    normaliser = staticmethod(normalize_mobile)


class PhoneField(_NormalisedCharField):
    normaliser = staticmethod(normalize_phone)


class CreditCodeField(_NormalisedCharField):
    normaliser = staticmethod(normalize_credit_code)


class RelatedLabelField(serializers.CharField):
    """A read-only label reached through a nullable relation (``owner.display_name``).

    ``None`` when the relation is empty, in every response: DRF's own
    ``default=None`` is skipped on partial updates (PATCH), which dropped the
    key from the answer and broke the schema.
    """

    def __init__(self, **kwargs):
        kwargs.update(read_only=True, allow_null=True, default=None)
        super().__init__(**kwargs)

    def get_attribute(self, instance):
        try:
            return super().get_attribute(instance)
        except SkipField:
            return None
