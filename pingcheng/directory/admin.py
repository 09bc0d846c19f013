from django.apps import apps
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import GroupAdmin as DjangoGroupAdmin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.models import Group
from django.core.exceptions import FieldDoesNotExist
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _

from pingcheng.accounts import login_unlock, person_name
from pingcheng.audit.models import LoginLock
from pingcheng.directory import access
from pingcheng.directory.admin_base import (
    DomainErrorMessageMixin,
    HistoryRefusedFirstMixin,
    RoleAdminMixin,
    RoleModelAdmin,
    ScopedAdminMixin,
    ScopedModelAdmin,
    unit_choice_is_anywhere,
)
from pingcheng.directory.models import Membership, Role, Unit
from pingcheng.directory.services import unit_save
from pingcheng.errors import DomainError

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
    """Staff look up their own part of the directory (their units and below); district administrators see and
    change all of it. Choosing a unit for a field declared "anywhere" searches the whole active directory."""

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
    list_display = ["person", "unit", "role", "title", "is_active"]
    list_filter = ["role", "is_active", "unit__kind"]
    search_fields = ["user__username", "user__first_name", "user__last_name", "unit__name"]
    autocomplete_fields = ["user", "unit"]
    list_select_related = ["user", "unit"]

    @admin.display(description=_("姓名"), ordering="user__last_name")
    def person(self, obj: Membership) -> str:
        return person_name(obj.user)


# Roles are memberships, not Django groups: the group list is a superuser's (Django's model permissions),
# with the history refusal every other admin has.
admin.site.unregister(Group)


@admin.register(Group)
class GroupAdmin(HistoryRefusedFirstMixin, DjangoGroupAdmin):
    pass


User = get_user_model()
admin.site.unregister(User)


# Django's own powers, which bypass memberships entirely: only a superuser hands them out.
SUPERUSER_ONLY_FIELDS = ("is_superuser", "groups", "user_permissions")


@admin.register(User)
class UserAdmin(RoleAdminMixin, DomainErrorMessageMixin, DjangoUserAdmin):
    """Accounts are managed by district administrators only; the memberships sit on the user's page.

    A district administrator manages accounts through memberships, never through Django's own powers: the
    superuser flag, groups and model permissions are read-only to them (a crafted POST is ignored), and a
    superuser's account (its password above all) is changed by a superuser only, or taking it over would be
    one password reset away.
    """

    inlines = [MembershipInline]
    list_display = ["username", "last_name", "first_name", "email", "is_staff", "is_active"]
    actions = ["unlock_login"]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("memberships__unit")

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        if not request.user.is_superuser:
            readonly += [name for name in SUPERUSER_ONLY_FIELDS if name not in readonly]
        return readonly

    def _superuser_account_of_another_kind(self, request, obj) -> bool:
        return obj is not None and obj.is_superuser and not request.user.is_superuser

    def has_change_permission(self, request, obj=None) -> bool:
        return super().has_change_permission(request, obj) and not self._superuser_account_of_another_kind(request, obj)

    def has_delete_permission(self, request, obj=None) -> bool:
        return (
            super().has_delete_permission(request, obj)
            and not self._superuser_account_of_another_kind(request, obj)
            and not (obj is not None and _has_audit_trail(obj))
        )

    def delete_queryset(self, request, queryset):
        if not request.user.is_superuser and queryset.filter(is_superuser=True).exists():
            raise DomainError(_("超级用户的账号只能由超级用户删除。"), code="superuser_protected")
        if any(_has_audit_trail(user) for user in queryset):
            raise DomainError(_("有操作记录的账号不能删除，请改为停用（取消“有效”），以免记录失去操作人。"),
                              code="user_has_audit_trail")  # fmt: skip
        super().delete_queryset(request, queryset)

    @admin.action(description=_("解除登录锁定"))
    def unlock_login(self, request, queryset):
        removed = login_unlock(by=request.user, usernames=[user.get_username() for user in queryset])
        if removed:
            self.message_user(request, _("已解除所选账号的登录锁定。"), messages.SUCCESS)
        else:
            self.message_user(request, _("所选账号没有登录失败记录，无需解除。"), messages.INFO)


class LastFailureFilter(admin.DateFieldListFilter):
    """axes' date filter, titled in Chinese (the field's own name is English)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.title = _("最近失败时间")


@admin.register(LoginLock)
class LoginLockAdmin(DomainErrorMessageMixin, RoleAdminMixin, admin.ModelAdmin):
    """Failed logins counted within the cool-off: which accounts and addresses are locked, and the way to lift it.

    District administrators (and superusers) only; rows are never edited, and removing them is the unlock.
    Shown through the ``LoginLock`` proxy (登录锁定) with every column labelled here: django-axes speaks English.
    """

    list_display = ["account", "address", "failures", "last_failure", "is_locked"]
    list_filter = [("attempt_time", LastFailureFilter)]
    search_fields = ["username", "ip_address"]
    ordering = ["-attempt_time"]
    fields = ["account", "address", "browser", "failures", "last_failure", "login_path"]
    readonly_fields = fields
    actions = ["unlock"]
    list_per_page = 50

    @admin.display(description=_("账号"), ordering="username")
    def account(self, obj: LoginLock) -> str | None:
        return obj.username

    @admin.display(description=_("IP 地址"), ordering="ip_address")
    def address(self, obj: LoginLock) -> str | None:
        return obj.ip_address

    @admin.display(description=_("浏览器标识"))
    def browser(self, obj: LoginLock) -> str:
        return obj.user_agent

    @admin.display(description=_("失败次数"), ordering="failures_since_start")
    def failures(self, obj: LoginLock) -> int:
        return obj.failures_since_start

    @admin.display(description=_("最近失败时间"), ordering="attempt_time")
    def last_failure(self, obj: LoginLock) -> str:
        return formats.localize(timezone.localtime(obj.attempt_time))

    @admin.display(description=_("登录页路径"))
    def login_path(self, obj: LoginLock) -> str:
        return obj.path_info

    @admin.display(description=_("已锁定"), boolean=True)
    def is_locked(self, obj: LoginLock) -> bool:
        return obj.failures_since_start >= settings.AXES_FAILURE_LIMIT

    def changelist_view(self, request, extra_context=None):
        return super().changelist_view(request, {"title": _("登录锁定：锁定期内的登录失败记录"), **(extra_context or {})})

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)  # the unlock action below says what deleting these rows means
        return actions

    def has_add_permission(self, request, *args) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return self._may(request, frozenset())

    def delete_model(self, request, obj):
        login_unlock(by=request.user, usernames=[obj.username], ip_addresses=[obj.ip_address])

    @admin.action(description=_("解除锁定（所选记录的账号和地址）"), permissions=["delete"])
    def unlock(self, request, queryset):
        rows = list(queryset.values_list("username", "ip_address"))
        login_unlock(by=request.user, usernames=[name for name, _address in rows],
                     ip_addresses=[address for _name, address in rows])  # fmt: skip
        self.message_user(request, _("已解除所选账号和地址的登录锁定。"), messages.SUCCESS)


def _has_audit_trail(user) -> bool:
    """Whether the audit log names this account as the one who made a change: such an account is deactivated,
    never deleted, or the trail would lose its actor (and a throwaway account could cover its tracks)."""
    from auditlog.models import LogEntry

    return LogEntry.objects.filter(actor_id=user.pk).exists()
