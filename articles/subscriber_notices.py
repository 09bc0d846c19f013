"""Residents who follow news of a unit, or the article's section (栏目), are told of each article published there
(pingcheng.notices.audience): once, whichever of their subscriptions match.

Called once from the publication itself (``services._mark_published``), in its transaction, so the fan-out row
commits with the publication or not at all; it is expanded into notices by Celery after commit. Keyed by the
article, so a re-publication after a withdrawal tells nobody twice.
"""

from django.conf import settings

from articles.models import Article
from pingcheng.notices.audience import subscribers_notify
from pingcheng.notices.models import Topic

LEAD_CHARS = 120


def article_subscribers_notify(article: Article) -> None:
    # Imported here: articles.links reads articles.services, which imports this module.
    from articles.links import section_stream

    lead = article.lead.strip()
    subscribers_notify(
        kind="news_published",
        topic=Topic.NEWS,
        key=f"article:{article.pk}:subscribers",
        units=list(article.units.all()),
        streams=[section_stream(article.section_id)] if article.section_id else [],
        context={
            "title": article.headline,
            "lead": lead if len(lead) <= LEAD_CHARS else lead[: LEAD_CHARS - 1] + "…",
            "section": article.section.name if article.section_id else "",
            "url": settings.SITE_URL + article.get_absolute_url(),
        },
    )
