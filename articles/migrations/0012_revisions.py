import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0011_articlephoto_in_body"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="reviewdecision",
            name="snapshot",
            field=models.JSONField(blank=True, default=dict, verbose_name="审稿时的稿件内容"),
        ),
        migrations.AddField(
            model_name="reviewdecision",
            name="edited_fields",
            field=models.JSONField(blank=True, default=list, verbose_name="审稿时修改的内容"),
        ),
        migrations.CreateModel(
            name="DraftRevision",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("version", models.PositiveIntegerField(verbose_name="版本")),
                ("fields", models.JSONField(blank=True, default=list, verbose_name="修改的内容")),
                ("snapshot", models.JSONField(verbose_name="保存后的内容")),
                ("at", models.DateTimeField(default=django.utils.timezone.now, verbose_name="时间")),
                (
                    "article",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="draft_revisions",
                        to="articles.article",
                        verbose_name="稿件",
                    ),
                ),
                (
                    "by",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="修改人",
                    ),
                ),
            ],
            options={
                "verbose_name": "发布前修改记录",
                "verbose_name_plural": "发布前修改记录",
                "ordering": ["-version"],
                "constraints": [
                    models.UniqueConstraint(fields=("article", "version"), name="draft_revision_unique_version")
                ],
            },
        ),
    ]
