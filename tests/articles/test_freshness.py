"""With the page cache on, no page is stale after a publication, a revision, a correction or a withdrawal.

Every page a reader may have loaded is requested first (so it is stored), then the change is made through
the newsroom's services with its after-commit announcements run, then every page is requested again.
"""

from datetime import timedelta

import pytest
from django.utils import timezone

from articles import services
from articles.models import Article, ArticlePhoto, Credit, ReviewDecision, Section
from pingcheng.directory.models import Contributor
from tests.factories import ArticleFactory, UnitFactory, district
from tests.page_text import page_text

pytestmark = pytest.mark.django_db
S = Article.Status


@pytest.fixture
def newsroom_site(desk):
    section = Section.objects.create(name="基层动态", slug="jiceng")
    street = UnitFactory(name="新旺街道", code="xinwang", kind="street", parent=district())
    first = _publish(desk, headline="网格员筑牢防汛安全堤", section=section, tags="防汛", street=street)
    return {"desk": desk, "section": section, "street": street, "first": first}


def _publish(desk, *, headline: str, section, tags: str, street) -> Article:
    article = ArticleFactory(headline=headline, section=section, tags=tags, created_by=desk["reporter"])
    article.units.add(street)
    reporter = Contributor.objects.get_or_create(name="宋芳")[0]
    Credit.objects.create(article=article, contributor=reporter, role=Credit.Role.REPORTER)
    services.article_submit(article=article, by=desk["reporter"])
    for who in ("editor", "deputy", "chief"):
        services.article_review(article=article, by=desk[who], outcome=ReviewDecision.Outcome.PASS)
    services.article_schedule(article=article, by=desk["chief"], publish_at=timezone.now() - timedelta(seconds=1))
    article.refresh_from_db()
    assert article.status == S.PUBLISHED
    return article


def _pages(site) -> list[str]:
    day = timezone.localdate(site["first"].publish_at)
    return ["/", "/news/", "/news/section/jiceng/", "/news/units/xinwang/", "/news/tags/防汛/", "/news/archive/",
            f"/news/archive/{day.year}/{day.month}/{day.day}/", site["first"].get_absolute_url()]  # fmt: skip


def _warm(client, pages):
    for path in pages:
        assert client.get(path).status_code == 200, path
        assert client.get(path).status_code == 200, path  # the second one came from the cache


def test_a_publication_is_on_every_list_at_once(client, newsroom_site, django_capture_on_commit_callbacks):
    pages = _pages(newsroom_site)
    _warm(client, pages)
    with django_capture_on_commit_callbacks(execute=True):
        _publish(newsroom_site["desk"], headline="志愿服务擦亮城市文明底色", section=newsroom_site["section"],
                 tags="防汛", street=newsroom_site["street"])  # fmt: skip
    for path in pages[:-1]:
        if "archive/" in path and path.count("/") == 3:  # the archive index lists days, not headlines
            continue
        assert "志愿服务擦亮城市文明底色" in page_text(client.get(path)), path


def test_a_revision_reaches_every_page_at_once(client, newsroom_site, django_capture_on_commit_callbacks):
    pages = _pages(newsroom_site)
    _warm(client, pages)
    article = newsroom_site["first"]
    article.headline = "网格员筑牢汛期安全堤"
    with django_capture_on_commit_callbacks(execute=True):
        services.article_save(article=article, by=newsroom_site["desk"]["chief"], changed_fields={"headline"},
                              expected_version=article.version, note="标题更准确")  # fmt: skip
    for path in pages:
        if path == "/news/archive/":
            continue
        text = page_text(client.get(path))
        assert "网格员筑牢汛期安全堤" in text and "网格员筑牢防汛安全堤" not in text, path


def test_a_correction_is_on_the_article_and_the_corrections_list_at_once(client, newsroom_site,
                                                                        django_capture_on_commit_callbacks):  # fmt: skip
    article = newsroom_site["first"]
    _warm(client, [article.get_absolute_url(), "/news/corrections/"])
    with django_capture_on_commit_callbacks(execute=True):
        services.article_correct(article=article, by=newsroom_site["desk"]["chief"], kind="correction",
                                 text="原文中巡查人数应为120人。")  # fmt: skip
    assert "原文中巡查人数应为120人。" in page_text(client.get(article.get_absolute_url()))
    assert "原文中巡查人数应为120人。" in page_text(client.get("/news/corrections/"))


def test_a_withdrawn_article_leaves_every_page_at_once(client, newsroom_site, django_capture_on_commit_callbacks):
    pages = _pages(newsroom_site)
    _warm(client, pages)
    article = newsroom_site["first"]
    with django_capture_on_commit_callbacks(execute=True):
        services.article_withdraw(article=article, by=newsroom_site["desk"]["chief"], reason="当事人要求核实")
    assert client.get(article.get_absolute_url()).status_code == 410
    assert "网格员筑牢防汛安全堤" not in page_text(client.get("/news/"))
    assert "网格员筑牢防汛安全堤" not in page_text(client.get("/"))
    assert client.get("/news/tags/防汛/").status_code == 404  # no live article carries the tag any more
    assert page_text(client.get("/news/archive/")).count("/news/archive/20") == 0


def test_a_recaptioned_photo_reaches_the_article_page_at_once(client, newsroom_site, django_capture_on_commit_callbacks):
    import io

    from PIL import Image

    from pingcheng.photos.services import photo_create, photo_update

    article = newsroom_site["first"]
    buffer = io.BytesIO()
    Image.new("RGB", (640, 480), "green").save(buffer, "JPEG")
    buffer.seek(0)
    photo = photo_create(file=buffer, caption="网格员巡查河道", uploaded_by=newsroom_site["desk"]["reporter"])
    ArticlePhoto.objects.create(article=article, photo=photo, order=0)
    _warm(client, [article.get_absolute_url()])
    with django_capture_on_commit_callbacks(execute=True):
        photo_update(photo=photo, by=newsroom_site["desk"]["chief"], caption="网格员冒雨巡查河道")
    assert "网格员冒雨巡查河道" in page_text(client.get(article.get_absolute_url()))


def _due_unswept(site) -> Article:
    """A story whose scheduled minute has come while the minute's sweep has not marked it published yet: it is
    public (``article_schedule``), and every page lists it."""
    article = ArticleFactory(headline="定时稿件已到点", section=site["section"], created_by=site["desk"]["reporter"],
                             status=S.SCHEDULED, publish_at=timezone.now() - timedelta(minutes=1))  # fmt: skip
    article.units.add(site["street"])
    assert article.is_live and article.published_at is None
    return article


def _rescheduled(site, article, client):
    services.article_schedule(article=article, by=site["desk"]["chief"], publish_at=timezone.now() + timedelta(hours=3))


def _edited(site, article, client):
    article.headline = "定时稿件改了标题"
    services.article_save(article=article, by=site["desk"]["chief"], changed_fields={"headline"},
                          expected_version=article.version)  # fmt: skip
    assert Article.objects.get(pk=article.pk).status == S.FINAL_REVIEW  # back to 终审, off the site


def _deleted(site, article, client):
    client.force_login(site["desk"]["chief"])
    assert client.post(f"/admin/articles/article/{article.pk}/delete/", {"post": "yes"}).status_code == 302
    client.logout()
    assert not Article.objects.filter(pk=article.pk).exists()


def _photo_recaptioned(site, article, client):
    import io

    from PIL import Image

    from pingcheng.photos.services import photo_create, photo_update

    buffer = io.BytesIO()
    Image.new("RGB", (640, 480), "green").save(buffer, "JPEG")
    buffer.seek(0)
    photo = photo_create(file=buffer, caption="网格员巡查河道", alt_text="网格员巡查河道", uploaded_by=site["desk"]["reporter"])
    ArticlePhoto.objects.create(article=article, photo=photo, order=0)
    photo_update(photo=photo, by=site["desk"]["chief"], caption="网格员冒雨巡查河道")
    assert Article.objects.get(pk=article.pk).status == S.FINAL_REVIEW  # what it prints changed: back to 终审


@pytest.mark.parametrize("take_down", [_rescheduled, _edited, _deleted, _photo_recaptioned],
                         ids=["rescheduled", "edited", "deleted", "photo_recaptioned"])  # fmt: skip
def test_a_due_scheduled_story_taken_off_before_the_sweep_leaves_every_page_at_once(
    client, newsroom_site, django_capture_on_commit_callbacks, take_down
):
    article = _due_unswept(newsroom_site)
    pages = [*_pages(newsroom_site), article.get_absolute_url()]
    _warm(client, pages)
    assert "定时稿件已到点" in page_text(client.get("/news/"))
    with django_capture_on_commit_callbacks(execute=True):
        take_down(newsroom_site, Article.objects.get(pk=article.pk), client)
    assert client.get(article.get_absolute_url()).status_code == 404
    for path in ("/", "/news/", "/news/section/jiceng/", "/news/units/xinwang/"):
        assert "定时稿件" not in page_text(client.get(path)), path
