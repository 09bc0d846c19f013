from django.db import migrations, models


class Migration(migrations.Migration):
    # The stored main part gains the article's header, and its head tags and trail are stored beside it. Rows
    # rendered before have no trail: the article page renders each of them on first view
    # (articles.rendering.article_page_unrendered), or ``manage.py articles_render`` renders them all. Marking
    # every row here instead rewrote the whole table under its row locks: minutes at 100,000 articles.
    dependencies = [
        ("articles", "0013_import_key_imported_event"),
    ]

    operations = [
        migrations.AddField(
            model_name="article",
            name="crumbs_html",
            field=models.TextField(blank=True, editable=False, verbose_name="面包屑（发布版）"),
        ),
        migrations.AddField(
            model_name="article",
            name="head_parts",
            field=models.JSONField(blank=True, default=list, editable=False, verbose_name="页头标记（发布版）"),
        ),
    ]
