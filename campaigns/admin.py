"""The back office for campaigns: district staff manage types, their figures, campaigns and targets here.

Activities and findings are logged and moved through their steps by the services (the staff field pages);
here they are listed for the units in the user's scope, read-only, with their figures and history.
"""

from django.contrib import admin
from django.db import transaction
from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _

from campaigns import access
from campaigns.cache import CAMPAIGNS
from campaigns.errors import CampaignActionRefused
from campaigns.models import (
    Activity,
    ActivityEvent,
    ActivityFigure,
    Campaign,
    CampaignType,
    Finding,
    FindingEvent,
    Metric,
    Target,
)
from pingcheng.directory.access import scope_to_user_units, user_may_act_for
from pingcheng.directory.admin_base import RoleAdminMixin, RoleModelAdmin, ScopedModelAdmin, unit_choices_anywhere
from pingcheng.directory.models import Role
from pingcheng.page_cache import page_product_changed

DISTRICT = frozenset({Role.DISTRICT_ADMIN})
CAMPAIGN_STAFF = frozenset(access.CAMPAIGN_ROLES)
# A campaign may be led by any unit of the district, with partners anywhere.
unit_choices_anywhere(Campaign, "lead_unit", "partner_units")
unit_choices_anywhere(Target, "unit")


class PublicChangeMixin:
    """Types, their figures and campaigns are what the public campaign pages print (names, periods, whether a
    campaign or a figure is public): a change here refreshes the cached pages at once, as a service's does."""

    def _public_changed(self) -> None:
        transaction.on_commit(lambda: page_product_changed(CAMPAIGNS))

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        self._public_changed()

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        self._public_changed()

    def delete_queryset(self, request, queryset):
        super().delete_queryset(request, queryset)
        self._public_changed()


class MetricInline(RoleAdminMixin, admin.TabularInline):
    model = Metric
    view_roles = CAMPAIGN_STAFF
    change_roles = DISTRICT
    extra = 0
    fields = ["sort_order", "name", "unit", "code", "meaning", "allows_fraction", "is_public"]


@admin.register(CampaignType)
class CampaignTypeAdmin(PublicChangeMixin, RoleModelAdmin):
    view_roles = CAMPAIGN_STAFF
    change_roles = DISTRICT
    list_display = ["name", "slug", "metric_names", "is_active"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [MetricInline]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("metrics")

    @admin.display(description=_("统计指标"))
    def metric_names(self, obj: CampaignType) -> str:
        return "、".join(metric.name for metric in obj.metrics.all())


class TargetInline(RoleAdminMixin, admin.TabularInline):
    model = Target
    view_roles = CAMPAIGN_STAFF
    change_roles = DISTRICT
    extra = 0
    autocomplete_fields = ["unit"]
    fields = ["unit", "metric", "value"]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "metric":
            campaign = getattr(request, "_campaign_being_edited", None)
            if campaign is not None:
                kwargs["queryset"] = Metric.objects.filter(campaign_type=campaign.campaign_type)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_queryset(self, request):
        # A street's staff read their own units' targets of a district campaign, never the neighbours' (as on
        # the dashboard); district staff, who set them, all of them.
        return scope_to_user_units(super().get_queryset(request), request.user, roles=access.CAMPAIGN_ROLES)


@admin.register(Campaign)
class CampaignAdmin(PublicChangeMixin, RoleModelAdmin):
    """Every campaign staff member sees the campaigns (to log activities under them); district staff set them
    up, and a street's staff edit the ones their street leads."""

    view_roles = CAMPAIGN_STAFF
    change_roles = frozenset({Role.DISTRICT_ADMIN, Role.STREET_STAFF})
    list_display = ["title", "campaign_type", "level", "lead_unit", "starts_on", "ends_on", "is_public",
                    "activity_count"]  # fmt: skip
    list_filter = ["campaign_type", "level", "is_public"]
    search_fields = ["title", "description"]
    date_hierarchy = "starts_on"
    autocomplete_fields = ["lead_unit", "partner_units"]
    prepopulated_fields = {"slug": ["title"]}
    inlines = [TargetInline]
    list_select_related = ["campaign_type", "lead_unit"]

    def get_queryset(self, request):
        # The campaigns the user's units take part in: a neighbour street's own (often internal) campaign, its
        # targets and its activity count are none of this street's business (campaigns.access).
        return (
            super()
            .get_queryset(request)
            .filter(pk__in=access.campaigns_for_user(request.user).values("pk"))
            .annotate(activity_total=Count("activities", filter=~Q(activities__status=Activity.Status.DRAFT)))
        )

    @admin.display(description=_("活动数"), ordering="activity_total")
    def activity_count(self, obj: Campaign) -> int:
        return obj.activity_total

    def has_change_permission(self, request, obj=None):
        if not super().has_change_permission(request, obj):
            return False
        return obj is None or user_may_act_for(request.user, obj.lead_unit, roles=self.change_roles)

    def get_readonly_fields(self, request, obj=None):
        # The figures its activities recorded are the type's metrics: another type would hide them from every
        # total, target and ledger.
        if obj is not None and obj.activities.exists():
            return [*super().get_readonly_fields(request, obj), "campaign_type"]
        return super().get_readonly_fields(request, obj)

    def has_add_permission(self, request):
        return self._may(request, DISTRICT)

    def has_delete_permission(self, request, obj=None):
        # A campaign with activities keeps them (PROTECT); an empty one may go.
        return self._may(request, DISTRICT) and (obj is None or not obj.activities.exists())

    def get_form(self, request, obj=None, **kwargs):
        request._campaign_being_edited = obj
        return super().get_form(request, obj, **kwargs)

    def save_model(self, request, obj, form, change):
        # Any unit may be offered as the lead (a campaign may be led anywhere), but a street's staff may not hand
        # their campaign to a unit outside their street: they would give away what only the district may assign.
        if not user_may_act_for(request.user, obj.lead_unit, roles=self.change_roles):
            raise CampaignActionRefused(_("牵头单位须在您管辖的范围内。"), code="unit_out_of_scope")
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)


class ReadOnlyMixin:
    """Written only by campaigns.services (the field pages), for district administrators too."""

    def has_add_permission(self, request, *args):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyInline(ReadOnlyMixin, RoleAdminMixin, admin.TabularInline):
    view_roles = CAMPAIGN_STAFF
    extra = 0


class FigureInline(ReadOnlyInline):
    model = ActivityFigure
    fields = readonly_fields = ["metric", "value"]


class ActivityEventInline(ReadOnlyInline):
    model = ActivityEvent
    fields = readonly_fields = ["at", "action", "by", "note"]


@admin.register(Activity)
class ActivityAdmin(ReadOnlyMixin, ScopedModelAdmin):
    view_roles = CAMPAIGN_STAFF
    unit_field = "unit"
    list_display = ["title", "campaign", "unit", "starts_at", "status", "is_public"]
    list_filter = ["status", "campaign__campaign_type", "campaign", "is_public"]
    search_fields = ["title", "place", "summary"]
    date_hierarchy = "starts_at"
    list_select_related = ["campaign", "unit"]
    inlines = [FigureInline, ActivityEventInline]
    exclude = ["photos", "articles"]


class FindingEventInline(ReadOnlyInline):
    model = FindingEvent
    fields = readonly_fields = ["at", "action", "from_status", "to_status", "by", "note"]


@admin.register(Finding)
class FindingAdmin(ReadOnlyMixin, ScopedModelAdmin):
    view_roles = CAMPAIGN_STAFF
    unit_field = "activity__unit"
    list_display = ["location", "activity", "responsible_unit", "severity", "status", "deadline_due",
                    "escalated_to"]  # fmt: skip
    list_filter = ["status", "severity", "deadline_provisional"]
    search_fields = ["location", "description"]
    list_select_related = ["activity", "responsible_unit", "escalated_to"]
    inlines = [FindingEventInline]
    exclude = ["photos"]

    def get_queryset(self, request):
        # Also the findings a unit must rectify, raised on another unit's activity (campaigns.access).
        return access.findings_for_user(request.user).select_related(*self.list_select_related)

    def _object_in_scope(self, request, obj, *, change: bool) -> bool:
        return access.findings_for_user(request.user).filter(pk=obj.pk).exists()
