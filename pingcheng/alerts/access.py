"""Who may issue warnings, to which units, and whose boards they see; acknowledgement links by token.

Issuers are staff holding one of ``ALERT_ISSUER_ROLES`` (district administrators, street staff and the
district's supervisors, 督办人, by default): they issue to units in their scope — the units of those memberships
and everything below (a supervisor at the district: every street and community). A board is seen by the
warning's issuer and by district administrators; anyone else gets the same 404 as for a missing warning.
"""

from django.conf import settings
from django.db.models import QuerySet
from django.http import Http404

from pingcheng.alerts.models import Alert, AlertRecipient
from pingcheng.directory import access
from pingcheng.directory.models import Unit

# Warnings go to places where people live and work, not to departments or outside organisations.
TARGET_KINDS = (Unit.Kind.DISTRICT, Unit.Kind.STREET, Unit.Kind.COMMUNITY, Unit.Kind.VILLAGE, Unit.Kind.GRID)


def issuer_roles() -> list[str]:
    return list(settings.ALERT_ISSUER_ROLES)


def user_may_issue(user) -> bool:
    if not (getattr(user, "is_authenticated", False) and user.is_active and user.is_staff):
        return False
    return access.user_sees_everything(user) or access.user_has_role(user, *issuer_roles())


def alert_target_units(user) -> QuerySet[Unit]:
    """The units this user may send a warning to, in tree order."""
    if not user_may_issue(user):
        return Unit.objects.none()
    return access.units_for_user(user, roles=issuer_roles()).filter(is_active=True, kind__in=TARGET_KINDS)


def alerts_for_user(user) -> QuerySet[Alert]:
    """The warnings whose boards this user sees: their own, or all of them for a district administrator."""
    if not (getattr(user, "is_authenticated", False) and user.is_active and user.is_staff):
        return Alert.objects.none()
    if access.user_sees_everything(user):
        return Alert.objects.all()
    return Alert.objects.filter(issued_by=user)


def alert_access_for_board(*, user, alert_id) -> Alert:
    try:
        return alerts_for_user(user).select_related("issued_by").get(pk=alert_id)
    except (Alert.DoesNotExist, ValueError, TypeError, OverflowError):
        raise Http404("预警不存在") from None


def recipient_access_by_token(*, token: str) -> AlertRecipient:
    """The recipient a link was sent to; a wrong, truncated or foreign token is the same 404."""
    if not token or len(token) > 32:
        raise Http404("确认链接无效")
    try:
        return AlertRecipient.objects.select_related("alert").get(token=token)
    except AlertRecipient.DoesNotExist:
        raise Http404("确认链接无效") from None
