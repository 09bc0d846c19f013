"""Where photo masters live: outside MEDIA_ROOT, so the web server can only ever serve renditions."""

from django.conf import settings
from django.core.files.storage import FileSystemStorage


class PrivateStorage(FileSystemStorage):
    """A storage with no public URL: asking for one is a programming error, not a link to nothing."""

    def url(self, name):
        raise ValueError("Photo masters are private; link to a rendition instead.")


def photo_master_storage() -> FileSystemStorage:
    """A callable, so that migrations record this function and not a path from one machine's settings."""
    return PrivateStorage(location=settings.PHOTO_MASTER_ROOT)
