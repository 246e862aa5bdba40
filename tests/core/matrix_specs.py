"""Permission-matrix entries for core endpoints not in ``tests/reliability/specs.py``.

Imported at the end of that file, which holds the matrix's PATHS.
"""

from __future__ import annotations

from tests.conftest import PASSWORD
from tests.reliability.specs import PATHS, PathSpec

PATHS.update(
    {
        # The matrix's users are made by tests.conftest.make_user, with PASSWORD.
        "me-password": {
            "post": PathSpec(
                body={"old_password": PASSWORD, "new_password": "Matrix-new-pass-9876!"},
                status=204,
            )
        },
    }
)
