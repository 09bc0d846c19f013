import functools
from datetime import timedelta
from itertools import groupby

from django.contrib import admin, messages
from django.db.models import Case, Count, IntegerField, Q, When
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from articles import access, presence, services
from articles.bylines import article_byline
from articles.diffs import field_labels, snapshot_changes
from articles.errors import ArticleActionRefused
from articles.forms import (
    WORKFLOW_STEPS,
    ArticleAdminForm,
    CorrectionForm,
    PublishNowForm,
    ReviewForm,
    ScheduleForm,
    WithdrawForm,
    beijing_time,
)
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
from articles.workflow import ARTICLE_WORKFLOW, LEVEL_OF_STATE, NEXT_LEVEL
from pingcheng.accounts import person_name
from pingcheng.directory.access import user_has_role
from pingcheng.directory.admin_base import (
    DomainErrorMessageMixin,
    RoleAdminMixin,
    RoleModelAdmin,
    unit_choices_anywhere,
)
from pingcheng.directory.models import NEWSROOM_ROLES, REVIEW_ROLES, Contributor
from pingcheng.errors import DomainError
from pingcheng.photos.admin import PhotoChoicesMixin
from pingcheng.richtext import clean_article_html

NEWSROOM = frozenset(NEWSROOM_ROLES)
# A story may be about any unit of the district, and a correspondent may write for any of them.
unit_choices_anywhere(Article, "units")
unit_choices_anywhere(Contributor, "unit")
REVIEWERS = frozenset(REVIEW_ROLES)


@admin.register(Contributor)
class ContributorAdmin(RoleModelAdmin):
    view_roles = NEWSROOM
    change_roles = REVIEWERS
    list_display = ["name", "kind", "unit", "account", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["name", "unit__name"]
    autocomplete_fields = ["unit", "user"]
    list_select_related = ["unit", "user"]

    @admin.display(description=_("登录账号"), ordering="user__last_name")
    def account(self, obj: Contributor) -> str:
        return person_name(obj.user) or "—"

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


S = Article.Status
# Where an article sorts in the list: what waits for this person first, then what waits for others, then the rest.
RANK_MY_TURN, RANK_MY_DRAFT, RANK_IN_HAND, RANK_DONE = range(4)


def action_rank(user) -> Case:
    """The list's first sort key for ``user``: their turn to review, their returned pieces and, for those who
    publish, approved pieces waiting for a time; then their drafts; then pieces moving through other hands."""
    levels = [status for status, role in access.LEVEL_ROLE.items() if user_has_role(user, role)]
    own = Q(created_by=user)
    my_turn = (Q(status__in=levels) & ~own) | (own & Q(status=S.RETURNED))
    if access.user_may_publish(user):
        my_turn |= Q(status=S.APPROVED)
    return Case(
        When(my_turn, then=RANK_MY_TURN),
        When(own & Q(status=S.DRAFT), then=RANK_MY_DRAFT),
        When(status__in=[*access.LEVEL_ROLE, S.APPROVED, S.SCHEDULED, S.RETURNED, S.DRAFT], then=RANK_IN_HAND),
        default=RANK_DONE,
        output_field=IntegerField(),
    )


def _short_when(moment):
    """A time in a list column, Beijing time on a 24-hour clock, the year only when it is not this year; a
    narrow column breaks it between the date and the time, never inside either."""
    if moment is None:
        return "—"
    local = timezone.localtime(moment)
    year = "" if local.year == timezone.localdate().year else f"{local.year}年"
    return format_html('<span class="nowrap">{}</span> <span class="nowrap">{}</span>',
                       f"{year}{local.month}月{local.day}日", f"{local:%H:%M}")  # fmt: skip


def _step_success(step: str, article: Article, decision: ReviewDecision | None) -> str:
    if step == "submit":
        return gettext("已送审，等待初审。")
    if step in ("pass", "return"):
        level = decision.get_level_display()
        if step == "return":
            what = gettext("%(level)s退回，已通知作者。") % {"level": level}
        elif article.status in LEVEL_OF_STATE:
            what = gettext("%(level)s通过，已送%(next)s。") % {"level": level, "next": LEVEL_OF_STATE[article.status].label}
        else:
            what = gettext("%(level)s通过，可以安排发布。") % {"level": level}
        edited = field_labels(decision.edited_fields)
        if edited:
            what += gettext("您的修改（%(fields)s）已一并保存，并记入审稿记录。") % {"fields": "、".join(edited)}
        return gettext("审稿意见已记录：") + what
    if step == "publish":
        return gettext("已发布，读者看到的发布时间为 %(when)s。") % {"when": beijing_time(article.publish_at)}
    if step == "schedule":
        return gettext("已定时发布：%(when)s（北京时间）。") % {"when": beijing_time(article.publish_at)}
    if step == "withdraw":
        return gettext("稿件已撤下。")
    return gettext("更正已发布。")


@admin.register(Article)
class ArticleAdmin(RoleModelAdmin):
    """Shaped per role: reporters see their own pieces, reviewers their queue with counts, chiefs everything.

    Every workflow step taken on the article's page (送审, 通过/退回, 立即发布/定时发布, 撤稿, 更正) is a button of
    the article's own form: the edits on the page are saved with the step, or, when the step is refused, the
    page comes back with the reason and everything typed, and nothing is written.
    """

    view_roles = NEWSROOM
    change_roles = NEWSROOM
    form = ArticleAdminForm
    change_form_template = "admin/articles/article/change_form.html"
    change_list_template = "admin/articles/article/change_list.html"
    list_display = ["headline_block", "status", "byline", "written_by", "publish_when", "edited_when"]
    list_filter = [ReviewQueueFilter, "status", "section", "series", "dateline"]
    search_fields = ["headline", "kicker", "subtitle", "lead"]
    date_hierarchy = "created_at"
    autocomplete_fields = ["series", "units", "page"]
    inlines = [CreditInline, FigureInline]
    readonly_fields = ["status", "review_round", "char_count", "published_at", "updated_at", "version", "written_by",
                       "publish_at", "unpublish_at", "body_formatted"]  # fmt: skip
    fieldsets = [
        (_("标题"), {"fields": ["kicker", "headline", "subtitle", ("series", "series_part")]}),
        (_("电头与编辑"), {"fields": ["dateline", "responsible_editor"]}),
        (_("内容"), {"fields": ["lead", "body", "char_count"]}),
        (_("归类"), {"fields": ["section", "units", "tags"]}),
        (_("见报"), {"fields": [("page", "page_order")], "classes": ["collapse"]}),
        (_("转载"), {"fields": ["source", "original_author", "original_title"], "classes": ["collapse"]}),
        (_("状态"), {"fields": [("status", "review_round", "version"), ("publish_at", "unpublish_at"),
                               ("published_at", "updated_at"), "written_by", "expected_version"]}),
    ]  # fmt: skip

    def get_queryset(self, request):
        return (
            access.articles_for_user(request.user)
            .select_related("section", "series", "created_by")
            .prefetch_related("credits__contributor")
        )

    def get_ordering(self, request):
        # An expression rather than an annotation: other admins order their choices of an article by this too.
        return [action_rank(request.user).asc(), "-edited_at", "-pk"]

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if obj is None or self.has_change_permission(request, obj):
            return fieldsets
        # Read only (a reporter's piece in review): the body as it will read, not its HTML source.
        swap = {"body": "body_formatted"}
        return [(name, {**options, "fields": [swap.get(field, field) for field in options["fields"]
                                              if field != "expected_version"]})
                for name, options in fieldsets]  # fmt: skip

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        step = request.POST.get("_workflow", "") if request.method == "POST" else ""
        refusal = getattr(request, "_article_refusal", None)
        return type(form.__name__, (form,), {"workflow_step": step, "workflow_refusal": refusal})

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

    @admin.display(description=_("发布时间"), ordering="publish_at")
    def publish_when(self, obj: Article):
        return _short_when(obj.publish_at)

    @admin.display(description=_("最后编辑"), ordering="edited_at")
    def edited_when(self, obj: Article):
        return _short_when(obj.edited_at)

    @admin.display(description=_("撰稿人"), ordering="created_by__last_name")
    def written_by(self, obj: Article) -> str:
        return person_name(obj.created_by) or "—"

    @admin.display(description=_("正文"))
    def body_formatted(self, obj: Article):
        # Stored bodies were cleaned on save; cleaned again here because this marks them safe for the page.
        return format_html('<div class="article-body-readonly">{}</div>', mark_safe(clean_article_html(obj.body or "")))

    def save_model(self, request, obj, form, change):
        # The article is saved in save_related, with its credits, photos and units: whether an edit goes back
        # to 终审 or becomes a revision depends on all of them, and the admin saves the inlines only there.
        pass

    def save_related(self, request, form, formsets, change):
        """Save the article with its inlines through the services, then take the step whose button was pressed."""
        write_related = functools.partial(super().save_related, request, form, formsets, change)
        article, step, data, by = form.instance, form.workflow_step, form.cleaned_data, request.user
        decision = None
        if not change:
            services.article_create(article=article, by=by, write_related=write_related)
        elif step in ("pass", "return"):
            decision = services.article_save_and_review(
                article=article, by=by, outcome=step, opinion=data.get("review_opinion") or "",
                expected_version=data.get("expected_version"), write_related=write_related,
            )  # fmt: skip
        else:
            was_scheduled_at = article.publish_at if article.status == S.SCHEDULED else None
            approved = article.status in (S.APPROVED, S.SCHEDULED)
            services.article_save(article=article, by=by, changed_fields=set(form.changed_data),
                                  expected_version=data.get("expected_version"), write_related=write_related)  # fmt: skip
            if approved and article.status == S.FINAL_REVIEW:
                # Said when the page comes back: the edit took the piece out of the running order.
                request._article_reopened = (
                    gettext("稿件内容有改动，已回到待终审。原定 %(when)s 的定时发布已取消，终审通过后请重新安排发布。")
                    % {"when": beijing_time(was_scheduled_at)} if was_scheduled_at
                    else gettext("稿件内容有改动，已回到待终审，终审通过后才能发布。")
                )  # fmt: skip
            if step in ("publish", "schedule") and approved and article.status == S.FINAL_REVIEW:
                raise ArticleActionRefused(
                    gettext("您修改了稿件内容，修改后的稿件须重新终审，终审通过后才能发布。"
                            "只想保存修改请点“保存”（稿件将回到待终审）。"), code="edited_needs_final_review",
                )  # fmt: skip
        if step == "submit":
            services.article_submit(article=article, by=by)
        elif step == "publish":
            services.article_publish_now(article=article, by=by, unpublish_at=data.get("expire_at"))
        elif step == "schedule":
            services.article_schedule(article=article, by=by, publish_at=data["schedule_at"],
                                      unpublish_at=data.get("expire_at"))  # fmt: skip
        elif step == "withdraw":
            services.article_withdraw(article=article, by=by, reason=data.get("withdraw_reason") or "")
        elif step == "correct":
            services.article_correct(article=article, by=by, kind=data.get("correction_kind") or "",
                                     text=data.get("correction_text") or "")  # fmt: skip
        # Credits arrive with the inlines, after the article row: index the byline names too.
        services.article_reindex(article=article)
        if step:
            article.refresh_from_db()
            request._article_step_message = _step_success(step, article, decision)

    def response_add(self, request, obj, post_url_continue=None):
        return self._step_response(request, obj) or super().response_add(request, obj, post_url_continue)

    def response_change(self, request, obj):
        reopened = getattr(request, "_article_reopened", None)
        if reopened and getattr(request, "_article_step_message", None) is None:
            messages.warning(request, reopened)
        return self._step_response(request, obj) or super().response_change(request, obj)

    def _step_response(self, request, obj):
        """After a workflow step, back to the article, where its new state and record show, with what happened."""
        message = getattr(request, "_article_step_message", None)
        if message is None:
            return None
        messages.success(request, message)
        return redirect(reverse("admin:articles_article_change", args=[obj.pk]))

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        extra_context = extra_context or {}
        obj = self.get_object(request, object_id) if object_id and request.method == "GET" else None
        if obj is not None and self.has_change_permission(request, obj):
            others = presence.editing_touch(article_id=obj.pk, user=request.user)
            if others:
                messages.warning(request, _("注意：%(names)s 在最近15分钟内也打开了这篇稿件，保存前请先沟通，以免互相覆盖。")
                                 % {"names": "、".join(others)})  # fmt: skip
        # Past the mixin that turns a refusal into a redirect: that would drop what was typed on the page.
        admin_view = super(DomainErrorMessageMixin, self).changeform_view
        try:
            return admin_view(request, object_id, form_url, extra_context)
        except DomainError as refused:
            if request.method != "POST":
                return self._refused(request, refused)
            # Everything was rolled back. The same POST again, with the refusal as an error of the form: the
            # form is invalid, so nothing is saved, and the page shows the reason beside everything typed.
            request._article_refusal = refused
        try:
            return admin_view(request, object_id, form_url, extra_context)
        except DomainError as refused:
            return self._refused(request, refused)

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        context.update(self._workflow_context(request, obj))
        form = context["adminform"].form
        # A refused step's reason sits by its button at the bottom of the page; named at the top as well.
        context["workflow_errors"] = [error for field in set(WORKFLOW_STEPS.values()) if field
                                      for error in form.errors.get(field, [])]  # fmt: skip
        return super().render_change_form(request, context, add, change, form_url, obj)

    def _workflow_context(self, request, article: Article | None) -> dict:
        user = request.user
        if article is None:
            # A new piece: it may be sent to 初审 with its first save.
            may_write = self.has_add_permission(request)
            return {"article_obj": None, "can_submit": may_write, "workflow_open": may_write}
        # Steps are buttons of the article's form, which only someone who may edit it can send.
        may_edit = self.has_change_permission(request, article)
        steps = {step.name for step in ARTICLE_WORKFLOW.available(user=user, obj=article)} if may_edit else set()
        decisions = list(article.decisions.select_related("reviewer"))
        for decision in decisions:
            decision.edited_labels = field_labels(decision.edited_fields)
        draft_revisions = list(article.draft_revisions.select_related("by"))
        for revision in draft_revisions:
            revision.field_labels = field_labels(revision.fields)
        last_decision = decisions[-1] if decisions else None
        changes_since = None
        if last_decision is not None and last_decision.snapshot and article.published_at is None:
            changes_since = snapshot_changes(last_decision.snapshot, services.article_snapshot(article))
        can_review = "pass" in steps or "return" in steps
        # The level a pass sends the article to; none after 终审, whose pass approves it.
        following = NEXT_LEVEL.get(article.status)
        next_level = LEVEL_OF_STATE[following].label if following in LEVEL_OF_STATE else ""
        return {
            "article_obj": article,
            "decisions": decisions,
            "events": article.events.select_related("by"),
            "corrections": article.corrections.all(),
            "revisions": article.revisions.select_related("by"),
            "draft_revisions": draft_revisions,
            "last_decision": last_decision,
            "changes_since": changes_since,
            # Which steps to offer comes from the workflow, the same rules the services enforce.
            "can_submit": "submit" in steps,
            "can_review": can_review,
            "review_level": LEVEL_OF_STATE.get(article.status),
            "next_level": next_level,
            "can_schedule": "schedule" in steps,
            "can_withdraw": "withdraw" in steps,
            "can_correct": "correct" in steps,
            "workflow_open": bool(steps),
            "preview_url": reverse("articles:preview", kwargs={"pk": article.pk}),
            "schedule_url": reverse("admin:articles_article_schedule"),
            "last_return": next((d for d in reversed(decisions) if d.outcome == ReviewDecision.Outcome.RETURN), None),
        }

    def get_urls(self):
        custom = [
            path("import/", self.admin_site.admin_view(self.import_view), name="articles_article_import"),
            path("schedule/", self.admin_site.admin_view(self.schedule_view), name="articles_article_schedule"),
            path("<int:pk>/workflow/<str:step>/", self.admin_site.admin_view(self.workflow_view),
                 name="articles_article_workflow"),  # fmt: skip
        ]
        return custom + super().get_urls()

    def schedule_view(self, request):
        """发布日程: what goes live when (by day, Beijing time), what waits for a time, what went out lately."""
        if not access.user_is_newsroom(request.user):
            return redirect("admin:index")
        now = timezone.now()
        articles = access.articles_for_user(request.user).select_related("section", "created_by")
        upcoming = list(articles.filter(status=S.SCHEDULED, publish_at__gt=now).order_by("publish_at", "pk"))
        days = [(day, list(items)) for day, items in groupby(upcoming, key=lambda a: timezone.localdate(a.publish_at))]
        context = {
            **self.admin_site.each_context(request),
            "title": _("发布日程"),
            "opts": self.model._meta,
            "days": days,
            "today": timezone.localdate(now),
            "waiting": list(articles.filter(status=S.APPROVED).order_by("edited_at", "pk")),
            "recent": list(articles.filter(status=S.PUBLISHED, publish_at__gt=now - timedelta(hours=24),
                                           publish_at__lte=now).order_by("-publish_at")),  # fmt: skip
            "may_publish": access.user_may_publish(request.user),
        }
        return TemplateResponse(request, "admin/articles/article/schedule.html", context)

    def workflow_view(self, request, pk: int, step: str):
        """One POST endpoint per workflow step, for steps taken without the article's form (scripts and the
        like: the back office's page takes them with its form, so edits are saved with them). Every rule is
        enforced by the service it calls."""
        article = access.article_access_for_user(user=request.user, pk=pk)
        change_url = reverse("admin:articles_article_change", args=[article.pk])
        if request.method != "POST":
            return redirect(change_url)
        handlers = {
            "submit": (None, lambda data: services.article_submit(article=article, by=request.user), _("已送审。")),
            "review": (ReviewForm, lambda data: services.article_review(article=article, by=request.user, **data),
                       _("审稿意见已记录。")),
            "publish": (PublishNowForm, lambda data: services.article_publish_now(article=article, by=request.user,
                                                                                  **data), _("已发布。")),
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
                         "can_import": access.user_may_import(request.user),
                         "schedule_url": reverse("admin:articles_article_schedule")}  # fmt: skip
        return super().changelist_view(request, extra_context)

    def import_view(self, request):
        """Import a printed page as drafts, through a preview (articles.import_admin)."""
        from articles.import_admin import page_import_view

        return page_import_view(request, admin_site=self.admin_site, opts=self.model._meta)

@admin.register(ReviewDecision)
class ReviewDecisionAdmin(RoleModelAdmin):
    """The 三审 record, read-only for everyone: decisions are evidence."""

    view_roles = REVIEWERS
    list_display = ["article", "round", "level", "outcome", "reviewer_name", "decided_at", "edited"]
    list_filter = ["level", "outcome"]
    search_fields = ["article__headline", "opinion"]
    list_select_related = ["article", "reviewer"]
    fields = ["article", "round", "level", "outcome", "opinion", "reviewer_name", "decided_at", "edited"]
    readonly_fields = ["reviewer_name", "edited"]

    @admin.display(description=_("审稿人"), ordering="reviewer__last_name")
    def reviewer_name(self, obj: ReviewDecision) -> str:
        return person_name(obj.reviewer)

    @admin.display(description=_("审稿时修改"))
    def edited(self, obj: ReviewDecision) -> str:
        return "、".join(field_labels(obj.edited_fields)) or "—"

    def has_add_permission(self, request, *args):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Correction)
class CorrectionAdmin(RoleModelAdmin):
    view_roles = NEWSROOM
    list_display = ["article", "kind", "published_at", "by_name"]
    list_filter = ["kind"]
    search_fields = ["article__headline", "text"]
    list_select_related = ["article", "by"]

    @admin.display(description=_("发布人"), ordering="by__last_name")
    def by_name(self, obj: Correction) -> str:
        return person_name(obj.by) or "—"

    def has_add_permission(self, request, *args):
        return False  # corrections are published from the article page, through the service

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False  # a published correction is part of the public record, like the article it corrects


from articles import front_admin  # noqa: E402, F401  (the front page's 头条 and 要闻 slots)
