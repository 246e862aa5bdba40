"""Permission-matrix entries for the offline sync endpoints (any tenant user: each
pushed operation is checked by its collection's own endpoint, see tests/sync)."""

from __future__ import annotations

import uuid

from tests.reliability.specs import PATHS, PathSpec

PATHS.update(
    {
        "sync-push": {
            "post": PathSpec(
                body=lambda ctx: {
                    "operations": [
                        {
                            "id": str(uuid.uuid4()),
                            "op": "create",
                            "collection": "leads",
                            "data": {"company_name": ctx.unique("离线线索")},
                        }
                    ]
                }
            )
        },
        "sync-pull": {"get": PathSpec()},
    }
)
