"""Print import: the digest of the imported text, and imports recorded as the editor's action.

Before this migration an import made the importing editor the article's ``created_by`` (its writer) and
recorded a "created" event, so that editor could not review the page they imported. Existing imports are
found by the note the importer always wrote; their event becomes "imported", their writer is cleared where
it was the importer, and their text digest is computed from the body so that importing the same text again
is recognised.
"""

import hashlib
import html
import re
import unicodedata

from django.db import migrations, models

IMPORT_NOTE = "由版面文字导入"
# As articles.importing.text_key at the time of writing; kept here so the migration does not change with it.
TEXT_KEY_MIN_LEN = 20
BATCH = 500


def _text_key(body: str) -> str:
    text = html.unescape(re.sub(r"<[^>]+>", "", body or ""))
    text = re.sub(r"[\W_]+", "", unicodedata.normalize("NFKC", text))
    if len(text) < TEXT_KEY_MIN_LEN:
        return ""
    return hashlib.sha256(text.encode()).hexdigest()


def imports_recorded_as_imports(apps, schema_editor):
    Article = apps.get_model("articles", "Article")
    ArticleEvent = apps.get_model("articles", "ArticleEvent")
    events = ArticleEvent.objects.filter(action="created", note__startswith=IMPORT_NOTE)
    importer = dict(events.values_list("article_id", "by_id"))
    ids = sorted(importer)
    for start in range(0, len(ids), BATCH):
        for article in Article.objects.filter(pk__in=ids[start : start + BATCH]).only("pk", "body", "created_by_id"):
            changes = {"import_key": _text_key(article.body)}
            if article.created_by_id is not None and article.created_by_id == importer[article.pk]:
                changes["created_by"] = None
            Article.objects.filter(pk=article.pk).update(**changes)
    events.update(action="imported")


def imports_recorded_as_created(apps, schema_editor):
    Article = apps.get_model("articles", "Article")
    ArticleEvent = apps.get_model("articles", "ArticleEvent")
    events = ArticleEvent.objects.filter(action="imported")
    for article_id, by_id in events.values_list("article_id", "by_id"):
        Article.objects.filter(pk=article_id, created_by=None).update(created_by_id=by_id)
    events.update(action="created")


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0012_revisions"),
    ]

    operations = [
        migrations.AddField(
            model_name="article",
            name="import_key",
            field=models.CharField(blank=True, editable=False, max_length=64, verbose_name="导入文字指纹"),
        ),
        migrations.AddIndex(
            model_name="article",
            index=models.Index(
                condition=models.Q(("import_key", ""), _negated=True),
                fields=["import_key"],
                name="article_import_key_idx",
            ),
        ),
        migrations.AlterField(
            model_name="articleevent",
            name="action",
            field=models.CharField(
                choices=[
                    ("created", "创建"),
                    ("imported", "版面导入"),
                    ("submitted", "送审"),
                    ("scheduled", "定时发布"),
                    ("published", "发布"),
                    ("unpublished", "到期下线"),
                    ("withdrawn", "撤稿"),
                    ("corrected", "更正"),
                    ("revised", "发布后修改"),
                    ("reopened", "终审后修改，重新终审"),
                ],
                max_length=16,
                verbose_name="操作",
            ),
        ),
        migrations.RunPython(imports_recorded_as_imports, imports_recorded_as_created),
    ]
