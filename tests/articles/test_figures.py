"""Pictures in an article body: printed as the photo library's figures, with the photo's own words."""

import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from articles.errors import ArticleActionRefused
from articles.figures import article_pictures_missing_words, article_pictures_require_words, enrich_inline_figures
from pingcheng.photos.renditions import photo_rendition_url
from pingcheng.photos.services import photo_create
from pingcheng.richtext import clean_article_html
from tests.factories import ArticleFactory, ContributorFactory

pytestmark = pytest.mark.django_db


def _photo(**fields):
    buffer = io.BytesIO()
    Image.new("RGB", (1200, 800), (120, 160, 200)).save(buffer, "JPEG")
    upload = SimpleUploadedFile("p.jpg", buffer.getvalue(), content_type="image/jpeg")
    return photo_create(file=upload, **fields)


def _figure(photo, *, alt="", caption="") -> str:
    return clean_article_html(
        f'<figure class="image"><img src="{photo_rendition_url(photo, width=960)}" alt="{alt}">'
        f"<figcaption>{caption}</figcaption></figure>"
    )


def _imgs(html: str) -> list[str]:
    return re.findall(r"<img [^>]*>", html)


def test_an_inline_figure_gets_the_photo_credit_caption_alt_text_and_a_webp_source():
    photo = _photo(caption="图为柳园东院社区大学生志愿者为小学生辅导功课。", credit=ContributorFactory(name="曹飞"),
                   alt_text="大学生志愿者与小学生围坐在桌旁")  # fmt: skip
    html = enrich_inline_figures(_figure(photo, alt="辅导功课"))
    assert '<span class="photo-credit">曹飞摄</span>' in html
    assert "<figcaption>图为柳园东院社区" in html
    assert '<picture><source type="image/webp" srcset="' in html and ".480.webp 480w" in html
    (img,) = _imgs(html)
    assert 'alt="大学生志愿者与小学生围坐在桌旁"' in img  # the photo's own words win over what the body says
    assert ".480.jpg 480w" in img and 'loading="lazy"' in img and 'width="960" height="640"' in img


def test_the_editors_own_caption_is_kept_and_credit_not_repeated():
    photo = _photo(caption="原说明", credit=ContributorFactory(name="锦秀"), alt_text="画面描述")
    html = enrich_inline_figures(_figure(photo, caption="编辑写的说明 锦秀摄"))
    assert "<figcaption>编辑写的说明 锦秀摄</figcaption>" in html and "原说明" not in html
    assert html.count("锦秀摄") == 1


def test_alt_text_comes_from_the_photo_then_the_body_then_the_caption():
    described = _photo(caption="说明甲", alt_text="描述甲")
    undescribed = _photo(caption="说明乙")
    assert 'alt="描述甲"' in enrich_inline_figures(_figure(described, alt="正文里的"))
    assert 'alt="正文里的"' in enrich_inline_figures(_figure(undescribed, alt="正文里的"))
    assert 'alt="说明乙"' in enrich_inline_figures(_figure(undescribed))


def test_quotes_and_markup_in_the_words_stay_inside_the_attribute():
    photo = _photo(caption='居民说"好"<b>', alt_text='横幅写着"防范非法集资"')
    html = enrich_inline_figures(_figure(photo))
    (img,) = _imgs(html)
    assert 'alt="横幅写着&quot;防范非法集资&quot;"' in img
    assert "<figcaption>居民说&quot;好&quot;&lt;b&gt;</figcaption>" in html


def test_only_the_lead_picture_is_loaded_eagerly_with_high_priority():
    first, second = _photo(caption="一", alt_text="一"), _photo(caption="二", alt_text="二")
    body = _figure(first) + "<p>正文</p>" + _figure(second)
    lead = _imgs(enrich_inline_figures(body, lead=True))
    assert 'loading="eager" fetchpriority="high"' in lead[0] and "fetchpriority" not in lead[1]
    assert 'loading="lazy"' in lead[1]
    assert all('loading="lazy"' in img for img in _imgs(enrich_inline_figures(body)))


def test_a_picture_that_is_no_library_photo_keeps_its_own_alt_text():
    body = '<figure class="image"><img src="/media/photos/2026/01/' + "a" * 32 + '.480.jpg" alt="旧图"></figure>'
    (img,) = _imgs(enrich_inline_figures(body))
    assert 'alt="旧图"' in img and "picture" not in enrich_inline_figures(body)


def test_a_picture_nobody_can_describe_is_not_printed():
    body = '<p>前</p><figure class="image"><img src="/media/photos/2026/01/' + "a" * 32 + '.480.jpg" alt=""></figure>'
    assert enrich_inline_figures(body) == "<p>前</p>"
    assert enrich_inline_figures('<p>前<img src="/media/x.jpg" alt="">后</p>') == "<p>前后</p>"


def test_an_image_inside_a_paragraph_is_printed_as_a_picture_too():
    photo = _photo(caption="说明", alt_text="描述")
    html = enrich_inline_figures(clean_article_html(f'<p>文字<img src="{photo_rendition_url(photo, 480)}"></p>'))
    assert html.startswith('<p>文字<picture><source type="image/webp"') and 'alt="描述"' in html


def test_pictures_missing_words_are_listed_in_the_order_shown_with_what_they_lack():
    complete = _photo(caption="齐全", alt_text="齐全", credit=ContributorFactory())
    no_alt = _photo(caption="缺替代文字的图片", credit=ContributorFactory())
    bare = _photo()
    stranger = '<img src="/media/other/x.jpg" alt="x">'
    article = ArticleFactory(body=_figure(complete) + _figure(no_alt) + _figure(bare) + stranger)
    missing = article_pictures_missing_words(article)
    assert [(item.label, item.missing) for item in missing] == [
        ("“缺替代文字的图片”", ["替代文字"]),
        ("第3张图", ["图片说明", "摄影", "替代文字"]),
        ("第4张图", ["不在图片库中，请删除后重新上传"]),
    ]
    with pytest.raises(ArticleActionRefused) as refused:
        article_pictures_require_words(article, action="送审")
    assert refused.value.code == "photo_words_missing"
    assert "补齐后才能送审" in refused.value.messages[0] and "“缺替代文字的图片”缺替代文字" in refused.value.messages[0]


def test_an_article_whose_pictures_are_described_may_go_on():
    photo = _photo(caption="说明", alt_text="描述", credit=ContributorFactory())
    article = ArticleFactory(body=_figure(photo))
    assert article_pictures_missing_words(article) == []
    article_pictures_require_words(article, action="送审")
