"""Two devices of one rep (a phone and a laptop), offline, pushing in any order.

Whatever the interleaving of their operations, the way they are cut into
batches and the batches resent after a lost answer, the server ends in one
state, every operation applied once, and both devices converge on it by
pulling. Where both devices changed the same field differently, one is applied
and the other comes back as a conflict carrying its value: nothing is lost.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from crm.activities.models import Activity
from crm.customers import services as customer_services
from crm.customers.models import Customer
from tests.conftest import client_for
from tests.sync.helpers import Device, op, push

FIELDS = ("remark", "region", "address", "phone")
PHONES = ("010-12345678", "021-87654321", "0755-1234567")

# A field and a device's value for it.
edit = st.tuples(st.sampled_from(FIELDS), st.integers(0, 2))


def _value(field: str, n: int, device: str) -> str:
    return PHONES[n] if field == "phone" else f"{device}-{field}-{n}"


def _ops(device: str, customer, edits, visits: int) -> list[dict]:
    ops = [
        op(
            "update",
            "customers",
            {field: _value(field, n, device)},
            record=customer.pk,
            base_version=1,
        )
        for field, n in edits
    ]
    ops += [
        op(
            "create",
            "activities",
            {"kind": "visit", "subject": f"{device} 拜访 {k}", "customer": customer.pk},
        )
        for k in range(visits)
    ]
    return ops


@pytest.fixture
def rep_api(rep):
    return client_for(rep)


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    phone_fields=st.sets(st.sampled_from(FIELDS[:2]), max_size=2),
    laptop_fields=st.sets(st.sampled_from(FIELDS[2:]), max_size=2),
    values=st.lists(st.integers(0, 2), min_size=4, max_size=4),
    visits=st.tuples(st.integers(0, 2), st.integers(0, 2)),
    order=st.randoms(use_true_random=False),
    cuts=st.lists(st.integers(1, 4), min_size=1, max_size=6),
    resend=st.lists(st.booleans(), min_size=6, max_size=6),
)
def test_any_interleaving_of_two_devices_converges(
    rep, rep_api, phone_fields, laptop_fields, values, visits, order, cuts, resend
):
    customer = customer_services.customer_create(
        tenant=rep.tenant, actor=rep, name="收敛客户", remark="r0", region="g0"
    )
    phone_ops = _ops(
        "phone", customer, [(f, values[i]) for i, f in enumerate(sorted(phone_fields))], visits[0]
    )
    laptop_ops = _ops(
        "laptop",
        customer,
        [(f, values[2 + i]) for i, f in enumerate(sorted(laptop_fields))],
        visits[1],
    )
    # An interleaving that keeps each device's own order.
    queues = [list(phone_ops), list(laptop_ops)]
    merged = []
    while queues[0] or queues[1]:
        side = order.choice([q for q in queues if q])
        merged.append(side.pop(0))
    # Cut into batches; some batches are sent again (the answer was lost).
    sent, i, n = [], 0, 0
    while i < len(merged):
        size = cuts[n % len(cuts)]
        batch = merged[i : i + size]
        results = push(rep_api, batch)
        assert all(r["status"] == "applied" for r in results), results
        if resend[n % len(resend)]:
            assert all(r["status"] == "duplicate" for r in push(rep_api, batch))
        sent += batch
        i, n = i + size, n + 1
    # Everything again at the end: the whole queue once more applies nothing.
    assert all(r["status"] == "duplicate" for r in push(rep_api, merged))

    customer.refresh_from_db()
    expected = {"remark": "r0", "region": "g0", "address": "", "phone": ""}
    for o in phone_ops + laptop_ops:
        if o["op"] == "update":
            expected.update(o["data"])
    assert {f: getattr(customer, f) for f in FIELDS} == expected
    assert Activity.objects.filter(customer=customer).count() == visits[0] + visits[1]
    assert customer.version == 1 + len(phone_fields) + len(laptop_fields)

    # Both devices pull and hold the server's record.
    phone, laptop = Device(rep_api), Device(client_for(rep))
    phone.sync()
    laptop.sync(limit=3)
    record = rep_api.get(f"/api/v1/customers/{customer.pk}/").json()
    for device in (phone, laptop):
        mine = device.replica[("customers", customer.pk)]
        assert {f: mine[f] for f in (*FIELDS, "version")} == {
            f: record[f] for f in (*FIELDS, "version")
        }
    assert phone.replica == laptop.replica


@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(phone_first=st.booleans(), same_value=st.booleans())
def test_the_same_field_from_both_devices_is_one_applied_one_conflict(
    rep, rep_api, phone_first, same_value
):
    customer = customer_services.customer_create(
        tenant=rep.tenant, actor=rep, name="冲突客户", remark="原"
    )
    phone = op("update", "customers", {"remark": "手机"}, record=customer.pk, base_version=1)
    laptop_value = "手机" if same_value else "电脑"
    laptop = op("update", "customers", {"remark": laptop_value}, record=customer.pk, base_version=1)
    first, second = (phone, laptop) if phone_first else (laptop, phone)
    a, b = push(rep_api, [first, second])
    assert a["status"] == "applied"
    customer.refresh_from_db()
    assert customer.remark == first["data"]["remark"]
    if same_value:
        assert b["status"] == "applied"  # both wanted the same: nothing to ask
    else:
        assert b["status"] == "conflict"
        assert b["conflicts"]["remark"] == {
            "mine": second["data"]["remark"],
            "theirs": first["data"]["remark"],
            "base": "原",
        }
    assert Customer.objects.filter(pk=customer.pk, version=2).exists()
