"""The import run: stream rows, clean them, plan the upsert, write in chunks.

One pass over the file, chunk by chunk (``CHUNK_ROWS``):

1. clean every cell with the resource's cleaners (the API's validators) and
   the resource's cross-column rules; resolve references in bulk;
2. find each row's record by the resource's natural keys (one query per key
   per chunk), refuse duplicates inside the file, changes to frozen rows and
   matches the importing user may not edit (their data scope, as in the API);
3. classify new / updated / unchanged, and write: new rows and updated rows in
   bulk (COPY on PostgreSQL), one "import" audit entry and one
   ``ImportRecord`` per changed row, then the resource's bulk hooks (lead
   reminders, through the owning app's bulk services).

Around it: ``plan`` (which file column feeds which resource column, the
planned rows), ``threads`` (the job's heartbeat, cleaning one chunk ahead)
and ``writers`` (COPY and the bulk update).

Step 1 runs one chunk ahead on a second thread (``Ahead``) for resources whose
cleaning needs no database, while this thread waits for PostgreSQL on steps
2-3 of the chunk before; a re-import of unchanged rows is handed back to this
thread after its first chunk.

Transactions decide what a failure leaves behind:

* ``dry_run``: nothing is written at all (the plan is computed and reported);
* ``on_error=abort``: every chunk is written inside ONE transaction, rolled
  back at the end if any row was invalid, so nothing or everything lands;
* ``on_error=skip``: each chunk commits together with the job's checkpoint
  (rows done, totals, errors), so a crashed worker's job resumes after the
  last committed chunk and never applies a row twice.
"""

from __future__ import annotations

import logging
import operator
import threading
import time
import zlib
from contextlib import nullcontext

from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from django.db.models import BooleanField, Case, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _

from crm.core import audit
from crm.core.errors import Conflict, Frozen
from crm.core.models import AuditEntry
from crm.imports import formats
from crm.imports.models import ImportJob, ImportRecord
from crm.imports.plan import ColumnPlan, PlannedRow
from crm.imports.resources import CrmResource, ImportContext, _norm
from crm.imports.threads import Ahead, Heartbeat
from crm.imports.writers import Writer, filter_in, writer_for_connection

log = logging.getLogger(__name__)

CHUNK_ROWS = 5000
FIRST_CHUNK_ROWS = 1000
#: The GIN pending list an import's transaction may fill before merging (kB).
GIN_PENDING_LIST_KB = 256 * 1024
MAX_STORED_ERRORS = 10_000
PREVIEW_ROWS = 20
LOCK_NAMESPACE = 0x494D  # "IM": advisory locks of imports (tenant, resource)


def lock_key(tenant_id: int, resource_name: str) -> int:
    """The second key of an import's advisory lock: the same in every process.

    (Not ``hash()``: str hashes are salted per process, so two workers computed
    different keys for one tenant's resource and their locks excluded nothing.)
    """
    return (tenant_id * 131 + zlib.crc32(resource_name.encode())) % 2**31


class RolledBack(Exception):
    """Raised inside the job transaction to undo it (abort mode with row errors)."""


def _hidden_message() -> str:
    return _("No such record you may edit.")


def _seen_key(identity: tuple) -> str:
    """A row's natural key as one string: a 200,000-row file keeps one per row, and
    a string takes about half the memory of the (index, (values...)) tuples."""
    return repr(identity)


def _jsonable(value):
    if value is None:
        return ""
    if isinstance(value, str | int | float | bool):
        return value
    return str(value)


class Importer:
    def __init__(
        self,
        job: ImportJob,
        resource: type[CrmResource],
        content: bytes,
        *,
        writer: Writer | None = None,
        heartbeat: Heartbeat | None = None,
    ):
        self.job = job
        self.resource = resource
        self.content = content
        self.writer = writer or writer_for_connection()
        self.heartbeat = heartbeat
        self.model = resource.model()
        self.ctx = ImportContext(
            job.tenant,
            job.created_by,
            add_missing_dictionary=bool(job.options.get("add_missing_dictionary")),
            dry_run=job.dry_run,
        )
        # Leads: the assignment rules give new rows an owner unless the upload opted out.
        self.ctx.assign_leads = bool(job.options.get("apply_assignment_rules", True))
        # Look-ups of the resource's own (a lead's campaign by name), loaded here: the
        # cleaning may run on another thread, which must not query the database.
        prime = getattr(resource, "prime", None)
        if prime is not None:
            prime(self.ctx)
        self.frozen = resource.frozen()
        # The rows this user may edit (their data scope); None: all of the tenant's.
        self.editable = self.ctx.editable_q(resource.owner_field, resource.include_unowned)
        self.compare = resource.compare_attrs()
        self.has_version = any(f.attname == "version" for f in self.model._meta.concrete_fields)
        self.has_updated_at = any(
            f.attname == "updated_at" for f in self.model._meta.concrete_fields
        )
        key_attrs = {a for key in resource.natural_keys for a in key}
        self.read_attrs = sorted(
            {"id", *self.compare, *key_attrs}
            | ({"version"} if self.has_version else set())
            | ({"search_key"} if resource.search_names is not None else set())
        )
        self.ct = ContentType.objects.get_for_model(self.model)
        # The file's rows by natural key (``_seen_key``): a duplicate row is refused.
        self.seen: dict[str, int] = {}
        self._seen_added: list[str] = []  # this chunk's keys, undone on a Conflict
        self.totals = {"rows": 0, "new": 0, "updated": 0, "unchanged": 0, "invalid": 0}
        self.errors: list[dict] = []
        # The failed rows' cells by row number, for the errors file (``errors_workbook``).
        self.failed: dict[int, list] = {}
        self._failed_before: set[int] | None = None
        self.preview: list[dict] = []
        self.defaults = resource.insert_defaults(self.ctx)
        self.names = {f.attname: f.name for f in self.model._meta.concrete_fields}
        # Clean on a second thread while this one writes: only when cleaning cannot
        # touch the database (adding missing dictionary values writes).
        self.clean_ahead = resource.clean_off_thread and not self.ctx.add_missing_dictionary
        # While the file brings mostly new rows, rows are cleaned (with their search
        # keys) as they are read, on the second thread when there is one. Else (a
        # re-import: little to write, nothing to overlap, no keys needed) they are
        # cleaned where they are planned. Updated after every chunk (``_chunk``).
        self.mostly_new = True
        self.first_chunk_planned = threading.Event()
        self.search_inputs = (
            (*(resource.search_names or ()), *resource.search_phones)
            if resource.search_names is not None
            and resource.compute_search_key.__func__ is CrmResource.compute_search_key.__func__
            else None
        )

    # --- the run ------------------------------------------------------------------
    def run(self) -> str:
        """Import the whole file; returns the job's final status (and sets ``detail``)."""
        job = self.job
        sheet = formats.open_upload(self.content, job.file_format, job.options, job.filename)
        header = [h for h in sheet.header if h]
        # What a refused file still tells the user: its headers and the columns
        # they were recognised as, so the missing ones can be mapped in the wizard.
        known = self.resource.header_map()
        guessed = {h: known[_norm(h)] for h in header if _norm(h) in known}
        self.result_meta = {
            "header": header,
            "mapping": guessed,
            "ignored_columns": [h for h in header if h not in guessed],
            "encoding": sheet.encoding,
        }
        self.plan = ColumnPlan(
            self.resource,
            sheet.header,
            job.options.get("mapping"),
            job.options.get("ignore_columns"),
        )
        self.estimated = sheet.estimated_rows
        resume = 0
        if not job.dry_run and job.on_error == ImportJob.OnError.SKIP and job.checkpoint_rows:
            resume = job.checkpoint_rows
            self.totals = {**self.totals, **(job.totals or {})}
            self.errors = list(job.errors or [])
            self.preview = list((job.result or {}).get("preview", []))
        self.result_meta = {
            # The file's headers in file order (JSON objects such as ``mapping`` keep
            # no key order in PostgreSQL's jsonb).
            "header": header,
            "mapping": self.plan.mapping(),
            "ignored_columns": self.plan.ignored,
            # Not stored, and neither mapped nor ignored by the user: a preview lists
            # them, a real run refuses to start while any is left.
            "unmapped_columns": self.plan.unmapped,
            "read_only_columns": self.plan.read_only,
            "encoding": sheet.encoding,
        }
        if not job.dry_run:
            self.plan.refuse_unmapped()
        one_transaction = not job.dry_run and job.on_error == ImportJob.OnError.ABORT
        try:
            with transaction.atomic() if one_transaction else nullcontext():
                if one_transaction:
                    self._lock()
                self._rows(sheet, resume, one_transaction)
                if one_transaction and self.totals["invalid"]:
                    raise RolledBack
        except RolledBack:
            job.detail = _(
                "Nothing was imported: %(n)d rows have errors. Fix them (download the "
                "errors file) or import with “skip invalid rows”."
            ) % {"n": self.totals["invalid"]}
            return ImportJob.Status.FAILED
        if job.dry_run:
            job.detail = _("Preview: nothing was written.")
        elif self.totals["invalid"]:
            job.detail = _("%(n)d invalid rows were skipped.") % {"n": self.totals["invalid"]}
        else:
            job.detail = ""
        return ImportJob.Status.SUCCEEDED

    def _lock(self):
        """Start a writing transaction (PostgreSQL): the tenant's lock and bulk-load settings.

        * An advisory lock serialises writers of one tenant's resource.
        * A large GIN pending list for this transaction only: a trigram search
          index otherwise merges every few thousand new rows into its tree (the
          default list is 4 MB), which was most of an import's database time.
          The keys stay searchable in the list; the job merges them once it has
          finished (``services._index_upkeep``).
        """
        if connection.vendor != "postgresql":
            return
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_advisory_xact_lock(%s, %s), "
                "set_config('gin_pending_list_limit', %s, true)",
                [
                    LOCK_NAMESPACE,
                    lock_key(self.job.tenant_id, self.resource.name),
                    str(GIN_PENDING_LIST_KB),
                ],
            )

    def _rows(self, sheet, resume: int, one_transaction: bool):
        chunks = self._cleaned_chunks(sheet, resume)
        ahead = None
        if self.clean_ahead:
            self.ctx.preload()
            # Mostly unchanged rows (a re-import) leave nothing to overlap: the
            # thread hands the rest of the file back after the first chunk.
            ahead = Ahead(chunks, hand_back=self._read_here)
        try:
            for done, rows, resumed in ahead if ahead is not None else chunks:
                self._take(done, rows, resumed, one_transaction)
            if ahead is not None:
                if not ahead.close():
                    raise RuntimeError("the import's cleaning thread did not stop")
                ahead = None
                for done, rows, resumed in chunks:  # empty unless handed back
                    self._take(done, rows, resumed, one_transaction)
        finally:
            if ahead is not None:
                self.first_chunk_planned.set()  # never leave the reader waiting
                ahead.close()

    def _read_here(self) -> bool:
        return self.first_chunk_planned.is_set() and not self.mostly_new

    def _take(self, done: int, rows: list[PlannedRow], resumed: bool, one_transaction: bool):
        if resumed:
            if self._failed_before is None:
                self._failed_before = {e["row"] for e in self.errors}
            for row in rows:
                self._remember(row)  # rebuild the duplicate check only
                if row.number in self._failed_before:
                    self.failed[row.number] = row.cells  # for the errors file
        else:
            self._chunk(rows, done, one_transaction)

    def _cleaned_chunks(self, sheet, resume: int):
        """(rows read so far, cleaned rows, whether a resumed run had written them)."""
        chunk: list[PlannedRow] = []
        done = 0
        # A small first chunk: the writer starts while the rest is being cleaned.
        size = min(FIRST_CHUNK_ROWS, CHUNK_ROWS) if self.clean_ahead else CHUNK_ROWS
        for number, cells in sheet.rows:
            done += 1
            row = PlannedRow(number=number, cells=cells)
            if self.mostly_new:
                self._clean(row)
            chunk.append(row)
            if len(chunk) >= size or done == resume:
                yield done, chunk, done <= resume
                chunk = []
                if size != CHUNK_ROWS and self.clean_ahead and done > resume:
                    # Read on once the first chunk has shown whether rows are new
                    # (and the thread has handed the file back if they are not).
                    self.first_chunk_planned.wait()
                size = CHUNK_ROWS
            if self.clean_ahead and not done % 16:
                time.sleep(0)  # hand the GIL to the writing thread if it waits for it
        if chunk:
            yield done, chunk, done <= resume

    def _clean(self, row: PlannedRow):
        row.values, row.virtual, row.errors = self.resource.clean_cells(
            self.ctx, self.plan.cells(row.cells)
        )
        row.cleaned = True
        if self.search_inputs is not None and self.mostly_new and not row.errors:
            inputs = tuple(row.values.get(a) or "" for a in self.search_inputs)
            row.search = (inputs, self.resource.compute_search_key(row.values))

    def _search_key(self, values: dict, row: PlannedRow | None = None) -> str:
        if row is not None and row.search is not None:
            inputs = tuple(values.get(a) or "" for a in self.search_inputs)
            if inputs == row.search[0]:
                return row.search[1]
        return self.resource.compute_search_key(values)

    def _remember(self, row: PlannedRow):
        if not row.cleaned:
            self._clean(row)
        if not row.errors:
            identity = self.resource.identity(row.values)
            if identity is not None:
                self.seen.setdefault(_seen_key(identity), row.number)

    def _chunk(self, rows: list[PlannedRow], done: int, one_transaction: bool):
        apply = not self.job.dry_run and not (one_transaction and self.totals["invalid"])
        per_chunk = not self.job.dry_run and not one_transaction
        for attempt in range(3):
            can_retry = attempt < 2
            self._seen_added = []
            try:
                with transaction.atomic() if (apply or per_chunk) else nullcontext():
                    if per_chunk:
                        self._lock()
                    self._plan(rows)
                    self.mostly_new = 2 * sum(r.action == "new" for r in rows) >= len(rows)
                    self.first_chunk_planned.set()
                    if apply:
                        self._write(rows)
                    self._count(rows)
                    if per_chunk:
                        self._checkpoint(done)
                break
            except Conflict:
                # Someone changed a matched record meanwhile: plan the chunk again.
                if not can_retry:
                    raise
                for key in self._seen_added:
                    del self.seen[key]
                for row in rows:
                    row.values, row.virtual, row.errors = {}, {}, []
                    row.existing, row.changes, row.action = None, {}, ""
                    row.cleaned, row.search = False, None
        self._progress(done)

    def _progress(self, done: int):
        percent = min(99, int(done * 100 / max(self.estimated, done, 1)))
        if self.heartbeat is not None:
            self.heartbeat.progress = percent
        elif not transaction.get_connection().in_atomic_block:
            ImportJob._base_manager.filter(pk=self.job.pk).update(
                progress=percent, heartbeat_at=timezone.now()
            )

    def _checkpoint(self, done: int):
        ImportJob._base_manager.filter(pk=self.job.pk).update(
            checkpoint_rows=done,
            totals=self.totals,
            errors=self.errors,
            result={**self.result_meta, "preview": self.preview},
            heartbeat_at=timezone.now(),
        )

    # --- planning --------------------------------------------------------------------
    def _plan(self, rows: list[PlannedRow]):
        resource = self.resource
        for row in rows:
            if not row.cleaned:
                self._clean(row)
        resource.prepare_chunk(self.ctx, [r for r in rows if not r.errors])
        for row in rows:
            if row.errors:
                continue
            row.identity = resource.identity(row.values)
            if row.identity is None:
                continue
            key = _seen_key(row.identity)
            first = self.seen.get(key)
            if first is not None and first != row.number:
                row.error(
                    self._key_column(row.identity[0]),
                    row.identity[1][-1],
                    _("The same record is already on row %(row)d of this file.") % {"row": first},
                )
            else:
                self.seen[key] = row.number
                self._seen_added.append(key)
        self._match([r for r in rows if not r.errors])
        for row in rows:
            if row.errors:
                row.action = "invalid"
                continue
            if row.existing is None:
                row.action = "new"
                continue
            existing = row.existing
            changes = {
                a: v for a, v in row.values.items() if a in self.compare and existing.get(a) != v
            }
            if not changes:
                row.action = "unchanged"
                continue
            if existing.get("_frozen"):
                row.error(
                    self._key_column(row.identity[0] if row.identity else 0),
                    "",
                    str(Frozen.default_detail),
                )
                row.action = "invalid"
                continue
            resource.on_update(self.ctx, existing, changes)
            row.changes = changes
            row.action = "updated"

    def _key_column(self, key_index: int) -> str:
        attr = self.resource.natural_keys[key_index][-1]
        for col in self.resource.columns:
            if col.attr == attr:
                return col.name
        return attr

    def _match(self, rows: list[PlannedRow]):
        """Find each row's record by the natural keys, in order (one query per key)."""
        resource = self.resource
        pending = list(rows)
        qs_base = self.model.objects.filter(tenant=self.ctx.tenant)
        if self.frozen is not None:
            qs_base = qs_base.annotate(
                _frozen=Case(
                    When(self.frozen, then=Value(True)),
                    default=Value(False),
                    output_field=BooleanField(),
                )
            )
        if self.editable is not None:
            # Matched against every row, so that a row naming a record the user may
            # not edit is refused rather than imported as a duplicate of it.
            qs_base = qs_base.annotate(
                _editable=Case(
                    When(self.editable, then=Value(True)),
                    default=Value(False),
                    output_field=BooleanField(),
                )
            )
        fields = [
            *self.read_attrs,
            *(["_frozen"] if self.frozen is not None else []),
            *(["_editable"] if self.editable is not None else []),
        ]
        for index, key in enumerate(resource.natural_keys):
            candidates = [r for r in pending if all(r.values.get(a) not in (None, "") for a in key)]
            if not candidates:
                continue
            qs = qs_base
            for attr in key:
                qs = filter_in(qs, attr, {r.values[attr] for r in candidates})
            found: dict[tuple, list[dict]] = {}
            for record in qs.values(*fields):
                found.setdefault(tuple(record[a] for a in key), []).append(record)
            matched = set()
            for row in candidates:
                records = found.get(tuple(row.values[a] for a in key), [])
                if not records:
                    continue
                matched.add(id(row))
                if not all(r.get("_editable", True) for r in records):
                    # Another user's record: the same answer whatever it holds (and
                    # however many there are), so the file learns nothing about it.
                    row.error(self._key_column(index), row.values[key[-1]], _hidden_message())
                    continue
                if len(records) > 1:
                    row.error(
                        self._key_column(index),
                        row.values[key[-1]],
                        _(
                            "%(n)d existing records match this row; "
                            "make it unique (e.g. add a code)."
                        )
                        % {"n": len(records)},
                    )
                    continue
                record = records[0]
                conflict = self._earlier_key_conflict(row, record, index)
                if conflict:
                    row.error(*conflict)
                    continue
                row.existing = record
            pending = [r for r in pending if id(r) not in matched]

    def _earlier_key_conflict(self, row, record, index):
        for key in self.resource.natural_keys[:index]:
            for attr in key:
                mine, theirs = row.values.get(attr), record.get(attr)
                if mine not in (None, "") and theirs not in (None, "") and mine != theirs:
                    column = next((c.name for c in self.resource.columns if c.attr == attr), attr)
                    return (
                        column,
                        mine,
                        _("The matching record already has “%(theirs)s” here.")
                        % {"theirs": theirs},
                    )
        return None

    # --- writing ------------------------------------------------------------------------
    def _write(self, rows: list[PlannedRow]):
        resource = self.resource
        ctx = self.ctx
        new = [r for r in rows if r.action == "new"]
        updated = [r for r in rows if r.action == "updated"]
        created: list[tuple[int, dict]] = []
        if new:
            full_rows = []
            for row in new:
                full = {**self.defaults, **row.values}
                resource.on_create(ctx, full)
                if resource.search_names is not None:
                    full["search_key"] = self._search_key(full, row)
                full_rows.append(full)
            attnames = list(full_rows[0])
            in_order = (  # a tuple in attnames' order
                operator.itemgetter(*attnames) if len(attnames) > 1 else lambda f: (f[attnames[0]],)
            )
            ids = self.writer.insert(self.model, attnames, [in_order(f) for f in full_rows])
            created = list(zip(ids, full_rows, strict=True))
        if updated:
            update_attrs = list(self.compare)
            extra = []
            if resource.search_names is not None:
                extra.append("search_key")
            if self.has_version:
                extra.append("version")
            if self.has_updated_at:
                extra.append("updated_at")
            attnames = update_attrs + extra
            out = []
            for row in updated:
                merged = {a: row.existing.get(a) for a in update_attrs}
                merged.update(row.changes)
                # derived changes (owned_since...) that are not compared columns
                for attr, value in row.changes.items():
                    if attr not in merged:
                        merged[attr] = value
                if resource.search_names is not None:
                    merged["search_key"] = resource.compute_search_key(merged)
                    if merged["search_key"] != row.existing.get("search_key"):
                        row.changes.setdefault("search_key", merged["search_key"])
                version = row.existing.get("version", 0)
                if self.has_version:
                    merged["version"] = version + 1
                if self.has_updated_at:
                    merged["updated_at"] = ctx.now
                out.append((row.existing["id"], version, *(merged[a] for a in attnames)))
            self.writer.update(
                self.model,
                attnames,
                out,
                version_attname="version" if self.has_version else None,
            )
        self._trail(created, updated)
        resource.after_write(ctx, created, [(r.existing["id"], r.changes) for r in updated])

    def _trail(self, created, updated):
        """The per-record "import" audit entries and the records revert needs."""
        actor_id = self.ctx.actor.pk if self.ctx.actor else None
        now = self.ctx.now
        tenant_id = self.ctx.tenant.pk
        imported = [c.attr for c in self.resource.columns if c.attr]
        audit_rows = []
        records = []
        if created and self.writer.trail_in_database:
            self.writer.created_trail(
                self.model,
                [pk for pk, _full in created],
                [a for a in imported if a in self.names],
                self.names,
                {
                    "tenant": tenant_id,
                    "actor": actor_id,
                    "ct": self.ct.pk,
                    "now": now,
                    "job": self.job.pk,
                },
            )
            created = []
        for pk, full in created:
            snapshot = {
                self.names.get(a, a): audit.json_value(full.get(a))
                for a in imported
                if full.get(a) not in (None, "")
            }
            snapshot["import_job"] = self.job.pk
            audit_rows.append((tenant_id, actor_id, "import", self.ct.pk, pk, snapshot, now))
            records.append((self.job.pk, self.ct.pk, pk, True, 1, None))
        for row in updated:
            pk = row.existing["id"]
            changes = {
                self.names.get(a, a): [
                    audit.json_value(row.existing.get(a)),
                    audit.json_value(v),
                ]
                for a, v in row.changes.items()
                if a != "search_key"
            }
            changes["import_job"] = self.job.pk
            audit_rows.append((tenant_id, actor_id, "import", self.ct.pk, pk, changes, now))
            previous = {a: audit.json_value(row.existing.get(a)) for a in row.changes}
            version = row.existing.get("version", 0) + (1 if self.has_version else 0)
            records.append((self.job.pk, self.ct.pk, pk, False, version, previous))
        self.writer.insert(
            AuditEntry,
            [
                "tenant_id",
                "actor_id",
                "action",
                "content_type_id",
                "object_id",
                "changes",
                "created_at",
            ],
            audit_rows,
        )
        self.writer.insert(
            ImportRecord,
            ["job_id", "content_type_id", "object_id", "created", "version", "previous"],
            records,
        )

    def _count(self, rows: list[PlannedRow]):
        for row in rows:
            self.totals["rows"] += 1
            if row.action == "invalid":
                self.totals["invalid"] += 1
                if len(self.failed) < MAX_STORED_ERRORS:
                    self.failed[row.number] = row.cells
                for column, value, message in row.errors:
                    if len(self.errors) < MAX_STORED_ERRORS:
                        self.errors.append(
                            {
                                "row": row.number,
                                "column": self.plan.header_of(column),
                                "value": _jsonable(value),
                                "message": str(message),
                            }
                        )
            else:
                self.totals[row.action] += 1
            if len(self.preview) < PREVIEW_ROWS:
                self.preview.append(
                    {
                        "row": row.number,
                        "action": row.action,
                        "changes": sorted(
                            self.names.get(a, a) for a in row.changes if a != "search_key"
                        ),
                    }
                )

    # --- the errors file ----------------------------------------------------------------
    def errors_workbook(self) -> bytes | None:
        """The failed rows as they were in the file, plus an error column (xlsx bytes).

        Built here, once, from the rows the run kept: the download serves these
        bytes and never parses the upload again.
        """
        if not self.errors or not hasattr(self, "plan"):
            return None
        by_row: dict[int, list[str]] = {}
        for error in self.errors:
            by_row.setdefault(error["row"], []).append(f"{error['column']}: {error['message']}")
        header = list(self.plan.header)
        width = len(header)

        def rows():
            for number in sorted(self.failed):
                cells = list(self.failed[number][:width])
                yield [*cells, *[""] * (width - len(cells)), "; ".join(by_row.get(number, []))]

        with formats.xlsx_file([*header, _("errors")], rows(), title=_("errors")) as out:
            return out.read()
