"""Migration 0013: pages imported before it stop counting their importer as the writer."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

pytestmark = pytest.mark.django_db(transaction=True)

MIGRATION = ("articles", "0013_import_key_imported_event")


def test_earlier_imports_become_the_importers_action_and_are_recognised_when_imported_again():
    executor = MigrationExecutor(connection)
    leaves = executor.loader.graph.leaf_nodes()
    before = sorted(executor.loader.graph.node_map[MIGRATION].parents)
    try:
        executor.migrate([parent.key for parent in before])
        old = MigrationExecutor(connection).loader.project_state([parent.key for parent in before]).apps
        User = old.get_model("auth", "User")
        Article = old.get_model("articles", "Article")
        ArticleEvent = old.get_model("articles", "ArticleEvent")
        importer = User.objects.create(username="importer")
        reporter = User.objects.create(username="reporter")
        body = "<p>近日，平城区在新旺街道开展消防演练，三百余名居民踊跃参加。</p>"
        imported = Article.objects.create(headline="平城区开展消防演练", body=body, created_by=importer)
        ArticleEvent.objects.create(article=imported, action="created", note="由版面文字导入", by=importer)
        written = Article.objects.create(headline="网格员巡查", body=body, created_by=reporter)
        ArticleEvent.objects.create(article=written, action="created", by=reporter)
    finally:
        MigrationExecutor(connection).migrate(leaves)

    from articles.importing import page_import_preview, text_key
    from articles.models import Article as NewArticle

    imported, written = NewArticle.objects.get(pk=imported.pk), NewArticle.objects.get(pk=written.pk)
    assert imported.created_by is None and imported.events.get().action == "imported"
    assert imported.events.get().by_id == importer.pk
    assert written.created_by_id == reporter.pk and written.events.get().action == "created"
    # The digest the migration computed from the body is the one the importer computes from the print.
    assert imported.import_key == text_key(["近日，平城区在新旺街道开展消防演练，三百余名居民踊跃参加。"])
    assert written.import_key == ""
    page = "平城区开展消防演练\n\n本报讯（记者 张华）近日，平城区在新旺街道开展消防演练，三百余名居民踊跃参加。"
    assert page_import_preview(text=page).items[0].existing == imported
