"""The photo pipeline (pingcheng.photos), the CKEditor upload view and the photo figure tag.

Images are made in memory with Pillow. Renditions go to a temporary MEDIA_ROOT per test; masters go to the
master storage, which is bound at import to PHOTO_MASTER_ROOT under the test run's temporary VAR_DIR.
"""

import io
import re
import struct
import zlib
from pathlib import Path

import pytest
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template import Context, Template
from django.urls import reverse
from PIL import Image, ImageCms

from pingcheng.directory.models import Contributor, Role
from pingcheng.photos import views as upload_module
from pingcheng.photos.models import Photo
from pingcheng.photos.renditions import photo_rendition_url, photo_srcset
from pingcheng.photos.services import PhotoRejected, photo_create, photo_delete_files
from tests.factories import UserFactory, staff

pytestmark = pytest.mark.django_db

UPLOAD_URL = "/news/photos/upload/"
GPS_IFD = 0x8825
HAN = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def master_root() -> Path:
    return Path(Photo._meta.get_field("master").storage.location)


@pytest.fixture
def photographer():
    return Contributor.objects.create(name="曹飞", kind=Contributor.Kind.PHOTOGRAPHER)


# --- image builders -----------------------------------------------------------------------------------


def noise(size, mode="RGB") -> Image.Image:
    """Random pixels: they do not compress, so even a small picture is several kilobytes."""
    bands = [Image.effect_noise(size, 60) for _ in mode]
    return Image.merge(mode, bands) if len(bands) > 1 else bands[0]


def encode(image: Image.Image, fmt: str = "JPEG", **options) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, fmt, **options)
    return buffer.getvalue()


def as_upload(data: bytes, name: str = "photo.jpg", content_type: str = "image/jpeg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=content_type)


def jpeg_with_gps() -> bytes:
    exif = Image.Exif()
    exif[0x010F] = "Huawei"  # Make
    exif[0x0110] = "Mate 60"  # Model
    gps = exif.get_ifd(GPS_IFD)
    gps.update({1: "N", 2: (40.0, 5.0, 30.0), 3: "E", 4: (113.0, 17.0, 45.0)})
    data = encode(noise((1200, 800)), quality=95, exif=exif)
    assert Image.open(io.BytesIO(data)).getexif().get_ifd(GPS_IFD), "the fixture itself must carry GPS EXIF"
    return data


def png_header_only(width: int, height: int) -> bytes:
    """A PNG that declares its size and has no pixel data at all: any attempt to decode it fails."""

    def chunk(kind: bytes, payload: bytes) -> bytes:
        return struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", zlib.crc32(kind + payload))

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IEND", b"")


def stored_files(root: Path) -> set[Path]:
    return {path for path in Path(root).rglob("*") if path.is_file()} if Path(root).exists() else set()


def read_media(name: str) -> bytes:
    with default_storage.open(name) as handle:
        return handle.read()


def read_master(photo: Photo) -> bytes:
    with photo.master.open("rb") as handle:
        return handle.read()


# --- accepted uploads ---------------------------------------------------------------------------------


def test_jpeg_with_gps_exif_is_re_encoded_and_stored_without_any_metadata(photographer):
    data = jpeg_with_gps()

    photo = photo_create(file=as_upload(data), caption="振华街道开展防汛演练", credit=photographer)

    master = read_master(photo)
    assert master != data
    reopened = Image.open(io.BytesIO(master))
    assert reopened.format == "JPEG"
    assert dict(reopened.getexif()) == {}
    assert "exif" not in reopened.info and "icc_profile" not in reopened.info
    assert (photo.width, photo.height) == (1200, 800)
    for entry in photo.renditions.values():
        for fmt, expected in (("webp", "WEBP"), ("jpeg", "JPEG")):
            rendition = read_media(entry[fmt])
            assert rendition != data
            image = Image.open(io.BytesIO(rendition))
            assert image.format == expected
            assert dict(image.getexif()) == {}
            assert "exif" not in image.info and "icc_profile" not in image.info
    assert photo.caption == "振华街道开展防汛演练"
    assert photo.credit_line == "曹飞摄"


def test_stored_names_are_dated_uuids_and_never_the_client_name(media_root, master_root):
    photo = photo_create(file=as_upload(encode(noise((1000, 600))), name="我的照片<script>.jpg"))

    hex_id = photo.uuid.hex
    assert re.fullmatch(rf"\d{{4}}/\d{{2}}/{hex_id}\.jpg", photo.master.name)
    assert (master_root / photo.master.name).is_file()
    assert not Path(photo.master.path).is_relative_to(media_root), "masters must live outside MEDIA_ROOT"
    paths = [entry[fmt] for entry in photo.renditions.values() for fmt in ("webp", "jpeg")]
    assert paths
    for path in paths:
        assert re.fullmatch(rf"photos/\d{{4}}/\d{{2}}/{hex_id}\.\d+\.(webp|jpg)", path)
        assert (media_root / path).is_file()
    assert all("我的照片" not in path.name for path in stored_files(media_root) | stored_files(master_root))


def test_exif_orientation_is_applied_to_the_pixels():
    # Stored 300×200 with the top half red; orientation 6 means "rotate 90° clockwise to display".
    image = Image.new("RGB", (300, 200), "blue")
    image.paste("red", (0, 0, 300, 100))
    exif = Image.Exif()
    exif[0x0112] = 6

    photo = photo_create(file=as_upload(encode(image, quality=95, exif=exif)))

    assert (photo.width, photo.height) == (200, 300)
    master = Image.open(io.BytesIO(read_master(photo)))
    assert master.size == (200, 300)
    assert 0x0112 not in master.getexif()
    red, green, blue = master.getpixel((190, 150))  # the former top edge is now the right edge
    assert red > 200 and blue < 60
    red, green, blue = master.getpixel((10, 150))
    assert blue > 200 and red < 60


def test_png_with_alpha_is_accepted_and_flattened_on_white():
    image = Image.new("RGBA", (64, 64), (0, 0, 0, 0))
    image.paste((200, 0, 0, 255), (0, 0, 32, 64))

    photo = photo_create(file=as_upload(encode(image, "PNG"), name="logo.png", content_type="image/png"))

    master = Image.open(io.BytesIO(read_master(photo)))
    assert master.mode == "RGB"
    assert all(channel > 245 for channel in master.getpixel((60, 32)))  # transparent became white
    red, green, blue = master.getpixel((5, 32))
    assert red > 180 and green < 40


def test_animated_gif_is_accepted_as_its_first_frame():
    frames = [Image.new("RGB", (80, 60), colour) for colour in ("green", "red", "blue")]
    data = encode(frames[0], "GIF", save_all=True, append_images=frames[1:], duration=100, loop=0)

    photo = photo_create(file=as_upload(data, name="anim.gif", content_type="image/gif"))

    master = Image.open(io.BytesIO(read_master(photo)))
    assert master.format == "JPEG" and getattr(master, "n_frames", 1) == 1
    red, green, blue = master.getpixel((40, 30))
    assert green > 100 and red < 60 and blue < 60


def test_webp_upload_is_accepted():
    photo = photo_create(file=as_upload(encode(noise((500, 300)), "WEBP"), name="a.webp", content_type="image/webp"))
    assert (photo.width, photo.height) == (500, 300)
    assert list(photo.renditions) == ["480"]


def test_embedded_colour_profile_is_not_kept():
    icc = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()

    photo = photo_create(file=as_upload(encode(noise((400, 300)), icc_profile=icc)))

    assert "icc_profile" not in Image.open(io.BytesIO(read_master(photo))).info


def test_renditions_are_made_for_each_configured_width_up_to_the_master_width(settings):
    settings.PHOTO_RENDITION_WIDTHS = (480, 960, 1600)

    photo = photo_create(file=as_upload(encode(noise((1200, 800)))))

    assert sorted(photo.renditions, key=int) == ["480", "960"]
    assert photo.renditions["480"]["height"] == 320
    assert photo.renditions["960"]["height"] == 640
    for width, entry in photo.renditions.items():
        for fmt in ("webp", "jpeg"):
            assert Image.open(io.BytesIO(read_media(entry[fmt]))).size == (int(width), entry["height"])


def test_photo_narrower_than_the_smallest_rendition_gets_one_at_its_own_width():
    photo = photo_create(file=as_upload(encode(noise((300, 200)))))

    assert list(photo.renditions) == ["300"]
    assert photo.renditions["300"]["height"] == 200


def test_rendition_url_and_srcset_point_into_media_url(settings):
    photo = photo_create(file=as_upload(encode(noise((1000, 500)))))

    small, large = photo.renditions["480"], photo.renditions["960"]
    assert photo_rendition_url(photo) == settings.MEDIA_URL + large["jpeg"]
    assert photo_rendition_url(photo, 960, "webp") == settings.MEDIA_URL + large["webp"]
    assert photo_rendition_url(photo, 700) == settings.MEDIA_URL + small["jpeg"]
    assert photo_rendition_url(photo, 100) == settings.MEDIA_URL + small["jpeg"]
    assert photo_srcset(photo, "webp") == (
        f"{settings.MEDIA_URL}{small['webp']} 480w, {settings.MEDIA_URL}{large['webp']} 960w"
    )
    with pytest.raises(ValueError):
        photo_rendition_url(photo, fmt="png")


def test_photo_delete_files_removes_master_and_renditions(media_root, master_root):
    photo = photo_create(file=as_upload(encode(noise((1000, 500)))))
    master_path = master_root / photo.master.name
    assert master_path.is_file() and stored_files(media_root)

    photo_delete_files(photo)
    photo_delete_files(photo)  # a second run is harmless

    assert not master_path.exists()
    assert stored_files(media_root) == set()


# --- refused uploads ----------------------------------------------------------------------------------


def gif_with_script_comment() -> bytes:
    # A valid GIF whose comment extension, right after the header, carries a script: a classic polyglot.
    return encode(Image.new("P", (40, 40)), "GIF", comment=b"<script>alert(document.cookie)</script>")


REFUSALS = {
    "text file named .jpg": (b"Just some text, not a picture at all.\n" * 3, "photo.jpg", "photo_unsupported_format"),
    "svg named .png": (
        b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
        "photo.png",
        "photo_markup",
    ),
    "html file": (b"<!DOCTYPE html><html><body><script>alert(1)</script></body></html>", "a.jpg", "photo_markup"),
    "html after a BOM and blank lines": (b"\xef\xbb\xbf\r\n  <p>hello</p>", "a.jpg", "photo_markup"),
    "svg without xml declaration": (b'<svg onload="alert(1)"/>', "a.gif", "photo_markup"),
    "gif polyglot with script in its header": (gif_with_script_comment(), "a.gif", "photo_markup"),
    "bmp (not an allowed format)": (encode(Image.new("RGB", (64, 64)), "BMP"), "a.bmp", "photo_unsupported_format"),
    "truncated jpeg": (encode(noise((400, 300)))[:6000], "cut.jpg", "photo_corrupt"),
    "empty file": (b"", "empty.jpg", "photo_empty"),
    "too small": (encode(Image.new("RGB", (10, 40))), "tiny.jpg", "photo_too_small"),
}


@pytest.mark.parametrize("data, name, code", REFUSALS.values(), ids=REFUSALS.keys())
def test_refused_upload_gives_a_chinese_message_and_stores_nothing(data, name, code, media_root, master_root):
    masters_before = stored_files(master_root)

    with pytest.raises(PhotoRejected) as refusal:
        photo_create(file=as_upload(data, name=name))

    assert refusal.value.code == code
    assert HAN.search(refusal.value.messages[0])
    assert Photo.objects.count() == 0
    assert stored_files(media_root) == set()
    assert stored_files(master_root) == masters_before


def test_polyglot_with_script_after_the_header_is_neutralised_by_re_encoding():
    # Past the sniffed header, markup cannot be told from pixel data; re-encoding leaves it behind.
    data = encode(noise((200, 200)), quality=95) + b"<script>alert(document.cookie)</script>"
    assert len(data) > 2000

    photo = photo_create(file=as_upload(data))

    assert b"<script" not in read_master(photo)
    for entry in photo.renditions.values():
        assert b"<script" not in read_media(entry["jpeg"])
        assert b"<script" not in read_media(entry["webp"])


def test_image_over_the_default_pixel_cap_is_refused():
    # 9000×9000 = 81 million pixels (cap: 40 million), yet a 1-bit blank PNG of it is only a few kilobytes.
    data = encode(Image.new("1", (9000, 9000)), "PNG")
    assert len(data) < 200_000

    with pytest.raises(PhotoRejected) as refusal:
        photo_create(file=as_upload(data, name="big.png"))

    assert refusal.value.code == "photo_too_many_pixels"
    assert "9000×9000" in refusal.value.messages[0]


def test_pixel_cap_is_checked_before_any_pixel_is_decoded():
    # No pixel data at all: had the pipeline tried to decode it, the refusal would say "corrupt".
    with pytest.raises(PhotoRejected) as refusal:
        photo_create(file=as_upload(png_header_only(8000, 8000), name="a.png"))
    assert refusal.value.code == "photo_too_many_pixels"


def test_lowered_pixel_cap_is_read_at_call_time(settings):
    settings.PHOTO_MAX_PIXELS = 10_000
    with pytest.raises(PhotoRejected) as refusal:
        photo_create(file=as_upload(encode(noise((200, 200)))))
    assert refusal.value.code == "photo_too_many_pixels"


@pytest.mark.parametrize("side", [50_000, 10_000], ids=["pillow-error", "pillow-warning-made-error"])
def test_decompression_bomb_png_is_refused(side, settings):
    # Let the bomb reach Pillow's own check: 50000² is past twice MAX_IMAGE_PIXELS (an error), 10000² only
    # past MAX_IMAGE_PIXELS (a warning, which the pipeline turns into a refusal).
    settings.PHOTO_MAX_PIXELS = 10**12
    with pytest.raises(PhotoRejected) as refusal:
        photo_create(file=as_upload(png_header_only(side, side), name="bomb.png"))
    assert refusal.value.code == "photo_decompression_bomb"
    assert Photo.objects.count() == 0


def test_file_over_the_byte_cap_is_refused(settings):
    settings.PHOTO_MAX_UPLOAD_BYTES = 1000
    with pytest.raises(PhotoRejected) as refusal:
        photo_create(file=as_upload(encode(noise((200, 200)))))
    assert refusal.value.code == "photo_too_large"


def test_file_object_without_a_size_is_still_held_to_the_byte_cap(settings):
    settings.PHOTO_MAX_UPLOAD_BYTES = 1000
    with pytest.raises(PhotoRejected) as refusal:
        photo_create(file=io.BytesIO(encode(noise((200, 200)))))
    assert refusal.value.code == "photo_too_large"


def test_over_long_caption_is_refused_before_any_file_is_written(media_root, master_root):
    masters_before = stored_files(master_root)
    with pytest.raises(ValidationError) as refusal:
        photo_create(file=as_upload(encode(noise((100, 100)))), caption="长" * 301)
    assert "caption" in refusal.value.message_dict
    assert stored_files(media_root) == set()
    assert stored_files(master_root) == masters_before


# --- the CKEditor upload view -------------------------------------------------------------------------


@pytest.fixture
def reporter():
    return staff(Role.REPORTER)


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    cache.clear()
    yield
    cache.clear()


def log_in(client, user) -> None:
    # tests.factories sets the password without saving it (skip_postgeneration_save), so the session hash
    # force_login computes from the in-memory user would not match the stored row and the request would
    # silently be anonymous. Log in the user as stored.
    user.refresh_from_db()
    client.force_login(user)


def post_photo(client, data: bytes | None = None, name: str = "现场.jpg"):
    payload = {} if data is None else {"upload": as_upload(data, name=name)}
    return client.post(UPLOAD_URL, payload)


def test_upload_url_is_the_one_ckeditor_is_configured_with(settings):
    assert reverse(settings.CK_EDITOR_5_UPLOAD_FILE_VIEW_NAME) == UPLOAD_URL


def test_anonymous_upload_is_refused_with_json_403(client):
    response = post_photo(client, encode(noise((100, 100))))

    assert response.status_code == 403
    assert response.json() == {"error": {"message": "没有上传图片的权限。"}}
    assert Photo.objects.count() == 0


@pytest.mark.parametrize("role", [Role.GRID_WORKER, Role.STREET_STAFF, Role.DEPARTMENT_HANDLER])
def test_staff_without_a_newsroom_role_may_not_upload(client, role):
    log_in(client, staff(role))

    response = post_photo(client, encode(noise((100, 100))))

    assert response.wsgi_request.user.is_authenticated
    assert response.status_code == 403
    assert response.json()["error"]["message"] == "没有上传图片的权限。"
    assert Photo.objects.count() == 0


def test_newsroom_member_who_is_not_staff_may_not_upload(client):
    log_in(client, staff(Role.REPORTER, is_staff=False))

    response = post_photo(client, encode(noise((100, 100))))

    assert response.wsgi_request.user.is_authenticated
    assert response.status_code == 403


def test_reporter_upload_returns_a_rendition_url_under_media_url(client, reporter, settings, media_root):
    log_in(client, reporter)

    response = post_photo(client, jpeg_with_gps())

    assert response.status_code == 201
    body = response.json()
    photo = Photo.objects.get(pk=body["photo_id"])
    assert photo.uploaded_by == reporter
    assert body["url"] == settings.MEDIA_URL + photo.renditions["960"]["jpeg"]
    assert body["url"].startswith(settings.MEDIA_URL + "photos/")
    assert photo.master.name not in body["url"] and photo.uuid.hex in body["url"]
    assert (media_root / body["url"].removeprefix(settings.MEDIA_URL)).is_file()
    assert body["urls"]["default"] == body["url"]
    assert body["urls"]["480"] == settings.MEDIA_URL + photo.renditions["480"]["jpeg"]


def test_body_url_is_the_largest_rendition_up_to_1600(client, reporter, settings):
    settings.PHOTO_RENDITION_WIDTHS = (480, 960, 1600, 2400)
    log_in(client, reporter)

    body = post_photo(client, encode(noise((2600, 400)))).json()

    photo = Photo.objects.get(pk=body["photo_id"])
    assert body["url"] == settings.MEDIA_URL + photo.renditions["1600"]["jpeg"]


def test_superuser_without_membership_may_upload(client):
    log_in(client, UserFactory(is_superuser=True))
    assert post_photo(client, encode(noise((100, 100)))).status_code == 201


def test_refused_file_gives_400_with_the_chinese_message_for_ckeditor(client, reporter):
    log_in(client, reporter)

    response = post_photo(client, b"<html><script>alert(1)</script></html>", name="x.jpg")

    assert response.status_code == 400
    assert HAN.search(response.json()["error"]["message"])
    assert Photo.objects.count() == 0


def test_missing_upload_field_gives_400(client, reporter):
    log_in(client, reporter)
    response = client.post(UPLOAD_URL, {"file": as_upload(encode(noise((100, 100))))})
    assert response.status_code == 400
    assert HAN.search(response.json()["error"]["message"])


def test_get_is_not_allowed(client, reporter):
    log_in(client, reporter)
    assert client.get(UPLOAD_URL).status_code == 405


def test_upload_without_the_csrf_token_is_refused_with_json_the_editor_can_show(reporter):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    log_in(client, reporter)

    response = post_photo(client, encode(noise((100, 100))))

    assert response.status_code == 403
    assert response["Content-Type"] == "application/json"
    assert HAN.search(response.json()["error"]["message"])
    assert Photo.objects.count() == 0


def test_upload_with_the_csrf_token_ckeditor_sends_is_accepted(reporter):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    log_in(client, reporter)
    client.get("/admin/")  # a back-office page sets the CSRF cookie, as the editor's page does
    token = client.cookies["csrftoken"].value

    response = client.post(
        UPLOAD_URL, {"upload": as_upload(encode(noise((100, 100))))}, headers={"x-csrftoken": token}
    )

    assert response.status_code == 201
    assert Photo.objects.count() == 1


def test_too_many_uploads_are_slowed_down(client, reporter, monkeypatch):
    monkeypatch.setattr(upload_module, "UPLOAD_RATE", "2/h")
    log_in(client, reporter)
    image = encode(noise((100, 100)))

    statuses = [post_photo(client, image).status_code for _ in range(3)]

    assert statuses == [201, 201, 429]
    assert Photo.objects.count() == 2


# --- {% photo_figure %} -------------------------------------------------------------------------------


def test_photo_figure_renders_picture_with_webp_source_caption_and_credit(photographer, settings):
    photo = photo_create(
        file=as_upload(encode(noise((1000, 500)))),
        caption="志愿者清理小广告",
        credit=photographer,
        alt_text="两名志愿者",
    )

    html = Template("{% load photos %}{% photo_figure photo %}").render(Context({"photo": photo}))

    assert "<picture>" in html and "<figure>" in html
    assert f'<source type="image/webp" srcset="{photo_srcset(photo, "webp")}"' in html
    assert f'src="{photo_rendition_url(photo, 960)}"' in html
    assert f'srcset="{photo_srcset(photo, "jpeg")}"' in html
    assert 'width="960" height="480"' in html
    assert 'alt="两名志愿者"' in html
    assert 'loading="lazy"' in html and 'decoding="async"' in html
    assert 'sizes="(min-width: 768px) 720px, 100vw"' in html
    assert '<figcaption>志愿者清理小广告 <span class="photo-credit">曹飞摄</span></figcaption>' in html
    assert photo.master.name not in html


def test_photo_figure_caption_argument_replaces_the_photo_caption_and_is_escaped():
    photo = photo_create(file=as_upload(encode(noise((500, 300)))), caption="原说明")

    html = Template('{% load photos %}{% photo_figure photo caption=text sizes="100vw" %}').render(
        Context({"photo": photo, "text": "<b>新说明</b>"})
    )

    assert "<figcaption>&lt;b&gt;新说明&lt;/b&gt;</figcaption>" in html
    assert "原说明" not in html and "photo-credit" not in html
    assert 'sizes="100vw"' in html


def test_photo_figure_renders_nothing_without_a_photo():
    assert Template("{% load photos %}{% photo_figure photo %}").render(Context({"photo": None})).strip() == ""


def test_photo_figure_for_the_lead_image_is_loaded_eagerly_with_high_priority():
    photo = photo_create(file=as_upload(encode(noise((500, 300)))), caption="头条图片", alt_text="描述")

    lead = Template("{% load photos %}{% photo_figure photo priority=True %}").render(Context({"photo": photo}))
    other = Template("{% load photos %}{% photo_figure photo %}").render(Context({"photo": photo}))

    assert 'loading="eager" fetchpriority="high"' in lead and 'loading="lazy"' not in lead
    assert 'loading="lazy"' in other and "fetchpriority" not in other


def test_photo_figure_of_a_photo_nobody_described_prints_no_image_without_alt_text():
    photo = photo_create(file=as_upload(encode(noise((500, 300)))))

    html = Template("{% load photos %}{% photo_figure photo %}").render(Context({"photo": photo}))

    assert "<img" not in html


# --- memory near the pixel cap ------------------------------------------------------------------------

# A 7200×5400 JPEG (38.9 million pixels, under the 40-million cap) whose top tenth is red, tagged "rotate 90°
# clockwise to display" (EXIF orientation 6). Built in its own process: the builder holds the whole picture.
BUILD_NEAR_CAP_JPEG = """
import sys
from PIL import Image
size = (7200, 5400)
image = Image.merge("RGB", [Image.linear_gradient("L").resize(size), Image.radial_gradient("L").resize(size),
                            Image.effect_noise((900, 675), 40).resize(size)])
image.paste((220, 0, 0), (0, 0, 7200, 540))
exif = Image.Exif()
exif[0x0112] = 6
image.save(sys.argv[1], "JPEG", quality=90, exif=exif)
"""

# Runs photo_create in a fresh process on the test database and prints the growth of its peak resident size.
MEASURE_PHOTO_CREATE = """
import io, json, resource, sys
import django
django.setup()
from pingcheng.photos.services import photo_create
data = open(sys.argv[1], "rb").read()
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
photo = photo_create(file=io.BytesIO(data), caption="near the cap")
after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"pk": photo.pk, "peak_growth_mb": (after - before) / 1024}))
"""


@pytest.mark.django_db(transaction=True)
def test_a_photo_near_the_pixel_cap_is_decoded_scaled_down_within_bounded_memory(tmp_path):
    """Decoding the whole 38.9-megapixel picture costs 150 MB for its pixels alone, and the rotation and
    colour conversion each copied them: about 300 MB of peak growth before the fix. Decoded at half scale by
    libjpeg (3600×2700, 40 MB) and resampled once to the master bound (3200×2400), it grows by about 100 MB.
    The bound of 160 MB leaves room for allocator differences between machines and still fails the old path.
    ``ru_maxrss`` is the process's peak resident size in kilobytes (Linux), so the photo is made in a fresh
    process whose peak so far is only Django's start-up."""
    import json
    import os
    import subprocess
    import sys

    from django.db import connection

    picture = tmp_path / "near-cap.jpg"
    subprocess.run([sys.executable, "-c", BUILD_NEAR_CAP_JPEG, str(picture)], check=True, timeout=120)
    assert picture.stat().st_size < 15 * 1024 * 1024
    repo = Path(__file__).resolve().parents[2]
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.settings",
        "PINGCHENG_WORKER_DB_NAME": str(connection.settings_dict["NAME"]),
        "PYTHONPATH": str(repo),
        "VAR_DIR": str(tmp_path / "var"),  # masters and renditions of the child land here, and go with tmp_path
    }
    result = subprocess.run([sys.executable, "-c", MEASURE_PHOTO_CREATE, str(picture)], cwd=repo, env=env,
                            capture_output=True, text=True, timeout=300)  # fmt: skip
    assert result.returncode == 0, result.stderr[-3000:]
    measured = json.loads(result.stdout.strip().splitlines()[-1])

    assert measured["peak_growth_mb"] < 160, measured
    photo = Photo.objects.get(pk=measured["pk"])
    assert (photo.width, photo.height) == (2400, 3200)  # upright, the longer side at twice the widest rendition
    assert sorted(photo.renditions, key=int) == ["480", "960", "1600"]
    master = Image.open(tmp_path / "var" / "photo-masters" / photo.master.name)
    assert master.size == (2400, 3200)
    red, green, blue = master.getpixel((2350, 1600))  # the red top band is now the right edge
    assert red > 180 and green < 60
