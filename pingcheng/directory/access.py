"""Who may see and act for which units: the one choke point every back-office queryset goes through.

A membership in a unit gives access to that unit and its whole subtree (a street's staff see the street,
its communities and their grids; never a neighbouring street). Superusers and district administrators see
everything. Results are memoised on the user object for the length of a request.
"""

from collections.abc import Iterable

from django.db.models import Q, QuerySet
from django.http import Http404

from pingcheng.directory.models import Membership, Role, Unit


def _active_memberships(user, roles: Iterable[str] | None = None) -> list[Membership]:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return []
    cached = getattr(user, "_pingcheng_memberships", None)
    if cached is None:
        cached = list(Membership.objects.filter(user=user, is_active=True, unit__is_active=True).select_related("unit"))
        user._pingcheng_memberships = cached
    if roles is not None:
        wanted = set(roles)
        return [m for m in cached if m.role in wanted]
    return cached


def user_roles(user, *, unit: Unit | None = None) -> set[str]:
    """The roles a user holds, anywhere or (with ``unit``) in that unit or one of its ancestors."""
    memberships = _active_memberships(user)
    if unit is not None:
        memberships = [m for m in memberships if unit.path.startswith(m.unit.path)]
    return {m.role for m in memberships}


def user_has_role(user, *roles: str, unit: Unit | None = None) -> bool:
    return bool(user_roles(user, unit=unit) & set(roles))


def user_sees_everything(user) -> bool:
    return bool(getattr(user, "is_superuser", False) and user.is_active) or user_has_role(user, Role.DISTRICT_ADMIN)


def user_is_district_admin(user) -> bool:
    return user_sees_everything(user)


def unit_paths_for_user(user, *, roles: Iterable[str] | None = None) -> list[str]:
    """The root paths of the subtrees the user may see; a path under another is dropped as redundant.

    With ``roles``, only memberships in those roles count: a correspondent's membership in a community makes
    them the community's reporter, not its staff, so it opens none of the community's ledgers.
    """
    paths = sorted({m.unit.path for m in _active_memberships(user, roles)})
    roots: list[str] = []
    for path in paths:
        if not any(path.startswith(root) for root in roots):
            roots.append(path)
    return roots


def units_for_user(user, *, roles: Iterable[str] | None = None) -> QuerySet[Unit]:
    """Every unit the user may see or act for (through a membership in one of ``roles``, if given)."""
    if user_sees_everything(user):
        return Unit.objects.all()
    return Unit.objects.filter(_path_q(unit_paths_for_user(user, roles=roles), "path"))


def scope_to_user_units(
    queryset: QuerySet, user, *, unit_field: str = "unit", distinct: bool = False, roles: Iterable[str] | None = None
) -> QuerySet:
    """Narrow ``queryset`` to rows whose ``unit_field`` lies in the user's subtrees (for ``roles``, if given).

    ``unit_field`` may cross relations (``activity__unit``); pass ``distinct=True`` for a many-to-many field,
    which would otherwise return a row once per matching unit.
    """
    if user_sees_everything(user):
        return queryset
    scoped = queryset.filter(_path_q(unit_paths_for_user(user, roles=roles), f"{unit_field}__path"))
    return scoped.distinct() if distinct else scoped


def unit_access_for_user(*, user, unit_id) -> Unit:
    """The unit if the user may act for it; the same 404 whether it is missing or out of reach."""
    try:
        return units_for_user(user).get(pk=unit_id)
    except (Unit.DoesNotExist, ValueError, TypeError):
        raise Http404("单位不存在") from None


def user_may_act_for(user, unit: Unit, *, roles: Iterable[str] | None = None) -> bool:
    return user_sees_everything(user) or any(
        unit.path.startswith(root) for root in unit_paths_for_user(user, roles=roles)
    )


def _path_q(roots: list[str], lookup: str) -> Q:
    if not roots:
        return Q(pk__in=[])
    condition = Q()
    for root in roots:
        condition |= Q(**{f"{lookup}__startswith": root})
    return condition
