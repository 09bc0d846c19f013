"""Where a photo's renditions are: URLs, ``srcset`` values and sizes for templates, feeds and the editor."""

from pingcheng.photos.models import Photo
from pingcheng.photos.storage import photo_rendition_storage

RENDITION_FORMATS = ("webp", "jpeg")


def photo_rendition_url(photo: Photo, width: int | None = None, fmt: str = "jpeg") -> str:
    """URL of the widest rendition not wider than ``width`` (the widest of all when ``width`` is None).

    When every rendition is wider than ``width``, the narrowest one. An empty string if the photo has none.
    """
    _check_format(fmt)
    widths = rendition_widths(photo)
    if not widths:
        return ""
    fitting = [w for w in widths if width is None or w <= width]
    chosen = fitting[-1] if fitting else widths[0]
    entry = photo.renditions[str(chosen)]
    return photo_rendition_storage(entry).url(entry[fmt])  # a private photo's storage refuses to give a URL


def photo_srcset(photo: Photo, fmt: str) -> str:
    """``srcset`` value for one format: ``"/media/…480.webp 480w, /media/…960.webp 960w"``."""
    _check_format(fmt)
    entries = [(w, photo.renditions[str(w)]) for w in rendition_widths(photo)]
    return ", ".join(f"{photo_rendition_storage(entry).url(entry[fmt])} {w}w" for w, entry in entries)


def photo_rendition_size(photo: Photo, width: int | None = None) -> tuple[int, int]:
    """Width and height of the rendition ``photo_rendition_url(photo, width)`` points at (0, 0 if none)."""
    widths = rendition_widths(photo)
    if not widths:
        return 0, 0
    fitting = [w for w in widths if width is None or w <= width]
    chosen = fitting[-1] if fitting else widths[0]
    return chosen, int(photo.renditions[str(chosen)].get("height", 0))


def rendition_widths(photo: Photo) -> list[int]:
    return sorted(int(w) for w in (photo.renditions or {}))


def _check_format(fmt: str) -> None:
    if fmt not in RENDITION_FORMATS:
        raise ValueError(f"unknown rendition format {fmt!r}; expected one of {RENDITION_FORMATS}")
