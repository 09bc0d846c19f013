"""What a review of issue 10 found by using the newsroom as its staff would, and by sending what a browser
never would: each test names a way an edit, a schedule or a page went wrong, and what happens now."""

from datetime import datetime, time, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from articles import services
from articles.forms import beijing_time
from articles.importing import page_import
from articles.models import Article, ArticleEvent, Credit, ReviewDecision, Series
from pingcheng.directory.models import Role
from pingcheng.notices.models import Notice
from pingcheng.photos.services import photo_update
from tests.articles.test_body_photos import _body, _photo
from tests.articles.test_daily_workflow import _approved, _change_url, _form_data, _submitted
from tests.factories import ContributorFactory, newsroom, staff
from tests.page_text import page_text

pytestmark = pytest.mark.django_db
S = Article.Status
RETURN = ReviewDecision.Outcome.RETURN
PRINTED_STORY = "御锦源社区开展汛后隐患排查\n本报讯（记者 张三）7月18日，御锦源社区组织网格员对辖区低洼地段逐一复查，共排查隐患12处。"
FULL_WIDTH = str.maketrans("0123456789-:", "０１２３４５６７８９－：")


def _add_form_data(client) -> dict:
    """What the new-article page posts with a headline and a body and nothing else filled in."""
    response = client.get(reverse("admin:articles_article_add"))
    data = {"headline": "新写的稿件", "dateline": Article.Dateline.BENBAO_XUN, "body": "<p>正文。</p>"}
    for inline in response.context["inline_admin_formsets"]:
        management = inline.formset.management_form
        data.update({management.add_prefix(name): management[name].value() for name in management.fields})
    return data


@pytest.mark.parametrize("step", ["pass", "return"])
def test_a_decision_posted_with_a_new_article_is_refused_not_a_server_error(client, desk, step):
    client.force_login(desk["editor"])
    data = {**_add_form_data(client), "_workflow": step, "review_opinion": "意见"}
    response = client.post(reverse("admin:articles_article_add"), data)
    assert response.status_code == 200
    assert "新稿件只能保存或送审" in response.text
    assert not Article.objects.exists()


def test_a_time_typed_in_full_width_digits_schedules_at_that_time(client, desk):
    # A Chinese input method in full-width mode types １４：３０; refusing it with "如 14:30" only confuses.
    article = _approved(desk)
    client.force_login(desk["chief"])
    day = timezone.localdate() + timedelta(days=2)
    full_width_day = day.isoformat().translate(FULL_WIDTH)
    data = {**_form_data(client, article), "schedule_at_date": full_width_day, "schedule_at_time": "１４：３０",
            "_workflow": "schedule"}  # fmt: skip
    client.post(_change_url(article), data)
    article.refresh_from_db()
    assert article.status == S.SCHEDULED
    assert timezone.localtime(article.publish_at).replace(tzinfo=None) == datetime.combine(day, time(14, 30))


def test_an_articles_history_names_staff_family_name_first_never_by_login(client, desk):
    editor = desk["editor"]
    editor.last_name, editor.first_name = "王", "丽君"
    editor.save(update_fields=["last_name", "first_name"])
    article = _submitted(desk)
    client.force_login(editor)
    client.post(_change_url(article), {**_form_data(client, article), "lead": "改写的导语。"})
    response = client.get(reverse("admin:articles_article_history", args=[article.pk]))
    history = page_text(response.text).split('id="change-history"', 1)[1]
    assert "王丽君" in history
    assert "editor" not in history and "丽君 王" not in history


def test_a_page_sent_back_after_a_refused_step_is_marked_as_holding_unsaved_edits(client, desk):
    # The warning before leaving compares the form with how it loaded; a page sent back with the edits typed
    # loads with them, so without the mark leaving it lost them without a word.
    article = _approved(desk)
    client.force_login(desk["chief"])
    opened = client.get(_change_url(article))
    assert "data-unsaved-edits" not in opened.text
    data = {**_form_data(client, article), "subtitle": "发布前加的副题", "_workflow": "publish"}
    sent_back = client.post(_change_url(article), data)
    assert sent_back.status_code == 200 and "您的修改尚未保存" in sent_back.text
    assert "data-unsaved-edits" in sent_back.text


def test_saving_an_edit_to_a_scheduled_piece_says_it_left_the_schedule(client, desk):
    article = _approved(desk)
    services.article_schedule(article=article, by=desk["chief"], publish_at=timezone.now() + timedelta(days=1))
    article.refresh_from_db()
    client.force_login(desk["editor"])
    response = client.post(_change_url(article), {**_form_data(client, article), "headline": "定时前改的标题"},
                           follow=True)  # fmt: skip
    article.refresh_from_db()
    assert article.status == S.FINAL_REVIEW
    said = " ".join(str(message) for message in response.context["messages"])
    assert "已回到待终审" in said and f"原定 {beijing_time(article.publish_at)} 的定时发布已取消" in said


def test_saving_an_edit_to_an_approved_piece_says_it_needs_final_review_again(client, desk):
    article = _approved(desk)
    client.force_login(desk["editor"])
    response = client.post(_change_url(article), {**_form_data(client, article), "lead": "终审后改的导语。"},
                           follow=True)  # fmt: skip
    said = " ".join(str(message) for message in response.context["messages"])
    assert "已回到待终审，终审通过后才能发布" in said


def test_saving_a_scheduled_piece_without_changing_what_readers_see_keeps_it_scheduled_quietly(client, desk):
    article = _approved(desk)
    services.article_schedule(article=article, by=desk["chief"], publish_at=timezone.now() + timedelta(days=1))
    article.refresh_from_db()
    client.force_login(desk["editor"])
    response = client.post(_change_url(article), _form_data(client, article), follow=True)
    article.refresh_from_db()
    assert article.status == S.SCHEDULED
    assert "已回到待终审" not in " ".join(str(message) for message in response.context["messages"])


def test_a_series_part_beyond_what_can_be_printed_is_a_form_error_not_a_server_error(client, desk):
    series = Series.objects.create(title="继往开来担使命", slug="jiwang")
    article = _submitted(desk)
    client.force_login(desk["editor"])
    data = {**_form_data(client, article), "series": str(series.pk), "series_part": "100"}
    response = client.post(_change_url(article), data)
    assert response.status_code == 200 and "篇次请填写1至99" in response.text
    assert Article.objects.get(pk=article.pk).series_id is None


def test_a_piece_sent_back_to_final_review_by_a_new_photo_caption_tells_the_final_reviewers(desk, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    photo = _photo()
    article = _approved(desk, body=_body(photo))
    photo_update(photo=photo, by=desk["editor"], caption="改过的图片说明")
    article.refresh_from_db()
    assert article.status == S.FINAL_REVIEW
    reopened = article.events.get(action=ArticleEvent.Action.REOPENED)
    assert Notice.objects.filter(kind="article_review_due", user=desk["chief"], key__contains=f"reopened:{reopened.pk}")


def test_a_piece_sent_back_to_final_review_by_a_renamed_byline_tells_the_final_reviewers(desk):
    contributor = ContributorFactory(name="宋芳")
    article = _approved(desk)
    Credit.objects.create(article=article, contributor=contributor, role=Credit.Role.REPORTER, order=0)
    contributor.name = "宋 芳"
    services.article_names_save(obj=contributor, by=desk["editor"])
    reopened = article.events.get(action=ArticleEvent.Action.REOPENED)
    assert Notice.objects.filter(kind="article_review_due", user=desk["chief"], key__contains=f"reopened:{reopened.pk}")


def test_an_imported_story_is_kept_as_printed_before_the_desk_edits_it(desk):
    # Every save before publication is kept: the import's too, so the printed text stays in the history.
    article = page_import(text=PRINTED_STORY, by=desk["editor"]).created[0]
    article = Article.objects.get(pk=article.pk)
    printed_headline = article.headline
    article.headline = "编辑改过的标题"
    services.article_save(article=article, by=desk["editor"], changed_fields={"headline"},
                          expected_version=article.version)  # fmt: skip
    first, edited = article.draft_revisions.order_by("version")
    assert (first.version, first.snapshot["headline"], first.by) == (1, printed_headline, desk["editor"])
    assert "body" in first.fields and edited.fields == ["headline"]


def _imported_and_returned(desk) -> Article:
    article = page_import(text=PRINTED_STORY, by=desk["editor"]).created[0]
    services.article_submit(article=article, by=desk["editor"])
    services.article_review(article=article, by=desk["editor"], outcome=RETURN, opinion="请核实隐患数字。")
    return article


def test_a_returned_import_is_sent_to_the_credited_reporter_who_has_an_account(desk):
    ContributorFactory(name="张三", user=desk["reporter"])
    article = _imported_and_returned(desk)
    told = Notice.objects.filter(kind="article_returned", key__startswith=f"article:{article.pk}:returned:")
    assert {notice.user for notice in told} == {desk["reporter"]}


def test_a_returned_import_without_a_credited_account_is_sent_to_the_editor_who_imported_it(desk):
    article = _imported_and_returned(desk)
    told = Notice.objects.filter(kind="article_returned", key__startswith=f"article:{article.pk}:returned:")
    assert {notice.user for notice in told} == {desk["editor"]}


def test_the_editor_sending_an_imported_page_to_first_review_is_not_told_it_is_their_turn(desk):
    other_editor = staff(Role.EDITOR, newsroom())
    article = page_import(text=PRINTED_STORY, by=desk["editor"]).created[0]
    services.article_submit(article=article, by=desk["editor"])
    told = {notice.user for notice in Notice.objects.filter(kind="article_review_due")}
    assert told == {other_editor}


def test_the_chief_editing_an_approved_piece_is_not_told_it_is_back_at_final_review(desk):
    other_chief = staff(Role.CHIEF_EDITOR, newsroom())
    article = _approved(desk)
    Notice.objects.all().delete()
    article.lead = "终审后改的导语。"
    services.article_save(article=article, by=desk["chief"], changed_fields={"lead"}, expected_version=article.version)
    told = {notice.user for notice in Notice.objects.filter(kind="article_review_due")}
    assert told == {other_chief}
