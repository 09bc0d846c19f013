import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from articles.figures import enrich_inline_figures
from pingcheng.photos.renditions import photo_rendition_url
from pingcheng.photos.services import photo_create
from pingcheng.richtext import clean_article_html
from tests.factories import ContributorFactory

pytestmark = pytest.mark.django_db


def _photo(**fields):
    buffer = io.BytesIO()
    Image.new("RGB", (1200, 800), (120, 160, 200)).save(buffer, "JPEG")
    upload = SimpleUploadedFile("p.jpg", buffer.getvalue(), content_type="image/jpeg")
    return photo_create(file=upload, **fields)


def test_an_inline_figure_gets_the_photo_credit_and_srcset():
    photo = _photo(caption="图为柳园东院社区大学生志愿者为小学生辅导功课。", credit=ContributorFactory(name="曹飞"))
    src = photo_rendition_url(photo, width=960)
    body = clean_article_html(f'<figure class="image"><img src="{src}" alt="辅导功课"><figcaption></figcaption></figure>')
    html = enrich_inline_figures(body)
    assert '<span class="photo-credit">曹飞摄</span>' in html
    assert "图为柳园东院社区" in html
    assert "srcset=" in html


def test_the_editors_own_caption_is_kept_and_credit_not_repeated():
    photo = _photo(caption="原说明", credit=ContributorFactory(name="锦秀"))
    src = photo_rendition_url(photo, width=480)
    body = f'<figure class="image"><img src="{src}" alt=""><figcaption>编辑写的说明 锦秀摄</figcaption></figure>'
    html = enrich_inline_figures(body)
    assert "编辑写的说明" in html and "原说明" not in html
    assert html.count("锦秀摄") == 1


def test_figures_of_unknown_images_are_left_alone():
    body = '<figure class="image"><img src="/media/photos/2026/01/' + "a" * 32 + '.480.jpg" alt=""></figure>'
    assert enrich_inline_figures(body) == body
