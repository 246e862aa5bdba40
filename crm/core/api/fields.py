"""Serializer fields that validate and normalise like every other entry point."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from rest_framework import serializers
from rest_framework.fields import SkipField, empty

from crm.core.api.parsers import json_depth_exceeds, too_deep_detail
from crm.core.validators import (
    TEXT_MAX_LENGTH,
    date_in_range,
    date_range_message,
    normalize_credit_code,
    normalize_mobile,
    normalize_phone,
    strip_invisible,
)


def _range_error() -> serializers.ValidationError:
    return serializers.ValidationError(date_range_message(), code="date_out_of_range")


class DateField(serializers.DateField):
    """A date between ``DATE_MIN`` and ``DATE_MAX`` (1900..2200): year 1 or 9999
    would overflow date arithmetic (aging buckets, reminders) further on."""

    def to_internal_value(self, value):
        try:
            parsed = super().to_internal_value(value)
        except OverflowError:
            raise _range_error() from None
        if not date_in_range(parsed):
            raise _range_error()
        return parsed


class DateTimeField(serializers.DateTimeField):
    """A moment within ``DATE_MIN`` .. ``DATE_MAX`` (SLA clocks add hours to it)."""

    def to_internal_value(self, value):
        try:
            parsed = super().to_internal_value(value)
        except OverflowError:  # converting 9999-12-31T23:59-08:00 to UTC
            raise _range_error() from None
        if not date_in_range(parsed):
            raise _range_error()
        return parsed


class NameField(serializers.CharField):
    """Text from people (names, subjects, addresses): invisible characters
    (zero-width, bidi controls) are stripped, so the duplicate check and the
    search key compare what people see ("北京\u200b科技" is "北京科技")."""

    def run_validation(self, data=empty):
        # Stripped before the blank check: a name of zero-width characters only
        # ("\u200b") is blank, not saved as an empty name.
        if isinstance(data, str):
            data = strip_invisible(data)
        return super().run_validation(data)

    def to_internal_value(self, data):
        if isinstance(data, str):
            data = strip_invisible(data)
        return super().to_internal_value(data)


class TextField(NameField):
    """Free text (remarks, notes, descriptions): at most ``TEXT_MAX_LENGTH``
    characters unless a field says otherwise (a 4.9 MB remark was accepted)."""

    def __init__(self, **kwargs):
        kwargs["max_length"] = kwargs.get("max_length") or TEXT_MAX_LENGTH
        super().__init__(**kwargs)


class JSONField(serializers.JSONField):
    """JSON in a form field (multipart) is parsed here, not by the body parser:
    the same nesting limit applies (a deep value raised RecursionError, a 500)."""

    def to_internal_value(self, data):
        try:
            value = super().to_internal_value(data)
        except RecursionError:
            raise serializers.ValidationError(too_deep_detail()) from None
        if json_depth_exceeds(value):
            raise serializers.ValidationError(too_deep_detail())
        return value


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


def install_field_defaults() -> None:
    """Every ModelSerializer maps model fields to the fields above, once, for all apps.

    Dates and times are bounded (1900..2200), free text has a length limit and
    single-line text drops invisible characters: one default instead of a rule
    each app must remember. Called from ``CoreConfig.ready()``; a serializer may
    still declare a field explicitly (then it uses these classes by hand).
    """
    from django.db import models

    mapping = serializers.ModelSerializer.serializer_field_mapping
    mapping[models.DateField] = DateField
    mapping[models.DateTimeField] = DateTimeField
    mapping[models.TextField] = TextField
    mapping[models.CharField] = NameField
    mapping[models.JSONField] = JSONField
