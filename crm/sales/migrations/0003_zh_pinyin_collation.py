"""The ``zh_pinyin`` ICU collation behind ``?ordering=name`` (北京 before 上海).

PostgreSQL only: SQLite (the embedded mode) gets a Python collation of the same
name registered on each connection (crm.core.collation). The collation is
database-wide; it lives here only because this app's migrations are a stable
place to hang it.
"""

from django.db import migrations


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "CREATE COLLATION IF NOT EXISTS zh_pinyin (provider = icu, locale = 'zh-u-co-pinyin')"
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP COLLATION IF EXISTS zh_pinyin")


class Migration(migrations.Migration):
    dependencies = [("sales", "0002_seed_approval_bands")]

    operations = [migrations.RunPython(create, drop, elidable=False)]
