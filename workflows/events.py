"""After-commit listeners of transitions: how other apps hear of a state change.

An app (messaging's outbound webhooks) registers a listener from its
``AppConfig.ready()``; the engine calls ``on_commit_transition`` inside the
transition's transaction and every listener runs only after it commits, with
ids (never objects): a rolled-back transition tells nobody. A listener that
raises is logged and does not stop the others.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import partial

from django.db import transaction

log = logging.getLogger(__name__)

# listener(*, model, pk, process, transition, tenant_id)
Listener = Callable[..., None]
_listeners: dict[str, Listener] = {}


def register_listener(name: str, listener: Listener) -> None:
    """Keyed by name: a ``ready()`` that runs twice replaces its own entry."""
    _listeners[name] = listener


def listeners() -> list[Listener]:
    return list(_listeners.values())


def _call(listener: Listener, **kwargs) -> None:
    try:
        listener(**kwargs)
    except Exception:
        log.exception("transition listener %r failed", listener)


def on_commit_transition(**kwargs) -> None:
    for listener in listeners():
        transaction.on_commit(partial(_call, listener, **kwargs))


# --- business events that are not transitions (an SLA breach...) ---------------------

# listener(*, event, model, pk, tenant_id)
_event_listeners: dict[str, Listener] = {}


def register_event_listener(name: str, listener: Listener) -> None:
    _event_listeners[name] = listener


def on_commit_event(event: str, **kwargs) -> None:
    """Tell the event listeners of ``event`` (e.g. "complaint.breached") after commit."""
    for listener in list(_event_listeners.values()):
        transaction.on_commit(partial(_call, listener, event=event, **kwargs))
