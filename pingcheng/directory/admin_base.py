"""Admin building blocks shared by every app: permissions come from memberships, not Django's model perms.

Each ModelAdmin states which roles may view and which may change it; querysets are scoped by
``pingcheng.directory.access``. District administrators and superusers may do everything.
"""

from django.contrib import admin

from pingcheng.directory import access


class RoleAdminMixin:
    view_roles: frozenset[str] = frozenset()
    change_roles: frozenset[str] = frozenset()

    def _may(self, request, roles) -> bool:
        user = request.user
        if not (user.is_active and user.is_staff):
            return False
        return access.user_sees_everything(user) or access.user_has_role(user, *roles)

    def has_module_permission(self, request) -> bool:
        return self._may(request, self.view_roles | self.change_roles)

    def has_view_permission(self, request, obj=None) -> bool:
        return self._may(request, self.view_roles | self.change_roles)

    def has_add_permission(self, request, *args) -> bool:
        return self._may(request, self.change_roles)

    def has_change_permission(self, request, obj=None) -> bool:
        return self._may(request, self.change_roles)

    def has_delete_permission(self, request, obj=None) -> bool:
        return self._may(request, self.change_roles)


class RoleModelAdmin(RoleAdminMixin, admin.ModelAdmin):
    list_per_page = 50
