"""三审: each level by its own role, never the same person twice, nothing public before 终审."""

from datetime import timedelta

import pytest
from django.utils import timezone

from articles import services
from articles.errors import ArticleActionRefused
from articles.models import Article, ArticleEvent, ReviewDecision
from pingcheng.directory.models import Membership, Role
from tests.factories import ArticleFactory, newsroom, staff

pytestmark = pytest.mark.django_db
PASS, RETURN = ReviewDecision.Outcome.PASS, ReviewDecision.Outcome.RETURN


def _approved(article, desk):
    services.article_submit(article=article, by=article.created_by)
    services.article_review(article=article, by=desk["editor"], outcome=PASS)
    services.article_review(article=article, by=desk["deputy"], outcome=PASS)
    services.article_review(article=article, by=desk["chief"], outcome=PASS)
    article.refresh_from_db()
    return article


def test_three_levels_by_three_people_approve_the_article(desk):
    article = _approved(ArticleFactory(), desk)
    assert article.status == Article.Status.APPROVED
    decisions = list(article.decisions.values_list("level", "outcome", "reviewer__username"))
    assert decisions == [("first", "pass", "editor"), ("second", "pass", "deputy"), ("final", "pass", "chief")]


def test_second_review_by_first_reviewer_is_refused(desk):
    article = ArticleFactory()
    both = desk["editor"]
    Membership.objects.create(user=both, unit=newsroom(), role=Role.DEPUTY_CHIEF)
    both = type(both).objects.get(pk=both.pk)
    services.article_submit(article=article, by=article.created_by)
    services.article_review(article=article, by=both, outcome=PASS)
    with pytest.raises(ArticleActionRefused) as refused:
        services.article_review(article=article, by=both, outcome=PASS)
    assert refused.value.code == "same_reviewer"
    article.refresh_from_db()
    assert article.status == Article.Status.SECOND_REVIEW


def test_wrong_role_is_refused_at_each_level(desk):
    article = ArticleFactory()
    services.article_submit(article=article, by=article.created_by)
    for user in (desk["deputy"], desk["chief"]):
        with pytest.raises(ArticleActionRefused) as refused:
            services.article_review(article=article, by=user, outcome=PASS)
        assert refused.value.code == "wrong_role"
    services.article_review(article=article, by=desk["editor"], outcome=PASS)
    with pytest.raises(ArticleActionRefused):
        services.article_review(article=article, by=desk["chief"], outcome=PASS)


def test_a_reporter_cannot_review(desk):
    article = ArticleFactory()
    services.article_submit(article=article, by=article.created_by)
    other_reporter = staff(Role.REPORTER, newsroom())
    with pytest.raises(ArticleActionRefused):
        services.article_review(article=article, by=other_reporter, outcome=PASS)


def test_the_author_cannot_review_their_own_article(desk):
    article = ArticleFactory(created_by=desk["editor"])
    services.article_submit(article=article, by=desk["editor"])
    with pytest.raises(ArticleActionRefused) as refused:
        services.article_review(article=article, by=desk["editor"], outcome=PASS)
    assert refused.value.code == "author_reviews_own"


def test_publishing_or_scheduling_before_final_review_is_refused(desk):
    article = ArticleFactory()
    with pytest.raises(ArticleActionRefused) as refused:
        services.article_schedule(article=article, by=desk["chief"], publish_at=timezone.now())
    assert refused.value.code == "not_approved"
    services.article_submit(article=article, by=article.created_by)
    services.article_review(article=article, by=desk["editor"], outcome=PASS)
    services.article_review(article=article, by=desk["deputy"], outcome=PASS)
    with pytest.raises(ArticleActionRefused):
        services.article_schedule(article=article, by=desk["chief"], publish_at=timezone.now())
    article.refresh_from_db()
    assert article.status == Article.Status.FINAL_REVIEW and not article.is_live


def test_a_return_needs_an_opinion_and_goes_back_to_the_author(desk):
    article = ArticleFactory()
    article.created_by.email = "reporter@example.cn"
    article.created_by.save()
    services.article_submit(article=article, by=article.created_by)
    with pytest.raises(ArticleActionRefused) as refused:
        services.article_review(article=article, by=desk["editor"], outcome=RETURN, opinion="  ")
    assert refused.value.code == "opinion_required"
    services.article_review(article=article, by=desk["editor"], outcome=RETURN, opinion="导语过长，请压缩到两句。")
    article.refresh_from_db()
    assert article.status == Article.Status.RETURNED
    from pingcheng.notices.models import Notice

    notice = Notice.objects.get(template="article_returned", channel="email")
    assert notice.recipient == "reporter@example.cn"
    assert notice.context["opinion"] == "导语过长，请压缩到两句。"


def test_a_returned_article_starts_a_new_round_and_earlier_reviewers_may_review_again(desk):
    article = ArticleFactory()
    services.article_submit(article=article, by=article.created_by)
    services.article_review(article=article, by=desk["editor"], outcome=PASS)
    services.article_review(article=article, by=desk["deputy"], outcome=RETURN, opinion="数据需核实")
    article = _approved(article, desk)
    assert article.review_round == 2
    assert article.status == Article.Status.APPROVED


def test_review_decisions_cannot_be_edited(desk):
    from django.core.exceptions import ValidationError

    article = ArticleFactory()
    services.article_submit(article=article, by=article.created_by)
    decision = services.article_review(article=article, by=desk["editor"], outcome=PASS, opinion="同意")
    decision.opinion = "改过的意见"
    with pytest.raises(ValidationError):
        decision.save()
    assert ReviewDecision.objects.get(pk=decision.pk).opinion == "同意"


def test_only_drafts_and_returned_articles_can_be_submitted(desk):
    article = _approved(ArticleFactory(), desk)
    with pytest.raises(ArticleActionRefused):
        services.article_submit(article=article, by=article.created_by)


def test_editing_after_final_review_sends_the_article_back_to_final_review(desk):
    article = _approved(ArticleFactory(), desk)
    article.headline = "改后的标题"
    services.article_save(article=article, by=desk["editor"], changed_fields={"headline"}, expected_version=article.version)
    article.refresh_from_db()
    assert article.status == Article.Status.FINAL_REVIEW
    assert article.events.filter(action=ArticleEvent.Action.REOPENED).exists()


def test_a_stale_edit_is_refused_and_nothing_is_lost(desk):
    article = ArticleFactory()
    first, second = Article.objects.get(pk=article.pk), Article.objects.get(pk=article.pk)
    first.lead = "编辑甲的导语"
    services.article_save(article=first, by=desk["editor"], changed_fields={"lead"}, expected_version=first.version)
    second.lead = "编辑乙的导语"
    with pytest.raises(ArticleActionRefused) as refused:
        services.article_save(article=second, by=desk["deputy"], changed_fields={"lead"}, expected_version=second.version)
    assert refused.value.code == "edit_conflict"
    assert Article.objects.get(pk=article.pk).lead == "编辑甲的导语"


def test_the_body_is_sanitized_when_saved(desk):
    article = ArticleFactory()
    article.body = '<p onclick="steal()">平城<script>alert(1)</script><a href="javascript:alert(1)">链接</a></p>'
    services.article_save(article=article, by=desk["editor"], changed_fields={"body"}, expected_version=article.version)
    stored = Article.objects.get(pk=article.pk).body
    assert "script" not in stored and "onclick" not in stored and "javascript" not in stored
    assert "平城" in stored


def test_schedule_with_unpublish_before_publish_is_refused(desk):
    article = _approved(ArticleFactory(), desk)
    at = timezone.now() + timedelta(hours=2)
    with pytest.raises(ArticleActionRefused):
        services.article_schedule(article=article, by=desk["chief"], publish_at=at, unpublish_at=at - timedelta(hours=1))


def test_a_reopened_final_review_can_be_passed_again(desk):
    article = _approved(ArticleFactory(), desk)
    article.lead = "终审后补充的导语"
    services.article_save(article=article, by=desk["editor"], changed_fields={"lead"}, expected_version=article.version)
    article.refresh_from_db()
    services.article_review(article=article, by=desk["chief"], outcome=PASS, opinion="同意修改")
    article.refresh_from_db()
    assert article.status == Article.Status.APPROVED
    assert article.decisions.filter(level=ReviewDecision.Level.FINAL, outcome=PASS).count() == 2


def test_a_save_never_undoes_a_publication_that_happened_meanwhile(desk):
    article = _approved(ArticleFactory(), desk)
    services.article_schedule(article=article, by=desk["chief"], publish_at=timezone.now() + timedelta(minutes=5))
    stale = Article.objects.get(pk=article.pk)  # the editor opens the page …
    Article.objects.filter(pk=article.pk).update(publish_at=timezone.now() - timedelta(seconds=1))
    services.articles_publish_due()  # … the sweep publishes it …
    stale.tags = "防汛"
    services.article_save(article=stale, by=desk["editor"], changed_fields={"tags"}, expected_version=stale.version)
    article.refresh_from_db()  # … and the editor's save keeps the publication.
    assert article.status == Article.Status.PUBLISHED
    assert article.published_at is not None and article.tags == "防汛"
