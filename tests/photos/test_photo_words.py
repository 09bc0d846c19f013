"""The caption, photographer and alt text of a picture, asked for right after its upload (the editor's dialog
posts JSON) or from the article form's list of pictures lacking them (a plain form, without script)."""

import io

import pytest
from django.test import Client
from django.urls import reverse
from PIL import Image

from articles.models import Article
from pingcheng.directory.models import Contributor, Role
from pingcheng.photos.models import Photo
from pingcheng.photos.renditions import photo_rendition_url
from pingcheng.photos.services import photo_create
from tests.factories import ArticleFactory, staff

pytestmark = pytest.mark.django_db
JSON = {"Accept": "application/json"}


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def reporter():
    user = staff(Role.REPORTER)
    user.refresh_from_db()  # the factory's password is not saved: log in the user as stored
    return user


@pytest.fixture
def photographer():
    return Contributor.objects.create(name="曹飞", kind=Contributor.Kind.PHOTOGRAPHER)


def _upload(by) -> Photo:
    buffer = io.BytesIO()
    Image.new("RGB", (800, 600), (90, 130, 170)).save(buffer, "JPEG")
    buffer.seek(0)
    return photo_create(file=buffer, uploaded_by=by)


def _words(photo, photographer, **fields) -> dict:
    return {"photo": photo.uuid.hex, "caption": "网格员巡查河道", "credit": str(photographer.pk),
            "alt_text": "两名网格员沿河堤查看水位标尺", **fields}  # fmt: skip


def _post(client, data, **headers):
    return client.post(reverse("articles:photo_words"), data, headers=headers)


def test_the_uploader_describes_a_new_picture_from_the_editor_dialog(client, reporter, photographer):
    photo = _upload(reporter)
    client.force_login(reporter)
    response = _post(client, _words(photo, photographer), **JSON)
    assert response.status_code == 200
    assert response.json()["alt"] == "两名网格员沿河堤查看水位标尺" and response.json()["credit"] == "曹飞摄"
    photo.refresh_from_db()
    assert (photo.caption, photo.credit, photo.alt_text) == (
        "网格员巡查河道",
        photographer,
        "两名网格员沿河堤查看水位标尺",
    )


@pytest.mark.parametrize(("field", "message"), [
    ("caption", "请填写图片说明（读者在图片下方看到的文字）。"),
    ("alt_text", "请填写替代文字：用一句话描述画面上有什么。"),
    ("credit", "请选择拍摄这张图片的摄影者。"),
])  # fmt: skip
def test_each_word_is_required_with_a_chinese_message(client, reporter, photographer, field, message):
    photo = _upload(reporter)
    client.force_login(reporter)
    response = _post(client, _words(photo, photographer, **{field: ""}), **JSON)
    assert response.status_code == 400 and response.json() == {"error": {"message": message}}
    assert Photo.objects.get(pk=photo.pk).missing_words() == ["图片说明", "摄影", "替代文字"]


def test_an_inactive_or_unknown_photographer_is_refused(client, reporter, photographer):
    photo = _upload(reporter)
    photographer.is_active = False
    photographer.save()
    client.force_login(reporter)
    response = _post(client, _words(photo, photographer), **JSON)
    assert response.status_code == 400 and "已停用" in response.json()["error"]["message"]


def test_someone_elses_picture_is_not_found(client, reporter, photographer):
    photo = _upload(staff(Role.REPORTER))
    client.force_login(reporter)
    for value in (photo.uuid.hex, "not-a-uuid", ""):
        response = _post(client, {**_words(photo, photographer), "photo": value}, **JSON)
        assert response.status_code == 404 and "找不到这张图片" in response.json()["error"]["message"]
    assert Photo.objects.get(pk=photo.pk).caption == ""


def test_a_picture_on_an_article_the_user_may_no_longer_change_keeps_its_words(client, reporter, photographer):
    photo = _upload(reporter)
    ArticleFactory(created_by=reporter, status=Article.Status.FIRST_REVIEW,
                   body=f'<figure class="image"><img src="{photo_rendition_url(photo, 960)}"></figure>')  # fmt: skip
    client.force_login(reporter)
    response = _post(client, _words(photo, photographer), **JSON)
    assert response.status_code == 403 and "无权修改" in response.json()["error"]["message"]


@pytest.mark.parametrize("user", [None, "grid_worker"])
def test_only_the_newsroom_may_describe_pictures(client, photographer, user):
    photo = _upload(None)
    if user:
        member = staff(Role.GRID_WORKER)
        member.refresh_from_db()
        client.force_login(member)
    response = _post(client, _words(photo, photographer), **JSON)
    assert response.status_code == 403 and "没有修改图片说明的权限" in response.json()["error"]["message"]


def test_without_script_the_form_comes_back_to_the_article_with_a_message(client, reporter, photographer):
    photo = _upload(reporter)
    client.force_login(reporter)
    response = _post(client, {**_words(photo, photographer), "next": "/admin/articles/article/7/change/"})
    assert response.status_code == 302 and response["Location"] == "/admin/articles/article/7/change/"
    assert "已保存" in [str(m) for m in response.wsgi_request._messages][0]

    refused = _post(client, {**_words(photo, photographer, alt_text=""), "next": "https://evil.example/"})
    assert refused.status_code == 302 and refused["Location"] == "/admin/"
    assert "请填写替代文字" in [str(m) for m in refused.wsgi_request._messages][-1]


def test_get_is_not_allowed_and_a_missing_csrf_token_is_refused_in_json(reporter, photographer):
    client = Client(enforce_csrf_checks=True)
    client.force_login(reporter)
    assert client.get(reverse("articles:photo_words")).status_code == 405
    response = _post(client, _words(_upload(reporter), photographer), **JSON)
    assert response.status_code == 403 and "安全校验未通过" in response.json()["error"]["message"]


# --- the photo library's own upload form asks for the same words ------------------------------------------


def _library_upload(client, **fields):
    buffer = io.BytesIO()
    Image.new("RGB", (64, 64), "red").save(buffer, "PNG")
    buffer.seek(0)
    buffer.name = "red.png"
    return client.post(reverse("admin:photos_photo_add"), {"image": buffer, **fields})


def test_the_library_refuses_an_upload_without_its_words(client, reporter, photographer):
    client.force_login(reporter)
    response = _library_upload(client, caption="网格员巡查河道")
    assert response.status_code == 200 and not Photo.objects.exists()
    assert set(response.context["adminform"].form.errors) == {"alt_text", "credit"}
    response = _library_upload(client, caption="网格员巡查河道", alt_text="两名网格员", credit=photographer.pk)
    assert response.status_code == 302 and Photo.objects.get().missing_words() == []


def test_street_staff_who_cannot_look_up_photographers_upload_with_caption_and_alt_text(client):
    member = staff(Role.STREET_STAFF)
    member.refresh_from_db()
    client.force_login(member)
    response = _library_upload(client, caption="志愿者清理小广告", alt_text="两名志愿者铲除墙上的小广告")
    assert response.status_code == 302 and Photo.objects.get().missing_words() == ["摄影"]
