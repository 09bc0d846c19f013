"""What the other products may ask of the newsroom: small named link functions, so that campaigns and the
inquiry desk never reach into the newsroom's models and rules (DESIGN.md: products meet through a foreign key
or a small named link function)."""

from django.db.models import QuerySet

from articles.models import Article, Section
from articles.services import article_live_q


def articles_public() -> QuerySet[Article]:
    """Articles readers can open now, with only what a link to one prints (headline, date, address)."""
    return Article.objects.filter(article_live_q()).only("pk", "headline", "publish_at").order_by("-publish_at", "-pk")


def article_by_headline(headline: str) -> Article | None:
    """The first article printed under ``headline`` (the demo data links its campaigns to the seed page's stories)."""
    return Article.objects.filter(headline=headline).order_by("pk").only("pk", "headline").first()


def section_stream(section_id: int) -> str:
    """The key under which residents follow a section's news (``pingcheng.notices.streams``): by id, so a section
    renamed or given a new address keeps its followers."""
    return f"section:{section_id}"


def section_streams() -> list[tuple[str, str]]:
    """The sections a resident may follow, as ``(stream key, name)``, in the site's order (one query)."""
    sections = Section.objects.order_by("sort_order", "name").values_list("pk", "name")
    return [(section_stream(pk), name) for pk, name in sections]
