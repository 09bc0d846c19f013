"""The photo pipeline: every uploaded image becomes a re-encoded JPEG master and generated renditions.

The uploaded bytes are never kept nor served. They are decoded by Pillow (a short list of formats, with
byte and pixel caps checked before any pixels are decoded), and what we store is a fresh encoding of the
decoded pixels: metadata (EXIF with GPS positions, ICC profiles, comments, XMP) and anything smuggled in
around the pixel data (HTML, scripts) is left behind. Masters live in ``Photo.master``'s own storage,
outside MEDIA_ROOT; renditions go to ``default_storage`` under ``photos/%Y/%m/`` and are what pages show.
A master is at most ``master_max_side()`` pixels on its longer side (twice the widest rendition): a larger
upload is scaled down as it is decoded (JPEG at a reduced DCT scale), so memory stays bounded near the cap.
"""

from __future__ import annotations

import io
import logging
import posixpath
import re
import struct
import warnings
from datetime import date

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils.translation import gettext as _
from PIL import Image, ImageCms, ImageOps, UnidentifiedImageError

from pingcheng.directory.models import Contributor
from pingcheng.errors import DomainError
from pingcheng.photos.models import Photo
from pingcheng.photos.renditions import RENDITION_FORMATS
from pingcheng.photos.signals import photo_changed
from pingcheng.photos.storage import photo_rendition_storage

logger = logging.getLogger(__name__)

ALLOWED_FORMATS = ("JPEG", "PNG", "WEBP", "GIF")
MIN_SIDE = 16
MASTER_QUALITY = 85
JPEG_RENDITION_QUALITY = 82
WEBP_RENDITION_QUALITY = 80
_EXTENSIONS = {"webp": "webp", "jpeg": "jpg"}
# Modes Pillow resamples well as they are; palette, 1-bit and 16-bit images are converted to RGB first.
_RESIZABLE_MODES = ("RGB", "RGBA", "L", "LA", "CMYK")

# Browsers decide whether bytes "look like HTML" from the first 1445 bytes (WHATWG MIME Sniffing,
# "resource header"); markup there is refused outright. Markup further in cannot survive re-encoding.
SNIFF_BYTES = 1445
_MARKUP = re.compile(rb"<(?:svg|html|script|body|iframe|!doctype|\?xml-stylesheet)\b", re.IGNORECASE)
_LEADING_NOISE = b" \t\r\n\f\x00\xef\xbb\xbf"  # whitespace, NULs and a UTF-8 BOM before a "<"

# What Pillow raises while decoding data it does not like (a truncated stream is an OSError).
_DECODE_ERRORS = (OSError, SyntaxError, ValueError, EOFError, struct.error, IndexError, TypeError, KeyError)


class PhotoRejected(ValidationError):
    """An upload that is not an acceptable photo; ``messages[0]`` is a Chinese sentence for the uploader."""


def photo_create(
    *,
    file,
    caption: str = "",
    credit: Contributor | None = None,
    alt_text: str = "",
    taken_on: date | None = None,
    uploaded_by=None,
    private: bool = False,
) -> Photo:
    """Validate and re-encode an uploaded image, store master and renditions, and save the ``Photo``.

    ``file`` is any file object (an ``UploadedFile`` from a form or a ``BytesIO``); its name is ignored.
    Raises ``PhotoRejected`` (with a ``code``) for anything that is not a decodable JPEG/PNG/WebP/GIF within
    the byte and pixel caps, and a plain ``ValidationError`` when the caption or alt text is too long.
    Side effects: one master file in the master storage, two files per rendition width in
    ``default_storage``; if anything fails part-way, the files already written are removed again. A ``private``
    photo (personal data, e.g. a resident's inquiry photo) keeps its renditions beside the master, outside
    MEDIA_ROOT, so no URL reaches them: its product serves them through a view that checks access.
    """
    photo = Photo(caption=caption, alt_text=alt_text, credit=credit, taken_on=taken_on, uploaded_by=uploaded_by)
    # Text fields first: a caption that is too long must not cost a decode and leave files behind.
    photo.full_clean(exclude=["master", "renditions", "width", "height"])

    data = _read_capped(file)
    _refuse_markup(data)
    image = _decode(data)
    master_bytes = _encode(image, "jpeg", quality=MASTER_QUALITY, optimize=True, progressive=True)

    written: list[tuple[object, str]] = []
    try:
        photo.master.save("master.jpg", ContentFile(master_bytes), save=False)
        written.append((photo.master.storage, photo.master.name))
        photo.width, photo.height = image.size
        photo.renditions = _make_renditions(photo, image, written, private=private)
        photo.save()
    except BaseException:
        # Not swallowed: the files of a photo that was never saved are orphans, so remove them and re-raise.
        for storage, name in written:
            storage.delete(name)
        raise
    return photo


PHOTO_TEXT_FIELDS = ("caption", "alt_text", "credit", "taken_on")


@transaction.atomic
def photo_update(*, photo: Photo, by, **changes) -> Photo:
    """Change a photo's caption, alt text, credit or date; only for whoever may change what shows it.

    Raises ``DomainError`` (code ``photo_change_forbidden``) otherwise, so a correspondent cannot re-credit a
    picture on a published article. The pixels never change: a new picture is a new upload. Side effect:
    ``photo_changed`` is sent in the transaction, for the products that show the photo.
    """
    from pingcheng.photos.access import photo_user_may_change

    unknown = set(changes) - set(PHOTO_TEXT_FIELDS)
    if unknown:
        raise ValueError(f"photo_update cannot change {sorted(unknown)}")
    current = Photo.objects.select_for_update().get(pk=photo.pk)
    if not photo_user_may_change(by, current):
        raise DomainError(_("这张图片已用于您无权修改的内容，不能更改其说明或署名。"), code="photo_change_forbidden")
    for field, value in changes.items():
        setattr(photo, field, value)
    photo.full_clean(exclude=["master", "renditions", "width", "height"])
    photo.save(update_fields=[*changes] if changes else None)
    # Readers see captions and credits on published pages: the products showing it record and announce it.
    previous = {field: getattr(current, field) for field in changes}
    photo_changed.send(sender=Photo, photo=photo, by=by, fields=sorted(changes), previous=previous)
    return photo


@transaction.atomic
def photo_delete(*, photo: Photo, by) -> None:
    """Delete an unused photo and, after commit, its files. A photo in use is never deleted."""
    from pingcheng.photos.access import photo_user_may_delete

    current = Photo.objects.select_for_update().get(pk=photo.pk)
    if not photo_user_may_delete(by, current):
        raise DomainError(_("这张图片正在使用中，或不是您上传的，不能删除。"), code="photo_delete_forbidden")
    current.delete()
    transaction.on_commit(lambda: photo_delete_files(current))


def photo_make_private(photo: Photo) -> bool:
    """Move a photo's public renditions beside its master (what ``photo_create(private=True)`` writes), for a
    photo found to be personal data after it was stored. Returns whether anything moved; a second run moves
    nothing. The row is saved before the public files go, so a failure part-way leaves a copy, never none."""
    moved = {}
    for width, entry in (photo.renditions or {}).items():
        if entry.get("private"):
            moved[width] = entry
            continue
        private = {**entry, "private": True}
        for fmt in RENDITION_FORMATS:
            if entry.get(fmt) and default_storage.exists(entry[fmt]):
                with default_storage.open(entry[fmt]) as public_file:
                    private[fmt] = photo_rendition_storage(private).save(entry[fmt], ContentFile(public_file.read()))
        moved[width] = private
    if moved == photo.renditions:
        return False
    public = [entry for entry in photo.renditions.values() if not entry.get("private")]
    photo.renditions = moved
    photo.save(update_fields=["renditions"])
    for entry in public:
        for fmt in RENDITION_FORMATS:
            if entry.get(fmt):
                default_storage.delete(entry[fmt])
    return True


def photo_delete_files(photo: Photo) -> None:
    """Remove the master and every rendition file. Safe to run twice; the row itself is left alone."""
    for entry in (photo.renditions or {}).values():
        for fmt in RENDITION_FORMATS:
            if entry.get(fmt):
                photo_rendition_storage(entry).delete(entry[fmt])
    if photo.master:
        photo.master.storage.delete(photo.master.name)


def _read_capped(file) -> bytes:
    limit = settings.PHOTO_MAX_UPLOAD_BYTES
    declared = getattr(file, "size", None)
    if declared is not None and declared > limit:
        raise _too_large(limit)
    if hasattr(file, "seek"):
        file.seek(0)
    # Read one byte past the cap: a file object whose size was unknown or wrong is still stopped.
    data = file.read(limit + 1)
    if len(data) > limit:
        raise _too_large(limit)
    if not data:
        raise PhotoRejected(_("上传的文件是空的，请重新选择图片。"), code="photo_empty")
    return data


def _too_large(limit: int) -> PhotoRejected:
    return PhotoRejected(
        _("图片文件超过 %(limit)s MB 的上限，请压缩后再上传。"),
        code="photo_too_large",
        params={"limit": f"{limit / (1024 * 1024):g}"},
    )


def _refuse_markup(data: bytes) -> None:
    """Refuse SVG, HTML and image/HTML polyglots whatever the file is called."""
    head = data[:SNIFF_BYTES]
    if head.lstrip(_LEADING_NOISE).startswith(b"<") or _MARKUP.search(head):
        raise PhotoRejected(_("这个文件含有网页或 SVG 代码，不是照片，不能上传。"), code="photo_markup")


def _decode(data: bytes) -> Image.Image:
    """Open, check the caps, decode and normalise to an sRGB RGB image without any metadata."""
    with warnings.catch_warnings():
        # Pillow only warns between MAX_IMAGE_PIXELS and twice that; for an upload, a warning is a refusal.
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            image = Image.open(io.BytesIO(data), formats=ALLOWED_FORMATS)
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise _bomb() from None
        except UnidentifiedImageError:
            raise PhotoRejected(
                _("无法识别的图片格式：只能上传 JPEG、PNG、WebP 或 GIF 图片。"), code="photo_unsupported_format"
            ) from None
        except _DECODE_ERRORS:
            raise _corrupt() from None

        # The declared size is known from the header alone: refuse before a single pixel is decoded.
        width, height = image.size
        if width * height > settings.PHOTO_MAX_PIXELS:
            raise PhotoRejected(
                _("图片像素太多（%(width)s×%(height)s），请缩小到 %(limit)s 万像素以内再上传。"),
                code="photo_too_many_pixels",
                params={"width": width, "height": height, "limit": settings.PHOTO_MAX_PIXELS // 10_000},
            )
        if width < MIN_SIDE or height < MIN_SIDE:
            raise PhotoRejected(
                _("图片太小，宽和高至少要 %(min)s 像素。"), code="photo_too_small", params={"min": MIN_SIDE}
            )
        max_side = master_max_side()
        try:
            if image.format == "JPEG" and max(width, height) > max_side:
                # libjpeg scales by 1/2, 1/4 or 1/8 while it decodes (DCT scaling): a 39-megapixel photo is
                # decoded at a quarter of its pixels, about 40 MB, instead of whole (150 MB, and as much again
                # for each full-size copy after it).
                image.draft(None, _fit_size(image.size, max_side))
            image.load()  # GIF, animated WebP and APNG: the first frame only
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise _bomb() from None
        except _DECODE_ERRORS:
            raise _corrupt() from None

    if image.mode in _RESIZABLE_MODES:
        # Other formats are decoded whole; shrink before the rotation and colour conversion copy the pixels.
        image = _shrink(image, max_side)
    image = _upright(image)
    image = _to_srgb(image)
    image = _shrink(image, max_side)  # palette and 16-bit images, which are only resized once they are RGB
    image.info = {}  # Pillow's encoders copy a comment or ICC profile from ``info``; nothing may carry over
    return image


def master_max_side() -> int:
    """The longest side a master may have: twice the widest rendition, so that any rendition a page or a
    high-density screen may need can still be made from it. Larger uploads are scaled down while decoding,
    which is what keeps a photo near the pixel cap from costing hundreds of megabytes of memory."""
    return 2 * max(settings.PHOTO_RENDITION_WIDTHS)


def _fit_size(size: tuple[int, int], max_side: int) -> tuple[int, int]:
    width, height = size
    scale = min(1.0, max_side / max(width, height))
    return max(1, round(width * scale)), max(1, round(height * scale))


def _shrink(image: Image.Image, max_side: int) -> Image.Image:
    target = _fit_size(image.size, max_side)
    if target == image.size:
        return image
    # reducing_gap: Pillow first reduces by a whole factor (box averaging, cheap), then resamples the rest.
    return image.resize(target, Image.Resampling.LANCZOS, reducing_gap=3.0)


def _bomb() -> PhotoRejected:
    return PhotoRejected(_("图片尺寸异常，疑似恶意文件，不能上传。"), code="photo_decompression_bomb")


def _corrupt() -> PhotoRejected:
    return PhotoRejected(_("图片文件已损坏或不完整，请重新导出后再上传。"), code="photo_corrupt")


def _upright(image: Image.Image) -> Image.Image:
    """Apply the EXIF orientation, since the master is stored without the EXIF that would say it."""
    try:
        # In place: without an orientation tag there is nothing to do, and a copy would double the memory.
        ImageOps.exif_transpose(image, in_place=True)
        return image
    except _DECODE_ERRORS:
        # Broken EXIF is common in phone pictures and only costs the rotation; the pixels are fine.
        logger.warning("photo upload: unreadable EXIF orientation, kept as stored")
        return image


def _to_srgb(image: Image.Image) -> Image.Image:
    """An RGB image: colour-managed into sRGB when the upload carries a profile, alpha flattened on white.

    Dropping an ICC profile without converting would wash out the wide-gamut (Display P3) pictures that
    phones take, so pixels are converted to sRGB first, which is what browsers assume for untagged JPEGs.
    """
    icc = image.info.get("icc_profile")
    if icc and image.mode in ("RGB", "CMYK"):
        try:
            return ImageCms.profileToProfile(
                image, ImageCms.ImageCmsProfile(io.BytesIO(icc)), ImageCms.createProfile("sRGB"), outputMode="RGB"
            )
        except (ImageCms.PyCMSError, OSError, ValueError):
            logger.warning("photo upload: unusable ICC profile, converted without colour management")
    has_alpha = image.mode in ("RGBA", "LA", "PA", "RGBa", "La") or (image.mode == "P" and "transparency" in image.info)
    if has_alpha:
        rgba = image.convert("RGBA")
        flat = Image.new("RGB", rgba.size, (255, 255, 255))
        flat.paste(rgba, mask=rgba.getchannel("A"))
        return flat
    if image.mode in ("I;16", "I;16B", "I;16L", "I"):
        # 16-bit greyscale PNG: scale to 8 bits, since a direct conversion clips everything above 255 to white.
        image = image.point(lambda value: value / 256).convert("L")
    return image if image.mode == "RGB" else image.convert("RGB")


def _encode(image: Image.Image, fmt: str, **options) -> bytes:
    buffer = io.BytesIO()
    if fmt == "webp":
        image.save(buffer, "WEBP", quality=WEBP_RENDITION_QUALITY, method=4, **options)
    else:
        image.save(buffer, "JPEG", **options)
    return buffer.getvalue()


def _make_renditions(photo: Photo, master: Image.Image, written: list, *, private: bool = False) -> dict:
    folder = posixpath.join("photos", posixpath.dirname(photo.master.name))
    storage = photo_rendition_storage({"private": private})
    renditions: dict[str, dict] = {}
    for width in _target_widths(master.width):
        height = max(1, round(master.height * width / master.width))
        resized = (
            master
            if width == master.width
            else master.resize((width, height), Image.Resampling.LANCZOS, reducing_gap=3.0)
        )
        resized.info = {}
        entry: dict[str, object] = {"height": height, **({"private": True} if private else {})}
        for fmt in RENDITION_FORMATS:
            options = (
                {} if fmt == "webp" else {"quality": JPEG_RENDITION_QUALITY, "optimize": True, "progressive": True}
            )
            name = f"{folder}/{photo.uuid.hex}.{width}.{_EXTENSIONS[fmt]}"
            saved = storage.save(name, ContentFile(_encode(resized, fmt, **options)))
            written.append((storage, saved))
            entry[fmt] = saved
        renditions[str(width)] = entry
    return renditions


def _target_widths(master_width: int) -> list[int]:
    widths = sorted(w for w in settings.PHOTO_RENDITION_WIDTHS if w <= master_width)
    # A photo narrower than the smallest rendition still needs one rendition: its own width.
    return widths or [master_width]
