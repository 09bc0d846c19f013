"""The GIN search index takes each article's tokens at once (``fastupdate = off``); nothing on SQLite.

With PostgreSQL's default, a changed article's tokens wait in the index's pending list until it holds 4 MB
(``gin_pending_list_limit``) or a VACUUM merges it, and every search that reads the index reads the whole
list too — once per window of ``articles.search`` — while the planner prices the index by it. Autovacuum is
off on our machines, so the list would stay near its limit; a newsroom saves a few hundred articles a day,
and merging one article's few hundred tokens into the index at save time costs milliseconds. The list that
is there now is merged here.
"""

from django.db import migrations

FORWARD_SQL = """
ALTER INDEX article_search_idx SET (fastupdate = off);
SELECT gin_clean_pending_list('article_search_idx'::regclass);
"""
BACKWARD_SQL = "ALTER INDEX article_search_idx RESET (fastupdate);"


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORWARD_SQL)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BACKWARD_SQL)


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0007_article_main_html"),
    ]

    operations = [
        migrations.RunPython(forward, backward),
    ]
