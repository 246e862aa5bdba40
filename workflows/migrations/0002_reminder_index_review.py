"""Index review (issue 19): a reminder's lone ``content_type_id`` index duplicates the
prefix of the ``(content_type_id, object_id, status)`` index, which serves every
look-up by record (and a content type's cascade)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("workflows", "0001_initial"),
    ]

    operations = [
        # The foreign keys keep their constraints: only their lone indexes go
        # (Django's AlterField would drop and re-validate each constraint).
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="reminder",
                    name="content_type",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="contenttypes.contenttype",
                    ),
                ),
            ],
            database_operations=[
                migrations.RunSQL(
                    'DROP INDEX IF EXISTS "workflows_reminder_content_type_id_21e5b567"',
                    reverse_sql=(
                        'CREATE INDEX "workflows_reminder_content_type_id_21e5b567" '
                        'ON "workflows_reminder" ("content_type_id")'
                    ),
                ),
            ],
        ),
    ]
