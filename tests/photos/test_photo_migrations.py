"""The data of migrations photos 0004 and articles 0011: older photos get their caption as alt text, and the
pictures already in stored bodies become in-body photos of their articles."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("photos", "0003_content_types"), ("articles", "0009_live_indexes_cover_unpublish")]


def test_older_photos_get_their_caption_as_alt_text_and_body_pictures_are_linked_to_their_articles():
    executor = MigrationExecutor(connection)
    leaves = executor.loader.graph.leaf_nodes()
    try:
        executor.migrate(BEFORE)
        old = MigrationExecutor(connection).loader.project_state(BEFORE).apps
        Photo = old.get_model("photos", "Photo")
        captioned = Photo.objects.create(caption="网格员巡查河道" * 40, master="2026/07/a.jpg", width=64, height=48)
        described = Photo.objects.create(caption="说明", alt_text="已有的替代文字", master="2026/07/b.jpg", width=64,
                                         height=48)  # fmt: skip
        bare = Photo.objects.create(master="2026/07/c.jpg", width=64, height=48)
        Article = old.get_model("articles", "Article")
        ArticlePhoto = old.get_model("articles", "ArticlePhoto")
        src = f"/media/photos/2026/07/{captioned.uuid.hex}.960.jpg"
        in_body = Article.objects.create(
            headline="正文有图", body=f'<p>一</p><figure class="image"><img src="{src}" alt=""></figure>'
                                       f'<img src="/media/photos/2026/07/{bare.uuid.hex}.480.jpg" alt="">',
        )  # fmt: skip
        attached = Article.objects.create(headline="配图也在正文", body=f'<img src="{src}" alt="">')
        ArticlePhoto.objects.create(article=attached, photo=captioned, order=0)
    finally:
        MigrationExecutor(connection).migrate(leaves)

    from articles.models import ArticlePhoto as NewArticlePhoto
    from pingcheng.photos.models import Photo as NewPhoto

    assert NewPhoto.objects.get(pk=captioned.pk).alt_text == ("网格员巡查河道" * 40)[:200]
    assert NewPhoto.objects.get(pk=described.pk).alt_text == "已有的替代文字"
    assert NewPhoto.objects.get(pk=bare.pk).alt_text == ""
    rows = NewArticlePhoto.objects.filter(article_id=in_body.pk).order_by("order")
    assert [(row.photo_id, row.in_body, row.order) for row in rows] == [
        (captioned.pk, True, 1000),
        (bare.pk, True, 1001),
    ]
    # A photo already attached as a figure keeps its row.
    assert [(row.photo_id, row.in_body) for row in NewArticlePhoto.objects.filter(article_id=attached.pk)] == [
        (captioned.pk, False)
    ]
