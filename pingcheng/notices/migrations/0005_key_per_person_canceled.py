"""A notice key de-duplicates per person, not across people; a notice can be cancelled because its person left.

Every existing row satisfies the new constraint (it is finer than the old one), so it is added before the
old one goes and the table is never without de-duplication.
"""

from django.conf import settings
from django.db import migrations, models
from django.db.models.functions import Coalesce


class Migration(migrations.Migration):

    dependencies = [
        ("notices", "0004_uuid_unique"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddConstraint(
            model_name="notice",
            constraint=models.UniqueConstraint(
                models.F("key"),
                models.F("channel"),
                Coalesce("user", models.Value(0), output_field=models.BigIntegerField()),
                Coalesce("subscriber", models.Value(0), output_field=models.BigIntegerField()),
                name="notice_key_channel_person_unique",
            ),
        ),
        migrations.RemoveConstraint(
            model_name="notice",
            name="notice_key_channel_unique",
        ),
        migrations.AlterField(
            model_name="notice",
            name="status",
            field=models.CharField(
                choices=[
                    ("pending", "待发送"), ("sending", "发送中"), ("sent", "已发送"), ("failed", "发送失败，待重试"),
                    ("dead", "已放弃"), ("canceled", "已取消"),
                ],
                default="pending", max_length=8, verbose_name="状态",
            ),  # fmt: skip
        ),
    ]
