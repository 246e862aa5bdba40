"""Requests sent at the same moment from several threads (each with its own database
connection), for the tests that show a row lock deciding a race."""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence

from django.db import connection


def race(clients: Sequence, request: Callable | Sequence[Callable]) -> list:
    """Run ``request(client)`` for every client at once (one request for all, or one
    per client); the responses in the clients' order."""
    requests = list(request) if isinstance(request, Sequence) else [request] * len(clients)
    barrier = threading.Barrier(len(clients))
    out: list = [None] * len(clients)

    def run(i):
        try:
            barrier.wait()
            out[i] = requests[i](clients[i])
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(clients))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return out
