"""Model properties that list pages can compute from ``values()`` rows."""

from __future__ import annotations


def reads(*columns: str):
    """Declare the model columns a property reads, so a list can compute it from a row.

    ``@property @reads("full_name", "username") def display_name(self)``: the
    property's own code runs on an object holding just those columns.
    """

    def mark(function):
        function.value_columns = columns
        return function

    return mark
