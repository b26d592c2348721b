"""Serializer fields that follow the contract's strict JSON types.

DRF's own fields coerce (``CharField`` accepts 42, ``FloatField`` accepts ``true`` and
``"nan"``); these refuse what a strict JSON API should refuse.
"""

import math
import re
from typing import Any

from rest_framework import serializers

_DECIMAL_INTEGER = re.compile(r"-?[0-9]+")
# What the OpenAPI document says of every StrictCharField (DRF refuses NUL characters).
NO_NUL_PATTERN = r"^[^\x00]*$"


def is_valid_text(data: Any) -> bool:
    """A str that UTF-8 can encode (JSON's "\\ud800" decodes to a lone surrogate, which can't)."""
    if not isinstance(data, str):
        return False
    try:
        data.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


class StrictCharField(serializers.CharField):
    """A string field that rejects numbers, booleans, lists, objects and broken Unicode.

    The value is kept exactly as sent (DRF trims by default; here ``"   "`` is a title of
    three spaces). NUL characters are refused (PostgreSQL cannot store them) and the OpenAPI
    document says so with a ``pattern``.
    """

    default_error_messages = {
        "string_type": "Input should be a valid string",
        "blank": "String should have at least 1 character",
        "min_length": "String should have at least {min_length} characters",
        "max_length": "String should have at most {max_length} characters",
    }

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("trim_whitespace", False)
        super().__init__(**kwargs)

    def to_internal_value(self, data: Any) -> str:
        if not is_valid_text(data):
            self.fail("string_type")
        return super().to_internal_value(data)


class StrictEmailField(serializers.EmailField):
    """An email string, stripped and lower-cased; other JSON types are rejected."""

    default_error_messages = {"string_type": "Input should be a valid string"}

    def to_internal_value(self, data: Any) -> str:
        if not is_valid_text(data):
            self.fail("string_type")
        return super().to_internal_value(data.strip().lower())


class StrictFloatField(serializers.FloatField):
    """A finite JSON number (or numeric string); booleans, NaN and infinities are rejected."""

    default_error_messages = {
        "float_type": "Input should be a valid number",
        "finite_number": "Input should be a finite number",
        "greater_than": "Input should be greater than {gt}",
    }

    def __init__(self, *, gt: float | None = None, **kwargs: Any) -> None:
        self.gt = gt
        super().__init__(**kwargs)

    def to_internal_value(self, data: Any) -> float:
        if isinstance(data, bool) or not isinstance(data, int | float | str):
            self.fail("float_type")
        try:
            value = float(data)
        except (ValueError, OverflowError):
            self.fail("float_type")
        if not math.isfinite(value):
            self.fail("finite_number")
        if self.gt is not None and value <= self.gt:
            self.fail("greater_than", gt=self.gt)
        if self.max_value is not None and value > self.max_value:
            self.fail("max_value", max_value=self.max_value)
        return value


class QueryIntegerField(serializers.IntegerField):
    """A query-string integer written in decimal digits only ("1.0", "1e2", " 1" are refused)."""

    default_error_messages = {"int_parsing": "Input should be a valid integer"}

    def to_internal_value(self, data: Any) -> int:
        if not isinstance(data, str) or not _DECIMAL_INTEGER.fullmatch(data):
            self.fail("int_parsing")
        try:
            value = int(data)
        except ValueError:  # more digits than Python converts
            self.fail("int_parsing")
        if self.min_value is not None and value < self.min_value:
            self.fail("min_value", min_value=self.min_value)
        if self.max_value is not None and value > self.max_value:
            self.fail("max_value", max_value=self.max_value)
        return value
