"""Where photo masters live: outside MEDIA_ROOT, so the web server can only ever serve renditions."""

from django.conf import settings
from django.core.files.storage import FileSystemStorage, Storage, default_storage


class PrivateStorage(FileSystemStorage):
    """A storage with no public URL: asking for one is a programming error, not a link to nothing."""

    def url(self, name):
        raise ValueError("Photo masters are private; link to a rendition instead.")


def photo_master_storage() -> FileSystemStorage:
    """A callable, so that migrations record this function and not a path from one machine's settings."""
    return PrivateStorage(location=settings.PHOTO_MASTER_ROOT)


def photo_rendition_storage(entry: dict) -> Storage:
    """Where one rendition's files are: MEDIA_ROOT (public, served by the web server under MEDIA_URL), or for a
    private photo (``photo_create(private=True)``, e.g. a resident's inquiry photo) the masters' private storage,
    which has no URL: such a photo is only ever sent by a view that checks who is asking."""
    return photo_master_storage() if entry.get("private") else default_storage
