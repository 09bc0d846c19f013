from django.apps import apps
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.core.exceptions import FieldDoesNotExist
from django.utils.translation import gettext_lazy as _

from pingcheng.directory import access
from pingcheng.directory.admin_base import (
    RoleAdminMixin,
    RoleModelAdmin,
    ScopedAdminMixin,
    ScopedModelAdmin,
    unit_choice_is_anywhere,
)
from pingcheng.directory.models import Membership, Role, Unit
from pingcheng.directory.services import unit_save

ALL_STAFF_ROLES = frozenset(Role.values)


def _autocomplete_source(request) -> tuple[type, str] | None:
    """The (model, field) an admin autocomplete request is filling in, when it names one that exists."""
    try:
        model = apps.get_model(request.GET["app_label"], request.GET["model_name"])
        model._meta.get_field(request.GET["field_name"])
    except (KeyError, LookupError, FieldDoesNotExist, ValueError):
        return None
    return model, request.GET["field_name"]


@admin.register(Unit)
class UnitAdmin(RoleModelAdmin):
    """Every staff member may look the directory up; only district administrators change it."""

    view_roles = ALL_STAFF_ROLES
    list_display = ["indented_name", "kind", "code", "address", "public_phones", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["name", "short_name", "code", "address"]
    autocomplete_fields = ["parent"]
    fields = ["name", "short_name", "code", "kind", "parent", "address", "public_phones", "description", "sort_order", "is_active"]

    @admin.display(description=_("名称"), ordering="path")
    def indented_name(self, obj: Unit) -> str:
        return "　" * obj.depth + obj.name

    def get_queryset(self, request):
        return access.units_for_user(request.user).select_related("parent")

    def get_search_results(self, request, queryset, search_term):
        # Autocomplete for another model's unit field: offer what that field allows — every active unit
        # where the product declared so (unit_choices_anywhere), else the source admin's own unit scope.
        source = _autocomplete_source(request)
        if source is not None:
            model, field_name = source
            if unit_choice_is_anywhere(model, field_name):
                queryset = Unit.objects.filter(is_active=True)
            else:
                source_admin = self.admin_site._registry.get(model)
                if isinstance(source_admin, ScopedAdminMixin):
                    queryset = source_admin.scoped_units(request, change=True).filter(is_active=True)
        return super().get_search_results(request, queryset, search_term)

    def save_model(self, request, obj, form, change):
        unit_save(unit=obj)


class MembershipInline(RoleAdminMixin, admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["unit"]
    fields = ["unit", "role", "title", "is_active"]


@admin.register(Membership)
class MembershipAdmin(ScopedModelAdmin):
    """Who works where, for the street offices, supervisors and the chief editor — within their own units."""

    view_roles = frozenset({Role.SUPERVISOR, Role.STREET_STAFF, Role.CHIEF_EDITOR})
    list_display = ["user", "unit", "role", "title", "is_active"]
    list_filter = ["role", "is_active", "unit__kind"]
    search_fields = ["user__username", "user__first_name", "user__last_name", "unit__name"]
    autocomplete_fields = ["user", "unit"]
    list_select_related = ["user", "unit"]


User = get_user_model()
admin.site.unregister(User)


@admin.register(User)
class UserAdmin(RoleAdminMixin, DjangoUserAdmin):
    """Accounts are managed by district administrators only; the memberships sit on the user's page."""

    inlines = [MembershipInline]
    list_display = ["username", "last_name", "first_name", "email", "is_staff", "is_active"]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("memberships__unit")
