"""List endpoints not covered elsewhere keep a constant query count."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from crm.activities.services import notify
from crm.core import services


def _count(api, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = api.get(url)
    assert response.status_code == 200, response.content
    return len(ctx.captured_queries)


@pytest.mark.django_db
@pytest.mark.parametrize("collection", ["notifications", "roles", "teams", "dictionary"])
def test_query_count_does_not_grow_with_rows(api, admin, collection):
    def add(n: int, start: int) -> None:
        for i in range(start, start + n):
            notify(tenant_id=admin.tenant_id, recipient_id=admin.pk, title=f"提醒{i}")
            services.team_create(tenant=admin.tenant, actor=admin, name=f"团队{i}")
            services.role_create(
                tenant=admin.tenant,
                actor=admin,
                name=f"角色{i}",
                permissions=["leads.view"],
                data_scope="own",
            )

    add(3, 0)
    small = _count(api, f"/api/v1/{collection}/?page_size=200")
    add(30, 3)
    large = _count(api, f"/api/v1/{collection}/?page_size=200")
    assert small == large, (collection, small, large)
