"""Offline sync figures (issue 18): the push round trip of 500 queued operations and
the pull size for 2,000 customers. Not part of ``make bench`` (figures, not pass/fail).

    DATABASE_URL=postgres://127.0.0.1/sync_bench python -m bench.sync_bench

Seeds a fresh company each run (a rep with 2,000 customers, a contact each), then,
in process through the whole Django stack (middleware, token auth, DRF):

* push: 500 operations as a phone queues them offline (300 visit notes, 100 new
  leads, 100 customer edits on an older version, merged) in one request, then the
  same batch again (all duplicates);
* pull: the rep's first pull (everything in scope, pages of 500 and of 2,000): JSON
  bytes, gzip bytes, time; then an incremental pull after 100 edits.
"""

from __future__ import annotations

import gzip
import json
import time
import uuid

from bench.common import configure_env, ensure_database, say

CUSTOMERS = 2000
OPERATIONS = 500


def main() -> None:
    configure_env()
    ensure_database()
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)

    from django_scopes import scopes_disabled
    from rest_framework.test import APIClient

    from crm.core import credentials, services
    from crm.core.models import Role
    from crm.customers.models import Contact, Customer

    with scopes_disabled():
        n = uuid.uuid4().hex[:8]
        admin = services.tenant_signup(
            company=f"同步基准{n}",
            username=f"syncadmin{n}",
            password="Bench-pass-1234!",
            email=f"sync{n}@example.cn",
        )
        tenant = admin.tenant
        rep = services.user_create(
            tenant=tenant,
            actor=admin,
            username=f"syncrep{n}",
            password="Bench-pass-1234!",
            email=f"rep{n}@example.cn",
            full_name="离线销售",
            roles=[Role.objects.get(tenant=tenant, name="销售代表")],
        )
        t0 = time.perf_counter()
        customers = Customer.objects.bulk_create(
            Customer(
                tenant=tenant,
                name=f"基准客户{i:04d}有限公司",
                owner=rep,
                created_by=rep,
                status="owned",
                region="上海",
                phone=f"021-{60000000 + i}",
                address=f"上海市浦东新区张江路{i}号",
                remark="季度回访",
            )
            for i in range(CUSTOMERS)
        )
        Contact.objects.bulk_create(
            Contact(tenant=tenant, customer=c, name=f"联系人{c.pk}", mobile="+8613800138000")
            for c in customers
        )
        say(f"seeded {CUSTOMERS} customers + contacts in {time.perf_counter() - t0:.1f} s")
        _token, key = credentials.issue_token(user=rep, client="bench")
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")

    # --- pull: the first, whole scope --------------------------------------------
    for limit in (500, 2000):
        cursor, pages, raw, zipped, records = None, 0, 0, 0, 0
        t0 = time.perf_counter()
        while True:
            params = {"limit": limit} | ({"cursor": cursor} if cursor else {})
            response = api.get("/api/v1/sync/pull/", params)
            assert response.status_code == 200, response.content[:300]
            raw += len(response.content)
            zipped += len(gzip.compress(response.content))
            body = json.loads(response.content)
            records += len(body["changes"])
            pages += 1
            cursor = body["cursor"]
            if not body["more"]:
                break
        elapsed = time.perf_counter() - t0
        say(
            f"first pull, pages of {limit}: {records} records ({CUSTOMERS} customers + "
            f"{CUSTOMERS} contacts) in {pages} pages, {raw / 1e6:.2f} MB JSON "
            f"({zipped / 1e6:.2f} MB gzip), {elapsed:.2f} s"
        )
    customer_only = [
        json.dumps(c["record"], ensure_ascii=False).encode()
        for c in json.loads(api.get("/api/v1/sync/pull/", {"limit": 2000}).content)["changes"]
        if c["collection"] == "customers"
    ]
    size = sum(map(len, customer_only))
    say(
        f"customers alone: {size / 1e6:.2f} MB JSON for {len(customer_only)} customers "
        f"({size / len(customer_only):.0f} B each)"
    )

    # --- push: 500 queued operations -----------------------------------------------
    ids = [c.pk for c in customers]
    ops = []
    for i in range(300):
        ops.append(
            {
                "id": str(uuid.uuid4()),
                "op": "create",
                "collection": "activities",
                "data": {
                    "kind": "visit",
                    "subject": f"拜访 {i}",
                    "note": "现场沟通需求",
                    "customer": ids[i],
                },
            }
        )
    for i in range(100):
        ops.append(
            {
                "id": str(uuid.uuid4()),
                "op": "create",
                "collection": "leads",
                "data": {"company_name": f"展会线索{i}", "mobile": "13800138000", "need": "CRM"},
            }
        )
    # Edits made offline on version 1 while the server moved on (a merge each).
    with scopes_disabled():
        for c in customers[300:400]:
            Customer.objects.filter(pk=c.pk).update(region="北京", version=2)
    for c in customers[300:400]:
        ops.append(
            {
                "id": str(uuid.uuid4()),
                "op": "update",
                "collection": "customers",
                "record": c.pk,
                "base_version": 1,
                "data": {"remark": "离线修改"},
            }
        )
    t0 = time.perf_counter()
    response = api.post("/api/v1/sync/push/", {"operations": ops}, format="json")
    push_s = time.perf_counter() - t0
    results = response.json()["results"]
    statuses = {}
    for r in results:
        statuses[r["status"]] = statuses.get(r["status"], 0) + 1
    say(
        f"push {OPERATIONS} operations: {push_s:.2f} s round trip "
        f"({push_s / OPERATIONS * 1000:.1f} ms each), {statuses}, "
        f"answer {len(response.content) / 1e6:.2f} MB"
    )
    t0 = time.perf_counter()
    response = api.post("/api/v1/sync/push/", {"operations": ops}, format="json")
    again_s = time.perf_counter() - t0
    dup = sum(r["status"] == "duplicate" for r in response.json()["results"])
    say(f"the same batch again: {again_s:.2f} s, {dup} duplicates")

    # --- the same work as REST calls one by one (the baseline) ------------------------
    rest = [
        {"kind": "visit", "subject": f"基线 {i}", "note": "现场沟通需求", "customer": ids[1000 + i]}
        for i in range(100)
    ]
    t0 = time.perf_counter()
    for body in rest:
        assert api.post("/api/v1/activities/", body, format="json").status_code == 201
    rest_s = time.perf_counter() - t0
    same = [
        {"id": str(uuid.uuid4()), "op": "create", "collection": "activities", "data": body}
        for body in rest
    ]
    t0 = time.perf_counter()
    api.post("/api/v1/sync/push/", {"operations": same}, format="json")
    pushed_s = time.perf_counter() - t0
    say(
        f"100 visit notes: {rest_s:.2f} s as 100 REST POSTs, {pushed_s:.2f} s as one push "
        f"({pushed_s / rest_s:.2f}x)"
    )

    # --- pull: incremental after the push -------------------------------------------
    t0 = time.perf_counter()
    response = api.get("/api/v1/sync/pull/", {"cursor": cursor, "limit": 2000})
    body = json.loads(response.content)
    say(
        f"incremental pull after the push: {len(body['changes'])} changes, "
        f"{len(response.content) / 1e3:.0f} kB, {time.perf_counter() - t0:.2f} s"
    )


if __name__ == "__main__":
    main()
