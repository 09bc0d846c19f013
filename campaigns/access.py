"""Who sees and logs which campaign records: street staff their street and its communities, community staff
their community, grid workers their grid, district staff everything — on every view, export and admin page.

The one choke point: every back-office queryset of activities and findings is narrowed here, and a record
out of reach is the same 404 as a missing one.
"""

from django.db.models import Q, QuerySet
from django.http import Http404

from campaigns.models import Activity, Campaign, Finding
from pingcheng.directory import access as directory_access
from pingcheng.directory.models import Role, Unit

# The roles whose memberships open a unit's campaign records. A newsroom correspondent's membership in a
# community makes them its reporter, not its staff: it opens nothing here.
CAMPAIGN_ROLES = frozenset({Role.STREET_STAFF, Role.COMMUNITY_STAFF, Role.GRID_WORKER, Role.DISTRICT_ADMIN})
# Who may order rectification, re-inspect and clear a finding: staff of the unit the finding belongs to,
# never a grid worker alone (a grid worker finds and reports; the street or community decides).
FINDING_DECIDERS = frozenset({Role.STREET_STAFF, Role.COMMUNITY_STAFF, Role.DISTRICT_ADMIN})


def user_works_on_campaigns(user) -> bool:
    return directory_access.user_sees_everything(user) or directory_access.user_has_role(user, *CAMPAIGN_ROLES)


def units_for_campaign_user(user) -> QuerySet[Unit]:
    return directory_access.units_for_user(user, roles=CAMPAIGN_ROLES)


def activities_for_user(user) -> QuerySet[Activity]:
    """Activities held by a unit in the user's subtrees."""
    return directory_access.scope_to_user_units(Activity.objects.all(), user, unit_field="unit", roles=CAMPAIGN_ROLES)


def activity_access_for_user(*, user, pk) -> Activity:
    try:
        return activities_for_user(user).get(pk=pk)
    except (Activity.DoesNotExist, ValueError, TypeError):
        raise Http404("活动不存在") from None


def findings_for_user(user) -> QuerySet[Finding]:
    """Findings raised on the user's activities, and findings their units must rectify."""
    if directory_access.user_sees_everything(user):
        return Finding.objects.all()
    roots = directory_access.unit_paths_for_user(user, roles=CAMPAIGN_ROLES)
    if not roots:
        return Finding.objects.none()
    condition = Q()
    for root in roots:
        condition |= Q(activity__unit__path__startswith=root) | Q(responsible_unit__path__startswith=root)
    return Finding.objects.filter(condition)


def finding_access_for_user(*, user, pk) -> Finding:
    try:
        return findings_for_user(user).get(pk=pk)
    except (Finding.DoesNotExist, ValueError, TypeError):
        raise Http404("问题不存在") from None


def user_may_log_for(user, unit: Unit) -> bool:
    """Whether the user may log an activity or raise a finding for ``unit``."""
    return directory_access.user_may_act_for(user, unit, roles=CAMPAIGN_ROLES)


def campaign_units(campaign: Campaign, units: QuerySet[Unit]) -> QuerySet[Unit]:
    """Those of ``units`` that take part in ``campaign``: any unit in a district campaign; in a street's or a
    community's own campaign its lead unit and partners and the units below them, never a neighbour's."""
    if campaign.level == Campaign.Level.DISTRICT:
        return units
    roots = [campaign.lead_unit.path, *campaign.partner_units.values_list("path", flat=True)]
    condition = Q()
    for root in roots:
        condition |= Q(path__startswith=root)
    return units.filter(condition)


def campaigns_for_user(user) -> QuerySet[Campaign]:
    """The campaigns one of the user's units takes part in (``campaign_units`` as a set): every district
    campaign, and a street's or community's own where the user's units are among its lead and partners."""
    from campaigns.dashboard import DashboardScope  # the same rule, already written as one query there

    if directory_access.user_sees_everything(user):
        return Campaign.objects.all()
    return DashboardScope(roots=tuple(directory_access.unit_paths_for_user(user, roles=CAMPAIGN_ROLES))).campaigns()


def campaign_open_to(campaign: Campaign, unit: Unit) -> bool:
    return campaign_units(campaign, Unit.objects.filter(pk=unit.pk)).exists()


def user_may_decide_finding(user, finding: Finding) -> bool:
    """Order, re-inspect and clear: staff (not grid workers) of the unit where it was found, or of the unit
    it went to when it was escalated, or district staff."""
    units = [finding.activity.unit] + ([finding.escalated_to] if finding.escalated_to_id else [])
    return any(directory_access.user_may_act_for(user, unit, roles=FINDING_DECIDERS) for unit in units)


def user_may_rectify(user, finding: Finding) -> bool:
    """Report progress on a finding: the responsible unit's people, or whoever may decide it."""
    return directory_access.user_may_act_for(user, finding.responsible_unit, roles=CAMPAIGN_ROLES) or (
        user_may_decide_finding(user, finding)
    )
