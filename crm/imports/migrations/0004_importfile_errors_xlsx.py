from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("imports", "0003_importfile_lz4")]

    operations = [
        migrations.AddField(
            model_name="importfile",
            name="errors_xlsx",
            field=models.BinaryField(blank=True, null=True),
        ),
    ]
