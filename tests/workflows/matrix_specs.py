"""Permission-matrix entries for the process layer's own endpoints.

Imported at the end of ``tests/reliability/specs.py``, which holds the matrix's PATHS.
"""

from __future__ import annotations

from tests.reliability.specs import PATHS, PathSpec

# The list of processes, states and steps: code and language only, the same for every company.
PATHS["processes"] = {"get": PathSpec(tenant_scoped=False)}

# The choices of every collection's fields: code and language only, too (crm/core/api/choices.py).
PATHS["choices"] = {"get": PathSpec(tenant_scoped=False)}
