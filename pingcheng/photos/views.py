"""The image upload endpoint behind CKEditor 5 (``CK_EDITOR_5_UPLOAD_FILE_VIEW_NAME``) and other photo fields.

CKEditor's simple upload adapter POSTs the file as ``upload`` with an ``X-CSRFToken`` header and reads a JSON
answer: ``{"url": …}`` (or ``{"urls": {"default": …, "480": …}}``) on success, ``{"error": {"message": …}}``
otherwise, whatever the status code. It shows ``error.message`` to the editor, so every refusal is a JSON
body with a Chinese sentence; bad input never becomes a 500.

Each product mounts its own endpoint with ``photo_upload_view(roles=…)``: who may upload is the caller's
decision (the newsroom's roles for article bodies, street and community staff for activity reports).

``photo_words_view`` takes the caption, the photographer and the alt text of a photo just uploaded: the
editor's dialog sends them right after the upload (JSON in, JSON out), and the article form's list of pictures
still lacking words posts them as a plain form (a redirect back, with a message), so it works without script.
"""

import uuid
from collections.abc import Iterable

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Case, When
from django.http import JsonResponse
from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from django_ratelimit.core import is_ratelimited

from pingcheng.directory import access
from pingcheng.directory.models import Contributor
from pingcheng.errors import DomainError
from pingcheng.photos.access import photos_for_user
from pingcheng.photos.models import Photo
from pingcheng.photos.renditions import photo_rendition_url
from pingcheng.photos.services import photo_create, photo_update

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


class PhotoWordsForm(forms.ModelForm):
    """What a picture needs before readers see it: all three are required here (the library keeps older
    photos without them until they are used)."""

    credit = forms.ModelChoiceField(
        label=gettext_lazy("摄影"), queryset=Contributor.objects.none(),
        error_messages={"required": gettext_lazy("请选择拍摄这张图片的摄影者。"),
                        "invalid_choice": gettext_lazy("所选摄影者不存在或已停用，请重新选择。")},
    )  # fmt: skip

    class Meta:
        model = Photo
        fields = ["caption", "credit", "alt_text"]
        error_messages = {
            "caption": {"required": gettext_lazy("请填写图片说明（读者在图片下方看到的文字）。")},
            "alt_text": {"required": gettext_lazy("请填写替代文字：用一句话描述画面上有什么。")},
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["credit"].queryset = photo_credit_choices()
        for name in ("caption", "alt_text"):
            self.fields[name].required = True


def photo_credit_choices():
    """Who may be credited for a picture: active contributors, photographers first, then by name."""
    photographers_first = Case(When(kind=Contributor.Kind.PHOTOGRAPHER, then=0), default=1)
    return Contributor.objects.filter(is_active=True).order_by(photographers_first, "name", "pk")


def photo_words_view(*, roles: Iterable[str]):
    """A POST-only view setting a photo's caption, photographer and alt text, for users holding ``roles``.

    Answers JSON when the client asks for it (the editor's dialog), else redirects to ``next`` (a page of this
    site) with a message. Only someone who may change the photo (``pingcheng.photos.access``) may set them.
    """
    roles = frozenset(roles)

    @require_POST
    def photo_words(request):
        wants_json = request.get_preferred_type(["text/html", "application/json"]) == "application/json"

        def answer(message: str, *, status: int, photo: Photo | None = None):
            if wants_json:
                if status >= 400:
                    return _error(message, status=status)
                return JsonResponse({"photo": photo.uuid.hex, "alt": photo.alt_text, "caption": photo.caption,
                                     "credit": photo.credit_line, "message": message},
                                    json_dumps_params={"ensure_ascii": False})  # fmt: skip
            (messages.success if status < 400 else messages.error)(request, message)
            target = request.POST.get("next", "")
            if not url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
                target = "/admin/"
            return redirect(target)

        if not user_may_upload_photos(request.user, roles):
            return answer(_("没有修改图片说明的权限。"), status=403)
        try:
            photo = photos_for_user(request.user).filter(uuid=uuid.UUID(request.POST.get("photo", ""))).first()
        except ValueError:
            photo = None
        if photo is None:
            return answer(_("找不到这张图片，可能已被删除。"), status=404)
        form = PhotoWordsForm(request.POST, instance=photo)
        if not form.is_valid():
            first = next(iter(form.errors.values()))[0]
            return answer(first, status=400)
        changes = {field: form.cleaned_data[field] for field in ("caption", "credit", "alt_text")}
        try:
            # A fresh instance: the form wrote the new values onto ``photo`` while validating them.
            photo = photo_update(photo=Photo.objects.get(pk=photo.pk), by=request.user, **changes)
        except (DomainError, ValidationError) as refused:
            return answer(refused.messages[0], status=403 if isinstance(refused, DomainError) else 400)
        return answer(_("图片说明、摄影和替代文字已保存。"), status=200, photo=photo)

    photo_words.is_upload_endpoint = True
    return photo_words
