"""Where photo masters live: outside MEDIA_ROOT, so the web server can only ever serve renditions."""

from django.conf import settings
from django.core.files.storage import FileSystemStorage


def photo_master_storage() -> FileSystemStorage:
    """A callable, so that migrations record this function and not a path from one machine's settings."""
    return FileSystemStorage(location=settings.PHOTO_MASTER_ROOT, base_url=None)
