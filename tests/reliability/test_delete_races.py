"""A DELETE racing a freezing transition, or other DELETEs, on PostgreSQL with real
threads (issue 12, defect 1).

The delete takes the row lock and re-checks the state under it, in the transaction
that deletes: a confirmed payment or submitted contract is never deleted, a
transition on a row deleted meanwhile answers 404 (not a 500), and of parallel
DELETEs one answers 204 and writes the one audit entry, the rest 404.

The interleavings are made deterministic with a signal receiver that sleeps inside
the first request's transaction (while it holds the row); the second request starts
once the first is there.
"""

from __future__ import annotations

import threading
import time
from collections import Counter

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from django.db.models.signals import post_delete, post_save
from django_scopes import scopes_disabled

from crm.core.errors import Frozen, NotFound
from crm.core.models import AuditEntry
from crm.customers.models import Customer
from crm.sales.models import Contract, Payment
from tests.conftest import client_for, uses_postgres
from tests.sales import factories as f
from workflows.engine import transition
from workflows.models import TransitionLog

pytestmark = [
    pytest.mark.skipif(
        not uses_postgres(),
        reason="needs PostgreSQL (DATABASE_URL; CI sets it): the races are decided by row "
        "locks (SELECT ... FOR UPDATE), a no-op on SQLite, which serialises writers",
    ),
    pytest.mark.django_db(transaction=True),
]

HOLD = 1.5  # seconds the first request keeps its transaction open


def run_threads(*calls):
    """Run each ``(start, call)`` in its own thread, ``call`` once the event ``start``
    is set (``None``: at once); return the results, or the exceptions raised."""
    out: list = [None] * len(calls)

    def run(i, start, call):
        try:
            if start is not None:
                assert start.wait(30), "the first request never reached the hold"
            out[i] = call()
        except Exception as exc:  # an unhandled error is a 500: keep it to assert on
            out[i] = exc
        finally:
            connection.close()

    threads = [
        threading.Thread(target=run, args=(i, start, call)) for i, (start, call) in enumerate(calls)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return out


class Hold:
    """A receiver that sleeps once, inside the transaction that sent ``signal``."""

    def __init__(self, signal, sender):
        self.signal, self.sender, self.fired = signal, sender, threading.Event()

    def __call__(self, **kwargs):
        if not self.fired.is_set():
            self.fired.set()
            time.sleep(HOLD)

    def __enter__(self):
        self.signal.connect(self, sender=self.sender, weak=False)
        return self

    def __exit__(self, *exc):
        self.signal.disconnect(self, sender=self.sender)


def status_of(response) -> int | str:
    return getattr(response, "status_code", repr(response))


def deletes_of(obj) -> int:
    return AuditEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(type(obj)),
        object_id=obj.pk,
        action="delete",
    ).count()


@pytest.fixture
def active(rep, sales_team):
    return f.active_contract(rep, sales_team.leader, amount="30000.00")


def test_delete_sent_while_confirm_holds_the_payment_is_refused(admin, rep, active):
    """Confirm locks first; the DELETE waits and sees the confirmed payment: 409."""
    payment = f.payment(active, rep, "5000.00")
    api = client_for(admin)
    url = f"/api/v1/payments/{payment.pk}/"
    with Hold(post_save, Payment) as hold:  # the engine's save of the confirmed payment
        confirm, delete = run_threads(
            (None, lambda: api.post(f"{url}transitions/confirm/", {}, format="json")),
            (hold.fired, lambda: client_for(admin).delete(url)),
        )
    assert status_of(confirm) == 200, confirm
    assert status_of(delete) == 409, delete
    assert delete.json()["code"] == "frozen"
    kept = Payment.objects.get(pk=payment.pk)
    assert kept.status == "confirmed"
    assert Contract.objects.get(pk=active.pk).collected_amount == f.D("5000.00")
    assert deletes_of(payment) == 0


def test_confirm_sent_while_delete_holds_the_payment_answers_404(admin, rep, active):
    """The DELETE locks first; the confirm waits, finds no row: 404, nothing counted."""
    payment = f.payment(active, rep, "5000.00")
    url = f"/api/v1/payments/{payment.pk}/"
    with Hold(post_delete, Payment) as hold:
        delete, confirm = run_threads(
            (None, lambda: client_for(admin).delete(url)),
            (
                hold.fired,
                lambda: client_for(admin).post(f"{url}transitions/confirm/", {}, format="json"),
            ),
        )
    assert status_of(delete) == 204, delete
    assert status_of(confirm) == 404, confirm
    assert confirm.json()["code"] == "not_found"
    assert not Payment.objects.filter(pk=payment.pk).exists()
    assert Contract.objects.get(pk=active.pk).collected_amount == f.D("0.00")
    assert deletes_of(payment) == 1


def test_submit_sent_while_delete_holds_the_contract_answers_404(admin, rep):
    """Before: the engine's ``get`` raised DoesNotExist (a 500)."""
    contract = f.contract(rep)
    url = f"/api/v1/contracts/{contract.pk}/"
    with Hold(post_delete, Contract) as hold:
        delete, submit = run_threads(
            (None, lambda: client_for(admin).delete(url)),
            (
                hold.fired,
                lambda: client_for(admin).post(f"{url}transitions/submit/", {}, format="json"),
            ),
        )
    assert status_of(delete) == 204, delete
    assert status_of(submit) == 404, submit
    assert submit.json()["code"] == "not_found"
    assert not Contract.objects.filter(pk=contract.pk).exists()
    assert not TransitionLog.objects.filter(object_id=contract.pk, transition="submit").exists()
    assert deletes_of(contract) == 1


def test_delete_sent_while_submit_holds_the_contract_is_refused(admin, rep):
    contract = f.contract(rep)
    url = f"/api/v1/contracts/{contract.pk}/"
    with Hold(post_save, Contract) as hold:
        submit, delete = run_threads(
            (None, lambda: client_for(admin).post(f"{url}transitions/submit/", {}, format="json")),
            (hold.fired, lambda: client_for(admin).delete(url)),
        )
    assert status_of(submit) == 200, submit
    assert status_of(delete) == 409, delete
    assert delete.json()["code"] == "frozen"
    assert Contract.objects.get(pk=contract.pk).status == submit.json()["status"] != "draft"
    assert deletes_of(contract) == 0


def test_parallel_deletes_one_204_the_rest_404_one_audit_entry(admin):
    customer = f.customer(admin, name="并发删除客户")
    clients = [client_for(admin) for _ in range(6)]
    barrier = threading.Barrier(len(clients))

    def delete(client):
        def call():
            barrier.wait()
            return client.delete(f"/api/v1/customers/{customer.pk}/")

        return (None, call)

    responses = run_threads(*(delete(c) for c in clients))
    codes = Counter(status_of(r) for r in responses)
    assert codes == {204: 1, 404: len(clients) - 1}, codes
    assert not Customer.objects.filter(pk=customer.pk).exists()
    assert deletes_of(customer) == 1


def test_a_transition_on_a_deleted_row_is_not_found(admin, rep):
    contract = f.contract(rep)
    pk = contract.pk
    Contract.objects.filter(pk=pk).delete()  # gone between the caller's read and the lock
    with pytest.raises(NotFound):
        transition(model=Contract, pk=pk, name="submit", tenant=rep.tenant, actor=rep)
    response = client_for(admin).post(f"/api/v1/contracts/{pk}/transitions/submit/", {})
    assert response.status_code == 404


def test_an_edit_sent_while_confirm_holds_the_payment_is_refused(admin, rep, active):
    """The same lock guards edits: the PATCH waits for the confirm and is refused as
    frozen, with the reason (before: the stale-state save's generic 409 conflict)."""
    payment = f.payment(active, rep, "5000.00")
    url = f"/api/v1/payments/{payment.pk}/"
    with Hold(post_save, Payment) as hold:
        confirm, edit = run_threads(
            (None, lambda: client_for(admin).post(f"{url}transitions/confirm/", {}, format="json")),
            (hold.fired, lambda: client_for(admin).patch(url, {"amount": "1.00"}, format="json")),
        )
    assert status_of(confirm) == 200, confirm
    assert status_of(edit) == 409, edit
    assert edit.json()["code"] == "frozen"
    kept = Payment.objects.get(pk=payment.pk)
    assert (kept.status, kept.amount) == ("confirmed", f.D("5000.00"))
    assert Contract.objects.get(pk=active.pk).collected_amount == f.D("5000.00")


def test_the_model_layer_waits_for_the_freezing_transition_too(admin, rep, active):
    """A write that skips the services (a script, the shell) still cannot delete the
    payment a concurrent confirm is freezing: ``Freezable`` reads the state under the
    row lock inside a transaction (before: it read the draft state, then deleted)."""
    payment = f.payment(active, rep, "5000.00")
    url = f"/api/v1/payments/{payment.pk}/"

    def bare_delete():
        with scopes_disabled(), transaction.atomic():
            Payment.objects.get(pk=payment.pk).delete()

    with Hold(post_save, Payment) as hold:
        confirm, delete = run_threads(
            (None, lambda: client_for(admin).post(f"{url}transitions/confirm/", {}, format="json")),
            (hold.fired, bare_delete),
        )
    assert status_of(confirm) == 200, confirm
    assert isinstance(delete, Frozen), delete
    assert Payment.objects.get(pk=payment.pk).status == "confirmed"
