"""The image upload endpoint behind CKEditor 5 (``CK_EDITOR_5_UPLOAD_FILE_VIEW_NAME``) and other photo fields.

CKEditor's simple upload adapter POSTs the file as ``upload`` with an ``X-CSRFToken`` header and reads a JSON
answer: ``{"url": …}`` (or ``{"urls": {"default": …, "480": …}}``) on success, ``{"error": {"message": …}}``
otherwise, whatever the status code. It shows ``error.message`` to the editor, so every refusal is a JSON
body with a Chinese sentence; bad input never becomes a 500.

Each product mounts its own endpoint with ``photo_upload_view(roles=…)``: who may upload is the caller's
decision (the newsroom's roles for article bodies, street and community staff for activity reports).
"""

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.http import JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_ratelimit.core import is_ratelimited

from pingcheng.directory import access
from pingcheng.photos.renditions import photo_rendition_url
from pingcheng.photos.services import photo_create

# Largest rendition put into a rich-text body: wide enough for the article column on a retina screen.
BODY_IMAGE_MAX_WIDTH = 1600
# A photographer filing a whole event uploads a few dozen pictures an hour; a runaway script uploads more.
UPLOAD_RATE = "120/h"


def user_may_upload_photos(user, roles: Iterable[str]) -> bool:
    """Active staff holding one of ``roles`` anywhere, or someone who sees everything."""
    if not (getattr(user, "is_authenticated", False) and user.is_active and user.is_staff):
        return False
    return access.user_sees_everything(user) or access.user_has_role(user, *roles)


def photo_upload_view(*, roles: Iterable[str], rate_group: str):
    """A POST-only upload view for users holding one of ``roles``; ``rate_group`` names its rate limit."""
    roles = frozenset(roles)

    @require_POST
    def photo_upload(request):
        if not user_may_upload_photos(request.user, roles):
            return _error(_("没有上传图片的权限。"), status=403)
        if is_ratelimited(request=request, group=rate_group, key="user", rate=UPLOAD_RATE, increment=True):
            return _error(_("上传太频繁，请稍后再试。"), status=429)

        upload = request.FILES.get("upload")
        if upload is None:
            return _error(_("没有收到图片文件，请重新选择。"), status=400)
        try:
            photo = photo_create(file=upload, uploaded_by=request.user)
        except ValidationError as error:
            return _error(error.messages[0], status=400)

        url = photo_rendition_url(photo, BODY_IMAGE_MAX_WIDTH)
        urls = {"default": url}
        urls.update({width: photo_rendition_url(photo, int(width)) for width in photo.renditions})
        # The adapter prefers "url" over "urls" when both are present; "urls" is there for adapters that read it.
        return JsonResponse({"url": url, "urls": urls, "photo_id": photo.pk}, status=201)

    # Marks the endpoint for the CSRF failure view (answers JSON here) and the fuzz test (staff only, skipped).
    photo_upload.is_upload_endpoint = True
    return photo_upload


def _error(message: str, *, status: int) -> JsonResponse:
    return JsonResponse({"error": {"message": message}}, status=status, json_dumps_params={"ensure_ascii": False})
