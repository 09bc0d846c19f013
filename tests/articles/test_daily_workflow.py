"""The newsroom's daily work in the back office (issue 10): no edit is lost when a step is taken, scheduling
says what it does and never backdates, each role sees its work first and is told when it is its turn, staff
are named as Chinese readers write names, reviewers see what changed between levels, and a piece one may not
edit reads as formatted text."""

from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from articles import services
from articles.diffs import snapshot_changes
from articles.models import Article, DraftRevision, ReviewDecision
from pingcheng.accounts import person_name
from pingcheng.directory.models import Role
from pingcheng.notices.models import Notice
from tests.admin_forms import admin_form_data
from tests.factories import ArticleFactory, UserFactory, newsroom, staff

pytestmark = pytest.mark.django_db
S = Article.Status
PASS, RETURN = ReviewDecision.Outcome.PASS, ReviewDecision.Outcome.RETURN
HOME = "/admin/"


@pytest.fixture
def named_desk(desk):
    """The desk with the names the demo gives them, family name in ``last_name`` as Django stores it."""
    for who, family, given in [("reporter", "邱", "东芳"), ("editor", "王", "丽君"), ("deputy", "李", "建平"),
                               ("chief", "张", "国强")]:  # fmt: skip
        desk[who].last_name, desk[who].first_name = family, given
        desk[who].save(update_fields=["last_name", "first_name"])
    return desk


def _change_url(article: Article) -> str:
    return reverse("admin:articles_article_change", args=[article.pk])


def _form_data(client, article: Article) -> dict:
    """What the article's page posts when nothing on it is touched."""
    return admin_form_data(client, _change_url(article))


def _submitted(desk, **fields) -> Article:
    article = ArticleFactory(created_by=desk["reporter"], **fields)
    services.article_submit(article=article, by=desk["reporter"])
    article.refresh_from_db()
    return article


def _approved(desk, **fields) -> Article:
    article = _submitted(desk, **fields)
    for who in ("editor", "deputy", "chief"):
        services.article_review(article=article, by=desk[who], outcome=PASS)
    article.refresh_from_db()
    assert article.status == S.APPROVED
    return article


def _local(moment) -> tuple[str, str]:
    local = timezone.localtime(moment)
    return local.strftime("%Y-%m-%d"), local.strftime("%H:%M")


# --- 1. No edit is ever lost ----------------------------------------------------------------------------


def test_a_reviewers_edit_is_saved_with_the_pass_and_named_in_the_review_record(client, named_desk):
    article = _submitted(named_desk, headline="平城区网格员筑牢防汛安全堤")
    client.force_login(named_desk["editor"])
    data = _form_data(client, article)
    data.update(headline="平城区网格员筑牢防汛“安全堤”", review_opinion="标题加引号", _workflow="pass")
    response = client.post(_change_url(article), data, follow=True)
    assert response.status_code == 200
    article.refresh_from_db()
    assert article.headline == "平城区网格员筑牢防汛“安全堤”"
    assert article.status == S.SECOND_REVIEW
    decision = article.decisions.get()
    assert (decision.outcome, decision.opinion, decision.edited_fields) == (PASS, "标题加引号", ["headline"])
    assert "审稿意见已记录" in response.text and "您的修改（主题）已一并保存" in response.text
    assert '<td class="words">主题</td>' in response.text  # the review record's column of what the reviewer changed


def test_a_return_with_an_edit_keeps_both_and_tells_the_author_who_returned_it(client, named_desk):
    named_desk["reporter"].email = "qiu@example.cn"
    named_desk["reporter"].save()
    article = _submitted(named_desk)
    client.force_login(named_desk["editor"])
    data = _form_data(client, article)
    data.update(lead="改写后的导语。", review_opinion="请核实数据。", _workflow="return")
    client.post(_change_url(article), data)
    article.refresh_from_db()
    assert article.status == S.RETURNED and article.lead == "改写后的导语。"
    assert article.decisions.get().edited_fields == ["lead"]
    notice = Notice.objects.get(kind="article_returned", channel=Notice.Channel.EMAIL)
    assert notice.context["reviewer"] == "王丽君"


def test_a_refused_decision_writes_nothing_and_keeps_what_was_typed_on_the_page(client, desk):
    article = _submitted(desk, headline="原来的标题")
    client.force_login(desk["editor"])
    data = _form_data(client, article)
    data.update(headline="审稿时改的标题", review_opinion="", _workflow="return")
    response = client.post(_change_url(article), data)
    assert response.status_code == 200
    assert "退回稿件须写明审稿意见" in response.text and "您的修改尚未保存" in response.text
    assert response.context["adminform"].form["headline"].value() == "审稿时改的标题"
    article.refresh_from_db()
    assert article.headline == "原来的标题" and article.status == S.FIRST_REVIEW
    assert not article.decisions.exists()
    assert not [row for row in article.draft_revisions.all() if "headline" in row.fields]


def test_a_decision_by_the_wrong_level_is_refused_with_the_reason_and_nothing_is_saved(client, desk):
    article = _submitted(desk, headline="原来的标题")
    client.force_login(desk["chief"])
    data = _form_data(client, article)
    data.update(headline="终审改的标题", _workflow="pass")
    response = client.post(_change_url(article), data)
    assert response.status_code == 200 and "初审须由具有" in response.text
    assert Article.objects.get(pk=article.pk).headline == "原来的标题"


def test_an_opinion_saved_with_the_plain_save_button_is_stopped_not_dropped(client, desk):
    article = _submitted(desk)
    client.force_login(desk["editor"])
    data = _form_data(client, article)
    data.update(review_opinion="第三段数据需核实")
    response = client.post(_change_url(article), data)
    assert response.status_code == 200 and "您填写了审稿意见" in response.text
    assert not article.decisions.exists()


def test_a_reporter_sends_the_draft_with_its_last_edits(client, desk):
    article = ArticleFactory(created_by=desk["reporter"], lead="")
    client.force_login(desk["reporter"])
    data = _form_data(client, article)
    data.update(lead="送审前补上的导语。", _workflow="submit")
    client.post(_change_url(article), data)
    article.refresh_from_db()
    assert article.status == S.FIRST_REVIEW and article.lead == "送审前补上的导语。"


def test_publishing_an_approved_piece_just_edited_is_stopped_with_the_reason_and_the_edit_kept(client, desk):
    article = _approved(desk, headline="终审通过的标题")
    client.force_login(desk["chief"])
    data = _form_data(client, article)
    data.update(headline="发布前又改的标题", _workflow="publish")
    response = client.post(_change_url(article), data)
    assert response.status_code == 200 and "须重新终审" in response.text
    assert response.context["adminform"].form["headline"].value() == "发布前又改的标题"
    article.refresh_from_db()
    assert article.status == S.APPROVED and article.headline == "终审通过的标题"


def test_a_browsers_line_breaks_in_an_untouched_lead_are_not_an_edit(client, desk):
    article = _approved(desk, lead="第一句。\n第二句。", body="<p>第一段。</p>\n<p>第二段。</p>")
    client.force_login(desk["chief"])
    data = _form_data(client, article)
    data.update(lead="第一句。\r\n第二句。", body="<p>第一段。</p>\r\n<p>第二段。</p>", _workflow="publish")
    client.post(_change_url(article), data)
    article.refresh_from_db()
    assert article.status == S.PUBLISHED and article.lead == "第一句。\n第二句。"


def test_the_editor_dropping_line_breaks_between_paragraphs_is_not_an_edit(desk):
    article = _approved(desk, body="<p>第一段。</p>\n<p>第二段。</p>")
    article.body = "<p>第一段。</p><p>第二段。</p>"  # as CKEditor gives it back once it has touched the text
    services.article_save(article=article, by=desk["chief"], changed_fields={"body"}, expected_version=article.version)
    article.refresh_from_db()
    assert article.status == S.APPROVED


def test_the_article_page_warns_before_leaving_with_unsaved_edits(client, desk):
    article = ArticleFactory(created_by=desk["reporter"])
    client.force_login(desk["reporter"])
    response = client.get(_change_url(article))
    assert "js/article_form_guard.js" in response.text
    script = (Path(settings.BASE_DIR) / "static" / "js" / "article_form_guard.js").read_text(encoding="utf-8")
    assert "beforeunload" in script and "article_form" in script


# --- 2. Scheduling says what it will do --------------------------------------------------------------------


def test_a_schedule_time_in_the_past_is_refused_with_a_message(client, desk):
    article = _approved(desk)
    client.force_login(desk["chief"])
    day, time = _local(timezone.now() - timedelta(days=1))
    data = _form_data(client, article)
    data.update(schedule_at_date=day, schedule_at_time=time, _workflow="schedule")
    response = client.post(_change_url(article), data)
    assert response.status_code == 200
    assert "已经过去" in response.text and "立即发布" in response.text
    article.refresh_from_db()
    assert article.status == S.APPROVED and article.publish_at is None


def test_publish_now_shows_readers_the_real_time_of_publication(client, desk):
    article = _approved(desk)
    client.force_login(desk["chief"])
    data = _form_data(client, article)
    data.update(_workflow="publish")
    before = timezone.now()
    response = client.post(_change_url(article), data, follow=True)
    article.refresh_from_db()
    assert article.status == S.PUBLISHED
    assert before <= article.publish_at <= timezone.now() and article.published_at == article.publish_at
    assert "读者看到的发布时间为" in response.text


def test_the_service_never_backdates_a_story_given_a_past_time(desk):
    article = _approved(desk)
    typo = timezone.now() - timedelta(days=365)
    services.article_schedule(article=article, by=desk["chief"], publish_at=typo)
    article.refresh_from_db()
    assert article.status == S.PUBLISHED
    assert article.publish_at > timezone.now() - timedelta(minutes=1)
    assert article.published_at == article.publish_at


@pytest.mark.parametrize("typed", ["20:30", "20：30"])
def test_a_schedule_time_is_read_on_a_24_hour_beijing_clock(client, desk, typed):
    article = _approved(desk)
    client.force_login(desk["chief"])
    day = timezone.localdate() + timedelta(days=2)
    data = _form_data(client, article)
    data.update(schedule_at_date=day.isoformat(), schedule_at_time=typed, _workflow="schedule")
    response = client.post(_change_url(article), data, follow=True)
    article.refresh_from_db()
    assert article.status == S.SCHEDULED
    local = timezone.localtime(article.publish_at)
    assert (local.date(), local.hour, local.minute) == (day, 20, 30)
    assert str(local.tzinfo) == "Asia/Shanghai"
    assert f"{day.year}年{day.month}月{day.day}日 20:30" in response.text


def test_a_twelve_hour_time_is_refused_rather_than_guessed(client, desk):
    article = _approved(desk)
    client.force_login(desk["chief"])
    data = _form_data(client, article)
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    data.update(schedule_at_date=tomorrow, schedule_at_time="8:30 PM", _workflow="schedule")
    response = client.post(_change_url(article), data)
    assert response.status_code == 200 and "24小时制" in response.text
    assert Article.objects.get(pk=article.pk).status == S.APPROVED


def test_publish_now_and_schedule_are_two_labelled_actions(client, desk):
    article = _approved(desk)
    client.force_login(desk["chief"])
    text = client.get(_change_url(article)).text
    assert 'name="_workflow" value="publish">立即发布</button>' in text
    assert 'name="_workflow" value="schedule">定时发布</button>' in text
    assert "24小时制" in text


def test_the_schedule_endpoint_refuses_a_past_time_and_publish_is_its_own_step(client, desk):
    article = _approved(desk)
    client.force_login(desk["chief"])
    workflow = lambda step: reverse("admin:articles_article_workflow", args=[article.pk, step])  # noqa: E731
    past = timezone.localtime(timezone.now() - timedelta(hours=3)).strftime("%Y-%m-%dT%H:%M")
    response = client.post(workflow("schedule"), {"publish_at": past}, follow=True)
    assert "已经过去" in response.text
    assert Article.objects.get(pk=article.pk).status == S.APPROVED
    client.post(workflow("publish"), {}, follow=True)
    assert Article.objects.get(pk=article.pk).status == S.PUBLISHED


def test_the_schedule_page_lists_what_goes_out_when(client, desk):
    article = _approved(desk, headline="明晚八点半发布的稿件")
    when = (timezone.localtime() + timedelta(days=1)).replace(hour=20, minute=30, second=0, microsecond=0)
    services.article_schedule(article=article, by=desk["chief"], publish_at=when)
    waiting = _approved(desk, headline="等待安排的稿件")
    client.force_login(desk["chief"])
    response = client.get(reverse("admin:articles_article_schedule"))
    assert response.status_code == 200
    text = response.text
    assert f"{when.month}月{when.day}日" in text and ">20:30</time>" in text and "明晚八点半发布的稿件" in text
    assert waiting.headline in text
    client.force_login(staff(Role.STREET_STAFF))
    assert client.get(reverse("admin:articles_article_schedule")).status_code == 302


# --- 4. Each role sees its work first ------------------------------------------------------------------------


def test_reviewers_are_told_in_the_inbox_and_by_email_when_a_piece_reaches_their_level(desk):
    desk["editor"].email = "editor@example.cn"
    desk["editor"].save()
    article = ArticleFactory(created_by=desk["reporter"], headline="送到初审的稿件")
    services.article_submit(article=article, by=desk["reporter"])
    to_editor = Notice.objects.filter(kind="article_review_due", user=desk["editor"])
    assert set(to_editor.values_list("channel", flat=True)) == {Notice.Channel.INBOX, Notice.Channel.EMAIL}
    assert to_editor.get(channel=Notice.Channel.INBOX).recipient_hint == person_name(desk["editor"])
    assert not Notice.objects.filter(kind="article_review_due", user=desk["deputy"]).exists()
    services.article_review(article=article, by=desk["editor"], outcome=PASS)
    to_deputy = Notice.objects.get(kind="article_review_due", user=desk["deputy"])
    assert to_deputy.context["level"] == "复审" and to_deputy.context["headline"] == "送到初审的稿件"
    assert to_editor.count() == 2  # nothing more for the editor, who has passed


def test_the_review_notice_skips_the_author_and_is_sent_once_per_event(desk, django_capture_on_commit_callbacks):
    other_editor = staff(Role.EDITOR, newsroom(), username="editor-2", email="editor2@example.cn")
    article = ArticleFactory(created_by=desk["editor"])  # an editor's own piece: not theirs to review
    with django_capture_on_commit_callbacks() as callbacks:
        services.article_submit(article=article, by=desk["editor"])
    recipients = set(Notice.objects.filter(kind="article_review_due").values_list("user__username", flat=True))
    assert recipients == {"editor-2"}
    assert len(callbacks) == 1  # the e-mail goes out after commit
    event = article.events.get(action="submitted")
    services._notify_reviewers(article, cause=f"submitted:{event.pk}")  # the same event again: no new rows
    assert Notice.objects.filter(kind="article_review_due", user=other_editor).count() == 2


def test_a_reporter_sees_drafts_and_returned_pieces_with_who_returned_them_and_why(client, named_desk):
    ArticleFactory(created_by=named_desk["reporter"], headline="还在写的稿件：平城区网格员开展汛后回头看工作")
    article = _submitted(named_desk, headline="被退回的稿件")
    services.article_review(article=article, by=named_desk["editor"], outcome=RETURN, opinion="请补充采访对象")
    client.force_login(named_desk["reporter"])
    text = client.get(HOME).text
    assert "还在写的稿件：平城区网格员开展汛后回头看工作" in text
    assert "已退回：被退回的稿件" in text and "初审退回（王丽君）：请补充采访对象" in text


def test_a_reviewer_sees_the_pieces_waiting_for_them_longest_first(client, named_desk):
    older = _submitted(named_desk, headline="先送来的稿件")
    newer = _submitted(named_desk, headline="后送来的稿件")
    Article.objects.filter(pk=older.pk).update(edited_at=timezone.now() - timedelta(hours=3))
    client.force_login(named_desk["editor"])
    panel = next(p for p in client.get(HOME).context["panels"] if p.title == "轮到我审的稿件")
    named = [item.label for item in panel.items if item.count is None]
    assert named == [older.headline, newer.headline]
    assert "待初审 · 邱东芳" in panel.items[1].note


def test_the_chief_sees_the_scheduled_list_with_times(client, desk):
    article = _approved(desk, headline="定时稿件")
    when = (timezone.localtime() + timedelta(days=1)).replace(hour=6, minute=5, second=0, microsecond=0)
    services.article_schedule(article=article, by=desk["chief"], publish_at=when)
    client.force_login(desk["chief"])
    panel = next(p for p in client.get(HOME).context["panels"] if p.title == "待发布")
    item = next(item for item in panel.items if item.label == "定时稿件")
    assert item.note == f"{when.month}月{when.day}日 06:05 定时发布"
    assert any(item.url == reverse("admin:articles_article_schedule") for item in panel.items)


def test_the_article_list_puts_what_needs_this_reviewer_first_with_full_headlines(client, desk):
    long_headline = "平城区新旺街道御锦源社区网格员联合志愿者开展汛后隐患排查整治回头看工作确保群众安全度汛"
    ArticleFactory(headline="别人的草稿", created_by=desk["reporter"])
    waiting = _submitted(desk, headline=long_headline)
    Article.objects.filter(pk=waiting.pk).update(edited_at=timezone.now() - timedelta(days=2))
    client.force_login(desk["editor"])
    response = client.get("/admin/articles/article/")
    rows = list(response.context["cl"].result_list)
    assert rows[0].pk == waiting.pk
    assert long_headline in response.text


# --- 7. Names as Chinese readers write them ---------------------------------------------------------------


def test_person_name_puts_the_family_name_first_without_a_space():
    assert person_name(UserFactory.build(last_name="邱", first_name="东芳")) == "邱东芳"
    assert person_name(UserFactory.build(last_name="Wang", first_name="Lei")) == "Wang Lei"
    assert person_name(UserFactory.build(username="nobody", last_name="", first_name="")) == "nobody"
    assert person_name(None) == ""


def test_staff_are_named_family_name_first_on_the_article_page_and_in_warnings(client, named_desk):
    article = _submitted(named_desk)
    services.article_review(article=article, by=named_desk["editor"], outcome=RETURN, opinion="请改")
    client.force_login(named_desk["deputy"])
    client.get(_change_url(article))
    client.force_login(named_desk["chief"])
    text = client.get(_change_url(article)).text
    assert "初审退回（王丽君" in text and "<td>王丽君</td>" in text
    assert "李建平 在最近15分钟内也打开了这篇稿件" in text
    assert "丽君 王" not in text and "<td>editor</td>" not in text
    assert "欢迎，<strong>张国强</strong>" in text


def test_the_audit_trail_names_the_actor_family_name_first(client, named_desk):
    from pingcheng.directory.models import Membership

    admin = staff(Role.DISTRICT_ADMIN, username="district-admin", last_name="高", first_name="志远")
    client.force_login(named_desk["editor"])
    data = _form_data(client, article := ArticleFactory(created_by=named_desk["reporter"]))
    data["lead"] = "审计里要看到的修改"
    client.post(_change_url(article), data)
    client.force_login(admin)
    text = client.get("/admin/audit/auditentry/").text
    assert "王丽君" in text
    assert str(Membership.objects.get(user=named_desk["editor"])).startswith("王丽君 · ")


def test_demo_accounts_have_chinese_names():
    from pingcheng.directory.demo import load_accounts, load_units

    load_accounts(load_units())
    names = {user.username: person_name(user) for user in UserFactory._meta.model.objects.all()}
    assert names["editor"] == "王丽君" and names["reporter"] == "邱东芳" and names["chief"] == "张国强"
    assert all(len(name) >= 2 and not name.isascii() for name in names.values())


# --- 9. Reviewers see what changed -------------------------------------------------------------------------


def test_every_save_before_publication_is_kept_with_what_it_changed(desk):
    article = services.article_create(
        article=Article(headline="初稿标题", body="<p>初稿正文。</p>"), by=desk["reporter"]
    )
    article.lead = "补上的导语"
    services.article_save(
        article=article, by=desk["reporter"], changed_fields={"lead"}, expected_version=article.version
    )
    article.headline, article.body = "改过的标题", "<p>改过的正文。</p>"
    services.article_save(article=article, by=desk["editor"], changed_fields=set(), expected_version=article.version)
    services.article_save(article=article, by=desk["editor"], changed_fields=set(), expected_version=article.version)
    rows = list(DraftRevision.objects.filter(article=article).order_by("version"))
    assert [row.fields for row in rows] == [["headline", "body", "dateline"], ["lead"], ["headline", "body"]]
    assert rows[-1].snapshot["headline"] == "改过的标题" and rows[-1].by == desk["editor"]


def test_the_second_level_sees_what_changed_since_the_first_level_passed(client, desk):
    article = _submitted(desk, headline="平城区网格员筑牢防汛安全堤",
                         body="<p>面对严峻的防汛形势，平城区网格员队伍闻“汛”而动。</p><p>共排查隐患12处。</p>")  # fmt: skip
    services.article_review(article=article, by=desk["editor"], outcome=PASS)
    article.refresh_from_db()
    article.body = "<p>面对严峻的防汛形势，平城区网格员队伍闻“汛”而动。</p><p>共排查隐患15处。</p>"
    services.article_save(article=article, by=desk["deputy"], changed_fields={"body"}, expected_version=article.version)
    client.force_login(desk["deputy"])
    text = client.get(_change_url(article)).text
    assert "自初审通过" in text and "以来的改动" in text
    assert "共排查隐患<del>12</del><ins>15</ins>处。" in text
    assert "其余 1 段未改动。" in text


def test_nothing_changed_since_the_last_level_says_so(client, desk):
    article = _submitted(desk)
    services.article_review(article=article, by=desk["editor"], outcome=PASS)
    client.force_login(desk["deputy"])
    assert "没有改动。" in client.get(_change_url(article)).text


def test_the_diff_reads_a_picture_and_a_changed_credit():
    before = {"headline": "标题", "body": "<p>正文。</p>", "credits": [{"id": 1, "role": "记者", "name": "宋芳"}]}
    after = {"headline": "标题", "body": '<p>正文。</p><figure><img src="/m/a.jpg" alt="网格员巡查堤坝"></figure>',
             "credits": [{"id": 1, "role": "记者", "name": "宋芳"}, {"id": 2, "role": "通讯员", "name": "马向英"}]}  # fmt: skip
    changes = {change.label: str(change.html) for change in snapshot_changes(before, after)}
    assert set(changes) == {"正文", "署名"}
    assert "<ins>［图片：网格员巡查堤坝］</ins>" in changes["正文"]
    assert "<ins>、通讯员 马向英</ins>" in changes["署名"]


# --- 8. The read-only view shows formatted text ---------------------------------------------------------------


def test_a_submitted_article_reads_as_formatted_text_for_those_who_may_not_edit_it(client, desk):
    article = _submitted(desk, body="<p>第一段<strong>加粗</strong>。</p><p>第二段。</p>")
    client.force_login(desk["reporter"])
    response = client.get(_change_url(article))
    assert response.status_code == 200
    assert (
        '<div class="article-body-readonly"><p>第一段<strong>加粗</strong>。</p><p>第二段。</p></div>' in response.text
    )
    assert "&lt;p&gt;" not in response.text
