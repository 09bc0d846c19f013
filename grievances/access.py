"""Who sees and acts on which inquiries — the one choke point for every back-office queryset and lookup.

- Dispatchers (督办人 ``SUPERVISOR``, district administrators, superusers) see every inquiry, assign and reassign
  them, approve extensions, supervise, reject and close.
- Handlers (a ``DEPARTMENT_HANDLER``, or street / community staff) see the inquiries whose lead unit or one of
  whose co-handling units lies in their units' subtrees; they accept, answer, return and ask for time for
  the inquiries their unit leads.
- Only the lead unit's handlers may see a resident's phone unmasked (to call back), and every reveal is logged.

An inquiry out of reach is the same 404 as a missing one. Residents reach theirs by tracking code and the
last four digits of their phone (``inquiry_access_by_code``): the same ``None`` for a wrong code and a wrong
phone.
"""

import hmac

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404

from grievances.models import CoHandling, Inquiry, tracking_code_normalise
from pingcheng.directory import access as directory_access
from pingcheng.directory.models import Role, Unit

HANDLER_ROLES = frozenset({Role.DEPARTMENT_HANDLER, Role.STREET_STAFF, Role.COMMUNITY_STAFF})
DISPATCHER_ROLES = frozenset({Role.SUPERVISOR, Role.DISTRICT_ADMIN})


def user_is_dispatcher(user) -> bool:
    return directory_access.user_sees_everything(user) or directory_access.user_has_role(user, *DISPATCHER_ROLES)


def user_is_handler(user) -> bool:
    return directory_access.user_has_role(user, *HANDLER_ROLES)


def user_works_on_inquiries(user) -> bool:
    return user_is_dispatcher(user) or user_is_handler(user)


def _handler_paths(user) -> list[str]:
    return directory_access.unit_paths_for_user(user, roles=HANDLER_ROLES)


def _in_paths(unit: Unit | None, paths: list[str]) -> bool:
    return unit is not None and any(unit.path.startswith(root) for root in paths)


def units_handled_by(user) -> QuerySet[Unit]:
    """The units whose inquiries the user handles (a dispatcher's own handler units only)."""
    paths = _handler_paths(user)
    if not paths:
        return Unit.objects.none()
    condition = Q()
    for root in paths:
        condition |= Q(path__startswith=root)
    return Unit.objects.filter(condition)


def inquiries_for_user(user) -> QuerySet[Inquiry]:
    """Every inquiry the user may open in the back office."""
    if user_is_dispatcher(user):
        return Inquiry.objects.all()
    paths = _handler_paths(user)
    if not paths:
        return Inquiry.objects.none()
    lead = Q()
    co = Q()
    for root in paths:
        lead |= Q(lead_unit__path__startswith=root)
        co |= Q(unit__path__startswith=root)
    co_handled = Exists(CoHandling.objects.filter(co, inquiry=OuterRef("pk")))
    return Inquiry.objects.filter(lead | Q(co_handled))


def inquiry_access_for_user(*, user, pk) -> Inquiry:
    """The inquiry if the user may open it; the same 404 whether it is missing or someone else's."""
    try:
        return inquiries_for_user(user).select_related("topic", "lead_unit", "place_unit").get(pk=pk)
    except (Inquiry.DoesNotExist, ValueError, TypeError, OverflowError):
        raise Http404("诉求不存在") from None


def user_may_handle(user, inquiry: Inquiry) -> bool:
    """A handler of the lead unit (or above it) — the ones who accept, answer, return and ask for time."""
    return _in_paths(inquiry.lead_unit, _handler_paths(user))


def user_may_co_handle(user, inquiry: Inquiry) -> bool:
    paths = _handler_paths(user)
    return bool(paths) and any(_in_paths(co.unit, paths) for co in inquiry.co_handlings.select_related("unit"))


def user_may_reveal_contact(user, inquiry: Inquiry) -> bool:
    """Only the handling unit calls the resident back: a dispatcher's overview role does not open the phone."""
    return inquiry.personal_data_erased_at is None and user_may_handle(user, inquiry)


def user_acting_unit(user, inquiry: Inquiry) -> Unit | None:
    """The unit in whose name the user acts on this inquiry: the lead unit, a co-handling unit, or their own."""
    if user_may_handle(user, inquiry):
        return inquiry.lead_unit
    paths = _handler_paths(user)
    for co in inquiry.co_handlings.select_related("unit"):
        if _in_paths(co.unit, paths):
            return co.unit
    memberships = directory_access._active_memberships(user, DISPATCHER_ROLES)
    return memberships[0].unit if memberships else None


def inquiry_access_by_code(*, code: str, phone_tail: str) -> Inquiry | None:
    """The resident's inquiry by tracking code and the last four digits of the phone, or None.

    A malformed code, an unknown code and a wrong phone tail all give None, in about the same time (the tail
    is compared in constant time, and a missing row compares against a dummy). Personal data erased: the
    tail is gone, so the code alone no longer opens it.
    """
    normalised = tracking_code_normalise(code)
    tail = "".join(ch for ch in (phone_tail or "") if ch.isdigit())
    if not normalised or len(tail) != 4:
        return None
    inquiry = Inquiry.objects.select_related("topic", "lead_unit").filter(tracking_code=normalised).first()
    stored = inquiry.phone_tail if inquiry is not None else "----"
    if not stored or not hmac.compare_digest(stored.encode(), tail.encode()) or inquiry is None:
        return None
    return inquiry


def inquiry_by_tracking(*, code: str, phone_tail: str) -> Inquiry | None:
    """Alias of ``inquiry_access_by_code`` under the name the public side was first promised."""
    return inquiry_access_by_code(code=code, phone_tail=phone_tail)


def inquiry_404() -> Http404:
    return Http404("诉求不存在")
