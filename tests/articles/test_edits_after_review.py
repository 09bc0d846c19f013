"""Edits after 终审 made through the back office, inlines included: photos, credits, tags and units count.

Before publication such an edit sends the article back to 终审; after publication it is a revision (a snapshot
of what readers saw, a REVISED event, an updated time and retired cached pages), exactly as for a headline.
"""

import io
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from articles import services
from articles.models import Article, ArticleEvent, ArticlePhoto, Credit, ReviewDecision, Revision, Section
from articles.signals import article_changed
from pingcheng.photos.services import photo_create
from tests.admin_forms import admin_form_data
from tests.factories import ArticleFactory, ContributorFactory, UnitFactory, district
from tests.page_text import page_text

pytestmark = pytest.mark.django_db
S = Article.Status


def _photo(caption: str):
    buffer = io.BytesIO()
    Image.new("RGB", (640, 480), (120, 160, 200)).save(buffer, "JPEG")
    # With all its words: a picture lacking them stops the article before review (articles.figures).
    return photo_create(file=SimpleUploadedFile("p.jpg", buffer.getvalue(), content_type="image/jpeg"), caption=caption,
                        credit=ContributorFactory(), alt_text=f"画面：{caption}")  # fmt: skip


def _approved(desk, **fields) -> Article:
    article = ArticleFactory(created_by=desk["reporter"], **fields)
    Credit.objects.create(article=article, contributor=ContributorFactory(name="宋芳"), role=Credit.Role.REPORTER)
    ArticlePhoto.objects.create(article=article, photo=_photo("原来的配图"), order=0)
    services.article_submit(article=article, by=desk["reporter"])
    for who in ("editor", "deputy", "chief"):
        services.article_review(article=article, by=desk[who], outcome=ReviewDecision.Outcome.PASS)
    article.refresh_from_db()
    assert article.status == S.APPROVED
    return article


def _published(desk, **fields) -> Article:
    article = _approved(desk, **fields)
    services.article_schedule(article=article, by=desk["chief"], publish_at=timezone.now() - timedelta(minutes=1))
    article.refresh_from_db()
    assert article.status == S.PUBLISHED
    return article


def _change_url(article: Article) -> str:
    return reverse("admin:articles_article_change", args=[article.pk])


def _form_data(client, article: Article) -> dict:
    """What the article's page posts when nothing on it is touched."""
    return admin_form_data(client, _change_url(article))


def _inline_row(data: dict, prefix: str, **fields) -> None:
    """Append one new inline row to ``data`` (an added credit or figure)."""
    index = int(data[f"{prefix}-TOTAL_FORMS"])
    data[f"{prefix}-TOTAL_FORMS"] = str(index + 1)
    for name, value in fields.items():
        data[f"{prefix}-{index}-{name}"] = str(value)


def _save(client, article: Article, data: dict) -> None:
    response = client.post(_change_url(article), data)
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else response
    article.refresh_from_db()


# --- before publication: back to 终审 -------------------------------------------------------------------


def test_adding_a_photo_after_final_review_sends_the_article_back_to_final_review(client, desk):
    article = _approved(desk)
    client.force_login(desk["editor"])
    data = _form_data(client, article)
    _inline_row(data, "figures", order=1, photo=_photo("终审后加的图").pk)
    _save(client, article, data)
    assert article.status == S.FINAL_REVIEW
    assert article.events.filter(action=ArticleEvent.Action.REOPENED).count() == 1
    assert article.figures.count() == 2


def test_removing_a_photo_after_final_review_sends_the_article_back_to_final_review(client, desk):
    article = _approved(desk)
    client.force_login(desk["editor"])
    data = _form_data(client, article)
    data["figures-0-DELETE"] = "on"
    _save(client, article, data)
    assert article.status == S.FINAL_REVIEW and not article.figures.exists()


def test_changing_credits_after_final_review_sends_the_article_back_to_final_review(client, desk):
    article = _approved(desk)
    client.force_login(desk["editor"])
    data = _form_data(client, article)
    data["credits-0-contributor"] = str(ContributorFactory(name="另一位记者").pk)
    _save(client, article, data)
    assert article.status == S.FINAL_REVIEW
    assert [c.contributor.name for c in article.credits.all()] == ["另一位记者"]


def test_changing_tags_after_final_review_sends_the_article_back_to_final_review(client, desk):
    article = _approved(desk, tags="防汛")
    client.force_login(desk["editor"])
    data = _form_data(client, article)
    data["tags"] = "防汛、诈骗"
    _save(client, article, data)
    assert article.status == S.FINAL_REVIEW and article.tags == "防汛、诈骗"


def test_changing_units_after_final_review_sends_the_article_back_to_final_review(client, desk):
    article = _approved(desk)
    street = UnitFactory(code="xinwang", name="新旺街道", kind="street", parent=district())
    client.force_login(desk["editor"])
    data = _form_data(client, article)
    data["units"] = [str(street.pk)]
    _save(client, article, data)
    assert article.status == S.FINAL_REVIEW and list(article.units.all()) == [street]


def test_saving_an_approved_article_unchanged_or_refiled_keeps_it_approved(client, desk):
    article = _approved(desk, tags="防汛、网格员")
    section = Section.objects.create(name="基层动态", slug="jiceng")
    client.force_login(desk["editor"])
    _save(client, article, _form_data(client, article))
    assert article.status == S.APPROVED
    # Where the article is filed and placed is the desk's layout decision, not words the reviewers passed.
    data = _form_data(client, article)
    data.update(section=str(section.pk), page_order="3", tags="防汛，网格员")  # the same tags, another separator
    _save(client, article, data)
    assert article.status == S.APPROVED and article.section == section
    assert not article.events.filter(action=ArticleEvent.Action.REOPENED).exists()


def test_a_scheduled_article_whose_photo_changes_is_taken_off_the_schedule_for_final_review(client, desk):
    article = _approved(desk)
    services.article_schedule(article=article, by=desk["chief"], publish_at=timezone.now() + timedelta(hours=2))
    client.force_login(desk["editor"])
    data = _form_data(client, article)
    data["figures-0-DELETE"] = "on"
    _save(client, article, data)
    assert article.status == S.FINAL_REVIEW
    assert services.articles_publish_due() == 0


# --- after publication: a revision ----------------------------------------------------------------------


def test_changing_a_published_articles_photo_and_credit_is_one_revision_that_keeps_what_readers_saw(
    client, desk, django_capture_on_commit_callbacks
):
    article = _published(desk)
    announced = []
    article_changed.connect(lambda **kw: announced.append(kw["article_id"]), weak=False, dispatch_uid="test-announce")
    try:
        client.force_login(desk["editor"])
        data = _form_data(client, article)
        data["figures-0-DELETE"] = "on"
        _inline_row(data, "figures", order=1, photo=_photo("更换后的配图").pk)
        _inline_row(
            data, "credits", order=1, role=Credit.Role.CORRESPONDENT, contributor=ContributorFactory(name="马向英").pk
        )
        with django_capture_on_commit_callbacks(execute=True):
            _save(client, article, data)
    finally:
        article_changed.disconnect(dispatch_uid="test-announce")
    assert article.status == S.PUBLISHED and article.updated_at is not None
    assert announced == [article.pk]
    revision = article.revisions.get()
    assert [c["name"] for c in revision.snapshot["credits"]] == ["宋芳"]
    assert [f["caption"] for f in revision.snapshot["figures"]] == ["原来的配图"]
    assert revision.snapshot["headline"] == article.headline
    assert article.events.filter(action=ArticleEvent.Action.REVISED).count() == 1
    # The history in the back office shows what the byline and the photos were.
    page = client.get(_change_url(article)).text
    assert "原来的配图" in page and "记者 宋芳" in page


def test_a_published_article_whose_headline_and_credits_change_together_gets_one_revision(client, desk):
    article = _published(desk, headline="原来的标题")
    client.force_login(desk["editor"])
    data = _form_data(client, article)
    data["headline"] = "新的标题"
    data["credits-0-DELETE"] = "on"
    _save(client, article, data)
    revision = article.revisions.get()
    assert revision.snapshot["headline"] == "原来的标题"
    assert [c["name"] for c in revision.snapshot["credits"]] == ["宋芳"]
    assert article.events.filter(action=ArticleEvent.Action.REVISED).count() == 1
    assert article.version == revision.version + 1


def test_changing_a_published_articles_tags_is_a_revision_and_reaches_the_tag_pages(client, desk):
    article = _published(desk, tags="防汛")
    assert client.get("/news/tags/防汛/").status_code == 200
    client.force_login(desk["editor"])
    data = _form_data(client, article)
    data["tags"] = "防汛、安全堤"
    _save(client, article, data)
    assert article.status == S.PUBLISHED and article.updated_at is not None
    assert article.revisions.get().snapshot["tags"] == ["防汛"]
    client.logout()
    assert article.headline in page_text(client.get("/news/tags/安全堤/"))


def test_saving_a_published_article_unchanged_makes_no_revision(client, desk):
    article = _published(desk)
    client.force_login(desk["editor"])
    _save(client, article, _form_data(client, article))
    assert not Revision.objects.exists() and article.updated_at is None
    assert not article.events.filter(action=ArticleEvent.Action.REVISED).exists()


# --- the service, without the admin ---------------------------------------------------------------------


def test_the_save_service_reviews_again_when_its_related_writer_changes_the_byline(desk):
    article = _approved(desk)
    article.refresh_from_db()
    services.article_save(
        article=article, by=desk["editor"], changed_fields=set(), expected_version=article.version,
        write_related=lambda: Credit.objects.create(article=article, contributor=ContributorFactory(name="新人"), order=2),
    )  # fmt: skip
    article.refresh_from_db()
    assert article.status == S.FINAL_REVIEW


def test_the_save_service_leaves_an_approved_article_approved_when_the_related_writer_changes_nothing(desk):
    article = _approved(desk)
    services.article_save(article=article, by=desk["editor"], changed_fields=set(), expected_version=article.version,
                          write_related=lambda: None)  # fmt: skip
    article.refresh_from_db()
    assert article.status == S.APPROVED and article.version == 2


def test_renaming_a_credited_contributor_sends_an_approved_article_back_to_final_review(client, desk):
    article = _approved(desk)
    contributor = article.credits.get().contributor  # 宋芳
    client.force_login(desk["chief"])
    response = client.post(reverse("admin:directory_contributor_change", args=[contributor.pk]),
                           {"name": "宋芳芳", "kind": "staff", "bio": "", "is_active": "on"})  # fmt: skip
    assert response.status_code == 302
    article.refresh_from_db()
    assert article.status == Article.Status.FINAL_REVIEW
    assert ArticleEvent.objects.filter(article=article, action=ArticleEvent.Action.REOPENED).exists()


def test_renaming_a_series_keeps_the_old_heading_of_a_published_part_as_a_revision(desk):
    from articles.models import Series

    series = Series.objects.create(title="继往开来担使命", slug="jiwang")
    now = timezone.now()
    article = ArticleFactory(series=series, series_part=5, status=Article.Status.PUBLISHED, publish_at=now,
                             published_at=now)  # fmt: skip
    untouched = ArticleFactory(headline="别的稿件", status=Article.Status.PUBLISHED, publish_at=now, published_at=now)
    series.title = "继往开来担使命 砥砺奋进新征程"
    assert services.article_names_save(obj=series, by=desk["chief"]) == 1
    revision = Revision.objects.get(article=article)
    assert revision.snapshot["series"] == "继往开来担使命"
    assert not Revision.objects.filter(article=untouched).exists()
    assert services.article_names_save(obj=series, by=desk["chief"]) == 0  # saving again changes nothing
