from django.db import migrations, models


def forget_renderings(apps, schema_editor):
    # The stored body becomes the page's whole main part: every article is rendered again on first view.
    apps.get_model("articles", "Article").objects.update(rendered_at=None)


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0006_article_card_html"),
    ]

    operations = [
        migrations.RemoveField(model_name="article", name="body_html"),
        migrations.AddField(
            model_name="article",
            name="main_html",
            field=models.TextField(blank=True, editable=False, verbose_name="正文（发布版）"),
        ),
        migrations.RunPython(forget_renderings, migrations.RunPython.noop),
    ]
