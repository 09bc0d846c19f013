"""Pictures inside an article's body become photos of the article (``ArticlePhoto.in_body``), so lists and the
front page see them; the bodies already stored are read once here to link theirs.

Backwards the rows linked here are removed with the column.
"""

import re

from django.db import migrations, models

# A rendition URL carries its photo's uuid: …/photos/2026/07/<32 hex>.<width>.jpg|webp (as articles.figures).
RENDITION_SRC = re.compile(r'src="[^"]*?/([0-9a-f]{32})\.\d+\.(?:jpg|webp)"')
BODY_PHOTO_ORDER = 1000


def link_body_photos(apps, schema_editor) -> None:
    Article = apps.get_model("articles", "Article")
    ArticlePhoto = apps.get_model("articles", "ArticlePhoto")
    Photo = apps.get_model("photos", "Photo")
    bodies = Article.objects.filter(body__contains="<img").values_list("pk", "body")
    for article_id, body in bodies.iterator(chunk_size=500):
        uuids = list(dict.fromkeys(RENDITION_SRC.findall(body)))
        photo_ids = {photo.uuid.hex: photo.pk for photo in Photo.objects.filter(uuid__in=uuids)}
        linked = set(ArticlePhoto.objects.filter(article_id=article_id).values_list("photo_id", flat=True))
        ArticlePhoto.objects.bulk_create(
            ArticlePhoto(article_id=article_id, photo_id=photo_ids[uuid], order=BODY_PHOTO_ORDER + position,
                         in_body=True)
            for position, uuid in enumerate(uuids)
            if uuid in photo_ids and photo_ids[uuid] not in linked
        )  # fmt: skip


def unlink_body_photos(apps, schema_editor) -> None:
    apps.get_model("articles", "ArticlePhoto").objects.filter(in_body=True).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0010_front_slots"),
        ("photos", "0004_alt_text_from_caption"),
    ]

    operations = [
        migrations.AddField(
            model_name="articlephoto",
            name="in_body",
            field=models.BooleanField(
                default=False,
                editable=False,
                help_text="正文中插入的图片，随正文保存自动登记，不另行排版。",
                verbose_name="正文插图",
            ),
        ),
        migrations.RunPython(link_body_photos, unlink_body_photos),
    ]
