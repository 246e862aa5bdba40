"""Bulk writes of planned rows: COPY on PostgreSQL, ``bulk_create`` elsewhere.

The importer decides row by row (in Python, the same on every database) what
is new, updated or unchanged; a writer only moves the rows:

* ``insert``: new rows with ids allocated up front from the table's sequence,
  then one ``COPY ... FROM STDIN`` (PostgreSQL), or ``bulk_create`` (SQLite);
* ``update``: the changed rows go into a temporary staging table with COPY and
  one ``UPDATE ... FROM staging WHERE id = ... AND version = old_version``; a
  row changed by someone since the import read it makes the count differ and
  raises ``Conflict`` (the chunk is then planned again).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from django.db import connection, models
from django.utils import timezone

from crm.core.errors import Conflict


def filter_in(queryset, attname: str, values: set):
    """``attname IN values``; on PostgreSQL as ``= ANY(array)``: one parameter, not
    thousands (Django and psycopg spent seconds per chunk expanding the list)."""
    if connection.vendor != "postgresql":
        return queryset.filter(**{f"{attname}__in": values})
    field = next(f for f in queryset.model._meta.concrete_fields if f.attname == attname)
    prepared = [field.get_db_prep_value(v, connection) for v in values]
    column = f'"{queryset.model._meta.db_table}"."{field.column}"'
    array, param = any_array(prepared)
    return queryset.extra(where=[f"{column} = ANY({array})"], params=[param])


_SEPARATOR = "\x1f"  # ASCII unit separator (a value holding one takes the list path)


def any_array(values: list) -> tuple[str, Any]:
    """SQL for an array of ``values`` and its one parameter (PostgreSQL).

    Texts and integers travel as one joined string split by the server:
    psycopg dumps a list of 5,000 items item by item in Python, ~5x slower.
    """
    if all(type(v) is int for v in values):
        return "string_to_array(%s, ',')::bigint[]", ",".join(map(str, values))
    if all(type(v) is str and _SEPARATOR not in v for v in values):
        return "string_to_array(%s, chr(31))", _SEPARATOR.join(values)
    return "%s", list(values)


class Writer:
    #: Whether ``created_trail`` builds the created rows' trail in the database.
    trail_in_database = False

    def created_trail(
        self, model, ids: list[int], attnames: list[str], names: dict[str, str], meta: dict
    ) -> None:
        raise NotImplementedError

    def insert(
        self, model: type[models.Model], attnames: list[str], rows: list[tuple]
    ) -> list[int]:
        raise NotImplementedError

    def update(
        self,
        model: type[models.Model],
        attnames: list[str],
        rows: list[tuple],
        *,
        version_attname: str | None = "version",
    ) -> None:
        """``rows`` are ``(id, old_version, *values)``."""
        raise NotImplementedError


def _json_fields(model, attnames) -> set[int]:
    fields = {f.attname: f for f in model._meta.concrete_fields}
    return {i for i, a in enumerate(attnames) if isinstance(fields[a], models.JSONField)}


class PostgresWriter(Writer):
    trail_in_database = True

    def created_trail(self, model, ids, attnames, names, meta):
        """The "import" audit entries and revert records of new rows, built by SQL.

        The same rows ``Importer._trail`` would write (a snapshot of the imported,
        non-empty values under their field names, plus the job id), but made
        from the rows just inserted in one ``INSERT ... SELECT`` each: at 20,000
        rows Python spent seconds building these dictionaries.
        """
        if not ids:
            return
        fields = {f.attname: f for f in model._meta.concrete_fields}
        pairs = []
        for attname in attnames:
            field = fields[attname]
            column = f't."{field.column}"'
            internal = field.get_internal_type()
            if internal in ("CharField", "TextField", "EmailField", "SlugField", "URLField"):
                value = f"NULLIF({column}, '')"
            elif internal in ("DecimalField", "DateField", "TimeField"):
                value = f"{column}::text"
            elif internal == "DateTimeField":
                value = f"to_jsonb({column})"
            elif internal == "JSONField":
                continue  # never an import column
            else:
                value = column
            pairs.append(f"'{names.get(attname, attname)}', {value}")
        snapshot = (
            f"jsonb_strip_nulls(jsonb_build_object({', '.join(pairs)})) "
            "|| jsonb_build_object('import_job', %(job)s::bigint)"
        )
        table = model._meta.db_table
        pk = model._meta.pk.column
        ids_array = "string_to_array(%(ids)s, ',')::bigint[]"  # one string: see any_array
        params = {**meta, "ids": ",".join(map(str, ids))}
        with connection.cursor() as cursor:
            # Date-times in the snapshot read as Python's isoformat() of the local
            # value does (+08:00), so history shows one form whichever path wrote it.
            cursor.execute(
                "SELECT current_setting('TimeZone'), set_config('TimeZone', %s, true)",
                [timezone.get_current_timezone_name()],
            )
            previous_zone = cursor.fetchone()[0]
            cursor.execute(
                "INSERT INTO core_auditentry "
                "(tenant_id, actor_id, action, content_type_id, object_id, changes, created_at) "
                f"SELECT %(tenant)s, %(actor)s, 'import', %(ct)s, t.\"{pk}\", {snapshot}, %(now)s "
                f'FROM "{table}" t WHERE t."{pk}" = ANY({ids_array}) ORDER BY t."{pk}"',
                params,
            )
            cursor.execute("SELECT set_config('TimeZone', %s, true)", [previous_zone])
            cursor.execute(
                "INSERT INTO imports_importrecord "
                "(job_id, content_type_id, object_id, created, version, previous) "
                f"SELECT %(job)s, %(ct)s, i, true, 1, NULL FROM unnest({ids_array}) AS i",
                params,
            )

    def _columns(self, model, attnames) -> list[str]:
        fields = {f.attname: f for f in model._meta.concrete_fields}
        return [fields[a].column for a in attnames]

    def insert(self, model, attnames, rows):
        if not rows:
            return []
        table = model._meta.db_table
        pk_column = model._meta.pk.column
        jsons = _json_fields(model, attnames)
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [table, pk_column, len(rows)],
            )
            ids = [r[0] for r in cursor.fetchall()]
            columns = ", ".join(f'"{c}"' for c in [pk_column, *self._columns(model, attnames)])
            with cursor.cursor.copy(f'COPY "{table}" ({columns}) FROM STDIN') as copy:
                for pk, row in zip(ids, rows, strict=True):
                    if jsons:
                        row = tuple(
                            json.dumps(v, ensure_ascii=False) if i in jsons and v is not None else v
                            for i, v in enumerate(row)
                        )
                    copy.write_row((pk, *row))
        return ids

    def update(self, model, attnames, rows, *, version_attname="version"):
        if not rows:
            return
        table = model._meta.db_table
        pk_column = model._meta.pk.column
        columns = self._columns(model, attnames)
        jsons = _json_fields(model, attnames)
        stage = f"_import_stage_{table}"
        select = ", ".join(f'"{c}"' for c in columns)
        version_column = model._meta.get_field(version_attname).column if version_attname else None
        with connection.cursor() as cursor:
            cursor.execute(f'DROP TABLE IF EXISTS "{stage}"')
            old = f', "{version_column}" AS "_old_version"' if version_column else ""
            cursor.execute(
                f'CREATE TEMP TABLE "{stage}" AS SELECT "{pk_column}"{old}, {select} '
                f'FROM "{table}" WITH NO DATA'
            )
            stage_cols = [pk_column, *(["_old_version"] if version_column else []), *columns]
            col_sql = ", ".join(f'"{c}"' for c in stage_cols)
            with cursor.cursor.copy(f'COPY "{stage}" ({col_sql}) FROM STDIN') as copy:
                for row in rows:
                    pk, old_version, *values = row
                    if jsons:
                        values = [
                            json.dumps(v, ensure_ascii=False) if i in jsons and v is not None else v
                            for i, v in enumerate(values)
                        ]
                    copy.write_row((pk, *([old_version] if version_column else []), *values))
            sets = ", ".join(f'"{c}" = s."{c}"' for c in columns)
            where = f't."{pk_column}" = s."{pk_column}"'
            if version_column:
                where += f' AND t."{version_column}" = s."_old_version"'
            cursor.execute(f'UPDATE "{table}" AS t SET {sets} FROM "{stage}" AS s WHERE {where}')
            changed = cursor.rowcount
            cursor.execute(f'DROP TABLE "{stage}"')
        if changed != len(rows):
            raise Conflict()


class GenericWriter(Writer):
    """Any database Django supports (SQLite, the embedded default)."""

    def insert(self, model, attnames, rows):
        if not rows:
            return []
        objs = [model(**dict(zip(attnames, row, strict=True))) for row in rows]
        # ``auto_now_add`` would overwrite imported creation dates: remember them.
        stamps = [
            f.attname
            for f in model._meta.concrete_fields
            if getattr(f, "auto_now_add", False) and f.attname in attnames
        ]
        wanted = [[getattr(o, a) for a in stamps] for o in objs] if stamps else []
        model._base_manager.bulk_create(objs, batch_size=500)
        if stamps:
            for obj, values in zip(objs, wanted, strict=True):
                for attname, value in zip(stamps, values, strict=True):
                    setattr(obj, attname, value)
            model._base_manager.bulk_update(objs, stamps, batch_size=500)
        return [o.pk for o in objs]

    def update(self, model, attnames, rows, *, version_attname="version"):
        manager = model._base_manager
        for row in rows:
            pk, old_version, *values = row
            qs = manager.filter(pk=pk)
            if version_attname:
                qs = qs.filter(**{version_attname: old_version})
            if qs.update(**dict(zip(attnames, values, strict=True))) != 1:
                raise Conflict()


def writer_for_connection() -> Writer:
    return PostgresWriter() if connection.vendor == "postgresql" else GenericWriter()


def chunked(seq: Sequence[Any], size: int):
    for start in range(0, len(seq), size):
        yield seq[start : start + size]
