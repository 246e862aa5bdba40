"""The importer's helper threads: the job's heartbeat and cleaning one chunk ahead."""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable

from django.db import connection
from django.utils import timezone, translation

from crm.imports.models import ImportJob

log = logging.getLogger(__name__)

HEARTBEAT_SECONDS = 1.0


class Heartbeat(threading.Thread):
    """Writes ``heartbeat_at`` and ``progress`` every second on its own connection.

    PostgreSQL only: the import's own transaction may be open for the whole
    file (abort mode), and the job row must still show that the worker lives.
    """

    def __init__(self, job_id: int):
        super().__init__(daemon=True, name=f"import-heartbeat-{job_id}")
        self.job_id = job_id
        self.progress = 0
        self.stopped = threading.Event()

    def run(self):
        try:
            while not self.stopped.wait(HEARTBEAT_SECONDS):
                try:
                    ImportJob._base_manager.filter(
                        pk=self.job_id, status=ImportJob.Status.RUNNING
                    ).update(heartbeat_at=timezone.now(), progress=self.progress)
                except Exception:  # a missed beat is not fatal; the next one retries
                    log.exception("import heartbeat failed")
        finally:
            connection.close()

    def stop(self):
        self.stopped.set()
        self.join(timeout=5)


class _Failed:
    def __init__(self, exc: BaseException):
        self.exc = exc


class Ahead:
    """Run an iterator on a second thread, at most ``depth`` items ahead of its reader.

    The import's writing thread spends most of its time waiting for PostgreSQL,
    and the driver releases the GIL while it waits: reading and cleaning the
    next chunk meanwhile costs no wall time (PostgreSQL works on the other
    core). The iterator must not use the database (this thread has no
    transaction of the import's); an error it raises is raised to the reader.
    """

    _END = object()

    def __init__(
        self,
        items,
        *,
        depth: int = 1,
        name: str = "import-cleaning",
        hand_back: Callable[[], bool] | None = None,
    ):
        """``hand_back`` is asked after each item: True stops this thread there,
        leaving the rest of ``items`` (a generator) to be read by its reader."""
        self._queue: queue.Queue = queue.Queue(maxsize=depth)
        self._stopped = threading.Event()
        self._hand_back = hand_back or (lambda: False)
        self._thread = threading.Thread(
            target=self._run, args=(items, translation.get_language()), daemon=True, name=name
        )
        self._thread.start()

    def _run(self, items, language):
        try:
            with translation.override(language):
                for item in items:
                    if not self._put(item) or self._hand_back():
                        break
            self._put(self._END)
        except BaseException as exc:  # handed to the reader, raised there
            self._put(_Failed(exc))
        finally:
            connection.close()  # none expected; never leak one

    def _put(self, item) -> bool:
        while not self._stopped.is_set():
            try:
                self._queue.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def __iter__(self):
        while True:
            item = self._queue.get()
            if item is self._END:
                return
            if isinstance(item, _Failed):
                raise item.exc
            yield item

    def close(self) -> bool:
        """Stop the thread; whether it has ended (it finishes the item in hand first)."""
        self._stopped.set()
        self._thread.join(timeout=30)
        return not self._thread.is_alive()
