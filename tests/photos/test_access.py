"""Who may change or delete a photo follows what shows it, not merely being in the newsroom."""

import io

import pytest
from django.utils import timezone
from PIL import Image

from articles.models import Article, ArticlePhoto, Credit
from pingcheng.directory.models import Contributor, Role
from pingcheng.errors import DomainError
from pingcheng.photos.models import Photo
from pingcheng.photos.services import photo_create, photo_delete, photo_update
from tests.factories import ArticleFactory, newsroom, staff

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def a_photo(uploaded_by, caption="网格员巡查河道") -> Photo:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), "green").save(buffer, "JPEG")
    buffer.seek(0)
    return photo_create(file=buffer, caption=caption, uploaded_by=uploaded_by)


@pytest.fixture
def published(desk):
    """A published article by the reporter, crediting a correspondent, showing one photo as its figure."""
    correspondent = staff(Role.CORRESPONDENT, newsroom(), username="correspondent")
    article = ArticleFactory(created_by=desk["reporter"], status=Article.Status.PUBLISHED, publish_at=timezone.now(),
                             published_at=timezone.now())  # fmt: skip
    Credit.objects.create(article=article, contributor=Contributor.objects.create(name="马向英", user=correspondent),
                          role=Credit.Role.CORRESPONDENT)  # fmt: skip
    photo = a_photo(desk["reporter"])
    ArticlePhoto.objects.create(article=article, photo=photo)
    return {"article": article, "photo": photo, "correspondent": correspondent}


def test_a_correspondent_cannot_recaption_a_published_articles_photo(published):
    with pytest.raises(DomainError) as refused:
        photo_update(photo=published["photo"], by=published["correspondent"], caption="改过的说明")
    assert refused.value.code == "photo_change_forbidden"
    assert Photo.objects.get(pk=published["photo"].pk).caption == "网格员巡查河道"


def test_a_correspondent_gets_403_from_the_admin_change_form(client, published):
    photo = published["photo"]
    client.force_login(published["correspondent"])
    url = f"/admin/photos/photo/{photo.pk}/change/"
    response = client.post(url, {"caption": "改过的说明", "alt_text": "", "credit": "", "taken_on": ""})
    assert response.status_code == 403
    assert Photo.objects.get(pk=photo.pk).caption == "网格员巡查河道"


def test_a_photo_inline_in_a_published_body_is_protected_too(desk, published):
    inline = a_photo(desk["reporter"], caption="正文插图")
    Article.objects.filter(pk=published["article"].pk).update(body=f'<figure class="image"><img src="/media/photos/{inline.uuid.hex}.960.jpg"></figure>')
    with pytest.raises(DomainError):
        photo_update(photo=inline, by=published["correspondent"], credit=None, caption="改")


def test_a_reviewer_may_correct_the_caption_of_a_published_photo(desk, published):
    photo_update(photo=published["photo"], by=desk["editor"], caption="平城区网格员巡查河道")
    assert Photo.objects.get(pk=published["photo"].pk).caption == "平城区网格员巡查河道"


def test_the_uploader_may_caption_a_photo_nothing_uses_yet(desk):
    photo = a_photo(desk["reporter"])
    photo_update(photo=photo, by=desk["reporter"], caption="新说明", alt_text="河道边的网格员")
    assert Photo.objects.get(pk=photo.pk).alt_text == "河道边的网格员"


def test_nobody_deletes_another_persons_photo_or_one_in_use(desk, published):
    other_reporter = staff(Role.REPORTER, newsroom(), username="reporter2")
    unused = a_photo(desk["reporter"])
    with pytest.raises(DomainError) as refused:
        photo_delete(photo=unused, by=other_reporter)
    assert refused.value.code == "photo_delete_forbidden"
    with pytest.raises(DomainError):
        photo_delete(photo=published["photo"], by=desk["reporter"])
    assert Photo.objects.filter(pk__in=[unused.pk, published["photo"].pk]).count() == 2


def test_the_uploader_deletes_an_unused_photo_and_its_files_go_after_commit(desk, django_capture_on_commit_callbacks):
    from django.core.files.storage import default_storage

    photo = a_photo(desk["reporter"])
    rendition = photo.renditions[next(iter(photo.renditions))]["jpeg"]
    with django_capture_on_commit_callbacks(execute=True):
        photo_delete(photo=photo, by=desk["reporter"])
    assert not Photo.objects.filter(pk=photo.pk).exists()
    assert not default_storage.exists(rendition)


def test_the_photo_library_lists_own_uploads_for_a_correspondent_not_everyones(client, desk, published):
    mine = a_photo(published["correspondent"], caption="我拍的照片")
    a_photo(desk["reporter"], caption="别人的未用照片")
    client.force_login(published["correspondent"])
    listing = client.get("/admin/photos/photo/")
    assert listing.status_code == 200
    assert mine.caption in listing.text and "别人的未用照片" not in listing.text
    assert "网格员巡查河道" in listing.text  # on an article they are credited on


def test_putting_someone_elses_photo_into_your_own_draft_does_not_make_it_yours(desk):
    photographer = staff(Role.PHOTOGRAPHER, newsroom(), username="photographer")
    photo = a_photo(photographer, caption="摄影记者的照片")
    draft = ArticleFactory(created_by=desk["reporter"])
    ArticlePhoto.objects.create(article=draft, photo=photo)  # as if an editor had attached it
    with pytest.raises(DomainError):
        photo_update(photo=photo, by=desk["reporter"], caption="记者改的说明")
    # Once in the draft, the picture's words follow the draft: its author cannot, since the photo is not theirs,
    # and its uploader cannot, since the draft is not theirs; an editor can.
    with pytest.raises(DomainError):
        photo_update(photo=photo, by=photographer, caption="摄影记者改的说明")
    photo_update(photo=photo, by=desk["editor"], caption="编辑改的说明")
    assert Photo.objects.get(pk=photo.pk).caption == "编辑改的说明"


def test_a_crafted_figure_post_cannot_attach_a_photo_the_user_may_not_see(client, desk):
    photographer = staff(Role.PHOTOGRAPHER, newsroom(), username="photographer")
    photo = a_photo(photographer, caption="别人的未用照片")
    draft = ArticleFactory(created_by=desk["reporter"])
    client.force_login(desk["reporter"])
    from tests.articles.test_admin import _article_post

    data = _article_post(expected_version=draft.version)
    data.update({"figures-TOTAL_FORMS": "1", "figures-0-photo": photo.pk, "figures-0-order": "0"})
    response = client.post(f"/admin/articles/article/{draft.pk}/change/", data)
    assert response.status_code == 200  # the form is shown again with an error
    assert not ArticlePhoto.objects.filter(article=draft).exists()


def test_one_photo_that_may_not_go_refuses_the_whole_bulk_delete(client, desk, published):
    mine = a_photo(desk["reporter"], caption="我的未用照片")
    client.force_login(desk["reporter"])
    response = client.post("/admin/photos/photo/", {"action": "delete_selected", "post": "yes",
                                                    "_selected_action": [mine.pk, published["photo"].pk]})  # fmt: skip
    assert response.status_code in (200, 302)
    assert Photo.objects.filter(pk__in=[mine.pk, published["photo"].pk]).count() == 2


def test_a_corrected_caption_reaches_readers_at_once_and_moves_last_modified(client, desk, django_capture_on_commit_callbacks):
    from datetime import timedelta

    from articles.models import ArticleEvent

    hour_ago = timezone.now() - timedelta(hours=1)
    article = ArticleFactory(status=Article.Status.PUBLISHED, publish_at=hour_ago, published_at=hour_ago)
    photo = a_photo(desk["reporter"], caption="网格员巡查河道")
    ArticlePhoto.objects.create(article=article, photo=photo)
    first = client.get(article.get_absolute_url())
    assert "网格员巡查河道" in first.text
    with django_capture_on_commit_callbacks(execute=True):
        photo_update(photo=photo, by=desk["editor"], caption="平城区网格员巡查御河河道")
    again = client.get(article.get_absolute_url(), HTTP_IF_MODIFIED_SINCE=first["Last-Modified"])
    assert again.status_code == 200 and "平城区网格员巡查御河河道" in again.text
    assert ArticleEvent.objects.filter(article=article, action=ArticleEvent.Action.REVISED, by=desk["editor"]).exists()
    article.refresh_from_db()
    assert article.updated_at is not None


def test_a_recaptioned_photo_sends_an_approved_article_back_to_final_review(desk):
    from articles.models import ArticleEvent

    article = ArticleFactory(status=Article.Status.APPROVED)
    photo = a_photo(desk["reporter"], caption="网格员巡查河道")
    ArticlePhoto.objects.create(article=article, photo=photo)
    photo_update(photo=photo, by=desk["editor"], alt_text="两名网格员走在河堤上")
    article.refresh_from_db()
    assert article.status == Article.Status.FINAL_REVIEW
    assert ArticleEvent.objects.filter(article=article, action=ArticleEvent.Action.REOPENED).exists()


def test_a_recaptioned_photo_on_a_published_article_keeps_the_old_words_as_a_revision(desk):
    from articles.models import Revision

    article = ArticleFactory(status=Article.Status.PUBLISHED, publish_at=timezone.now(), published_at=timezone.now())
    photo = a_photo(desk["reporter"], caption="网格员巡查河道")
    Article.objects.filter(pk=article.pk).update(
        body=f'<figure class="image"><img src="/media/photos/2026/11/{photo.uuid.hex}.960.jpg"></figure>'
    )
    version = Article.objects.get(pk=article.pk).version
    photo_update(photo=photo, by=desk["editor"], caption="平城区网格员巡查御河河道")
    revision = Revision.objects.get(article=article)
    assert revision.version == version
    assert revision.snapshot["inline_photos"][0]["caption"] == "网格员巡查河道"
    assert Article.objects.get(pk=article.pk).version == version + 1
