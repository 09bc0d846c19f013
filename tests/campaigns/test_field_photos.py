"""Photos from the field: optional, from the phone's camera, through the shared photo pipeline (caps, decode,
re-encode, renditions), credited to the person who took them, shown as renditions and on the public timeline
only with a public activity. A file that is not a picture is refused with a message and loses nothing typed."""

import io
import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from campaigns import services
from campaigns.models import Activity, Finding
from pingcheng.accounts import person_name
from pingcheng.directory.models import Contributor
from pingcheng.photos.models import Photo

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PHOTO_MASTER_ROOT = tmp_path / "masters"
    return tmp_path


def _files(root) -> list:
    return [path for path in root.rglob("*") if path.is_file()]


def _jpeg(name="patrol.jpg", size=(80, 60)) -> io.BytesIO:
    buffer = io.BytesIO()
    Image.new("RGB", size, "gray").save(buffer, "JPEG")
    buffer.seek(0)
    buffer.name = name
    return buffer


def _not_a_picture() -> io.BytesIO:
    fake = io.BytesIO(b"<html><script>alert(1)</script></html>")
    fake.name = "patrol.jpg"
    return fake


def _new_url(flood) -> str:
    return f"{reverse('campaigns-field:activity_new')}?campaign={flood.slug}"


def _activity_post(units, **overrides) -> dict:
    began = timezone.localtime() - timedelta(hours=2)
    return {"unit": units["grid"].pk, "title": "涵洞积水巡查", "day": f"{began:%Y-%m-%d}", "start": f"{began:%H:%M}",
            "end": "", "place": "公路涵洞", "partners_other": "", "summary": "雨后巡查，涵洞积水30厘米",
            "is_public": "on", "figure_patrols": "2", "figure_hazards": "1", "figure_hours": "", "submit": "held",
            "photo_caption": "", **overrides}  # fmt: skip


def test_the_activity_form_offers_camera_and_gallery_for_several_photos_credited_to_the_worker(client, people, flood):
    client.force_login(people["grid"])
    page = client.get(_new_url(flood)).text
    assert 'enctype="multipart/form-data"' in page
    field = re.search(r'<input type="file" name="photos"[^>]*>', page).group(0)
    # No ``capture``: it makes Android open the camera only, and a photo taken before could not be attached.
    assert 'accept="image/*"' in field and "capture" not in field and "multiple" in field
    assert "required" not in field
    assert f'name="photo_credit" value="{person_name(people["grid"])}"' in page


def test_an_activity_is_logged_with_two_photos_through_the_photo_pipeline(client, people, units, flood):
    client.force_login(people["grid"])
    data = _activity_post(units, photos=[_jpeg(), _jpeg("second.jpg")], photo_credit=person_name(people["grid"]))
    response = client.post(_new_url(flood), data)
    activity = Activity.objects.get()
    assert response.status_code == 302 and activity.photos.count() == 2
    photo = activity.photos.first()
    assert photo.caption == "涵洞积水巡查" and photo.alt_text == "涵洞积水巡查现场照片（公路涵洞）"
    assert photo.credit.name == person_name(people["grid"]) and photo.credit.user == people["grid"]
    assert (
        photo.uploaded_by == people["grid"]
        and photo.renditions
        and photo.taken_on == timezone.localdate(activity.starts_at)
    )
    # The same person's next photo is credited to the same contributor, not to a second one of that name.
    client.post(_new_url(flood), _activity_post(units, photos=_jpeg(), photo_credit=person_name(people["grid"])))
    assert Contributor.objects.filter(name=person_name(people["grid"])).count() == 1


def test_the_activity_page_shows_renditions_never_the_original(
    client, people, units, flood, django_assert_max_num_queries
):
    client.force_login(people["grid"])
    client.post(_new_url(flood), _activity_post(units, photos=[_jpeg(size=(600, 400)), _jpeg(size=(600, 400))],
                                                photo_credit="陈晓东"))  # fmt: skip
    activity = Activity.objects.get()
    with django_assert_max_num_queries(20):
        page = client.get(reverse("campaigns-field:activity", args=[activity.pk])).text
    sources = re.findall(r'<img [^>]*src="([^"]+)"', page)
    assert len(sources) == 2 and all("/media/photos/" in src and ".480.jpg" in src for src in sources)
    assert "陈晓东摄" in page
    assert activity.photos.first().master.name not in page


def test_a_photo_credited_to_someone_else_names_them_without_linking_the_account(client, people, units, flood):
    client.force_login(people["grid"])
    client.post(_new_url(flood), _activity_post(units, photos=_jpeg(), photo_credit="李志愿"))
    credit = Photo.objects.get().credit
    assert credit.name == "李志愿" and credit.user is None and credit.unit == units["grid"]


def test_an_activity_without_photos_is_logged_all_the_same(client, people, units, flood):
    client.force_login(people["grid"])
    assert client.post(_new_url(flood), _activity_post(units)).status_code == 302
    assert Activity.objects.get().photos.count() == 0 and not Photo.objects.exists()


def test_a_file_that_is_not_a_picture_keeps_everything_typed_and_stores_nothing(
    client, people, units, flood, media_root
):
    client.force_login(people["grid"])
    response = client.post(_new_url(flood), _activity_post(units, photos=[_jpeg(), _not_a_picture()]))
    assert response.status_code == 200
    assert not Activity.objects.exists() and not Photo.objects.exists()
    assert "不是照片" in response.text and "照片需要重新拍摄或选择" in response.text
    assert "雨后巡查，涵洞积水30厘米" in response.text and 'value="公路涵洞"' in response.text
    # The good picture sent before the bad one left no file behind.
    assert _files(media_root / "media") == [] and _files(media_root / "masters") == []


@pytest.mark.parametrize(
    ("setting", "value", "message"),
    [("PHOTO_MAX_UPLOAD_BYTES", 200, "超过"), ("PHOTO_MAX_PIXELS", 1000, "像素太多")],
    ids=["too-large", "too-many-pixels"],
)
def test_a_picture_over_the_caps_is_refused_with_a_message(
    client, people, units, flood, settings, setting, value, message
):
    setattr(settings, setting, value)
    client.force_login(people["grid"])
    response = client.post(_new_url(flood), _activity_post(units, photos=_jpeg(size=(400, 300))))
    assert response.status_code == 200 and not Activity.objects.exists()
    assert message in response.text and "errorlist" in response.text


def test_more_than_nine_photos_at_once_are_refused(client, people, units, flood):
    client.force_login(people["grid"])
    response = client.post(_new_url(flood), _activity_post(units, photos=[_jpeg() for _ in range(10)]))
    assert response.status_code == 200 and not Activity.objects.exists() and not Photo.objects.exists()
    assert "一次最多上传9张照片" in response.text


def test_public_activity_photos_show_on_the_campaign_timeline_internal_ones_never(client, people, units, flood):
    client.force_login(people["grid"])
    client.post(_new_url(flood), _activity_post(units, title="公开巡查", photos=_jpeg(), photo_caption="公开的照片"))
    client.post(_new_url(flood), _activity_post(units, title="内部巡查", is_public="", photos=_jpeg(),
                                                photo_caption="内部的照片"))  # fmt: skip
    client.logout()
    page = client.get(flood.get_absolute_url()).text
    assert "公开的照片" in page and "内部的照片" not in page and "内部巡查" not in page


def test_a_draft_photo_stays_off_the_public_timeline(client, people, units, flood):
    client.force_login(people["grid"])
    client.post(_new_url(flood), _activity_post(units, submit="draft", photos=_jpeg(), photo_caption="草稿的照片"))
    client.logout()
    assert "草稿的照片" not in client.get(flood.get_absolute_url()).text


# --- findings ----------------------------------------------------------------------------------------


@pytest.fixture
def patrol(people, new_activity):
    activity = services.activity_save(activity=new_activity(), by=people["grid"])
    return services.activity_step(activity=activity, by=people["grid"], name="hold")


def _finding_post(units, **overrides) -> dict:
    return {"location": "公路涵洞", "description": "排水口堵塞", "severity": "serious",
            "responsible_unit": units["yujinyuan"].pk, **overrides}  # fmt: skip


def test_the_finding_form_offers_camera_and_gallery_for_one_photo(client, people, patrol):
    client.force_login(people["grid"])
    page = client.get(reverse("campaigns-field:finding_new", args=[patrol.pk])).text
    field = re.search(r'<input type="file" name="photos"[^>]*>', page).group(0)
    assert 'accept="image/*"' in field and "capture" not in field and "multiple" not in field


def test_a_finding_photo_is_captioned_with_the_place_and_credited(client, people, units, patrol):
    client.force_login(people["grid"])
    response = client.post(reverse("campaigns-field:finding_new", args=[patrol.pk]),
                           _finding_post(units, photos=_jpeg(), photo_credit=person_name(people["grid"])))  # fmt: skip
    finding = Finding.objects.get()
    photo = finding.photos.get()
    assert response.status_code == 302 and photo.caption.startswith("公路涵洞（发现")
    assert photo.alt_text == "公路涵洞：排水口堵塞" and photo.credit.user == people["grid"]


def test_a_bad_finding_photo_keeps_the_typed_finding(client, people, units, patrol):
    client.force_login(people["grid"])
    response = client.post(reverse("campaigns-field:finding_new", args=[patrol.pk]),
                           _finding_post(units, description="排水口被树枝堵塞", photos=_not_a_picture()))  # fmt: skip
    assert response.status_code == 200 and not Finding.objects.exists() and not Photo.objects.exists()
    assert "排水口被树枝堵塞" in response.text and "照片需要重新拍摄或选择" in response.text


def test_the_rectification_and_the_re_inspection_carry_their_own_photos(client, people, units, patrol):
    finding = services.finding_raise(activity=patrol, by=people["grid"], location="公路涵洞", description="排水口堵塞",
                                     responsible_unit=units["yujinyuan"])  # fmt: skip
    services.finding_step(finding=finding, by=people["street"], name="order", working_days=3)
    client.force_login(people["community"])
    page = client.get(reverse("campaigns-field:finding", args=[finding.pk])).text
    assert 'enctype="multipart/form-data"' in page and 'id="photos-report"' in page
    client.post(
        reverse("campaigns-field:finding_step", args=[finding.pk, "report"]), {"note": "已疏通", "photos": _jpeg()}
    )
    client.force_login(people["street"])
    client.post(reverse("campaigns-field:finding_step", args=[finding.pk, "pass"]), {"note": "", "photos": _jpeg()})
    finding.refresh_from_db()
    assert finding.status == Finding.Status.CLEARED
    captions = sorted(finding.photos.values_list("caption", flat=True))
    assert len(captions) == 2 and any("报告整改完成" in c for c in captions) and any("复查通过" in c for c in captions)


def test_a_bad_re_inspection_photo_takes_no_step_and_keeps_the_note(client, people, units, patrol):
    finding = services.finding_raise(activity=patrol, by=people["grid"], location="公路涵洞", description="排水口堵塞",
                                     responsible_unit=units["yujinyuan"])  # fmt: skip
    services.finding_step(finding=finding, by=people["street"], name="order", working_days=3)
    services.finding_step(finding=finding, by=people["community"], name="report", note="已疏通")
    client.force_login(people["street"])
    response = client.post(reverse("campaigns-field:finding_step", args=[finding.pk, "fail"]),
                           {"note": "排水口仍有淤泥", "photos": _not_a_picture()})  # fmt: skip
    finding.refresh_from_db()
    assert response.status_code == 200 and finding.status == Finding.Status.REPORTED
    assert "不是照片" in response.text and "排水口仍有淤泥" in response.text and not Photo.objects.exists()


def test_the_public_timeline_reads_photos_and_their_credits_in_one_query_per_kind(client, people, units, flood):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(people["grid"])
    for number in range(3):
        client.post(_new_url(flood), _activity_post(units, title=f"巡查{number}", photos=[_jpeg(), _jpeg()],
                                                    photo_credit=f"拍摄人{number}"))  # fmt: skip
    client.logout()
    with CaptureQueriesContext(connection) as queries:
        page = client.get(flood.get_absolute_url()).text
    assert all(f"拍摄人{number}摄" in page for number in range(3))
    credit_reads = [q["sql"] for q in queries.captured_queries if "directory_contributor" in q["sql"]]
    assert len(credit_reads) <= 1, credit_reads


def test_a_field_photo_in_use_cannot_be_deleted_from_the_photo_library(client, people, units, flood):
    from pingcheng.photos.access import photo_user_may_change, photo_user_may_delete

    client.force_login(people["grid"])
    client.post(_new_url(flood), _activity_post(units, photos=_jpeg()))
    photo = Photo.objects.get()
    assert not photo_user_may_delete(people["grid"], photo)  # the activity and the public timeline show it
    assert photo_user_may_change(people["grid"], photo)  # its uploader, who may log for the grid, re-captions it
    assert not photo_user_may_change(people["neighbour"], photo)
    response = client.post(reverse("admin:photos_photo_delete", args=[photo.pk]), {"post": "yes"})
    assert response.status_code in (302, 403) and Photo.objects.filter(pk=photo.pk).exists()
    assert Activity.objects.get().photos.count() == 1
