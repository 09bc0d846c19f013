import uuid

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("notices", "0003_fill_uuid_kind_hint"),
    ]

    operations = [
        migrations.AlterField(
            model_name="notice",
            name="uuid",
            field=models.UUIDField(default=uuid.uuid4, editable=False, unique=True, verbose_name="幂等键"),
        ),
    ]
