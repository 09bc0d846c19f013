"""A deployment whose photo masters sit under MEDIA_ROOT would publish them, and with them the private
renditions of residents' inquiry photos (``photo_create(private=True)`` keeps those beside the masters):
the web server serves everything under MEDIA_ROOT at MEDIA_URL (deploy/nginx.conf), with no access check."""

from pathlib import Path

from django.conf import settings
from django.core import checks


@checks.register(checks.Tags.security)
def check_photo_masters_outside_media(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    masters = Path(settings.PHOTO_MASTER_ROOT).resolve()
    media = Path(settings.MEDIA_ROOT).resolve()
    if masters == media or masters.is_relative_to(media) or media.is_relative_to(masters):
        return [
            checks.Error(
                f"PHOTO_MASTER_ROOT ({masters}) and MEDIA_ROOT ({media}) overlap: photo masters and residents' "
                "private inquiry photos would be served under MEDIA_URL.",
                hint="Point PHOTO_MASTER_ROOT at a folder outside MEDIA_ROOT (default: VAR_DIR/photo-masters).",
                id="photos.E001",
            )
        ]
    return []
