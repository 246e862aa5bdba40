"""The triggers that fill the change log (``SyncChange``) in the writer's transaction.

Database triggers, not model signals: the bulk paths (a bulk transfer's one
UPDATE, an import's COPY) write no signal, and a pull must see every change.
They are (re)installed after every ``migrate`` (``post_migrate``), from the
current models, so a column added later is covered.

PostgreSQL: statement-level triggers with transition tables (one INSERT ...
SELECT per statement, whatever the rows), each row's changed columns with their
old values (``fields``) and the writing transaction's id (``txid``). SQLite (the
embedded default, one writer at a time): row-level triggers, the changed
columns listed from the current models (regenerated after every migrate).
Where the log cannot tell which fields changed (``fields`` null), a sync update
treats every field as possibly changed: it reports a conflict, never overwrites.
"""

from __future__ import annotations

from django.db import connections

from crm.sync.collections import COLLECTIONS, Collection

CHANGE_TABLE = "sync_syncchange"
# Columns whose change alone is bookkeeping, not an edit a device could clash with.
IGNORED = ("version", "updated_at", "search_key")
_COLUMNS = "tenant_id, collection, record_id, owner_id, prev_owner_id, deleted, version, fields"


def _owner(c: Collection, alias: str) -> str:
    if c.parent is None:
        return f"{alias}.{c.owner}"
    parent_model, fk = c.parent
    from django.apps import apps

    table = apps.get_model(parent_model)._meta.db_table
    return f"(SELECT p.{c.owner} FROM {table} p WHERE p.id = {alias}.{fk})"


def _version(c: Collection, alias: str) -> str:
    names = {f.column for f in c.model._meta.concrete_fields}
    return f"{alias}.version" if "version" in names else "NULL"


def _pg_statements(c: Collection) -> list[str]:
    table = c.model._meta.db_table
    slug = table
    txid = "pg_current_xact_id()::text::bigint"
    cols = f"{_COLUMNS}, txid"
    ignored = ", ".join(f"'{n}'" for n in IGNORED)
    ins = f"""
        INSERT INTO {CHANGE_TABLE} ({cols})
        SELECT n.tenant_id, '{c.name}', n.id, {_owner(c, "n")}, {_owner(c, "n")}, false,
               {_version(c, "n")}, NULL, {txid}
        FROM sync_new n;"""
    upd = f"""
        INSERT INTO {CHANGE_TABLE} ({cols})
        SELECT n.tenant_id, '{c.name}', n.id, {_owner(c, "n")}, {_owner(c, "o")}, false,
               {_version(c, "n")}, COALESCE(d.diff, '{{}}'::jsonb), {txid}
        FROM sync_new n JOIN sync_old o ON o.id = n.id
        CROSS JOIN LATERAL (
            SELECT jsonb_object_agg(k.key, k.value) AS diff
            FROM jsonb_each(to_jsonb(o)) AS k
            WHERE k.key NOT IN ({ignored}) AND k.value IS DISTINCT FROM (to_jsonb(n) -> k.key)
        ) d
        WHERE d.diff IS NOT NULL OR {_owner(c, "n")} IS DISTINCT FROM {_owner(c, "o")};"""
    # Rows owned through this one (a customer's contacts) follow its owner.
    for child in COLLECTIONS.values():
        if child.parent and child.parent[0] == c.model_label:
            child_table = child.model._meta.db_table
            upd += f"""
        INSERT INTO {CHANGE_TABLE} ({cols})
        SELECT ch.tenant_id, '{child.name}', ch.id, n.{c.owner}, o.{c.owner}, false,
               {_version(child, "ch")}, '{{}}'::jsonb, {txid}
        FROM sync_new n JOIN sync_old o ON o.id = n.id
        JOIN {child_table} ch ON ch.{child.parent[1]} = n.id
        WHERE n.{c.owner} IS DISTINCT FROM o.{c.owner};"""
    dele = f"""
        INSERT INTO {CHANGE_TABLE} ({cols})
        SELECT o.tenant_id, '{c.name}', o.id, {_owner(c, "o")}, {_owner(c, "o")}, true,
               NULL, NULL, {txid}
        FROM sync_old o;"""
    out = []
    for event, body, refs in (
        ("INSERT", ins, "NEW TABLE AS sync_new"),
        ("UPDATE", upd, "OLD TABLE AS sync_old NEW TABLE AS sync_new"),
        ("DELETE", dele, "OLD TABLE AS sync_old"),
    ):
        fn = f"sync_log_{slug}_{event.lower()}"
        out.append(
            f"CREATE OR REPLACE FUNCTION {fn}() RETURNS trigger LANGUAGE plpgsql AS $$\n"
            f"BEGIN{body}\n    RETURN NULL;\nEND $$;"
        )
        out.append(f"DROP TRIGGER IF EXISTS {fn} ON {table};")
        out.append(
            f"CREATE TRIGGER {fn} AFTER {event} ON {table} REFERENCING {refs} "
            f"FOR EACH STATEMENT EXECUTE FUNCTION {fn}();"
        )
    return out


def _sqlite_diff(c: Collection) -> str:
    """A SELECT of ``{column: old value}`` of the columns an update changed (NULL: none)."""
    columns = [f.column for f in c.model._meta.concrete_fields if f.column not in IGNORED]

    def obj(alias: str) -> str:
        return "json_object(" + ", ".join(f"'{col}', {alias}.{col}" for col in columns) + ")"

    return (
        "SELECT CASE WHEN count(*) > 0 THEN json_group_object(o.key, o.value) END AS diff "
        f"FROM json_each({obj('OLD')}) o "
        f"WHERE o.value IS NOT json_extract({obj('NEW')}, '$.' || o.key)"
    )


def _sqlite_statements(c: Collection) -> list[str]:
    table = c.model._meta.db_table
    out = []
    bodies = {
        "insert": f"VALUES (NEW.tenant_id, '{c.name}', NEW.id, {_owner(c, 'NEW')}, "
        f"{_owner(c, 'NEW')}, 0, {_version(c, 'NEW')}, NULL)",
        "update": f"SELECT NEW.tenant_id, '{c.name}', NEW.id, {_owner(c, 'NEW')}, "
        f"{_owner(c, 'OLD')}, 0, {_version(c, 'NEW')}, COALESCE(d.diff, '{{}}') "
        f"FROM ({_sqlite_diff(c)}) d "
        f"WHERE d.diff IS NOT NULL OR {_owner(c, 'NEW')} IS NOT {_owner(c, 'OLD')}",
        "delete": f"VALUES (OLD.tenant_id, '{c.name}', OLD.id, {_owner(c, 'OLD')}, "
        f"{_owner(c, 'OLD')}, 1, NULL, NULL)",
    }
    for event, values in bodies.items():
        name = f"sync_log_{table}_{event}"
        out.append(f"DROP TRIGGER IF EXISTS {name};")
        out.append(
            f"CREATE TRIGGER {name} AFTER {event.upper()} ON {table} BEGIN "
            f"INSERT INTO {CHANGE_TABLE} ({_COLUMNS}) {values}; END;"
        )
    for child in COLLECTIONS.values():
        if child.parent and child.parent[0] == c.model_label:
            name = f"sync_log_{table}_{child.model._meta.db_table}_owner"
            out.append(f"DROP TRIGGER IF EXISTS {name};")
            out.append(
                f"CREATE TRIGGER {name} AFTER UPDATE OF {c.owner} ON {table} "
                f"WHEN OLD.{c.owner} IS NOT NEW.{c.owner} BEGIN "
                f"INSERT INTO {CHANGE_TABLE} ({_COLUMNS}) "
                f"SELECT ch.tenant_id, '{child.name}', ch.id, NEW.{c.owner}, OLD.{c.owner}, 0, "
                f"{_version(child, 'ch')}, '{{}}' FROM {child.model._meta.db_table} ch "
                f"WHERE ch.{child.parent[1]} = NEW.id; END;"
            )
    return out


def statements(vendor: str) -> list[str]:
    build = _pg_statements if vendor == "postgresql" else _sqlite_statements
    return [sql for c in COLLECTIONS.values() for sql in build(c)]


def install(using: str = "default") -> None:
    """Create or replace the change-log triggers on every synced table."""
    connection = connections[using]
    if connection.vendor not in ("postgresql", "sqlite"):
        return
    tables = set(connection.introspection.table_names())
    if CHANGE_TABLE not in tables:
        return
    with connection.cursor() as cursor:
        for sql in statements(connection.vendor):
            cursor.execute(sql)
