import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


def forget_renderings(apps, schema_editor):
    # List cards now carry a thumbnail and a teaser, and headlines break between phrases: every article is
    # rendered again on its next view.
    apps.get_model("articles", "Article").objects.update(rendered_at=None)


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0009_live_indexes_cover_unpublish"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="FrontSlot",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                (
                    "position",
                    models.PositiveSmallIntegerField(
                        choices=[(0, "头条"), (1, "要闻一"), (2, "要闻二"), (3, "要闻三"), (4, "要闻四")],
                        error_messages={"unique": "这个位置已经安排了稿件：请在列表中打开它修改，或先撤下。"},
                        unique=True,
                        verbose_name="位置",
                    ),
                ),
                (
                    "pinned",
                    models.BooleanField(
                        default=False,
                        help_text="不置顶：只管当天，次日有新稿件发布后让位于自动选择。置顶：一直保留，直到到期或撤下。",
                        verbose_name="置顶",
                    ),
                ),
                (
                    "expires_at",
                    models.DateTimeField(
                        blank=True, help_text="到期后自动让位；留空则不限。", null=True, verbose_name="到期时间"
                    ),
                ),
                (
                    "set_at",
                    models.DateTimeField(default=django.utils.timezone.now, editable=False, verbose_name="安排时间"),
                ),
                (
                    "article",
                    models.ForeignKey(
                        help_text="只能选择已经发布的稿件。",
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="front_slots",
                        to="articles.article",
                        verbose_name="稿件",
                    ),
                ),
                (
                    "set_by",
                    models.ForeignKey(
                        editable=False,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="安排人",
                    ),
                ),
            ],
            options={
                "verbose_name": "首页位置",
                "verbose_name_plural": "首页位置",
                "ordering": ["position"],
                "constraints": [
                    models.CheckConstraint(condition=models.Q(("position__lte", 4)), name="front_slot_position_known"),
                    models.UniqueConstraint(
                        fields=("article",),
                        name="front_slot_article_once",
                        violation_error_message="这篇稿件已经安排在首页的另一个位置。",
                    ),
                ],
            },
        ),
        migrations.RunPython(forget_renderings, migrations.RunPython.noop),
    ]
