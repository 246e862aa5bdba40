"""The write path of imports: create a job, run it (claim, resume, finish), revert it.

A job is claimed by a conditional UPDATE (pending, or running with a stale
heartbeat), so two deliveries of the same message never run it twice at once;
a crashed worker's job is taken over by the next delivery (the broker's
redelivery, ``recover_stale`` from the scheduler, or a poll of the job) and
resumes from its checkpoint, or fails with a clear error after
``MAX_ATTEMPTS``.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from django.db.models import F, Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django_scopes import scope

from crm.core import audit
from crm.core.errors import Conflict, DomainError, Frozen, Invalid, PermissionRefused
from crm.core.models import AuditEntry
from crm.imports import formats, resources
from crm.imports.importer import Importer
from crm.imports.models import ImportFile, ImportJob, ImportRecord
from crm.imports.threads import Heartbeat
from crm.imports.writers import chunked, writer_for_connection

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 3


def stale_after() -> dt.timedelta:
    return dt.timedelta(seconds=getattr(settings, "IMPORT_STALE_SECONDS", 60))


def upload_limit() -> int:
    return getattr(settings, "FILE_UPLOAD_LIMIT", 50 * 1024 * 1024)


def check_codes(user, resource: type[resources.CrmResource]) -> None:
    """Importing needs ``imports.create`` and the module's create and edit codes."""
    module = resource.permission_module
    needed = ["imports.create", f"{module}.create", f"{module}.edit"]
    if not all(user.has_code(code) for code in needed):
        raise PermissionRefused()


def import_job_create(
    *,
    tenant,
    actor,
    resource: str,
    filename: str,
    content: bytes,
    dry_run: bool = False,
    on_error: str = ImportJob.OnError.ABORT,
    mapping: dict | None = None,
    ignore_columns: list[str] | None = None,
    encoding: str = "",
    sheet: str = "",
    add_missing_dictionary: bool = False,
    apply_assignment_rules: bool = True,
) -> ImportJob:
    """Store the upload and its options as a pending job; enqueue it after commit."""
    spec = resources.get(resource)
    if spec is None:
        raise Invalid(
            fields={"resource": [_("Unknown data type “%(name)s”.") % {"name": resource}]}
        )
    check_codes(actor, spec)
    if not content:
        raise Invalid(fields={"file": [_("The file is empty.")]})
    if len(content) > upload_limit():
        raise Invalid(fields={"file": [_("The file is too large.")]})
    file_format = formats.detect_format(filename, content[:8])
    if encoding:
        encoding = formats.normalise_encoding(encoding)
    if on_error not in ImportJob.OnError.values:
        raise Invalid(fields={"on_error": [_("Choose abort or skip.")]})
    options = {
        "mapping": mapping or {},
        "ignore_columns": list(ignore_columns or []),
        "encoding": encoding,
        "sheet": sheet,
        "add_missing_dictionary": add_missing_dictionary,
        "apply_assignment_rules": apply_assignment_rules,
    }
    with transaction.atomic():
        job = ImportJob.objects.create(
            tenant=tenant,
            created_by=actor,
            resource=resource,
            filename=filename[:255],
            file_format=file_format,
            options=options,
            dry_run=dry_run,
            on_error=on_error,
            enqueued_at=timezone.now(),
        )
        store_upload(job.pk, content)
        transaction.on_commit(lambda: enqueue(job.pk))
    return job


def enqueue(job_id: int) -> None:
    from tasks.imports import run_import

    run_import.send(job_id)


# --- running ---------------------------------------------------------------------


def _claim(job_id: int) -> ImportJob | None:
    """Take the job if it is pending, or running with a stale heartbeat (a dead worker)."""
    now = timezone.now()
    claimable = Q(status=ImportJob.Status.PENDING) | Q(
        status=ImportJob.Status.RUNNING, heartbeat_at__lt=now - stale_after()
    )
    taken = ImportJob._base_manager.filter(claimable, pk=job_id).update(
        status=ImportJob.Status.RUNNING,
        heartbeat_at=now,
        attempts=F("attempts") + 1,
        started_at=now,
    )
    if not taken:
        return None
    return ImportJob._base_manager.select_related("tenant", "created_by").get(pk=job_id)


#: Bytes of the stored upload read per query (``read_upload``).
READ_PIECE = 4 << 20


def store_upload(job_id: int, content: bytes) -> None:
    """Store the uploaded file; on PostgreSQL in pieces (see ``read_upload``): sent
    whole, the driver's escaped copy and buffers added ~60 MB for a 32 MB file."""
    piece = READ_PIECE if connection.vendor == "postgresql" else len(content)
    ImportFile.objects.create(job_id=job_id, content=content[:piece], size=len(content))
    if len(content) <= piece:
        return
    with connection.cursor() as cursor:
        for start in range(piece, len(content), piece):
            cursor.execute(
                "UPDATE imports_importfile SET content = content || %s WHERE job_id = %s",
                [content[start : start + piece], job_id],
            )


def read_upload(job_id: int) -> bytes:
    """The job's uploaded file, read from the database in pieces.

    One query for the whole value made the driver hold it several times over
    (hex text, then bytes) and left the connection's input buffer at that size
    for the worker's life: ~95 MB of resident memory for a 32 MB file.
    """
    if connection.vendor != "postgresql":
        return bytes(ImportFile.objects.get(job_id=job_id).content)
    pieces = []
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT octet_length(content) FROM imports_importfile WHERE job_id = %s", [job_id]
        )
        (size,) = cursor.fetchone()
        for start in range(0, size, READ_PIECE):
            cursor.execute(
                "SELECT substring(content FROM %s FOR %s) FROM imports_importfile "
                "WHERE job_id = %s",
                [start + 1, READ_PIECE, job_id],
            )
            pieces.append(bytes(cursor.fetchone()[0]))
    return b"".join(pieces)


def run_job(job_id: int) -> str:
    """Run (or resume) one job; idempotent: a finished or live job is left alone."""
    job = _claim(job_id)
    if job is None:
        return "skipped"
    language = job.created_by.language if job.created_by else settings.LANGUAGE_CODE
    with scope(tenant=job.tenant_id), translation.override(language):
        if job.attempts > MAX_ATTEMPTS:
            return _finish(
                job,
                ImportJob.Status.FAILED,
                _("The import was interrupted %(n)d times and was stopped. %(done)s")
                % {"n": job.attempts - 1, "done": _applied_note(job)},
            )
        spec = resources.get(job.resource)
        content = read_upload(job.pk)
        heartbeat = Heartbeat(job.pk) if connection.vendor == "postgresql" else None
        if heartbeat is not None:
            heartbeat.start()
        importer = None
        try:
            importer = Importer(job, spec, content, heartbeat=heartbeat)
            status = importer.run()
        except DomainError as exc:
            details = [str(m) for msgs in exc.fields.values() for m in msgs]
            return _finish(
                job,
                ImportJob.Status.FAILED,
                " ".join(details or [str(exc.detail)]),
                result=getattr(importer, "result_meta", None),
            )
        except Exception as exc:
            log.exception("import job %s failed", job.pk)
            return _finish(
                job,
                ImportJob.Status.FAILED,
                _("The import failed: %(error)s. %(done)s")
                % {"error": f"{type(exc).__name__}: {exc}"[:500], "done": _applied_note(job)},
            )
        finally:
            if heartbeat is not None:
                heartbeat.stop()
        outcome = _finish(job, status, job.detail, importer=importer)
        _index_upkeep(job, importer)
        return outcome


#: A bulk load this large makes the planner's statistics stale at once.
ANALYZE_AFTER_ROWS = 5000


def _index_upkeep(job: ImportJob, importer: Importer) -> None:
    """Index and planner upkeep after an import (PostgreSQL), once it has finished.

    * The imported rows' search keys wait in the trigram GIN indexes' pending
      lists (see ``Importer._lock``): merge them now, in one sorted pass,
      rather than leave every search to read the list until autovacuum.
    * ``ANALYZE`` after a big import: autovacuum would get there eventually;
      until then the planner still sees the table as it was and may pick a bad
      plan for the lists (seen: a search page scanning the primary key
      backwards, 500 ms instead of 8 ms).

    Run after the job is marked finished: the rows are committed, searchable and
    usable already; this only makes reading them faster.
    """
    if connection.vendor != "postgresql" or job.dry_run:
        return
    changed = importer.totals.get("new", 0) + importer.totals.get("updated", 0)
    if not changed:
        return
    table = importer.model._meta.db_table
    try:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT gin_clean_pending_list(i.indexrelid::regclass) FROM pg_index i "
                "JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_am am ON am.oid = c.relam "
                "WHERE i.indrelid = %s::regclass AND am.amname = 'gin'",
                [table],
            )
            if changed >= ANALYZE_AFTER_ROWS:
                cursor.execute(f'ANALYZE "{table}"')
    except Exception:  # maintenance only: never fail a finished import over it
        log.exception("index upkeep after import job %s failed", job.pk)


def _applied_note(job: ImportJob) -> str:
    fresh = ImportJob._base_manager.filter(pk=job.pk).values("checkpoint_rows", "on_error").first()
    if fresh and fresh["on_error"] == ImportJob.OnError.SKIP and fresh["checkpoint_rows"]:
        return _("The first %(n)d rows were imported; the rest were not.") % {
            "n": fresh["checkpoint_rows"]
        }
    return _("Nothing was imported.")


def _finish(
    job: ImportJob,
    status: str,
    detail: str,
    importer: Importer | None = None,
    result: dict | None = None,
) -> str:
    fields = {
        "status": status,
        "detail": detail or "",
        "finished_at": timezone.now(),
        "progress": 100,
    }
    if result is not None:
        fields["result"] = result  # a refused file: its headers, for the mapping step
    errors_xlsx = None
    if importer is not None:
        fields.update(
            totals=importer.totals,
            errors=importer.errors,
            result={**importer.result_meta, "preview": importer.preview},
        )
        errors_xlsx = importer.errors_workbook()
    with transaction.atomic():
        ImportJob._base_manager.filter(pk=job.pk).update(**fields)
        ImportFile.objects.filter(job_id=job.pk).update(errors_xlsx=errors_xlsx)
        wrote = importer is not None and not job.dry_run and status == ImportJob.Status.SUCCEEDED
        if wrote:
            audit.record(
                tenant=job.tenant,
                actor=job.created_by,
                action="import",
                obj=job,
                changes={
                    "resource": job.resource,
                    "file": job.filename,
                    "totals": importer.totals,
                },
            )
    return status


def recover_stale(now: dt.datetime | None = None) -> list[int]:
    """Re-enqueue jobs whose worker died (stale heartbeat) or whose message was lost.

    Safe to call from several places at once: the claim in ``run_job`` decides.
    """
    now = now or timezone.now()
    cutoff = now - stale_after()
    ids = list(
        ImportJob._base_manager.filter(
            Q(status=ImportJob.Status.RUNNING, heartbeat_at__lt=cutoff)
            | Q(status=ImportJob.Status.PENDING, enqueued_at__lt=cutoff)
        ).values_list("pk", flat=True)[:100]
    )
    for job_id in ids:
        ImportJob._base_manager.filter(pk=job_id).update(enqueued_at=now)
        enqueue(job_id)
    return ids


def heal_if_stale(job: ImportJob) -> bool:
    """Called when someone looks at a job: a stale one is handed to a worker again."""
    cutoff = timezone.now() - stale_after()
    stale = (
        job.status == ImportJob.Status.RUNNING and job.heartbeat_at and job.heartbeat_at < cutoff
    ) or (job.status == ImportJob.Status.PENDING and job.enqueued_at and job.enqueued_at < cutoff)
    if not stale:
        return False
    # One poller wins the re-enqueue (the conditional update), the others do nothing.
    if ImportJob._base_manager.filter(pk=job.pk, enqueued_at=job.enqueued_at).update(
        enqueued_at=timezone.now()
    ):
        transaction.on_commit(lambda: enqueue(job.pk))
        return True
    return False


# --- revert ----------------------------------------------------------------------------


def import_job_revert(job: ImportJob, *, tenant, actor) -> dict:
    """Undo a finished import: delete the rows it created, restore the rows it updated.

    Refused (409) when any of those rows changed after the import (its
    ``version`` moved, it was deleted, or new rows now point at a created one).
    """
    spec = resources.get(job.resource)
    if spec is not None:
        check_codes(actor, spec)
    if job.dry_run:
        raise Invalid(fields={"job": [_("A preview wrote nothing; there is nothing to revert.")]})
    if job.status != ImportJob.Status.SUCCEEDED:
        raise Invalid(fields={"job": [_("Only a finished import can be reverted.")]})
    if job.reverted_at:
        raise Invalid(fields={"job": [_("This import was already reverted.")]})
    writer = writer_for_connection()
    with transaction.atomic():
        locked = ImportJob.objects.select_for_update().get(pk=job.pk, tenant=tenant)
        if locked.reverted_at:
            raise Invalid(fields={"job": [_("This import was already reverted.")]})
        by_type: dict[int, list[ImportRecord]] = defaultdict(list)
        for record in ImportRecord.objects.filter(job=job).order_by("pk").iterator(2000):
            by_type[record.content_type_id].append(record)
        summary = {"deleted": 0, "restored": 0}
        for ct_id, records in by_type.items():
            model = ContentType.objects.get_for_id(ct_id).model_class()
            _check_untouched(model, records)
            _check_not_frozen(model, records)
        for ct_id, records in by_type.items():
            model = ContentType.objects.get_for_id(ct_id).model_class()
            spec = resources.for_model(model)
            summary["deleted"] += _delete_created(
                model, [r for r in records if r.created], tenant, actor
            )
            summary["restored"] += _restore_updated(
                model, spec, [r for r in records if not r.created], tenant, actor, writer
            )
        locked.reverted_at = timezone.now()
        locked.reverted_by = actor
        locked.save(update_fields=["reverted_at", "reverted_by"])
        audit.record(
            tenant=tenant, actor=actor, action="import_revert", obj=locked, changes=summary
        )
    return summary


def _check_untouched(model, records: list[ImportRecord]) -> None:
    has_version = any(f.attname == "version" for f in model._meta.concrete_fields)
    moved: list[str] = []
    for part in chunked(records, 2000):
        current = dict(
            model._base_manager.filter(pk__in=[r.object_id for r in part]).values_list(
                "pk", "version" if has_version else "pk"
            )
        )
        for record in part:
            if record.object_id not in current:
                moved.append(f"#{record.object_id}")
            elif has_version and current[record.object_id] != record.version:
                moved.append(f"#{record.object_id}")
    created_ids = [r.object_id for r in records if r.created]
    for relation in model._meta.related_objects:
        if not (relation.one_to_many or relation.one_to_one) or relation.related_model in (
            ImportRecord,
        ):
            continue
        for part in chunked(created_ids, 2000):
            refs = relation.related_model._base_manager.filter(
                **{f"{relation.field.name}__in": part}
            ).values_list(relation.field.attname, flat=True)[:20]
            moved.extend(f"#{pk}" for pk in refs)
    if moved:
        unique = sorted(set(moved), key=lambda s: int(s[1:]))
        raise Conflict(
            _(
                "%(n)d imported records were changed or used after the import, so it "
                "cannot be reverted: %(ids)s"
            )
            % {"n": len(unique), "ids": ", ".join(unique[:20])}
        )


def _check_not_frozen(model, records: list[ImportRecord]) -> None:
    """A record that became a confirmed document since (a signed contract's payment
    plan...) is never deleted or restored by a revert."""
    spec = resources.for_model(model)
    frozen = spec.frozen() if spec is not None else None
    if frozen is None:
        return
    found: list[int] = []
    for part in chunked([r.object_id for r in records], 2000):
        found.extend(
            model._base_manager.filter(pk__in=part).filter(frozen).values_list("pk", flat=True)
        )
    if found:
        raise Frozen(
            _(
                "%(n)d imported records are confirmed documents now (e.g. part of a signed "
                "contract), so the import cannot be reverted: %(ids)s"
            )
            % {"n": len(found), "ids": ", ".join(f"#{pk}" for pk in sorted(found)[:20])}
        )


def _delete_created(model, records: list[ImportRecord], tenant, actor) -> int:
    from workflows import reminders

    ids = [r.object_id for r in records]
    deleted = 0
    for part in chunked(ids, 2000):
        reminders.cancel_many(model, tenant=tenant, ids=part, note="import reverted")
        deleted += (
            model._base_manager.filter(tenant=tenant, pk__in=part)
            .delete()[1]
            .get(model._meta.label, 0)
        )
    _audit_records(model, ids, tenant, actor, "import_revert_delete")
    return deleted


def _restore_updated(model, spec, records, tenant, actor, writer) -> int:
    if not records:
        return 0
    fields = {f.attname: f for f in model._meta.concrete_fields}
    has_version = "version" in fields
    groups: dict[tuple[str, ...], list[ImportRecord]] = defaultdict(list)
    for record in records:
        groups[tuple(sorted(record.previous or {}))].append(record)
    restored = []
    for attnames, group in groups.items():
        extra = [a for a in ("version", "updated_at") if a in fields]
        names = [*attnames, *[a for a in extra if a not in attnames]]
        rows = []
        now = timezone.now()
        for record in group:
            values = {a: fields[a].to_python(record.previous[a]) for a in attnames}
            if has_version:
                values["version"] = record.version + 1
            if "updated_at" in fields:
                values["updated_at"] = now
            rows.append((record.object_id, record.version, *(values[a] for a in names)))
            restored.append((record.object_id, values))
        writer.update(model, names, rows, version_attname="version" if has_version else None)
    if spec is not None:
        from crm.imports.resources import ImportContext

        spec.after_write(ImportContext(tenant, actor), [], restored)
    _audit_records(model, [pk for pk, _values in restored], tenant, actor, "import_revert")
    return len(restored)


def _audit_records(model, ids, tenant, actor, action) -> None:
    ct = ContentType.objects.get_for_model(model)
    AuditEntry.objects.bulk_create(
        [
            AuditEntry(tenant=tenant, actor=actor, action=action, content_type=ct, object_id=pk)
            for pk in ids
        ],
        batch_size=1000,
    )
