from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DirectoryConfig(AppConfig):
    name = "pingcheng.directory"
    label = "directory"
    verbose_name = _("区划与单位")

    def ready(self) -> None:
        from django.contrib.auth import get_user_model
        from django.contrib.auth.models import Group

        from pingcheng.audit.registry import audit_register
        from pingcheng.directory.models import Contributor, Membership, Unit

        audit_register(Unit, exclude=["path", "depth"])  # kept in step with the parent by unit_save
        audit_register(Membership, Contributor)
        # A password change is recorded as a change, never with the hash; a login is not a staff write.
        # Grants of Django's own powers (groups, permissions) are the highest-privilege writes of all.
        audit_register(get_user_model(), exclude=["last_login"], mask=["password"], m2m=["groups", "user_permissions"])
        audit_register(Group, m2m=["permissions"])
