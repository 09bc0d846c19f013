"""The editors' front page in the back office: the 头条 and the 要闻 slots (articles.front_page).

Editors of every review level (初审, 复审, 终审) choose; every save and removal goes through the services,
which refresh the cached front page at once.
"""

from django import forms
from django.contrib import admin
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from articles import front_page, selectors
from articles.models import Article, FrontSlot
from pingcheng.accounts import person_name
from pingcheng.directory.admin_base import RoleModelAdmin
from pingcheng.directory.models import REVIEW_ROLES
from pingcheng.errors import DomainError

# Offered in the slot's article list: the newest live stories (an older one is still kept when chosen).
ARTICLE_CHOICES = 100


class _ArticleChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Article) -> str:
        when = timezone.localtime(obj.publish_at).strftime("%Y-%m-%d %H:%M") if obj.publish_at else ""
        return f"{when} {obj.headline}"


class FrontSlotForm(forms.ModelForm):
    class Meta:
        model = FrontSlot
        fields = ["position", "article", "pinned", "expires_at"]
        field_classes = {"article": _ArticleChoice}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        ids = list(selectors.article_list_live().values_list("pk", flat=True)[:ARTICLE_CHOICES])
        if self.instance.article_id:
            ids.append(self.instance.article_id)
        # Any article id may be posted; only these are accepted (the rest: "not one of the choices").
        self.fields["article"].queryset = Article.objects.filter(pk__in=ids).order_by("-publish_at", "-pk")
        self.fields["article"].help_text = _("最近发布的 %(n)d 篇稿件，按发布时间排列。") % {"n": ARTICLE_CHOICES}
        # A slot takes a published story: no "add another article" from here.
        widget = self.fields["article"].widget
        widget.can_add_related = widget.can_change_related = widget.can_delete_related = False

    def clean(self):
        data = super().clean()
        try:
            front_page.front_slot_check(article=data.get("article"), expires_at=data.get("expires_at"))
        except DomainError as refused:
            field = "expires_at" if refused.code == "front_slot_expired" else "article"
            self.add_error(field, refused)
        return data


@admin.register(FrontSlot)
class FrontSlotAdmin(RoleModelAdmin):
    """One row per slot that an editor filled; a slot without a row is filled by the automatic choice."""

    view_roles = frozenset(REVIEW_ROLES)
    change_roles = frozenset(REVIEW_ROLES)
    form = FrontSlotForm
    list_display = ["position", "headline", "pinned", "expires_at", "state", "set_by_name", "set_at"]
    list_display_links = ["position", "headline"]
    list_select_related = ["article", "set_by"]
    readonly_fields = ["set_by_name", "set_at"]
    ordering = ["position"]

    @admin.display(description=_("稿件"))
    def headline(self, obj: FrontSlot) -> str:
        return obj.article.headline

    @admin.display(description=_("安排人"))
    def set_by_name(self, obj: FrontSlot) -> str:
        return person_name(obj.set_by)

    @admin.display(description=_("现在"))
    def state(self, obj: FrontSlot) -> str:
        return front_page.front_slot_state(obj, newest_day=self._newest_day())

    def _newest_day(self):
        newest = selectors.article_list_live().values_list("publish_at", flat=True).first()
        return timezone.localdate(newest) if newest else None

    def save_model(self, request, obj, form, change):
        front_page.front_slot_save(slot=obj, by=request.user)

    def delete_model(self, request, obj):
        front_page.front_slot_delete(slot=obj, by=request.user)

    def delete_queryset(self, request, queryset):
        for slot in queryset:
            front_page.front_slot_delete(slot=slot, by=request.user)
