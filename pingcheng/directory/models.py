from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from pingcheng.chinese import split_list


class Unit(models.Model):
    """One node of the district's tree: the district, its streets, communities, grids, departments …

    ``path`` is the chain of codes from the root (``/pingcheng/xinwang/yujinyuan/``) so that a unit's
    subtree is one indexed ``startswith`` query; services in ``directory.services`` keep it in step.
    """

    class Kind(models.TextChoices):
        DISTRICT = "district", _("区")
        STREET = "street", _("街道")
        COMMUNITY = "community", _("社区")
        VILLAGE = "village", _("村")
        GRID = "grid", _("网格")
        DEPARTMENT = "department", _("部门")
        ORGANISATION = "organisation", _("社会组织")

    name = models.CharField(_("名称"), max_length=80)
    short_name = models.CharField(_("简称"), max_length=40, blank=True, help_text=_("如“新旺”，用于列表和筛选。"))
    code = models.CharField(
        _("代码"),
        max_length=40,
        unique=True,
        validators=[RegexValidator(r"^[a-z0-9][a-z0-9-]*$", _("代码只能包含小写字母、数字和连字符。"))],
        help_text=_("小写拼音或数字，如 xinwang，用于网址，建立后不宜修改。"),
    )
    kind = models.CharField(_("类型"), max_length=16, choices=Kind)
    parent = models.ForeignKey(
        "self", verbose_name=_("上级单位"), null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    path = models.CharField(_("层级路径"), max_length=255, unique=True, editable=False)
    depth = models.PositiveSmallIntegerField(_("层级"), default=0, editable=False)
    address = models.CharField(_("地址"), max_length=200, blank=True)
    public_phones = models.CharField(
        _("公开电话"), max_length=200, blank=True, help_text=_("多个号码用顿号或逗号分隔，将在网站公开。")
    )
    description = models.TextField(_("简介"), blank=True)
    sort_order = models.PositiveIntegerField(_("排序"), default=100)
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("单位")
        verbose_name_plural = _("单位")
        ordering = ["path"]
        indexes = [models.Index(fields=["kind", "sort_order"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(parent__isnull=True, kind="district") | models.Q(parent__isnull=False),
                name="unit_only_district_is_root",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    # Which kinds may sit under which: a community belongs to a street, a grid to a community or village.
    ALLOWED_PARENTS = {
        Kind.DISTRICT: set(),
        Kind.STREET: {Kind.DISTRICT},
        Kind.COMMUNITY: {Kind.STREET},
        Kind.VILLAGE: {Kind.STREET},
        Kind.GRID: {Kind.COMMUNITY, Kind.VILLAGE},
        Kind.DEPARTMENT: {Kind.DISTRICT, Kind.DEPARTMENT},
        Kind.ORGANISATION: {Kind.DISTRICT, Kind.STREET, Kind.COMMUNITY, Kind.VILLAGE, Kind.DEPARTMENT},
    }

    def clean(self) -> None:
        if self.kind not in self.Kind.values:
            return  # the field's own validation reports it
        if self.kind == self.Kind.DISTRICT and self.parent_id:
            raise ValidationError({"parent": _("区一级单位不能有上级单位。")}, code="district_has_parent")
        if self.kind != self.Kind.DISTRICT:
            if not self.parent_id:
                raise ValidationError({"parent": _("请选择上级单位。")}, code="parent_required")
            allowed = self.ALLOWED_PARENTS[self.Kind(self.kind)]
            if self.parent.kind not in allowed:
                raise ValidationError(
                    {"parent": _("“%(kind)s”不能设在“%(parent)s”之下。")
                     % {"kind": self.get_kind_display(), "parent": self.parent.get_kind_display()}},
                    code="parent_kind",
                )
            if self.pk and self.parent.path.startswith(self.path or "\0"):
                raise ValidationError({"parent": _("上级单位不能是本单位或其下级。")}, code="parent_cycle")

    @property
    def phone_list(self) -> list[str]:
        return split_list(self.public_phones)

    @property
    def display_short_name(self) -> str:
        return self.short_name or self.name


class Role(models.TextChoices):
    REPORTER = "reporter", _("记者")
    CORRESPONDENT = "correspondent", _("通讯员")
    PHOTOGRAPHER = "photographer", _("摄影记者")
    EDITOR = "editor", _("编辑（初审）")
    DEPUTY_CHIEF = "deputy_chief", _("副总编辑（复审）")
    CHIEF_EDITOR = "chief_editor", _("总编辑（终审）")
    STREET_STAFF = "street_staff", _("街道工作人员")
    COMMUNITY_STAFF = "community_staff", _("社区工作人员")
    GRID_WORKER = "grid_worker", _("网格员")
    DEPARTMENT_HANDLER = "department_handler", _("部门承办人")
    SUPERVISOR = "supervisor", _("督办人")
    DISTRICT_ADMIN = "district_admin", _("区级管理员")


NEWSROOM_ROLES = {Role.REPORTER, Role.CORRESPONDENT, Role.PHOTOGRAPHER, Role.EDITOR, Role.DEPUTY_CHIEF, Role.CHIEF_EDITOR}
REVIEW_ROLES = {Role.EDITOR, Role.DEPUTY_CHIEF, Role.CHIEF_EDITOR}


class Membership(models.Model):
    """A staff member's role in a unit. What they see in the back office is that unit and everything below."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("用户"), on_delete=models.CASCADE, related_name="memberships"
    )
    unit = models.ForeignKey(Unit, verbose_name=_("单位"), on_delete=models.PROTECT, related_name="memberships")
    role = models.CharField(_("角色"), max_length=24, choices=Role)
    title = models.CharField(_("职务"), max_length=40, blank=True)
    is_active = models.BooleanField(_("有效"), default=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("任职")
        verbose_name_plural = _("任职")
        ordering = ["unit__path", "role"]
        constraints = [models.UniqueConstraint(fields=["user", "unit", "role"], name="membership_unique_role")]

    def __str__(self) -> str:
        from pingcheng.accounts import person_name  # accounts reads memberships: imported here, not at the top

        return f"{person_name(self.user)} · {self.unit} · {self.get_role_display()}"


class Contributor(models.Model):
    """A person who can be credited: staff reporter, correspondent of a unit, photographer, editor.

    Most have no login; ``user`` links the ones who do. One person may report one article and shoot another.
    Every product credits people (bylines, photo credits, activity reports), so they live in the directory;
    their public page is the newsroom's (``ABSOLUTE_URL_OVERRIDES`` in settings).
    """

    class Kind(models.TextChoices):
        STAFF = "staff", _("本报记者")
        CORRESPONDENT = "correspondent", _("通讯员")
        PHOTOGRAPHER = "photographer", _("摄影记者")
        EDITOR = "editor", _("编辑")
        OUTSIDE = "outside", _("特约/外来作者")

    name = models.CharField(_("姓名"), max_length=40)
    kind = models.CharField(_("身份"), max_length=16, choices=Kind, default=Kind.STAFF)
    unit = models.ForeignKey(
        Unit, verbose_name=_("所在单位"), null=True, blank=True, on_delete=models.SET_NULL, related_name="contributors",
        help_text=_("通讯员所在的街道、社区或部门。"),
    )  # fmt: skip
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, verbose_name=_("登录账号"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="contributor",
    )  # fmt: skip
    bio = models.CharField(_("简介"), max_length=200, blank=True)
    is_active = models.BooleanField(_("在职"), default=True)

    class Meta:
        verbose_name = _("作者")
        verbose_name_plural = _("作者")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["name", "unit"], name="contributor_unique_name_in_unit"),
            # NULLs are distinct in a unique index: people without a unit need their own constraint.
            models.UniqueConstraint(
                fields=["name"], condition=models.Q(unit__isnull=True), name="contributor_unique_name_without_unit"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.unit.display_short_name}）" if self.unit_id else self.name
