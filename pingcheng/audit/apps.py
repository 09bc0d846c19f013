from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    """The audit trail. Each product registers its own models (``pingcheng.audit.registry.audit_register``)
    from its ``ready()``; this app holds the admin view of the trail and the record of personal-data exports,
    and the Chinese-named proxies through which the back office shows the trail and the login lockouts."""

    name = "pingcheng.audit"
    label = "audit"
    verbose_name = _("审计")

    def ready(self) -> None:
        from pingcheng.audit.log_filters import contacts_masked_in_request_logs
        from pingcheng.audit.models import AuditEntry, LoginLock, PersonalDataExport
        from pingcheng.audit.registry import audit_exempt

        contacts_masked_in_request_logs()
        audit_exempt(PersonalDataExport, reason="it is itself the record of an export and is never changed")
        audit_exempt(AuditEntry, reason="a read-only view of the audit trail itself")
        audit_exempt(LoginLock, reason="django-axes' failure counts; the unlock is logged by login_unlock")
