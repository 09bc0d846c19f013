import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from pingcheng.photos.storage import photo_master_storage


def photo_master_path(photo: "Photo", filename: str) -> str:
    # Never the uploader's file name: a dated folder and a random name with our own extension.
    return f"{timezone.localdate():%Y/%m}/{photo.uuid.hex}.jpg"


class Photo(models.Model):
    """Every image of every product: a re-encoded master kept out of MEDIA_URL, and generated renditions.

    ``renditions`` maps a width to the media-relative paths of its WebP and JPEG files:
    ``{"640": {"webp": "photos/2026/07/ab….640.webp", "jpeg": "…640.jpg"}}``. A photo belongs to whatever
    uses it (an article's figure, an activity's report …); who may change it follows those owners
    (``pingcheng.photos.access``).
    """

    uuid = models.UUIDField(_("编号"), default=uuid.uuid4, unique=True, editable=False)
    master = models.ImageField(
        _("原图（重新编码）"), storage=photo_master_storage, upload_to=photo_master_path,
        width_field="width", height_field="height", editable=False,
    )  # fmt: skip
    width = models.PositiveIntegerField(_("宽"), default=0, editable=False)
    height = models.PositiveIntegerField(_("高"), default=0, editable=False)
    caption = models.CharField(_("图片说明"), max_length=300, blank=True)
    alt_text = models.CharField(
        _("替代文字"), max_length=200, blank=True,
        help_text=_("供读屏软件朗读：用一句话描述画面上有什么，不要照抄图片说明。稿件送审前必须填写。"),
    )  # fmt: skip
    credit = models.ForeignKey(
        "directory.Contributor", verbose_name=_("摄影"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="photos",
    )  # fmt: skip
    taken_on = models.DateField(_("拍摄日期"), null=True, blank=True)
    renditions = models.JSONField(_("尺寸版本"), default=dict, editable=False)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("上传人"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )  # fmt: skip
    created_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("图片")
        verbose_name_plural = _("图片")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.caption[:40] or str(self.uuid)

    @property
    def alt(self) -> str:
        # Photos from before alt text was asked for got their caption as alt text (migration 0004); the
        # fallback only covers a photo whose words are still being filled in.
        return self.alt_text or self.caption

    def missing_words(self) -> list[str]:
        """What readers would miss, by label: the caption, the photographer's credit, the alt text."""
        missing = []
        if not self.caption.strip():
            missing.append(str(_("图片说明")))
        if not self.credit_id:
            missing.append(str(_("摄影")))
        if not self.alt_text.strip():
            missing.append(str(_("替代文字")))
        return missing

    @property
    def credit_line(self) -> str:
        """The photo credit as printed: ``曹飞摄``."""
        return f"{self.credit.name}摄" if self.credit_id else ""
