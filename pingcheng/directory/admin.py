from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from pingcheng.directory import access
from pingcheng.directory.admin_base import RoleAdminMixin, RoleModelAdmin
from pingcheng.directory.models import Membership, Role, Unit
from pingcheng.directory.services import unit_save

ALL_STAFF_ROLES = frozenset(Role.values)
# Autocomplete fields of other apps that pick from the whole directory.
PICKABLE_ANYWHERE = {"units", "unit"}


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
        # Choosing the units a story is about (or a correspondent's unit) means choosing among all of
        # them, not only the editor's own newsroom; the list shows names that are public anyway.
        if request.GET.get("app_label") == "articles" and request.GET.get("field_name") in PICKABLE_ANYWHERE:
            queryset = Unit.objects.filter(is_active=True)
        return super().get_search_results(request, queryset, search_term)

    def save_model(self, request, obj, form, change):
        unit_save(unit=obj)


class MembershipInline(RoleAdminMixin, admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["unit"]
    fields = ["unit", "role", "title", "is_active"]


@admin.register(Membership)
class MembershipAdmin(RoleModelAdmin):
    view_roles = frozenset({Role.SUPERVISOR, Role.STREET_STAFF, Role.CHIEF_EDITOR})
    list_display = ["user", "unit", "role", "title", "is_active"]
    list_filter = ["role", "is_active", "unit__kind"]
    search_fields = ["user__username", "user__first_name", "user__last_name", "unit__name"]
    autocomplete_fields = ["user", "unit"]
    list_select_related = ["user", "unit"]

    def get_queryset(self, request):
        return access.scope_to_user_units(super().get_queryset(request), request.user)


User = get_user_model()
admin.site.unregister(User)


@admin.register(User)
class UserAdmin(RoleAdminMixin, DjangoUserAdmin):
    """Accounts are managed by district administrators only; the memberships sit on the user's page."""

    inlines = [MembershipInline]
    list_display = ["username", "last_name", "first_name", "email", "is_staff", "is_active"]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("memberships__unit")
