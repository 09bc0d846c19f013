from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ArticlesConfig(AppConfig):
    name = "articles"
    verbose_name = _("新闻稿件")

    def ready(self) -> None:
        from django.db.models.signals import post_delete

        from articles import (
            notice_kinds,  # noqa: F401 — registers the newsroom's notice kinds
        )
        from articles.cache import NEWS, news_last_modified, news_pages_changed, news_pages_changed_after_commit
        from articles.dashboard import author_panel, review_queue_panel, schedule_panel
        from articles.links import section_streams
        from articles.models import (
            ArchiveDay,
            Article,
            ArticleEvent,
            ArticlePhoto,
            ArticleTag,
            Correction,
            Credit,
            DraftRevision,
            Edition,
            FrontSlot,
            Page,
            ReviewDecision,
            Revision,
            Section,
            Series,
        )
        from articles.photo_usage import article_photo_scope, article_photo_usages
        from articles.rendering import RENDERED_FIELDS, article_archive_day_refresh, rendering_receivers_connect
        from articles.signals import article_changed
        from pingcheng.audit.registry import audit_exempt, audit_register
        from pingcheng.dashboard import dashboard_panel_register
        from pingcheng.demo import demo_loader_register
        from pingcheng.notices.models import Topic
        from pingcheng.notices.streams import stream_source_register
        from pingcheng.page_cache import page_product_register
        from pingcheng.photos.access import photo_scope_register, photo_usage_register
        from pingcheng.photos.signals import photo_changed

        demo_loader_register("articles", "articles.demo.load", link_accounts="articles.demo.link_demo_accounts")
        # What articles.rendering stores follows from the recorded fields, like the search tokens.
        audit_register(Article, m2m=["units"], exclude=RENDERED_FIELDS)
        audit_register(Credit, ArticlePhoto, Correction, Edition, FrontSlot, Page, Section, Series)
        audit_exempt(ReviewDecision, ArticleEvent, Revision, DraftRevision,
                     reason="the article's own history, written once")  # fmt: skip
        audit_exempt(ArticleTag, ArchiveDay, reason="derived from articles by articles.rendering")
        dashboard_panel_register("articles.review_queue", review_queue_panel)
        dashboard_panel_register("articles.author", author_panel)
        dashboard_panel_register("articles.schedule", schedule_panel)
        photo_changed.connect(_photo_changed, dispatch_uid="articles.photo_changed")
        photo_usage_register(article_photo_usages)
        photo_scope_register(article_photo_scope)
        page_product_register(NEWS, last_modified=news_last_modified)
        # Residents may follow a section's news on the subscription pages, besides their street and community.
        stream_source_register("articles.sections", topic=Topic.NEWS, choices=section_streams)
        rendering_receivers_connect()
        # The archive's day count first, so the pages re-rendered after the announcement count the change.
        article_changed.connect(article_archive_day_refresh, dispatch_uid="articles.rendering.archive_day")
        article_changed.connect(news_pages_changed, dispatch_uid="articles.cache.news_pages_changed")
        post_delete.connect(news_pages_changed_after_commit, sender=Article, dispatch_uid="articles.cache.deleted")


def _photo_changed(sender, *, photo, by, fields, previous, **_kwargs) -> None:
    from articles.services import articles_photo_changed

    articles_photo_changed(photo=photo, by=by, previous=previous)
