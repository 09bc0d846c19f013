"""A picture put into the body is a photo of the article: linked as an in-body ``ArticlePhoto``, seen by lists
and the front page, printed once, and held to the same words (caption, photographer, alt text) before the
article goes to review or to readers."""

import io
import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from articles import services
from articles.errors import ArticleActionRefused
from articles.models import Article, ArticlePhoto, ReviewDecision
from pingcheng.photos.models import Photo
from pingcheng.photos.renditions import photo_rendition_url
from pingcheng.photos.services import photo_create, photo_update
from tests.factories import ArticleFactory, ContributorFactory

pytestmark = pytest.mark.django_db
S = Article.Status


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def _photo(caption="网格员巡查河道", *, words=True, uploaded_by=None):
    buffer = io.BytesIO()
    Image.new("RGB", (1200, 800), (90, 130, 170)).save(buffer, "JPEG")
    buffer.seek(0)
    if not words:
        return photo_create(file=buffer, uploaded_by=uploaded_by)
    return photo_create(file=buffer, caption=caption, credit=ContributorFactory(), alt_text=f"画面：{caption}",
                        uploaded_by=uploaded_by)  # fmt: skip


def _figure(photo) -> str:
    return f'<figure class="image"><img src="{photo_rendition_url(photo, 1600)}"></figure>'


def _body(*photos) -> str:
    return "<p>第一段。</p>" + "".join(_figure(photo) + "<p>又一段。</p>" for photo in photos)


def _rows(article):
    return list(ArticlePhoto.objects.filter(article=article).order_by("order").values_list("photo_id", "in_body"))


def _lead_photo(article):
    """The photo that leads the article on the front page: its first ``ArticlePhoto`` by order (the pool's
    ``first_photo_id``, articles.selectors)."""
    figure = ArticlePhoto.objects.filter(article=article).order_by("order", "pk").select_related("photo").first()
    return figure.photo if figure else None


def _edit(article, desk, who="reporter", **fields):
    article = Article.objects.get(pk=article.pk)
    for name, value in fields.items():
        setattr(article, name, value)
    return services.article_save(article=article, by=desk[who], changed_fields=set(fields),
                                 expected_version=article.version)  # fmt: skip


def test_saving_a_body_links_its_pictures_as_photos_of_the_article_in_order(desk):
    first, second = _photo("一"), _photo("二")
    article = ArticleFactory(created_by=desk["reporter"])
    _edit(article, desk, body=_body(first, second))
    assert _rows(article) == [(first.pk, True), (second.pk, True)]
    assert _lead_photo(article) == first

    _edit(article, desk, body=_body(second, first))
    assert _rows(article) == [(second.pk, True), (first.pk, True)]
    _edit(article, desk, body=_body(first))
    assert _rows(article) == [(first.pk, True)]
    _edit(article, desk, body="<p>没有图了。</p>")
    assert _rows(article) == [] and _lead_photo(article) is None


def test_an_attached_figure_stays_the_lead_photo_and_is_printed_once_even_when_also_in_the_body(desk):
    attached, inline = _photo("配图"), _photo("正文图")
    article = ArticleFactory(created_by=desk["reporter"])
    ArticlePhoto.objects.create(article=article, photo=attached, order=0)
    _edit(article, desk, body=_body(inline, attached))
    assert _rows(article) == [(attached.pk, False), (inline.pk, True)]
    assert _lead_photo(article) == attached
    imgs = re.findall(r"<img [^>]*>", Article.objects.get(pk=article.pk).main_html)
    # The attached photo is in the body too: printed there only, and the body's first picture leads the page.
    assert [inline.uuid.hex in imgs[0], attached.uuid.hex in imgs[1]] == [True, True] and len(imgs) == 2
    assert 'fetchpriority="high"' in imgs[0]


def test_the_page_prints_the_attached_lead_eagerly_and_body_pictures_lazily_each_once(desk):
    attached, inline = _photo("配图"), _photo("正文图")
    article = ArticleFactory(created_by=desk["reporter"], body=_body(inline))
    ArticlePhoto.objects.create(article=article, photo=attached, order=0)
    html = Article.objects.get(pk=article.pk).main_html
    imgs = re.findall(r"<img [^>]*>", html)
    assert len(imgs) == 2, "the body picture must not be printed again as a figure"
    assert attached.uuid.hex in imgs[0] and 'fetchpriority="high"' in imgs[0] and 'loading="eager"' in imgs[0]
    assert inline.uuid.hex in imgs[1] and 'loading="lazy"' in imgs[1] and "fetchpriority" not in imgs[1]
    assert all(re.search(r'alt="[^"]+"', img) for img in imgs)
    # Both photographers are credited at the foot of the article.
    assert f"摄影 {attached.credit.name}" in html and f"摄影 {inline.credit.name}" in html


def test_without_an_attached_figure_the_first_body_picture_is_the_lead_image(desk):
    first, second = _photo("一"), _photo("二")
    article = ArticleFactory(created_by=desk["reporter"], body=_body(first, second))
    imgs = re.findall(r"<img [^>]*>", Article.objects.get(pk=article.pk).main_html)
    assert 'fetchpriority="high"' in imgs[0] and 'loading="lazy"' in imgs[1]


def test_a_photo_in_a_body_cannot_be_deleted_while_readers_see_it(desk):
    photo = _photo(uploaded_by=desk["reporter"])
    ArticleFactory(created_by=desk["reporter"], body=_body(photo))
    from pingcheng.errors import DomainError
    from pingcheng.photos.services import photo_delete

    with pytest.raises(DomainError):
        photo_delete(photo=photo, by=desk["reporter"])


def test_submitting_with_a_body_picture_lacking_words_is_refused_until_they_are_filled_in(desk):
    photo = _photo(words=False, uploaded_by=desk["reporter"])
    article = ArticleFactory(created_by=desk["reporter"], body=_body(photo))
    with pytest.raises(ArticleActionRefused) as refused:
        services.article_submit(article=article, by=desk["reporter"])
    assert refused.value.code == "photo_words_missing"
    assert "第1张图缺图片说明、摄影、替代文字" in refused.value.messages[0]
    assert Article.objects.get(pk=article.pk).status == S.DRAFT

    photo_update(photo=photo, by=desk["reporter"], caption="网格员巡查河道", credit=ContributorFactory(),
                 alt_text="两名网格员沿河堤查看水位标尺")  # fmt: skip
    services.article_submit(article=article, by=desk["reporter"])
    assert Article.objects.get(pk=article.pk).status == S.FIRST_REVIEW


def test_submitting_with_an_attached_figure_lacking_alt_text_is_refused(desk):
    photo = _photo()
    Photo.objects.filter(pk=photo.pk).update(alt_text="")  # a photo from before alt text was asked for
    article = ArticleFactory(created_by=desk["reporter"])
    ArticlePhoto.objects.create(article=article, photo=photo)
    with pytest.raises(ArticleActionRefused, match="缺替代文字"):
        services.article_submit(article=article, by=desk["reporter"])


def test_a_picture_put_into_the_body_during_review_without_words_cannot_be_published(desk):
    article = ArticleFactory(created_by=desk["reporter"])
    services.article_submit(article=article, by=desk["reporter"])
    for who in ("editor", "deputy", "chief"):
        services.article_review(article=Article.objects.get(pk=article.pk), by=desk[who],
                                outcome=ReviewDecision.Outcome.PASS)  # fmt: skip
    _edit(article, desk, who="chief", body=_body(_photo(words=False, uploaded_by=desk["chief"])))
    article = Article.objects.get(pk=article.pk)
    assert article.status == S.FINAL_REVIEW  # an edit after 终审 is reviewed again …
    Article.objects.filter(pk=article.pk).update(status=S.APPROVED)  # … and even if it were approved:
    with pytest.raises(ArticleActionRefused) as refused:
        services.article_schedule(article=article, by=desk["chief"], publish_at=timezone.now() - timedelta(minutes=1))
    assert refused.value.code == "photo_words_missing" and "补齐后才能发布" in refused.value.messages[0]
    assert Article.objects.get(pk=article.pk).status == S.APPROVED


def test_body_pictures_are_not_offered_as_figures_in_the_back_office(client, desk):
    attached, inline = _photo("配图"), _photo("正文图")
    article = ArticleFactory(created_by=desk["reporter"], body=_body(inline))
    ArticlePhoto.objects.create(article=article, photo=attached, order=0)
    client.force_login(desk["reporter"])
    response = client.get(reverse("admin:articles_article_change", args=[article.pk]))
    formset = next(f.formset for f in response.context["inline_admin_formsets"] if f.formset.prefix == "figures")
    assert [form.instance.photo_id for form in formset.initial_forms] == [attached.pk]


def test_the_article_form_lists_the_pictures_lacking_words_and_offers_the_upload_dialog(client, desk):
    photo = _photo(words=False, uploaded_by=desk["reporter"])
    article = ArticleFactory(created_by=desk["reporter"], body=_body(photo))
    client.force_login(desk["reporter"])
    page = client.get(reverse("admin:articles_article_change", args=[article.pk])).text
    assert "图片待补充说明" in page and "补齐后才能送审" in page and "第1张图" in page
    assert f'name="photo" value="{photo.uuid.hex}"' in page
    assert 'id="photo-words-dialog"' in page and "js/photo_words.js" in page
    # The add form uploads too: the dialog is there, the list is not (nothing is saved yet).
    added = client.get(reverse("admin:articles_article_add")).text
    assert 'id="photo-words-dialog"' in added and "图片待补充说明" not in added


def test_the_article_form_says_nothing_when_every_picture_is_described(client, desk):
    article = ArticleFactory(created_by=desk["reporter"], body=_body(_photo()))
    client.force_login(desk["reporter"])
    page = client.get(reverse("admin:articles_article_change", args=[article.pk])).text
    assert "图片待补充说明" not in page


def test_the_review_history_keeps_body_pictures_apart_from_attached_figures(desk):
    inline = _photo("正文图")
    article = ArticleFactory(created_by=desk["reporter"], body=_body(inline))
    snapshot = services._snapshot(Article.objects.get(pk=article.pk))
    assert snapshot["figures"] == [] and [p["id"] for p in snapshot["inline_photos"]] == [inline.pk]
