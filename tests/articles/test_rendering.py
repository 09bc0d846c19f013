"""What ``articles.rendering`` stores is rendered again whenever something it prints is saved."""

import io

import pytest
from django.core.cache import cache
from PIL import Image

from articles.models import Article, ArticlePhoto, ArticleTag, Credit, Series
from pingcheng.directory.models import Contributor
from pingcheng.photos.services import photo_create
from tests.factories import ArticleFactory, UnitFactory, district
from tests.page_text import page_text

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def _photo(caption, credit=None):
    buffer = io.BytesIO()
    Image.new("RGB", (640, 480), "green").save(buffer, "JPEG")
    buffer.seek(0)
    return photo_create(file=buffer, caption=caption, credit=credit)


def _fresh(article) -> Article:
    return Article.objects.get(pk=article.pk)


def test_a_new_article_is_rendered_with_its_credits_photos_and_tags():
    article = ArticleFactory(tags="防汛、网格员", dateline=Article.Dateline.BENBAO_XUN)
    Credit.objects.create(article=article, contributor=Contributor.objects.create(name="宋芳"), role="记者")
    ArticlePhoto.objects.create(article=article, photo=_photo("网格员巡查", Contributor.objects.create(name="曹飞")))
    stored = _fresh(article)
    assert stored.byline == "本报讯（记者 宋芳）"
    assert "本报讯（记者 宋芳）" in stored.card_html and article.headline in page_text(stored.card_html)
    assert "网格员巡查" in stored.main_html and "曹飞摄" in stored.main_html
    assert stored.json_ld["author"][0]["name"] == "宋芳"
    assert sorted(ArticleTag.objects.filter(article=article).values_list("name", flat=True)) == ["网格员", "防汛"]


def test_renaming_a_contributor_renders_their_bylines_and_photo_credits_again():
    reporter, photographer = Contributor.objects.create(name="宋芳"), Contributor.objects.create(name="曹飞")
    written, shot = ArticleFactory(), ArticleFactory()
    Credit.objects.create(article=written, contributor=reporter, role="记者")
    ArticlePhoto.objects.create(article=shot, photo=_photo("网格员巡查", photographer))
    reporter.name, photographer.name = "宋芳芳", "曹飞飞"
    reporter.save()
    photographer.save()
    assert "宋芳芳" in _fresh(written).byline
    assert "曹飞飞摄" in _fresh(shot).main_html


def test_renaming_a_series_or_a_unit_renders_their_articles_again():
    series = Series.objects.create(title="继往开来担使命", slug="jiwang")
    street = UnitFactory(name="新旺街道", code="xinwang", kind="street", parent=district())
    article = ArticleFactory(series=series, series_part=5)
    article.units.add(street)
    assert "继往开来担使命（五）" in page_text(_fresh(article).card_html) and "新旺街道" in _fresh(article).main_html
    series.title = "砥砺奋进新征程"
    series.save()
    street.name = "新旺街道办事处"
    street.save()
    assert "砥砺奋进新征程（五）" in page_text(_fresh(article).card_html)
    assert "新旺街道办事处" in _fresh(article).main_html


def test_adding_or_removing_a_unit_renders_the_article_again():
    street = UnitFactory(name="御河街道", code="yuhe", kind="street", parent=district())
    article = ArticleFactory()
    article.units.add(street)
    assert "御河街道" in _fresh(article).main_html
    street.articles.remove(article)
    assert "御河街道" not in _fresh(article).main_html


def test_deleting_an_article_with_credits_photos_and_tags_leaves_nothing_behind():
    article = ArticleFactory(tags="防汛")
    Credit.objects.create(article=article, contributor=Contributor.objects.create(name="宋芳"), role="记者")
    ArticlePhoto.objects.create(article=article, photo=_photo("网格员巡查"))
    article.delete()
    assert not ArticleTag.objects.exists() and not Credit.objects.exists()


def test_an_article_from_before_rendering_is_rendered_on_first_view(client):
    from django.utils import timezone

    article = ArticleFactory(status=Article.Status.PUBLISHED, publish_at=timezone.now(), published_at=timezone.now())
    Credit.objects.create(article=article, contributor=Contributor.objects.create(name="宋芳"), role="记者")
    Article.objects.filter(pk=article.pk).update(rendered_at=None, main_html="", card_html="", byline="")
    cache.clear()
    assert "本报讯（记者 宋芳）" in client.get(article.get_absolute_url()).text
    assert _fresh(article).rendered_at is not None


def test_a_change_articles_do_not_print_renders_nothing(django_assert_max_num_queries):
    street = UnitFactory(name="新旺街道", code="xinwang", kind="street", parent=district())
    article = ArticleFactory()
    article.units.add(street)
    rendered_at = _fresh(article).rendered_at
    street.public_phones = "0352-1234567"
    street.save()
    assert _fresh(article).rendered_at == rendered_at


def test_a_new_photo_reads_no_article():
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    ArticleFactory()
    with CaptureQueriesContext(connection) as queries:
        _photo("新上传的照片")
    assert not [q for q in queries.captured_queries if "articles_article" in q["sql"]]


def test_a_rename_reaching_many_articles_marks_them_and_each_is_rendered_on_its_next_view(client, monkeypatch):
    from django.utils import timezone

    from articles import rendering

    monkeypatch.setattr(rendering, "RENDER_INLINE_MAX", 2)
    series = Series.objects.create(title="继往开来担使命", slug="jiwang")
    now = timezone.now()
    articles = [ArticleFactory(series=series, series_part=part, status=Article.Status.PUBLISHED, publish_at=now,
                               published_at=now) for part in (1, 2, 3)]  # fmt: skip
    series.title = "砥砺奋进新征程"
    series.save()
    assert not Article.objects.filter(rendered_at__isnull=False).exists()
    cache.clear()
    assert "砥砺奋进新征程（三）" in page_text(client.get("/news/"))
    client.get(articles[0].get_absolute_url())
    assert "砥砺奋进新征程（一）" in page_text(_fresh(articles[0]).card_html)


def test_a_deleted_unit_leaves_the_pages_of_its_articles(client, django_capture_on_commit_callbacks):
    from django.utils import timezone

    street = UnitFactory(name="御河街道", code="yuhe", kind="street", parent=district())
    article = ArticleFactory(status=Article.Status.PUBLISHED, publish_at=timezone.now(), published_at=timezone.now())
    article.units.add(street)
    assert "御河街道" in client.get(article.get_absolute_url()).text
    with django_capture_on_commit_callbacks(execute=True):
        street.delete()
    assert "御河街道" not in client.get(article.get_absolute_url()).text


def test_clearing_a_units_articles_renders_them_again():
    street = UnitFactory(name="御河街道", code="yuhe", kind="street", parent=district())
    article = ArticleFactory()
    article.units.add(street)
    street.articles.clear()
    assert "御河街道" not in _fresh(article).main_html


def test_a_renamed_unit_is_on_the_cached_article_page_at_once(client, django_capture_on_commit_callbacks):
    from django.utils import timezone

    street = UnitFactory(name="御河街道", code="yuhe", kind="street", parent=district())
    article = ArticleFactory(status=Article.Status.PUBLISHED, publish_at=timezone.now(), published_at=timezone.now())
    article.units.add(street)
    client.get(article.get_absolute_url())
    with django_capture_on_commit_callbacks(execute=True):
        street.name = "御河街道办事处"
        street.save()
    assert "御河街道办事处" in client.get(article.get_absolute_url()).text


def test_inside_a_deferred_block_an_article_is_rendered_once_at_its_end_with_everything_written():
    from articles.rendering import articles_rendering_deferred

    with articles_rendering_deferred():
        article = ArticleFactory(headline="初稿标题")
        Credit.objects.create(article=article, contributor=Contributor.objects.create(name="宋芳"), role="记者")
        article.headline = "网格员筑牢防汛安全堤"
        article.save(update_fields=["headline"])
        held = _fresh(article)
        assert held.rendered_at is None and held.card_html == ""  # nothing rendered yet
    stored = _fresh(article)
    assert stored.rendered_at is not None and "宋芳" in stored.byline  # the credit written after the save
    assert "网格员筑牢防汛安全堤" in page_text(stored.card_html) and "初稿标题" not in stored.card_html


def test_a_deferred_block_that_fails_renders_nothing_and_outside_it_saves_render_at_once():
    from articles.rendering import articles_rendering_deferred

    article = ArticleFactory(headline="初稿标题")
    with pytest.raises(RuntimeError), articles_rendering_deferred():
        article.headline = "网格员筑牢防汛安全堤"
        article.save(update_fields=["headline"])
        raise RuntimeError("the loader failed")
    assert "初稿标题" in page_text(_fresh(article).card_html)  # not rendered by the failed block
    article.save(update_fields=["headline"])  # outside any block: rendered with the save
    assert "网格员筑牢防汛安全堤" in page_text(_fresh(article).card_html)
