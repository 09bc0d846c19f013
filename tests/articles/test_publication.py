"""Scheduled publication, unpublish, withdrawal, corrections and revisions."""

from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from articles import services
from articles.errors import ArticleActionRefused
from articles.models import Article, ArticleEvent, Correction, ReviewDecision
from articles.tasks import articles_publish_due
from pingcheng.notices.models import Notice
from tests.conftest import wait_for
from tests.factories import ArticleFactory

PASS = ReviewDecision.Outcome.PASS


def approved(desk, **fields):
    article = ArticleFactory(**fields)
    article.created_by.email = "author@example.cn"
    article.created_by.save()
    services.article_submit(article=article, by=article.created_by)
    for who in ("editor", "deputy", "chief"):
        services.article_review(article=article, by=desk[who], outcome=PASS)
    article.refresh_from_db()
    return article


@pytest.mark.django_db
def test_a_scheduled_article_is_public_from_its_minute_even_before_the_sweep(desk):
    article = approved(desk)
    publish_at = timezone.now() + timedelta(minutes=30)
    services.article_schedule(article=article, by=desk["chief"], publish_at=publish_at)
    article.refresh_from_db()
    assert article.status == Article.Status.SCHEDULED and not article.is_live
    Article.objects.filter(pk=article.pk).update(publish_at=timezone.now() - timedelta(seconds=5))
    article.refresh_from_db()
    assert article.status == Article.Status.SCHEDULED
    assert article.is_live
    assert Article.objects.filter(services.article_live_q(), pk=article.pk).exists()


@pytest.mark.django_db
def test_the_sweep_publishes_what_is_due_once_and_fires_one_notice(desk):
    article = approved(desk)
    services.article_schedule(article=article, by=desk["chief"], publish_at=timezone.now() + timedelta(minutes=5))
    assert services.articles_publish_due() == 0
    Article.objects.filter(pk=article.pk).update(publish_at=timezone.now() - timedelta(minutes=1))
    assert services.articles_publish_due() == 1
    assert services.articles_publish_due() == 0
    article.refresh_from_db()
    assert article.status == Article.Status.PUBLISHED
    assert article.published_at == article.publish_at
    assert Notice.objects.filter(template="article_published", channel="email").count() == 1
    assert article.events.filter(action=ArticleEvent.Action.PUBLISHED).count() == 1


@pytest.mark.django_db
def test_scheduling_in_the_past_publishes_at_once(desk):
    article = approved(desk)
    services.article_schedule(article=article, by=desk["editor"], publish_at=timezone.now() - timedelta(minutes=1))
    article.refresh_from_db()
    assert article.status == Article.Status.PUBLISHED


@pytest.mark.django_db
def test_scheduled_unpublish_takes_the_article_down(desk):
    article = approved(desk)
    now = timezone.now()
    services.article_publish_now(article=article, by=desk["chief"], unpublish_at=now + timedelta(hours=1))
    assert services.articles_unpublish_due() == 0
    Article.objects.filter(pk=article.pk).update(publish_at=now - timedelta(hours=1), unpublish_at=now - timedelta(seconds=1))
    article.refresh_from_db()
    assert not article.is_live
    assert services.articles_unpublish_due() == 1
    article.refresh_from_db()
    assert article.status == Article.Status.EXPIRED


@pytest.mark.django_db
def test_withdrawal_needs_a_reason_and_a_senior_editor(desk):
    article = approved(desk)
    services.article_schedule(article=article, by=desk["chief"], publish_at=timezone.now())
    with pytest.raises(ArticleActionRefused):
        services.article_withdraw(article=article, by=desk["editor"], reason="事实有误")
    with pytest.raises(ArticleActionRefused):
        services.article_withdraw(article=article, by=desk["chief"], reason="")
    services.article_withdraw(article=article, by=desk["chief"], reason="当事单位反映数据有误，核实中")
    article.refresh_from_db()
    assert article.status == Article.Status.WITHDRAWN and not article.is_live
    assert article.events.get(action=ArticleEvent.Action.WITHDRAWN).note == "当事单位反映数据有误，核实中"


@pytest.mark.django_db
def test_corrections_are_only_for_published_articles(desk):
    article = approved(desk)
    with pytest.raises(ArticleActionRefused):
        services.article_correct(article=article, by=desk["chief"], kind=Correction.Kind.CORRECTION, text="更正")
    services.article_schedule(article=article, by=desk["chief"], publish_at=timezone.now())
    correction = services.article_correct(
        article=article, by=desk["editor"], kind=Correction.Kind.CORRECTION, text="文中“290家”应为“约290家”。"
    )
    assert correction.published_at is not None
    assert article.corrections.count() == 1


@pytest.mark.django_db
def test_an_edit_after_publication_keeps_a_revision_and_an_updated_time(desk):
    article = approved(desk)
    services.article_schedule(article=article, by=desk["chief"], publish_at=timezone.now())
    article.refresh_from_db()
    old_headline = article.headline
    article.headline = "平城区网格员筑牢防汛“安全堤”"
    services.article_save(article=article, by=desk["editor"], changed_fields={"headline"},
                          expected_version=article.version, note="标题加引号")  # fmt: skip
    article.refresh_from_db()
    assert article.status == Article.Status.PUBLISHED
    assert article.updated_at is not None
    revision = article.revisions.get()
    assert revision.snapshot["headline"] == old_headline
    assert revision.by == desk["editor"] and revision.note == "标题加引号"


@pytest.mark.django_db
def test_a_reporter_may_not_edit_a_published_article(desk):
    article = approved(desk)
    services.article_schedule(article=article, by=desk["chief"], publish_at=timezone.now())
    article.refresh_from_db()
    article.headline = "作者私改"
    with pytest.raises(ArticleActionRefused):
        services.article_save(article=article, by=article.created_by, changed_fields={"headline"},
                              expected_version=article.version)  # fmt: skip


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_scheduled_publication_runs_through_a_real_worker(desk, celery_worker):
    article = approved(desk)
    with transaction.atomic():
        services.article_schedule(article=article, by=desk["chief"], publish_at=timezone.now() + timedelta(minutes=10))
    Article.objects.filter(pk=article.pk).update(publish_at=timezone.now() - timedelta(seconds=1))
    articles_publish_due.delay()

    def published():
        article.refresh_from_db()
        return article.status == Article.Status.PUBLISHED

    wait_for(published, timeout=45, message="the worker to publish the article")
    # The publication notice is delivered by the worker too.
    notice = Notice.objects.get(template="article_published", channel="email")
    wait_for(lambda: Notice.objects.get(pk=notice.pk).status == Notice.Status.SENT, timeout=45,
             message="the publication notice to be sent")  # fmt: skip
