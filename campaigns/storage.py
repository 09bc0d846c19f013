from django.conf import settings
from django.core.files.storage import FileSystemStorage


def ledger_storage() -> FileSystemStorage:
    """Where built ledgers are kept: under VAR_DIR, never served; the download view checks who asks.

    Shared by the web processes and the Celery workers (on several hosts, a shared volume), like the photo masters.
    """
    return FileSystemStorage(location=settings.VAR_DIR / "ledgers", base_url=None)
