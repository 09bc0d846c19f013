"""Every picture on every public page of the demo site has alt text; photos come as WebP with a JPEG fallback;
only the lead image of an article page and of the front page is loaded eagerly.

The pages are the crawl of tests/e2e/public_pages.py (every public page type, up to twenty pages of each),
on the demo data plus one published story with pictures in its body — the seed page has none.
"""

import io
import re
from html.parser import HTMLParser

import pytest
from django.core.cache import cache
from django.test import Client
from django.utils import timezone
from PIL import Image

from articles.models import Article
from pingcheng.directory.models import Contributor
from pingcheng.photos.renditions import photo_rendition_url
from pingcheng.photos.services import photo_create
from tests.e2e.public_pages import SAMPLES_PER_TYPE, public_page_samples

pytestmark = pytest.mark.django_db


class _Pictures(HTMLParser):
    """Each <img> with its attributes, and whether it sits in a <picture> after a WebP <source>."""

    def __init__(self):
        super().__init__()
        self.images: list[dict] = []
        self._webp = None

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "picture":
            self._webp = False
        elif tag == "source" and self._webp is not None and attributes.get("type") == "image/webp":
            self._webp = bool(attributes.get("srcset"))
        elif tag == "img":
            self.images.append({**attributes, "webp": bool(self._webp)})

    def handle_endtag(self, tag):
        if tag == "picture":
            self._webp = None


def _images(html: str) -> list[dict]:
    parser = _Pictures()
    parser.feed(html)
    return parser.images


def _photo(**words):
    buffer = io.BytesIO()
    Image.new("RGB", (1600, 1067), (120, 150, 110)).save(buffer, "JPEG")
    buffer.seek(0)
    return photo_create(file=buffer, **words)


@pytest.fixture
def site(demo_page, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    photographer = Contributor.objects.get(name="曹飞")
    described = _photo(caption="网格员在河堤巡查。", credit=photographer, alt_text="两名网格员沿河堤查看水位标尺")
    captioned = _photo(caption="居民在社区广场观看防汛演练。", credit=photographer)  # from before alt text was asked
    nameless = _photo()  # no words at all: nobody can describe it to a reader who cannot see it
    figure = '<figure class="image"><img src="{}"></figure>'
    article = Article.objects.create(
        headline="平城区网格员汛期巡河", status=Article.Status.PUBLISHED, publish_at=timezone.now(),
        published_at=timezone.now(),
        body="<p>汛期以来，网格员每天巡河。</p>" + "".join(
            figure.format(photo_rendition_url(photo, 1600)) + "<p>巡查继续。</p>"
            for photo in (described, captioned, nameless)
        ),
    )  # fmt: skip
    cache.clear()
    return {"article": article, "described": described, "captioned": captioned, "nameless": nameless}


def test_every_picture_on_every_public_page_has_alt_text(site):
    samples = public_page_samples(per_type=SAMPLES_PER_TYPE)
    client = Client()
    checked = {}
    for name, path in samples.items():
        for image in _images(client.get(path).text):
            assert image.get("alt", "").strip(), f"{path} ({name}) serves an image without alt text: {image}"
            if "/media/photos/" in image["src"]:
                assert image["webp"], f"{path} serves a photo without its WebP source: {image}"
            checked[image["src"]] = path
    article_path = site["article"].get_absolute_url()
    assert article_path in samples.values(), "the crawl must reach the story with pictures in its body"
    assert sum(1 for path in checked.values() if path == article_path) == 2
    assert len(checked) >= 4, checked


def test_a_story_with_body_pictures_prints_each_with_its_words_and_only_the_first_eagerly(site):
    images = _images(Client().get(site["article"].get_absolute_url()).text)
    assert [image["alt"] for image in images] == ["两名网格员沿河堤查看水位标尺", "居民在社区广场观看防汛演练。"]
    assert [image.get("loading") for image in images] == ["eager", "lazy"]
    assert images[0].get("fetchpriority") == "high" and "fetchpriority" not in images[1]
    assert not [image for image in images if site["nameless"].uuid.hex in image["src"]]


def test_the_front_pages_lead_picture_is_its_only_eager_one(site):
    html = Client().get("/").text
    images = _images(html)
    assert images, "the demo front page leads with a photo"
    eager = [image for image in images if image.get("loading") != "lazy"]
    assert eager == [images[0]] and images[0].get("fetchpriority") == "high"


def test_a_demo_article_page_loads_its_lead_photo_eagerly_and_the_rest_lazily(demo_page):
    article = Article.objects.filter(figures__isnull=False).first()
    images = _images(Client().get(article.get_absolute_url()).text)
    assert images[0]["loading"] == "eager" and images[0]["fetchpriority"] == "high"
    assert all(image["loading"] == "lazy" for image in images[1:])
    assert re.search(r"\S", images[0]["alt"])
