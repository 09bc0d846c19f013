from django import forms
from django.contrib import admin
from django.db import transaction
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from pingcheng.directory import access as directory_access
from pingcheng.directory.admin_base import RoleModelAdmin
from pingcheng.directory.models import NEWSROOM_ROLES, Role
from pingcheng.photos import access
from pingcheng.photos.models import Photo
from pingcheng.photos.renditions import photo_rendition_url
from pingcheng.photos.services import PhotoRejected, photo_create, photo_delete, photo_update


class PhotoChoicesMixin:
    """For any ModelAdmin or inline with a foreign key to Photo: offer, and accept, only the user's photos.

    The autocomplete already lists only those; without this a crafted POST could attach any photo by its id.
    """

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.related_model is Photo:
            kwargs["queryset"] = access.photos_for_user(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class PhotoAdminForm(forms.ModelForm):
    image = forms.ImageField(label=_("图片文件"), required=False,
                             help_text=_("JPEG、PNG、WebP 或 GIF。上传后重新编码并去除拍摄信息（EXIF）。"))  # fmt: skip

    class Meta:
        model = Photo
        fields = ["caption", "alt_text", "credit", "taken_on"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.instance.pk:
            # Asked for at upload, like the editor's dialog: a picture goes out with its words or not at all. The
            # photographer is one of the newsroom's contributors, whom only the newsroom may look up; street and
            # community staff filing an activity's pictures leave the credit to the editors.
            user = getattr(self, "uploaded_by", None)
            newsroom = user is not None and (
                directory_access.user_sees_everything(user) or directory_access.user_has_role(user, *NEWSROOM_ROLES)
            )
            for name in ("caption", "alt_text", *(["credit"] if newsroom else [])):
                self.fields[name].required = True

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk:
            return cleaned
        if not cleaned.get("image"):
            self.add_error("image", _("请选择要上传的图片。"))
        if self.errors:
            return cleaned
        try:
            # Created here so that a refused file is a form error; the admin's transaction still wraps it.
            self.created_photo = photo_create(
                file=cleaned["image"], caption=cleaned.get("caption", ""), credit=cleaned.get("credit"),
                alt_text=cleaned.get("alt_text", ""), taken_on=cleaned.get("taken_on"), uploaded_by=self.uploaded_by,
            )  # fmt: skip
        except PhotoRejected as rejected:
            self.add_error("image", rejected)
        return cleaned


@admin.register(Photo)
class PhotoAdmin(RoleModelAdmin):
    """The photo library: every staff member uploads; who may re-caption or delete follows where it is used."""

    view_roles = frozenset(Role.values)
    change_roles = frozenset(Role.values)
    form = PhotoAdminForm
    list_display = ["thumbnail", "caption", "credit", "taken_on", "width", "height", "created_at"]
    search_fields = ["caption", "alt_text", "credit__name"]
    autocomplete_fields = ["credit"]
    list_select_related = ["credit__unit"]
    readonly_fields = ["preview", "width", "height", "uuid"]

    def get_queryset(self, request):
        return access.photos_for_user(request.user)

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["image", "caption", "alt_text", "credit", "taken_on"]
        return ["preview", "caption", "alt_text", "credit", "taken_on", "width", "height", "uuid"]

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        form.uploaded_by = request.user
        return form

    def has_change_permission(self, request, obj=None) -> bool:
        if not super().has_change_permission(request, obj):
            return False
        return obj is None or access.photo_user_may_change(request.user, obj)

    def has_delete_permission(self, request, obj=None) -> bool:
        if not super().has_delete_permission(request, obj):
            return False
        return obj is None or access.photo_user_may_delete(request.user, obj)

    @admin.display(description=_("缩略图"))
    def thumbnail(self, obj: Photo):
        url = photo_rendition_url(obj, width=480)
        return format_html('<img src="{}" alt="" width="96" loading="lazy">', url) if url else "—"

    @admin.display(description=_("预览"))
    def preview(self, obj: Photo):
        url = photo_rendition_url(obj, width=960)
        return format_html('<img src="{}" alt="{}" style="max-width:480px;height:auto">', url, obj.alt) if url else "—"

    def save_model(self, request, obj, form, change):
        if change:
            photo_update(photo=obj, by=request.user, **{field: form.cleaned_data[field] for field in form.changed_data
                                                         if field in form.Meta.fields})  # fmt: skip
            return
        created = form.created_photo
        # The admin keeps using ``obj`` (for the log entry and the redirect): make it the created row.
        obj.__dict__.update({k: v for k, v in created.__dict__.items() if k != "_state"})
        obj._state.adding = False
        obj._state.db = created._state.db

    def delete_model(self, request, obj):
        photo_delete(photo=obj, by=request.user)

    def delete_queryset(self, request, queryset):
        # All or nothing: one photo that may not go refuses the whole selection, with its message.
        with transaction.atomic():
            for photo in queryset:
                photo_delete(photo=photo, by=request.user)
