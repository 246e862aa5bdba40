"""Fewer index entries per sent delivery (issue 16).

Marking a delivery sent changes its status, so PostgreSQL writes a new entry in
every index of the row that is not partial. The due index now holds queued rows
only (what the scheduler looks for), the user index only rows sent to a user
(mass sends' rows have none), and the lone ``mass_send_id`` index goes:
``(mass_send_id, status)`` and the unique ``(mass_send_id, recipient)`` lead with
it. A send writes 5 index entries instead of 8. The foreign keys keep their
constraints (only the lone indexes are dropped).
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def _drop(index: str, column: str) -> migrations.RunSQL:
    return migrations.RunSQL(
        f'DROP INDEX IF EXISTS "{index}"',
        reverse_sql=f'CREATE INDEX "{index}" ON "messaging_delivery" ("{column}")',
    )


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0008_saved_views"),
        ("messaging", "0004_delivery_lease"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name="delivery",
            name="messaging_d_status_53b003_idx",
        ),
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="delivery",
                    name="mass_send",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="deliveries",
                        to="messaging.masssend",
                        verbose_name="mass send",
                    ),
                ),
                migrations.AlterField(
                    model_name="delivery",
                    name="recipient_user",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="recipient user",
                    ),
                ),
            ],
            database_operations=[
                _drop("messaging_delivery_mass_send_id_50538ee9", "mass_send_id"),
                _drop("messaging_delivery_recipient_user_id_53d57bf4", "recipient_user_id"),
            ],
        ),
        migrations.AddIndex(
            model_name="delivery",
            index=models.Index(
                condition=models.Q(("status", "queued")),
                fields=["next_attempt_at"],
                name="messaging_delivery_due",
            ),
        ),
        migrations.AddIndex(
            model_name="delivery",
            index=models.Index(
                condition=models.Q(("recipient_user__isnull", False)),
                fields=["recipient_user"],
                name="messaging_delivery_user",
            ),
        ),
    ]
