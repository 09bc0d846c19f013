from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PhotosConfig(AppConfig):
    name = "pingcheng.photos"
    label = "photos"
    verbose_name = _("图片")

    def ready(self) -> None:
        from pingcheng.audit.registry import audit_register
        from pingcheng.photos import checks  # noqa: F401 — registers the storage check
        from pingcheng.photos.models import Photo

        audit_register(Photo)
