"""Registering a product's models with the audit log (django-auditlog), from the product's own ``ready()``.

``audit_register(Model)`` records every create, change and delete of the model made through the ORM's
``save()``/``delete()``; ``AuditActorMiddleware`` names the logged-in user as the actor, and writes made outside
a request (Celery tasks, management commands) have none. Derived values (``DERIVED_FIELDS``, wherever a
model has them) and fields set on every save (``auto_now``) are left out of the diff: they follow from the
fields that are recorded, and the entry's own timestamp says when.

``QuerySet.update()`` sends no signals and is not recorded: services use it for guarded state transitions
that the product records in its own history (an article's events), not for staff edits.
"""

from collections.abc import Iterable

from auditlog.models import LogEntry
from auditlog.registry import auditlog
from auditlog.signals import pre_log
from django.db import models

# auditlog's own AUDITLOG_EXCLUDE_TRACKING_FIELDS works only with AUDITLOG_INCLUDE_ALL_MODELS.
DERIVED_FIELDS = ("search_text", "renditions", "char_count", "edited_at", "version")
_CREATION_NOT_LOGGED: set[type[models.Model]] = set()
_EXEMPT: dict[type[models.Model], str] = {}
SECRET_SHOWN_AS = "******"


def audit_register(
    *audited: type[models.Model],
    exclude: Iterable[str] = (),
    mask: Iterable[str] = (),
    mask_callable: str | None = None,
    m2m: Iterable[str] = (),
    log_creation: bool = True,
) -> None:
    """Record staff writes to each of the ``audited`` models in the audit log.

    ``mask`` fields are recorded as changed with their values masked by ``mask_callable`` (a dotted path;
    default: ``mask_secret``, which shows nothing of them); ``m2m`` many-to-many fields are recorded as links
    added and removed. ``log_creation=False`` for rows that the system creates as a side effect of another
    write (an outbox notice): their later staff changes are still recorded.
    """
    for model in audited:
        auto_now = [f.name for f in model._meta.concrete_fields if getattr(f, "auto_now", False)]
        auditlog.register(
            model,
            exclude_fields=[*exclude, *auto_now, *DERIVED_FIELDS],
            mask_fields=list(mask),
            mask_callable=mask_callable or "pingcheng.audit.registry.mask_secret",
            m2m_fields=set(m2m),
        )
        if not log_creation:
            _CREATION_NOT_LOGGED.add(model)
            pre_log.connect(_skip_creation, sender=model, dispatch_uid=f"audit.skip_creation.{model._meta.label}")


def audit_exempt(*models_: type[models.Model], reason: str) -> None:
    """Declare that staff writes to these models need no audit entry, and why (a test checks every model of
    the project is either audited or exempt, so a new product's models are not forgotten)."""
    for model in models_:
        _EXEMPT[model] = reason


def audit_exemptions() -> dict[type[models.Model], str]:
    return dict(_EXEMPT)


def mask_secret(value: str) -> str:
    """A secret (a password hash) is recorded as changed, never with its value."""
    return SECRET_SHOWN_AS


def mask_contact(value: str) -> str:
    """A resident's e-mail address or phone number, masked as on every back-office page."""
    from pingcheng.notices.masking import mask_address

    return mask_address(value)


def _skip_creation(sender, *, action, **kwargs) -> bool:
    return not (sender in _CREATION_NOT_LOGGED and action == LogEntry.Action.CREATE)
