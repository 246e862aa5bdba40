from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("customers", "0005_lead_marketing_source")]

    operations = [
        migrations.AddField(
            model_name="customer",
            name="mobile",
            field=models.CharField(blank=True, max_length=30, verbose_name="mobile"),
        ),
    ]
