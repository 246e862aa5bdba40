"""Reports and exports read from the replica alias; writes never do (crm/db_router.py).

The replica is a second alias to the same (test) database, added after the test
database is set up, the way ``DATABASE_REPLICA_URL`` adds it in settings.
"""

import pytest
from django.db import connections
from django.test.utils import CaptureQueriesContext

from crm.customers.models import Customer
from crm.db_router import REPLICA, reading_from_replica, replica_db
from tests.conftest import client_for


@pytest.fixture
def replica(transactional_db):
    databases = connections.settings  # the same dict as settings.DATABASES
    databases[REPLICA] = {**databases["default"]}
    # Connected here: the test case only lets known aliases connect lazily.
    connections[REPLICA].connect()
    try:
        yield connections[REPLICA]
    finally:
        connections[REPLICA].close()
        del connections[REPLICA]
        del databases[REPLICA]


def _selects(ctx, table):
    """Reads of ``table`` (an export's rows come through a server-side cursor: DECLARE)."""
    return [
        q["sql"]
        for q in ctx.captured_queries
        if q["sql"].startswith(("SELECT", "DECLARE")) and f'"{table}"' in q["sql"]
    ]


@pytest.mark.django_db(transaction=True)
def test_exports_and_reports_read_from_the_replica_and_writes_do_not(replica, admin):
    api = client_for(admin)
    table = Customer._meta.db_table
    with CaptureQueriesContext(replica) as on_replica:
        created = api.post("/api/v1/customers/", {"name": "Replica Trading"}, format="json")
    assert created.status_code == 201, created.content
    assert on_replica.captured_queries == []  # the write path never touches the replica

    with (
        CaptureQueriesContext(replica) as on_replica,
        CaptureQueriesContext(connections["default"]) as on_default,
    ):
        exported = api.get("/api/v1/customers/export/?file_format=csv")
        body = b"".join(exported.streaming_content).decode("utf-8-sig")
    assert exported.status_code == 200
    assert "Replica Trading" in body
    assert _selects(on_replica, table)
    assert _selects(on_default, table) == []

    with (
        CaptureQueriesContext(replica) as on_replica,
        CaptureQueriesContext(connections["default"]) as on_default,
    ):
        report = api.get("/api/v1/reports/funnel/")
    assert report.status_code == 200, report.content
    assert _selects(on_replica, "sales_opportunity")
    assert _selects(on_default, "sales_opportunity") == []
    # The caller's token and permissions are checked on the primary (no lag there).
    assert any("token" in q["sql"].lower() for q in on_default.captured_queries)


@pytest.mark.django_db(transaction=True)
def test_without_a_replica_everything_reads_the_primary(admin):
    with reading_from_replica():
        assert replica_db() == "default"
        assert Customer.objects.db_manager().db == "default"
    assert REPLICA not in connections.settings


@pytest.mark.django_db(transaction=True)
def test_inside_a_transaction_reads_stay_on_the_primary(replica, admin):
    from django.db import transaction

    with reading_from_replica():
        assert Customer.objects.all().db == REPLICA
        with transaction.atomic():
            # A transaction may read its own uncommitted rows: only the primary has them.
            assert Customer.objects.all().db == "default"
            assert replica_db() == "default"
