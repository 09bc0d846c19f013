"""RSS 2.0 and Atom 1.0 feeds of live articles: the whole site, one section, one street or community.

Every feed is built from ``selectors.article_list_live_with_photos`` so that only what the public may see
now (``services.article_live_q``) ever appears, and a feed costs the same few queries whatever its length.
"""

import logging

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.core.files.storage import default_storage
from django.urls import reverse
from django.utils import timezone
from django.utils.feedgenerator import Atom1Feed, Enclosure, Rss201rev2Feed
from django.utils.html import format_html_join
from django.utils.text import Truncator
from django.utils.translation import gettext as _

from articles import selectors
from articles.bylines import printed_byline
from articles.models import Article, Section
from pingcheng.directory.models import Unit
from pingcheng.photos.renditions import photo_rendition_size
from pingcheng.richtext import plain_text

logger = logging.getLogger(__name__)

FEED_LENGTH = 30
SUMMARY_CHARS = 200
# Wide enough for a reader's card view, far smaller than the 1600 px rendition.
ENCLOSURE_WIDTH = 960
# Streets and the communities and villages under them have feeds; a grid is too small to follow and a
# department's news is not "what happens where I live".
FEED_UNIT_KINDS = (Unit.Kind.STREET, Unit.Kind.COMMUNITY, Unit.Kind.VILLAGE)
# RSS 2.0 takes the RFC 1766 codes of its spec's language list, where Simplified Chinese is "zh-cn".
FEED_LANGUAGE = "zh-cn"


class LatestArticlesFeed(Feed):
    """The latest live articles of the whole site, as RSS 2.0; subclasses narrow the articles or the format."""

    feed_type = Rss201rev2Feed
    language = FEED_LANGUAGE

    def title(self, obj) -> str:
        return str(settings.SITE_NAME)

    def description(self, obj) -> str:
        return _("%(site)s最新发布的稿件") % {"site": settings.SITE_NAME}

    def link(self, obj) -> str:
        return reverse("articles:list")

    def author_name(self, obj) -> str:
        # Atom wants an author for every entry; the paper is the author of entries without a byline.
        return str(settings.SITE_NAME)

    def articles(self, obj):
        return selectors.article_list_live_with_photos()

    def items(self, obj) -> list[Article]:
        # The body is needed for summaries of articles without a lead; the other long columns never are.
        return list(self.articles(obj).defer(None).defer("search_text", "main_html", "head_parts", "crumbs_html", "json_ld", "card_html")[:FEED_LENGTH])

    def item_description(self, item: Article) -> str:
        """Kicker or series heading, subtitle and summary as escaped paragraphs: readers treat it as HTML."""
        summary = item.lead.strip() or Truncator(plain_text(item.body)).chars(SUMMARY_CHARS, truncate="…")
        parts = [
            "　".join(part for part in (item.series_heading, item.kicker) if part),
            f"——{item.subtitle}" if item.subtitle else "",
            summary,
        ]
        return format_html_join("", "<p>{}</p>", ((part,) for part in parts if part))

    def item_author_name(self, item: Article) -> str | None:
        return printed_byline(item) or None

    def item_pubdate(self, item: Article):
        # In Beijing time, so that a reader looking at the raw feed sees the date the paper printed.
        return timezone.localtime(item.publish_at)

    def item_updateddate(self, item: Article):
        return timezone.localtime(item.updated_at or item.publish_at)

    def item_categories(self, item: Article) -> list[str]:
        names = ([item.section.name] if item.section_id else []) + item.tag_list
        return list(dict.fromkeys(names))

    def item_enclosures(self, item: Article) -> list[Enclosure]:
        """The lead photo's JPEG rendition, with its real size in bytes as RSS requires."""
        figures = list(item.figures.all())
        if not figures:
            return []
        photo = figures[0].photo
        width, _height = photo_rendition_size(photo, ENCLOSURE_WIDTH)
        if not width:
            return []
        name = photo.renditions[str(width)]["jpeg"]
        try:
            length = default_storage.size(name)
        except FileNotFoundError:
            # A missing rendition costs the feed a picture, not a 500; the article text is unaffected.
            logger.warning("feed enclosure: rendition %s of photo %s is missing", name, photo.pk)
            return []
        return [Enclosure(default_storage.url(name), str(length), "image/jpeg")]

    def get_feed(self, obj, request):
        feed = super().get_feed(obj, request)
        # Django takes the page link for the Atom feed id, and street feeds share the news list as their
        # page; the feed's own absolute URL is unique to each feed.
        feed.feed["id"] = feed.feed["feed_url"]
        # Django makes item links absolute but not enclosure URLs; feed readers need them absolute.
        for item in feed.items:
            for enclosure in item["enclosures"]:
                enclosure.url = request.build_absolute_uri(enclosure.url)
        return feed


class AtomFeedMixin:
    feed_type = Atom1Feed

    def subtitle(self, obj) -> str:
        return self.description(obj)

    def item_title(self, item: Article) -> str:
        # Django escapes titles once more because many RSS readers take them for HTML (ticket #6533), but
        # an Atom title is type="text": escaped twice, the reader would see the entities.
        return item.headline


class LatestArticlesAtomFeed(AtomFeedMixin, LatestArticlesFeed):
    pass


class SectionFeed(LatestArticlesFeed):
    def get_object(self, request, slug: str) -> Section:
        return Section.objects.get(slug=slug)

    def title(self, obj: Section) -> str:
        return _("%(site)s · %(name)s") % {"site": settings.SITE_NAME, "name": obj.name}

    def description(self, obj: Section) -> str:
        return obj.description or _("%(site)s“%(name)s”栏目的稿件") % {"site": settings.SITE_NAME, "name": obj.name}

    def link(self, obj: Section) -> str:
        return obj.get_absolute_url()

    def articles(self, obj: Section):
        return super().articles(obj).filter(section=obj)


class SectionAtomFeed(AtomFeedMixin, SectionFeed):
    pass


class UnitFeed(LatestArticlesFeed):
    """Articles about a street or community, or about any unit below it (a street's feed has its communities)."""

    def get_object(self, request, code: str) -> Unit:
        return Unit.objects.get(code=code, kind__in=FEED_UNIT_KINDS)

    def title(self, obj: Unit) -> str:
        return _("%(site)s · %(name)s") % {"site": settings.SITE_NAME, "name": obj.name}

    def description(self, obj: Unit) -> str:
        return _("%(site)s关于%(name)s及其下辖单位的稿件") % {"site": settings.SITE_NAME, "name": obj.name}

    def articles(self, obj: Unit):
        return super().articles(obj).filter(units__path__startswith=obj.path).distinct()


class UnitAtomFeed(AtomFeedMixin, UnitFeed):
    pass
