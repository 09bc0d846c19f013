"""Full-text search storage on PostgreSQL; nothing on SQLite, and no change to the model state.

A stored generated column ``search_vector`` holds the document vector — jieba words (before the "|" of
``search_text``) in weight A, CJK bigrams (after it) in weight D, both ``to_tsvector('simple', …)`` — and a
GIN index covers it. Storing the vector means ranking reads it instead of re-parsing every matching row.
``articles.search`` refers to the column by name on PostgreSQL; tests/articles/test_search.py checks with
EXPLAIN that searches use the index.
"""

from django.db import migrations

COLUMN_SQL = """
ALTER TABLE articles_article ADD COLUMN search_vector tsvector GENERATED ALWAYS AS (
    setweight(to_tsvector('simple'::regconfig, split_part(search_text, '|', 1)), 'A')
    || setweight(to_tsvector('simple'::regconfig, split_part(search_text, '|', 2)), 'D')
) STORED;
CREATE INDEX article_search_idx ON articles_article USING gin (search_vector);
"""
DROP_SQL = """
DROP INDEX IF EXISTS article_search_idx;
ALTER TABLE articles_article DROP COLUMN IF EXISTS search_vector;
"""


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(COLUMN_SQL)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP_SQL)


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0002_search_text"),
    ]

    operations = [
        migrations.RunPython(create, drop),
    ]
