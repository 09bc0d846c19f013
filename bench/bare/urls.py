"""One view per page, each returning bytes read once at start."""

from pathlib import Path

from django.conf import settings
from django.http import HttpResponse
from django.urls import path


def _view(body: bytes):
    def page(request):
        return HttpResponse(body, content_type="text/html; charset=utf-8")

    return page


urlpatterns = [
    path(file.stem, _view(file.read_bytes()), name=file.stem)
    for file in sorted(Path(settings.BARE_PAGES_DIR).glob("*.html"))
]
