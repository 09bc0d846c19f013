"""Admin building blocks shared by every product: permissions come from memberships, not Django's model perms.

* ``RoleModelAdmin`` — a ModelAdmin that states which roles may view and which may change it, and turns the
  platform's ``DomainError`` (a service refusing a step) into an error message on the page it came from.
* ``ScopedModelAdmin`` — adds the unit scope: the changelist, every foreign-key and many-to-many choice of a
  unit, and each object opened, changed or deleted are limited to the units the user holds one of the
  admin's roles in, and everything below them (``pingcheng.directory.access``). Scope is by role *and* unit:
  a correspondent's membership in a community does not open that community's ledgers.

District administrators and superusers may do everything. A product that lets users pick *any* unit for a
field (the units a news story is about) says so with ``unit_choices_anywhere(Model, "field")``; no admin
needs to know another app's models or labels.
"""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.widgets import AutocompleteSelect, AutocompleteSelectMultiple
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DEFAULT_DB_ALIAS, connections, models
from django.http import HttpResponseRedirect
from django.utils.translation import gettext as _

from pingcheng.directory import access
from pingcheng.directory.models import Unit
from pingcheng.errors import DomainError

_PICK_ANY_UNIT: set[tuple[str, str]] = set()


def unit_choices_anywhere(model: type[models.Model], *field_names: str) -> None:
    """Declare that these unit fields of ``model`` choose among all active units, not only the user's own."""
    for name in field_names:
        _PICK_ANY_UNIT.add((model._meta.label_lower, name))


def unit_choice_is_anywhere(model: type[models.Model], field_name: str) -> bool:
    return (model._meta.label_lower, field_name) in _PICK_ANY_UNIT


class HistoryRefusedFirstMixin:
    """Django's history view looks the row up before it checks permission, so for a model this user may not
    see at all an existing id would answer 403 and a missing one "does not exist": refuse both alike, first."""

    def history_view(self, request, object_id, extra_context=None):
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied
        return super().history_view(request, object_id, extra_context)


class _KnownValuesOnly:
    """Django's autocomplete widget looks the submitted ids up to show them again, so an id that is not a
    number (typed by hand, or a tampered request) raised a ValueError — or an OverflowError past the
    database's integers — and a 500 instead of the form's "select a valid choice" message. Values the target
    field cannot hold are not looked up."""

    def optgroups(self, name, value, attr=None):
        remote = self.field.remote_field
        target = remote.model._meta.get_field(getattr(remote, "field_name", None) or remote.model._meta.pk.name)
        ranges = connections[self.db or DEFAULT_DB_ALIAS].ops.integer_field_ranges
        low, high = ranges.get(target.get_internal_type(), (None, None))
        readable = []
        for item in value:
            try:
                item = target.to_python(item)
            except ValidationError:
                continue
            if item is None or (isinstance(item, int) and low is not None and not low <= item <= high):
                continue
            readable.append(str(item))
        return super().optgroups(name, readable, attr)


class _Autocomplete(_KnownValuesOnly, AutocompleteSelect):
    pass


class _AutocompleteMultiple(_KnownValuesOnly, AutocompleteSelectMultiple):
    pass


class _BoundedModelMultipleChoiceField(forms.ModelMultipleChoiceField):
    """SQLite cannot bind an integer past 64 bits: Django's "__in" check of the chosen ids raised an
    OverflowError (a 500) where PostgreSQL answers "select a valid choice"; answer the same here."""

    def _check_values(self, value):
        try:
            return super()._check_values(value)
        except OverflowError:
            raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice",
                                  params={"value": next(iter(value), "")}) from None  # fmt: skip


class KnownValuesAutocompleteMixin:
    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if "widget" not in kwargs and db_field.name in self.get_autocomplete_fields(request):
            kwargs["widget"] = _Autocomplete(db_field, self.admin_site, using=kwargs.get("using"))
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if "widget" not in kwargs and db_field.name in self.get_autocomplete_fields(request):
            kwargs["widget"] = _AutocompleteMultiple(db_field, self.admin_site, using=kwargs.get("using"))
        kwargs.setdefault("form_class", _BoundedModelMultipleChoiceField)
        return super().formfield_for_manytomany(db_field, request, **kwargs)


class RoleAdminMixin(KnownValuesAutocompleteMixin, HistoryRefusedFirstMixin):
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


class DomainErrorMessageMixin:
    """A service's refusal becomes an error message on the same page, never a 500."""

    def _refused(self, request, error: DomainError):
        messages.error(request, error.text)
        return HttpResponseRedirect(request.get_full_path())

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except DomainError as error:
            return self._refused(request, error)

    def changelist_view(self, request, extra_context=None):
        try:
            return super().changelist_view(request, extra_context)
        except DomainError as error:
            return self._refused(request, error)

    def delete_view(self, request, object_id, extra_context=None):
        try:
            return super().delete_view(request, object_id, extra_context)
        except DomainError as error:
            return self._refused(request, error)


class RoleModelAdmin(DomainErrorMessageMixin, RoleAdminMixin, admin.ModelAdmin):
    list_per_page = 50


class ScopedAdminMixin(RoleAdminMixin):
    """Unit scope for a ModelAdmin or an inline. ``unit_field`` is the path from the model to its unit
    (``"unit"``, ``"activity__unit"``); ``unit_is_many`` when it crosses a many-to-many relation."""

    unit_field: str = "unit"
    unit_is_many: bool = False

    def scope_roles(self, *, change: bool) -> frozenset[str]:
        """The roles whose memberships give scope: the change roles for writes, all of the admin's for reads."""
        return self.change_roles if change else self.view_roles | self.change_roles

    def scoped_units(self, request, *, change: bool):
        return access.units_for_user(request.user, roles=self.scope_roles(change=change))

    def get_queryset(self, request):
        return access.scope_to_user_units(
            super().get_queryset(request), request.user, unit_field=self.unit_field,
            distinct=self.unit_is_many, roles=self.scope_roles(change=False),
        )  # fmt: skip

    def _object_in_scope(self, request, obj, *, change: bool) -> bool:
        if access.user_sees_everything(request.user):
            return True
        return (
            access.scope_to_user_units(
                type(obj)._default_manager.filter(pk=obj.pk), request.user, unit_field=self.unit_field,
                roles=self.scope_roles(change=change),
            ).exists()
        )  # fmt: skip

    def has_view_permission(self, request, obj=None) -> bool:
        if not super().has_view_permission(request, obj):
            return False
        return obj is None or obj.pk is None or self._object_in_scope(request, obj, change=False)

    def has_change_permission(self, request, obj=None) -> bool:
        if not super().has_change_permission(request, obj):
            return False
        return obj is None or obj.pk is None or self._object_in_scope(request, obj, change=True)

    def has_delete_permission(self, request, obj=None) -> bool:
        if not super().has_delete_permission(request, obj):
            return False
        return obj is None or obj.pk is None or self._object_in_scope(request, obj, change=True)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        parent, rest = self._unit_path()
        if db_field.related_model is Unit and not unit_choice_is_anywhere(self.model, db_field.name):
            kwargs["queryset"] = self.scoped_units(request, change=True).filter(is_active=True)
        elif rest and db_field.name == parent:
            # The unit is reached through this parent (a finding's activity): only parents in scope are offered.
            kwargs["queryset"] = access.scope_to_user_units(
                db_field.related_model._default_manager.all(), request.user, unit_field=rest,
                roles=self.scope_roles(change=True),
            )  # fmt: skip
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.related_model is Unit and not unit_choice_is_anywhere(self.model, db_field.name):
            kwargs["queryset"] = self.scoped_units(request, change=True).filter(is_active=True)
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        # The form's choices are scoped, but a crafted POST or a changed parent must not step outside.
        unit = self._unit_of(obj)
        if unit is not None and not access.user_may_act_for(request.user, unit, roles=self.scope_roles(change=True)):
            raise DomainError(_("所选单位不在您的管辖范围内。"), code="unit_out_of_scope")
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        """A shared row keeps the units the user cannot see: the form offered only theirs, so it could not
        send the others back, and one street's edit must not unlink another street."""
        hidden = []
        if self.unit_is_many and "__" not in self.unit_field and change:
            in_scope = self.scoped_units(request, change=True).values("pk")
            hidden = list(getattr(form.instance, self.unit_field).exclude(pk__in=in_scope))
        super().save_related(request, form, formsets, change)
        if hidden:
            getattr(form.instance, self.unit_field).add(*hidden)

    def _unit_path(self) -> tuple[str, str]:
        """(first step, rest) of ``unit_field``: ("activity", "unit") for "activity__unit"; rest "" if direct."""
        first, _sep, rest = self.unit_field.partition("__")
        return first, rest

    def _unit_of(self, obj) -> Unit | None:
        """The one unit the object belongs to, following ``unit_field`` through its parents (None: many or unset)."""
        if self.unit_is_many:
            return None  # many-to-many: the form's choices are scoped and save_related keeps the hidden links
        value = obj
        for step in self.unit_field.split("__"):
            value = getattr(value, step, None)
            if value is None:
                return None
        return value if isinstance(value, Unit) else None


class ScopedModelAdmin(DomainErrorMessageMixin, ScopedAdminMixin, admin.ModelAdmin):
    list_per_page = 50
