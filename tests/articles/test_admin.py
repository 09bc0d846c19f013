"""The newsroom back office as each role uses it."""

from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone

from articles import services
from articles.models import Article, ReviewDecision
from pingcheng.directory.models import Role, Unit
from tests.factories import ArticleFactory, UnitFactory, district, newsroom, staff

pytestmark = pytest.mark.django_db
CHANGELIST = "/admin/articles/article/"
SEED = Path(__file__).resolve().parents[2] / "articles" / "demo_data" / "seed_page.txt"


def _inline_management(prefix: str) -> dict:
    return {f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0", f"{prefix}-MIN_NUM_FORMS": "0",
            f"{prefix}-MAX_NUM_FORMS": "1000"}  # fmt: skip


def _article_post(**fields) -> dict:
    data = {"headline": "平城区网格员筑牢防汛安全堤", "kicker": "", "subtitle": "", "dateline": "xun", "lead": "",
            "body": "<p>网格员闻“汛”而动。</p>", "tags": "", "series_part": "", "page_order": "",
            "responsible_editor": "", "source": "", "original_author": "", "original_title": ""}  # fmt: skip
    data.update(_inline_management("credits"))
    data.update(_inline_management("figures"))
    data.update(fields)
    return data


def test_a_reporter_sees_only_their_own_articles(client, desk):
    mine = ArticleFactory(created_by=desk["reporter"], headline="我写的稿件")
    ArticleFactory(headline="别人的稿件")
    client.force_login(desk["reporter"])
    response = client.get(CHANGELIST)
    assert response.status_code == 200
    assert "我写的稿件" in response.text and "别人的稿件" not in response.text
    assert client.get(reverse("admin:articles_article_change", args=[mine.pk])).status_code == 200


def test_reviewers_see_everything_and_their_queue_counts(client, desk):
    for _ in range(2):
        article = ArticleFactory()
        services.article_submit(article=article, by=article.created_by)
    client.force_login(desk["editor"])
    response = client.get(CHANGELIST)
    assert response.context["review_queue"][0][2] == 2
    assert "待初审 <strong>2</strong>" in response.text


def test_street_staff_have_no_newsroom(client):
    street = UnitFactory(code="xinwang", name="新旺街道", kind=Unit.Kind.STREET, parent=district())
    client.force_login(staff(Role.STREET_STAFF, street))
    assert client.get(CHANGELIST).status_code == 403


def test_the_editor_page_has_our_toolbar_without_source_editing(client, desk):
    client.force_login(desk["reporter"])
    response = client.get(reverse("admin:articles_article_add"))
    assert response.status_code == 200
    assert "Check the correct settings" not in response.text
    assert "imageUpload" in response.text
    assert "sourceEditing" not in response.text and "htmlEmbed" not in response.text
    assert reverse("articles:photo_upload") in response.text


def test_a_reporter_writes_a_draft_and_its_body_is_sanitized(client, desk):
    client.force_login(desk["reporter"])
    response = client.post(
        reverse("admin:articles_article_add"),
        _article_post(body='<p>防汛<img src="x" onerror="alert(1)"><script>alert(2)</script></p>'),
    )
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else ""
    article = Article.objects.get()
    assert article.status == Article.Status.DRAFT and article.created_by == desk["reporter"]
    assert "onerror" not in article.body and "script" not in article.body


def test_a_stale_save_is_a_form_error_not_a_lost_edit(client, desk):
    article = ArticleFactory(created_by=desk["reporter"])
    client.force_login(desk["editor"])
    url = reverse("admin:articles_article_change", args=[article.pk])
    Article.objects.filter(pk=article.pk).update(version=5, lead="另一位编辑的修改")
    response = client.post(url, _article_post(expected_version="1", lead="我的修改"))
    assert response.status_code == 200
    assert "已被他人修改" in response.text
    assert Article.objects.get(pk=article.pk).lead == "另一位编辑的修改"


def test_the_workflow_from_draft_to_scheduled_through_the_admin(client, desk):
    article = ArticleFactory(created_by=desk["reporter"])
    workflow = lambda step: reverse("admin:articles_article_workflow", args=[article.pk, step])  # noqa: E731
    client.force_login(desk["reporter"])
    client.post(workflow("submit"))
    for who in ("editor", "deputy", "chief"):
        client.force_login(desk[who])
        response = client.post(workflow("review"), {"outcome": "pass", "opinion": "同意"}, follow=True)
        assert "审稿意见已记录" in response.text
    client.force_login(desk["chief"])
    when = timezone.localtime(timezone.now() + timezone.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")
    response = client.post(workflow("schedule"), {"publish_at": when}, follow=True)
    assert "发布时间已安排" in response.text
    article.refresh_from_db()
    assert article.status == Article.Status.SCHEDULED
    assert article.decisions.filter(outcome=ReviewDecision.Outcome.PASS).count() == 3


def test_refused_workflow_steps_show_the_reason(client, desk):
    article = ArticleFactory(created_by=desk["reporter"])
    client.force_login(desk["reporter"])
    client.post(reverse("admin:articles_article_workflow", args=[article.pk, "submit"]))
    client.force_login(desk["chief"])
    response = client.post(reverse("admin:articles_article_workflow", args=[article.pk, "review"]),
                           {"outcome": "pass"}, follow=True)  # fmt: skip
    assert "初审须由具有" in response.text
    response = client.post(reverse("admin:articles_article_workflow", args=[article.pk, "nonsense"]), follow=True)
    assert "未知的操作" in response.text


def test_the_return_form_shows_the_opinion_to_the_author(client, desk):
    article = ArticleFactory(created_by=desk["reporter"])
    services.article_submit(article=article, by=desk["reporter"])
    services.article_review(article=article, by=desk["editor"], outcome="return", opinion="请补充采访对象的姓名。")
    client.force_login(desk["reporter"])
    response = client.get(reverse("admin:articles_article_change", args=[article.pk]))
    assert "请补充采访对象的姓名。" in response.text


def test_two_editors_on_one_article_are_warned(client, desk):
    article = ArticleFactory()
    url = reverse("admin:articles_article_change", args=[article.pk])
    client.force_login(desk["editor"])
    client.get(url)
    client.force_login(desk["deputy"])
    response = client.get(url)
    assert "也打开了这篇稿件" in response.text


def test_print_page_import_makes_ten_drafts(client, desk):
    from tests.articles.test_import_admin import preview_and_confirm

    client.force_login(desk["editor"])
    response = preview_and_confirm(client, text=SEED.read_text(encoding="utf-8"))
    assert response.status_code == 302
    assert Article.objects.filter(status=Article.Status.DRAFT).count() == 10


def test_print_page_import_with_nothing_usable_says_so(client, desk):
    client.force_login(desk["editor"])
    response = client.post(reverse("admin:articles_article_import"), {"text": "   \n  \n"})
    assert response.status_code == 200
    assert not Article.objects.exists()


def test_preview_is_for_staff_who_may_see_the_draft(client, desk):
    article = ArticleFactory(created_by=desk["reporter"], headline="尚未发布的稿件")
    url = reverse("articles:preview", args=[article.pk])
    assert client.get(url).status_code == 302  # to the login page
    client.force_login(desk["reporter"])
    response = client.get(url)
    assert response.status_code == 200 and "尚未发布的稿件" in response.text and "预览" in response.text
    client.force_login(staff(Role.REPORTER, newsroom(), username="other-reporter"))
    assert client.get(url).status_code == 404


def test_drafts_are_404_and_withdrawn_articles_410_to_the_public(client, desk):
    draft = ArticleFactory()
    assert client.get(draft.get_absolute_url()).status_code == 404
    withdrawn = ArticleFactory(status=Article.Status.WITHDRAWN, publish_at=timezone.now(), published_at=timezone.now())
    response = client.get(withdrawn.get_absolute_url())
    assert response.status_code == 410 and "已撤下" in response.text


def test_only_people_who_may_edit_are_announced_as_editing(client, desk):
    article = ArticleFactory(created_by=desk["reporter"])
    url = reverse("admin:articles_article_change", args=[article.pk])
    street = UnitFactory(code="xinwang", name="新旺街道", kind=Unit.Kind.STREET, parent=district())
    client.force_login(staff(Role.STREET_STAFF, street, username="street-person"))
    client.get(url)
    client.force_login(desk["editor"])
    assert "也打开了这篇稿件" not in client.get(url).text


def test_newsroom_staff_may_pick_any_unit_for_an_article(client, desk):
    UnitFactory(code="xinwang", name="新旺街道", kind=Unit.Kind.STREET, parent=district())
    client.force_login(desk["reporter"])
    response = client.get("/admin/autocomplete/", {"app_label": "articles", "model_name": "article",
                                                   "field_name": "units", "term": "新旺"})  # fmt: skip
    assert [row["text"] for row in response.json()["results"]] == ["新旺街道"]


def test_an_invalid_photo_form_leaves_no_photo_behind(client, desk):
    import io

    from PIL import Image

    from pingcheng.photos.models import Photo

    buffer = io.BytesIO()
    Image.new("RGB", (64, 64), "red").save(buffer, "PNG")
    buffer.name = "red.png"
    client.force_login(desk["reporter"])
    response = client.post(reverse("admin:photos_photo_add"), {"image": buffer, "caption": "孤儿图片",
                                                                 "taken_on": "not-a-date"})  # fmt: skip
    assert response.status_code == 200
    assert not Photo.objects.exists()


def test_an_issue_number_of_another_day_is_a_form_error(client, desk):
    from articles.placement import page_get_or_create

    page_get_or_create(date=timezone.localdate(), number=1268, page_number=2, page_name="平城新闻")
    client.force_login(desk["editor"])
    response = client.post(reverse("admin:articles_article_import"), {
        "text": SEED.read_text(encoding="utf-8"), "edition_date": "2030-01-01", "edition_number": "1268",
        "page_number": "2", "page_name": "平城新闻"})  # fmt: skip
    assert response.status_code == 200 and "已是" in response.text
    assert not Article.objects.exists()


def test_revisions_after_publication_are_listed_on_the_article(client, desk):
    article = ArticleFactory(status=Article.Status.PUBLISHED, publish_at=timezone.now(), published_at=timezone.now(),
                             headline="原来的标题")  # fmt: skip
    article.headline = "修改后的标题"
    services.article_save(article=article, by=desk["editor"], changed_fields={"headline"},
                          expected_version=article.version, note="标题更准确")  # fmt: skip
    client.force_login(desk["chief"])
    response = client.get(reverse("admin:articles_article_change", args=[article.pk]))
    assert "发布后修订 1 次" in response.text and "原来的标题" in response.text and "标题更准确" in response.text


def _placed_import(**fields) -> dict:
    return {"text": SEED.read_text(encoding="utf-8"), "edition_date": "2030-01-02", "edition_number": "1300",
            "page_number": "2", "page_name": "平城新闻", **fields}  # fmt: skip


@pytest.mark.parametrize("role", [Role.CORRESPONDENT, Role.REPORTER, Role.PHOTOGRAPHER])
def test_only_editors_may_import_a_page_and_others_are_told_why(client, desk, role):
    from articles.models import Edition, Page

    client.force_login(staff(role, newsroom(), username=f"{role}-importer"))
    assert "导入版面文字" not in client.get(CHANGELIST).text
    url = reverse("admin:articles_article_import")
    response = client.get(url)
    assert response.status_code == 403 and "只有编辑、副总编辑和总编辑可以导入版面" in response.text
    response = client.post(url, _placed_import())
    assert response.status_code == 403 and "只有编辑、副总编辑和总编辑可以导入版面" in response.text
    assert not Edition.objects.exists() and not Page.objects.exists() and not Article.objects.exists()


def test_an_editor_imports_a_page_onto_its_printed_edition(client, desk):
    from articles.models import Edition
    from tests.articles.test_import_admin import preview_and_confirm

    client.force_login(desk["editor"])
    assert "导入版面文字" in client.get(CHANGELIST).text
    response = preview_and_confirm(client, **_placed_import())
    assert response.status_code == 302
    edition = Edition.objects.get()
    assert edition.number == 1300 and edition.pages.get().articles.count() == 10


def test_an_import_that_recognises_nothing_leaves_no_empty_edition(client, desk):
    from articles.models import Edition, Page

    client.force_login(desk["editor"])
    response = client.post(reverse("admin:articles_article_import"), _placed_import(text="   \n 12 \n"))
    assert response.status_code == 200 and "没有识别出稿件" in response.text
    assert not Edition.objects.exists() and not Page.objects.exists()


def test_editions_and_pages_are_created_by_editors_not_correspondents(client, desk):
    from articles.models import Edition

    client.force_login(staff(Role.CORRESPONDENT, newsroom(), username="correspondent"))
    post = {"date": "2030-01-02", "number": "1300", "pages-TOTAL_FORMS": "0", "pages-INITIAL_FORMS": "0"}
    assert client.post(reverse("admin:articles_edition_add"), post).status_code == 403
    assert client.post(reverse("admin:articles_page_add"), {"number": "1", "name": "要闻"}).status_code == 403
    assert not Edition.objects.exists()
    client.force_login(desk["editor"])
    assert client.post(reverse("admin:articles_edition_add"), post).status_code == 302
    assert Edition.objects.get().number == 1300
