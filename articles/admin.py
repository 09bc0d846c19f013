import functools

from django.contrib import admin, messages
from django.db.models import Count, Q
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from articles import access, presence, services
from articles.bylines import article_byline
from articles.forms import ArticleAdminForm, CorrectionForm, PageImportForm, ReviewForm, ScheduleForm, WithdrawForm
from articles.models import (
    Article,
    ArticlePhoto,
    Correction,
    Edition,
    Page,
    ReviewDecision,
    Section,
    Series,
)
from articles.workflow import ARTICLE_WORKFLOW
from pingcheng.directory.admin_base import RoleAdminMixin, RoleModelAdmin, unit_choices_anywhere
from pingcheng.directory.models import NEWSROOM_ROLES, REVIEW_ROLES, Contributor
from pingcheng.errors import DomainError
from pingcheng.photos.admin import PhotoChoicesMixin

NEWSROOM = frozenset(NEWSROOM_ROLES)
# A story may be about any unit of the district, and a correspondent may write for any of them.
unit_choices_anywhere(Article, "units")
unit_choices_anywhere(Contributor, "unit")
REVIEWERS = frozenset(REVIEW_ROLES)


@admin.register(Contributor)
class ContributorAdmin(RoleModelAdmin):
    view_roles = NEWSROOM
    change_roles = REVIEWERS
    list_display = ["name", "kind", "unit", "user", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["name", "unit__name"]
    autocomplete_fields = ["unit", "user"]
    list_select_related = ["unit", "user"]

    def save_model(self, request, obj, form, change):
        # A byline name is printed on articles: renaming someone is an edit of those articles.
        services.article_names_save(obj=obj, by=request.user)


@admin.register(Section)
class SectionAdmin(RoleModelAdmin):
    view_roles = NEWSROOM
    change_roles = frozenset({"chief_editor"})
    list_display = ["name", "slug", "sort_order"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Series)
class SeriesAdmin(RoleModelAdmin):
    view_roles = NEWSROOM
    change_roles = REVIEWERS
    list_display = ["title", "slug"]
    search_fields = ["title"]

    def save_model(self, request, obj, form, change):
        # The series title is printed above each part: renaming it is an edit of those articles.
        services.article_names_save(obj=obj, by=request.user)


class PageInline(RoleAdminMixin, admin.TabularInline):
    model = Page
    extra = 0
    change_roles = REVIEWERS
    view_roles = NEWSROOM


@admin.register(Edition)
class EditionAdmin(RoleModelAdmin):
    view_roles = NEWSROOM
    change_roles = REVIEWERS
    list_display = ["date", "number"]
    date_hierarchy = "date"
    inlines = [PageInline]


@admin.register(Page)
class PageAdmin(RoleModelAdmin):
    view_roles = NEWSROOM
    change_roles = REVIEWERS
    list_display = ["__str__", "editor"]
    search_fields = ["name", "edition__number"]
    list_select_related = ["edition"]


class CreditInline(RoleAdminMixin, admin.TabularInline):
    model = Article.credits.rel.related_model
    view_roles = NEWSROOM
    change_roles = NEWSROOM
    extra = 0
    autocomplete_fields = ["contributor"]
    fields = ["order", "role", "contributor"]


class FigureInline(PhotoChoicesMixin, RoleAdminMixin, admin.TabularInline):
    model = ArticlePhoto
    view_roles = NEWSROOM
    change_roles = NEWSROOM
    extra = 0
    autocomplete_fields = ["photo"]
    fields = ["order", "photo"]

    def get_queryset(self, request):
        # Pictures in the body are linked by the body itself (articles.rendering), not arranged here.
        return super().get_queryset(request).filter(in_body=False)


class ReviewQueueFilter(admin.SimpleListFilter):
    title = _("审稿队列")
    parameter_name = "queue"

    def lookups(self, request, model_admin):
        return [(status, label) for status, label in Article.Status.choices if status in access.LEVEL_ROLE] + [
            ("mine", _("我撰写的"))
        ]

    def queryset(self, request, queryset):
        if self.value() == "mine":
            return queryset.filter(created_by=request.user)
        if self.value() in access.LEVEL_ROLE:
            return queryset.filter(status=self.value())
        return queryset


@admin.register(Article)
class ArticleAdmin(RoleModelAdmin):
    """Shaped per role: reporters see their own pieces, reviewers their queue with counts, chiefs everything."""

    view_roles = NEWSROOM
    change_roles = NEWSROOM
    form = ArticleAdminForm
    change_form_template = "admin/articles/article/change_form.html"
    change_list_template = "admin/articles/article/change_list.html"
    list_display = ["headline_block", "status", "section", "byline", "publish_at", "edited_at"]
    list_filter = [ReviewQueueFilter, "status", "section", "series", "dateline"]
    search_fields = ["headline", "kicker", "subtitle", "lead"]
    date_hierarchy = "created_at"
    autocomplete_fields = ["series", "units", "page"]
    inlines = [CreditInline, FigureInline]
    readonly_fields = ["status", "review_round", "char_count", "published_at", "updated_at", "version", "created_by",
                       "publish_at", "unpublish_at"]  # fmt: skip
    fieldsets = [
        (_("标题"), {"fields": ["kicker", "headline", "subtitle", ("series", "series_part")]}),
        (_("电头与编辑"), {"fields": ["dateline", "responsible_editor"]}),
        (_("内容"), {"fields": ["lead", "body", "char_count"]}),
        (_("归类"), {"fields": ["section", "units", "tags"]}),
        (_("见报"), {"fields": [("page", "page_order")], "classes": ["collapse"]}),
        (_("转载"), {"fields": ["source", "original_author", "original_title"], "classes": ["collapse"]}),
        (_("状态"), {"fields": [("status", "review_round", "version"), ("publish_at", "unpublish_at"),
                               ("published_at", "updated_at"), "created_by", "expected_version"]}),
    ]  # fmt: skip

    def get_queryset(self, request):
        return (
            access.articles_for_user(request.user)
            .select_related("section", "series", "created_by")
            .prefetch_related("credits__contributor")
        )

    def has_change_permission(self, request, obj=None):
        if not super().has_change_permission(request, obj):
            return False
        return obj is None or access.user_may_edit(request.user, obj)

    def has_delete_permission(self, request, obj=None):
        # Published work is withdrawn, never deleted; a draft may be deleted by whoever may edit it.
        if not super().has_delete_permission(request, obj):
            return False
        return obj is None or (obj.published_at is None and access.user_may_edit(request.user, obj))

    @admin.display(description=_("标题"), ordering="headline")
    def headline_block(self, obj: Article):
        return format_html(
            '<span style="color:#666">{}</span><br><strong>{}</strong>', obj.series_heading or obj.kicker, obj.headline
        )

    @admin.display(description=_("署名"))
    def byline(self, obj: Article) -> str:
        return article_byline(obj)

    def save_model(self, request, obj, form, change):
        # An edit is saved in save_related, with its credits, photos and units: whether it goes back to 终审
        # or becomes a revision depends on all of them, and the admin saves the inlines only there.
        if not change:
            services.article_create(article=obj, by=request.user)

    def save_related(self, request, form, formsets, change):
        write_related = functools.partial(super().save_related, request, form, formsets, change)
        if change:
            services.article_save(article=form.instance, by=request.user, changed_fields=set(form.changed_data),
                                  expected_version=form.cleaned_data.get("expected_version"),
                                  write_related=write_related)  # fmt: skip
        else:
            write_related()
        # Credits arrive with the inlines, after the article row: index the byline names too.
        services.article_reindex(article=form.instance)

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        extra_context = extra_context or {}
        obj = self.get_object(request, object_id) if object_id and request.method == "GET" else None
        if obj is not None and self.has_change_permission(request, obj):
            others = presence.editing_touch(article_id=obj.pk, user=request.user)
            if others:
                messages.warning(request, _("注意：%(names)s 在最近15分钟内也打开了这篇稿件，保存前请先沟通，以免互相覆盖。")
                                 % {"names": "、".join(others)})  # fmt: skip
        return super().changeform_view(request, object_id, form_url, extra_context)

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None:
            context.update(self._workflow_context(request, obj))
        return super().render_change_form(request, context, add, change, form_url, obj)

    def _workflow_context(self, request, article: Article) -> dict:
        user = request.user
        steps = {step.name for step in ARTICLE_WORKFLOW.available(user=user, obj=article)}
        return {
            "article_obj": article,
            "decisions": article.decisions.select_related("reviewer"),
            "events": article.events.select_related("by"),
            "corrections": article.corrections.all(),
            "revisions": article.revisions.select_related("by"),
            # Which step forms to show comes from the workflow, the same rules the services enforce.
            "can_submit": "submit" in steps,
            "can_review": "pass" in steps or "return" in steps,
            "can_schedule": "schedule" in steps,
            "can_withdraw": "withdraw" in steps,
            "can_correct": "correct" in steps,
            "review_form": ReviewForm(),
            "schedule_form": ScheduleForm(initial=ScheduleForm.initial_for(article)),
            "withdraw_form": WithdrawForm(),
            "correction_form": CorrectionForm(),
            "preview_url": reverse("articles:preview", kwargs={"pk": article.pk}),
            "last_return": article.decisions.filter(outcome=ReviewDecision.Outcome.RETURN).last(),
        }

    def get_urls(self):
        custom = [
            path("import/", self.admin_site.admin_view(self.import_view), name="articles_article_import"),
            path("<int:pk>/workflow/<str:step>/", self.admin_site.admin_view(self.workflow_view),
                 name="articles_article_workflow"),  # fmt: skip
        ]
        return custom + super().get_urls()

    def workflow_view(self, request, pk: int, step: str):
        """One POST endpoint per workflow step; every rule is enforced by the service it calls."""
        article = access.article_access_for_user(user=request.user, pk=pk)
        change_url = reverse("admin:articles_article_change", args=[article.pk])
        if request.method != "POST":
            return redirect(change_url)
        handlers = {
            "submit": (None, lambda data: services.article_submit(article=article, by=request.user), _("已送审。")),
            "review": (ReviewForm, lambda data: services.article_review(article=article, by=request.user, **data),
                       _("审稿意见已记录。")),
            "schedule": (ScheduleForm, lambda data: services.article_schedule(article=article, by=request.user, **data),
                         _("发布时间已安排。")),
            "withdraw": (WithdrawForm, lambda data: services.article_withdraw(article=article, by=request.user, **data),
                         _("稿件已撤下。")),
            "correct": (CorrectionForm, lambda data: services.article_correct(article=article, by=request.user, **data),
                        _("更正已发布。")),
        }  # fmt: skip
        if step not in handlers:
            messages.error(request, _("未知的操作。"))
            return redirect(change_url)
        form_class, action, success = handlers[step]
        data = {}
        if form_class is not None:
            form = form_class(request.POST)
            if not form.is_valid():
                for field_errors in form.errors.values():
                    for error in field_errors:
                        messages.error(request, error)
                return redirect(change_url)
            data = form.cleaned_data
        try:
            action(data)
        except DomainError as refused:
            messages.error(request, refused.text)
        else:
            messages.success(request, success)
        return redirect(change_url)

    def changelist_view(self, request, extra_context=None):
        counts = access.articles_for_user(request.user).aggregate(
            **{status: Count("pk", filter=Q(status=status)) for status in access.LEVEL_ROLE}
        )
        queue = [(status, Article.Status(status).label, counts[status]) for status in access.LEVEL_ROLE]
        extra_context = {**(extra_context or {}), "review_queue": queue,
                         "can_import": access.user_may_import(request.user)}  # fmt: skip
        return super().changelist_view(request, extra_context)

    def import_view(self, request):
        """Import a printed page as drafts: reviewers only (see ``access.user_may_import`` for why)."""
        from articles.importing import page_import, page_import_placed

        if not access.user_is_newsroom(request.user):
            return redirect("admin:index")
        context = {**self.admin_site.each_context(request), "title": _("导入版面文字"), "opts": self.model._meta}
        if not access.user_may_import(request.user):
            # Said on the page rather than a bare 403, so a newsroom member who followed a link learns why.
            refused = _("只有编辑、副总编辑和总编辑可以导入版面文字。您的稿件请新建草稿撰写后送审。")
            return TemplateResponse(request, "admin/articles/article/import.html", {**context, "refused": refused},
                                    status=403)  # fmt: skip
        form = PageImportForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                if data["edition_date"]:
                    articles = page_import_placed(
                        text=data["text"], by=request.user, edition_date=data["edition_date"],
                        edition_number=data["edition_number"], page_number=data["page_number"],
                        page_name=data["page_name"],
                    )  # fmt: skip
                else:
                    articles = page_import(text=data["text"], by=request.user)
            except DomainError as refused:
                form.add_error(None, refused.text)
            else:
                if not articles:
                    form.add_error("text", _("没有识别出稿件。请确认粘贴的是整版文字，标题与正文之间有换行。"))
                else:
                    messages.success(request, _("已生成 %(n)d 篇草稿，请逐篇核对标题、署名和正文。") % {"n": len(articles)})
                    ids = ",".join(str(a.pk) for a in articles)
                    return redirect(f"{reverse('admin:articles_article_changelist')}?id__in={ids}")
        return TemplateResponse(request, "admin/articles/article/import.html", {**context, "form": form})


@admin.register(ReviewDecision)
class ReviewDecisionAdmin(RoleModelAdmin):
    """The 三审 record, read-only for everyone: decisions are evidence."""

    view_roles = REVIEWERS
    list_display = ["article", "round", "level", "outcome", "reviewer", "decided_at"]
    list_filter = ["level", "outcome"]
    search_fields = ["article__headline", "opinion"]
    list_select_related = ["article", "reviewer"]

    def has_add_permission(self, request, *args):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Correction)
class CorrectionAdmin(RoleModelAdmin):
    view_roles = NEWSROOM
    list_display = ["article", "kind", "published_at", "by"]
    list_filter = ["kind"]
    search_fields = ["article__headline", "text"]
    list_select_related = ["article", "by"]

    def has_add_permission(self, request, *args):
        return False  # corrections are published from the article page, through the service

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False  # a published correction is part of the public record, like the article it corrects
