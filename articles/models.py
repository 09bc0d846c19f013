from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_ckeditor_5.fields import CKEditor5Field

from pingcheng.chinese import split_list
from pingcheng.directory.models import Contributor, Unit
from pingcheng.model_loading import from_db_direct
from pingcheng.photos.models import Photo
from pingcheng.url_memo import reverse_with_int

# The highest series part: parts are printed as Chinese numerals (articles.print_import.chinese_numeral).
SERIES_PART_MAX = 99

class Section(models.Model):
    """A 栏目 of the site (时政要闻, 街道社区, 专项工作 …)."""

    name = models.CharField(_("栏目名称"), max_length=40, unique=True)
    slug = models.SlugField(_("网址名"), max_length=40, unique=True)
    description = models.CharField(_("说明"), max_length=200, blank=True)
    sort_order = models.PositiveIntegerField(_("排序"), default=100)

    class Meta:
        verbose_name = _("栏目")
        verbose_name_plural = _("栏目")
        ordering = ["sort_order", "name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("articles:section", kwargs={"slug": self.slug})


class Series(models.Model):
    """A run of articles under one title, printed as ``继往开来担使命 砥砺奋进新征程（五）``."""

    title = models.CharField(_("系列名称"), max_length=80, unique=True)
    slug = models.SlugField(_("网址名"), max_length=60, unique=True)
    description = models.TextField(_("说明"), blank=True)

    class Meta:
        verbose_name = _("系列报道")
        verbose_name_plural = _("系列报道")
        ordering = ["title"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("articles:series", kwargs={"slug": self.slug})


class Edition(models.Model):
    """One printed issue of the paper."""

    date = models.DateField(_("出版日期"), unique=True)
    number = models.PositiveIntegerField(_("期号"), unique=True, help_text=_("总第几期。"))

    class Meta:
        verbose_name = _("报纸期次")
        verbose_name_plural = _("报纸期次")
        ordering = ["-date"]

    def __str__(self) -> str:
        return _("%(date)s 第%(number)s期") % {"date": self.date.strftime("%Y年%m月%d日"), "number": self.number}


class Page(models.Model):
    """One printed page (版面) of an edition: ``第2版 平城新闻``."""

    edition = models.ForeignKey(Edition, verbose_name=_("期次"), on_delete=models.CASCADE, related_name="pages")
    number = models.PositiveSmallIntegerField(_("版次"))
    name = models.CharField(_("版名"), max_length=40, help_text=_("如“平城新闻”。"))
    editor = models.CharField(_("版面编辑"), max_length=40, blank=True)
    slogan = models.CharField(_("版面标语"), max_length=80, blank=True)

    class Meta:
        verbose_name = _("版面")
        verbose_name_plural = _("版面")
        ordering = ["edition", "number"]
        constraints = [models.UniqueConstraint(fields=["edition", "number"], name="page_unique_number_in_edition")]

    def __str__(self) -> str:
        return _("%(edition)s 第%(number)s版 %(name)s") % {"edition": self.edition, "number": self.number, "name": self.name}


class Article(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("草稿")
        FIRST_REVIEW = "first_review", _("待初审")
        SECOND_REVIEW = "second_review", _("待复审")
        FINAL_REVIEW = "final_review", _("待终审")
        RETURNED = "returned", _("已退回")
        APPROVED = "approved", _("终审通过")
        SCHEDULED = "scheduled", _("已定时")
        PUBLISHED = "published", _("已发布")
        WITHDRAWN = "withdrawn", _("已撤稿")
        EXPIRED = "expired", _("已到期下线")

    class Dateline(models.TextChoices):
        BENBAO_XUN = "xun", _("本报讯（记者 …）")
        BENBAO_JIZHE = "jizhe", _("本报记者 …")
        NONE = "none", _("不加电头")

    kicker = models.CharField(_("引题"), max_length=120, blank=True)
    headline = models.CharField(_("主题"), max_length=120)
    subtitle = models.CharField(_("副题"), max_length=120, blank=True)
    series = models.ForeignKey(
        Series, verbose_name=_("系列"), null=True, blank=True, on_delete=models.PROTECT, related_name="articles"
    )
    series_part = models.PositiveSmallIntegerField(_("系列篇次"), null=True, blank=True)
    section = models.ForeignKey(
        Section, verbose_name=_("栏目"), null=True, blank=True, on_delete=models.PROTECT, related_name="articles"
    )
    lead = models.TextField(_("导语/摘要"), blank=True, max_length=500)
    body = CKEditor5Field(_("正文"), config_name="article", blank=True)
    units = models.ManyToManyField(Unit, verbose_name=_("涉及单位"), blank=True, related_name="articles")
    tags = models.CharField(_("标签"), max_length=200, blank=True, help_text=_("用顿号或逗号分隔，如：防汛、网格员。"))
    dateline = models.CharField(_("电头"), max_length=8, choices=Dateline, default=Dateline.BENBAO_XUN)
    responsible_editor = models.CharField(_("责任编辑"), max_length=40, blank=True)
    page = models.ForeignKey(
        Page, verbose_name=_("见报版面"), null=True, blank=True, on_delete=models.SET_NULL, related_name="articles"
    )
    page_order = models.PositiveSmallIntegerField(_("版内顺序"), null=True, blank=True)
    source = models.CharField(_("转载来源"), max_length=80, blank=True)
    original_author = models.CharField(_("原作者"), max_length=80, blank=True)
    original_title = models.CharField(_("原标题"), max_length=120, blank=True)

    char_count = models.PositiveIntegerField(_("字数"), default=0, editable=False)
    status = models.CharField(_("状态"), max_length=16, choices=Status, default=Status.DRAFT)
    review_round = models.PositiveSmallIntegerField(_("送审轮次"), default=0, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("撰稿人"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    edited_at = models.DateTimeField(_("最后编辑"), auto_now=True)
    publish_at = models.DateTimeField(_("发布时间"), null=True, blank=True)
    unpublish_at = models.DateTimeField(_("下线时间"), null=True, blank=True)
    published_at = models.DateTimeField(_("首次发布"), null=True, blank=True, editable=False)
    updated_at = models.DateTimeField(
        _("内容更新时间"), null=True, blank=True, editable=False, help_text=_("发布后实质性修改的时间，向读者公开。")
    )
    version = models.PositiveIntegerField(_("版本"), default=1, editable=False)
    # Space-separated search tokens (jieba words and CJK bigrams) kept by articles.search; indexed as a
    # tsvector('simple') on PostgreSQL.
    search_text = models.TextField(_("检索词"), blank=True, editable=False)
    # What the public page prints, rendered when the article or something it shows is saved
    # (articles.rendering), so a page view only reads it: the page's main part (the header with its titles,
    # dates and filing; corrections, photos, byline, the sanitized body with its inline figures, credits,
    # units), the printed byline, and the schema.org data with site-relative URLs.
    main_html = models.TextField(_("正文（发布版）"), blank=True, editable=False)
    # The page's <head> tags (description, Open Graph, the schema.org script) in pieces, which a view joins
    # with the request's origin (``scheme://host``): every absolute URL is site-relative in what is stored.
    head_parts = models.JSONField(_("页头标记（发布版）"), default=list, blank=True, editable=False)
    crumbs_html = models.TextField(_("面包屑（发布版）"), blank=True, editable=False)
    byline = models.CharField(_("电头与署名"), max_length=300, blank=True, editable=False)
    json_ld = models.JSONField(_("结构化数据"), default=dict, blank=True, editable=False)
    # The article as a card in a list: kicker or series heading, headline link, date and byline
    # (templates/articles/includes/article_card_head.html); lists join these instead of rendering each card.
    card_html = models.TextField(_("列表卡片"), blank=True, editable=False)
    rendered_at = models.DateTimeField(_("发布版生成时间"), null=True, blank=True, editable=False)
    # A digest of the printed text the article was imported from (articles.importing.text_key), so that
    # importing the same story again is recognised and offered as an update instead of a duplicate.
    import_key = models.CharField(_("导入文字指纹"), max_length=64, blank=True, editable=False)

    # Public pages read articles by the dozen (sixty per front page): loaded without Model.__init__.
    from_db = from_db_direct

    class Meta:
        verbose_name = _("稿件")
        verbose_name_plural = _("稿件")
        ordering = ["-publish_at", "-created_at"]
        indexes = [
            models.Index(fields=["status", "-publish_at"], name="article_status_publish_idx"),
            models.Index(fields=["page", "page_order"], name="article_page_order_idx"),
            # Public lists walk these newest first and stop after a page: the condition is the status half of
            # articles.services.article_live_q (the time half is a range on publish_at and a filter on
            # unpublish_at). unpublish_at rides along (INCLUDE, PostgreSQL only) so that counting pages and
            # finding a deep page's ids are index-only scans: page 200 of the list read 4,000 heap rows in each
            # of its two queries (3 ms each at 100,000 articles), 0.4-0.7 ms without them.
            models.Index(fields=["-publish_at", "-id"], include=["unpublish_at"],
                         condition=models.Q(status__in=["scheduled", "published"]), name="article_live_recent_idx"),
            models.Index(fields=["section", "-publish_at", "-id"], include=["unpublish_at"],
                         condition=models.Q(status__in=["scheduled", "published"]), name="article_live_section_idx"),
            models.Index(fields=["unpublish_at"], condition=models.Q(unpublish_at__isnull=False),
                         name="article_unpublish_idx"),
            models.Index(fields=["import_key"], condition=~models.Q(import_key=""), name="article_import_key_idx"),
        ]  # fmt: skip
        constraints = [
            models.CheckConstraint(
                condition=models.Q(series__isnull=True) | models.Q(series_part__isnull=False),
                name="article_series_has_part",
            ),
            models.CheckConstraint(
                condition=models.Q(unpublish_at__isnull=True)
                | models.Q(publish_at__isnull=False, unpublish_at__gt=models.F("publish_at")),
                name="article_unpublish_after_publish",
            ),
            models.UniqueConstraint(
                fields=["series", "series_part"], condition=models.Q(series__isnull=False), name="article_series_part_unique"
            ),
        ]

    def __str__(self) -> str:
        return self.headline

    def get_absolute_url(self) -> str:
        return reverse_with_int("articles:detail", "pk", self.pk)

    def clean(self) -> None:
        if self.series_id and not self.series_part:
            raise ValidationError({"series_part": _("系列报道请填写篇次。")}, code="series_part_required")
        if self.series_part and not self.series_id:
            raise ValidationError({"series": _("填写了篇次，请选择所属系列。")}, code="series_required")
        if self.series_part and self.series_part > SERIES_PART_MAX:
            # The part is printed as a Chinese numeral (第五篇, 继往开来（五）), written up to 九十九.
            raise ValidationError({"series_part": _("篇次请填写1至%(max)s。") % {"max": SERIES_PART_MAX}},
                                  code="series_part_too_large")  # fmt: skip
        if self.unpublish_at and self.publish_at and self.unpublish_at <= self.publish_at:
            raise ValidationError({"unpublish_at": _("下线时间必须晚于发布时间。")}, code="unpublish_before_publish")

    @property
    def is_live(self) -> bool:
        """Visible to the public now: published or scheduled whose minute has come, and not yet taken down."""
        now = timezone.now()
        return (
            self.status in (self.Status.SCHEDULED, self.Status.PUBLISHED)
            and self.publish_at is not None
            and self.publish_at <= now
            and (self.unpublish_at is None or self.unpublish_at > now)
        )

    @property
    def reading_minutes(self) -> int:
        # Adult readers take in about 400 Chinese characters a minute.
        return max(1, round(self.char_count / 400))

    @property
    def series_heading(self) -> str:
        from articles.print_import import chinese_numeral

        if not self.series_id or not self.series_part:
            return ""
        return f"{self.series.title}（{chinese_numeral(self.series_part)}）"

    @property
    def tag_list(self) -> list[str]:
        return split_list(self.tags)


class ArticleTag(models.Model):
    """One tag of an article, kept from ``Article.tags`` by articles.rendering, so a tag's page is an index lookup."""

    article = models.ForeignKey(Article, verbose_name=_("稿件"), on_delete=models.CASCADE, related_name="tag_rows")
    name = models.CharField(_("标签"), max_length=200)

    class Meta:
        verbose_name = _("稿件标签")
        verbose_name_plural = _("稿件标签")
        constraints = [models.UniqueConstraint(fields=["name", "article"], name="article_tag_unique")]

    def __str__(self) -> str:
        return self.name


class ArchiveDay(models.Model):
    """How many live articles a day has, kept by articles.rendering when articles go live or come down,
    so the archive index is a read of a few hundred rows, not a count over every article."""

    day = models.DateField(_("日期"), primary_key=True)
    count = models.PositiveIntegerField(_("稿件数"))

    class Meta:
        verbose_name = _("往期日历")
        verbose_name_plural = _("往期日历")
        ordering = ["-day"]

    def __str__(self) -> str:
        return f"{self.day:%Y-%m-%d}: {self.count}"


class Credit(models.Model):
    """A contributor credited on an article, in printed order."""

    class Role(models.TextChoices):
        REPORTER = "记者", _("记者")
        INTERN = "实习记者", _("实习记者")
        SPECIAL = "特约记者", _("特约记者")
        TRAINEE = "见习记者", _("见习记者")
        CORRESPONDENT = "通讯员", _("通讯员")
        PHOTOGRAPHER = "摄影", _("摄影")
        EDITOR = "编辑", _("编辑")

    article = models.ForeignKey(Article, verbose_name=_("稿件"), on_delete=models.CASCADE, related_name="credits")
    contributor = models.ForeignKey(
        Contributor, verbose_name=_("作者"), on_delete=models.PROTECT, related_name="credits"
    )
    role = models.CharField(_("署名身份"), max_length=8, choices=Role, default=Role.REPORTER)
    order = models.PositiveSmallIntegerField(_("顺序"), default=0)

    class Meta:
        verbose_name = _("署名")
        verbose_name_plural = _("署名")
        ordering = ["order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["article", "contributor", "role"], name="credit_unique_role_per_article")
        ]

    def __str__(self) -> str:
        return f"{self.role} {self.contributor.name}"


class ArticlePhoto(models.Model):
    """A photo of an article, in order; the first is the lead photo.

    Either a figure attached in the back office (printed above and below the body), or a picture inside the
    body (``in_body``): those rows are kept in step with the body by ``articles.rendering`` so that lists, the
    front page and the photo library see every picture an article shows, and they come after the attached
    figures (``order`` from ``BODY_PHOTO_ORDER``).
    """

    # Body pictures sort after any figure an editor attaches and orders by hand.
    BODY_PHOTO_ORDER = 1000

    article = models.ForeignKey(Article, verbose_name=_("稿件"), on_delete=models.CASCADE, related_name="figures")
    photo = models.ForeignKey(Photo, verbose_name=_("图片"), on_delete=models.PROTECT, related_name="figures")
    order = models.PositiveSmallIntegerField(_("顺序"), default=0)
    in_body = models.BooleanField(
        _("正文插图"), default=False, editable=False, help_text=_("正文中插入的图片，随正文保存自动登记，不另行排版。")
    )

    class Meta:
        verbose_name = _("配图")
        verbose_name_plural = _("配图")
        ordering = ["order", "pk"]
        constraints = [models.UniqueConstraint(fields=["article", "photo"], name="figure_unique_photo_per_article")]

    def __str__(self) -> str:
        return str(self.photo)


class ReviewDecision(models.Model):
    """One step of 三审: who passed or returned the article at which level, when and with what opinion.

    Decisions are a record: they are created by ``articles.services`` and never changed afterwards.
    """

    class Level(models.TextChoices):
        FIRST = "first", _("初审")
        SECOND = "second", _("复审")
        FINAL = "final", _("终审")

    class Outcome(models.TextChoices):
        PASS = "pass", _("通过")
        RETURN = "return", _("退回")

    article = models.ForeignKey(Article, verbose_name=_("稿件"), on_delete=models.CASCADE, related_name="decisions")
    round = models.PositiveSmallIntegerField(_("送审轮次"))
    level = models.CharField(_("审级"), max_length=8, choices=Level)
    outcome = models.CharField(_("结论"), max_length=8, choices=Outcome)
    opinion = models.TextField(_("审稿意见"), blank=True)
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("审稿人"), on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(_("审稿时间"), default=timezone.now)
    # What the reviewer passed or returned (articles.services._snapshot), so that the next level sees what
    # changed since; and which parts of it the reviewer changed together with the decision.
    snapshot = models.JSONField(_("审稿时的稿件内容"), default=dict, blank=True)
    edited_fields = models.JSONField(_("审稿时修改的内容"), default=list, blank=True)

    class Meta:
        verbose_name = _("审稿记录")
        verbose_name_plural = _("审稿记录")
        ordering = ["decided_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(outcome="return") | ~models.Q(opinion=""), name="review_return_has_opinion"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_level_display()}{self.get_outcome_display()}"

    def save(self, *args, **kwargs):
        # A review record is evidence: it may be written once, never rewritten.
        if not self._state.adding:
            raise ValidationError(_("审稿记录不可修改。"), code="review_immutable")
        super().save(*args, **kwargs)


class ArticleEvent(models.Model):
    """The article's workflow log: submitted, scheduled, published, withdrawn, corrected, edited after publication."""

    class Action(models.TextChoices):
        CREATED = "created", _("创建")
        IMPORTED = "imported", _("版面导入")
        SUBMITTED = "submitted", _("送审")
        SCHEDULED = "scheduled", _("定时发布")
        PUBLISHED = "published", _("发布")
        UNPUBLISHED = "unpublished", _("到期下线")
        WITHDRAWN = "withdrawn", _("撤稿")
        CORRECTED = "corrected", _("更正")
        REVISED = "revised", _("发布后修改")
        REOPENED = "reopened", _("终审后修改，重新终审")

    article = models.ForeignKey(Article, verbose_name=_("稿件"), on_delete=models.CASCADE, related_name="events")
    action = models.CharField(_("操作"), max_length=16, choices=Action)
    note = models.TextField(_("说明"), blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("操作人"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(_("时间"), default=timezone.now)

    class Meta:
        verbose_name = _("稿件日志")
        verbose_name_plural = _("稿件日志")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return self.get_action_display()


class Revision(models.Model):
    """A snapshot of an article's reader-facing text, kept at every substantive edit after publication."""

    article = models.ForeignKey(Article, verbose_name=_("稿件"), on_delete=models.CASCADE, related_name="revisions")
    version = models.PositiveIntegerField(_("版本"))
    snapshot = models.JSONField(_("内容"))
    note = models.CharField(_("修改说明"), max_length=200, blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("修改人"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(_("时间"), default=timezone.now)

    class Meta:
        verbose_name = _("修订版本")
        verbose_name_plural = _("修订版本")
        ordering = ["-version"]
        constraints = [models.UniqueConstraint(fields=["article", "version"], name="revision_unique_version")]

    def __str__(self) -> str:
        return f"v{self.version}"


class DraftRevision(models.Model):
    """An article as one save before publication left it, with the parts that save changed.

    Written by ``articles.services`` at every save that changes what readers would see, from the first draft to
    终审; after publication ``Revision`` keeps what readers saw instead. Never changed afterwards.
    """

    article = models.ForeignKey(
        Article, verbose_name=_("稿件"), on_delete=models.CASCADE, related_name="draft_revisions"
    )
    version = models.PositiveIntegerField(_("版本"))
    fields = models.JSONField(_("修改的内容"), default=list, blank=True)
    snapshot = models.JSONField(_("保存后的内容"))
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("修改人"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(_("时间"), default=timezone.now)

    class Meta:
        verbose_name = _("发布前修改记录")
        verbose_name_plural = _("发布前修改记录")
        ordering = ["-version"]
        constraints = [models.UniqueConstraint(fields=["article", "version"], name="draft_revision_unique_version")]

    def __str__(self) -> str:
        return f"v{self.version}"


class Correction(models.Model):
    """A published 更正/说明/撤回声明, dated and shown on the article and in the public list."""

    class Kind(models.TextChoices):
        CORRECTION = "correction", _("更正")
        CLARIFICATION = "clarification", _("说明")
        RETRACTION = "retraction", _("撤回声明")

    article = models.ForeignKey(Article, verbose_name=_("稿件"), on_delete=models.CASCADE, related_name="corrections")
    kind = models.CharField(_("类型"), max_length=16, choices=Kind, default=Kind.CORRECTION)
    text = models.TextField(_("内容"))
    published_at = models.DateTimeField(_("发布时间"), default=timezone.now)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("发布人"), null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("更正")
        verbose_name_plural = _("更正")
        ordering = ["-published_at"]
        indexes = [models.Index(fields=["-published_at"], name="correction_recent_idx")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}：{self.article.headline}"


class FrontSlot(models.Model):
    """One place on the front page that an editor fills: the 头条 or one of the 要闻.

    A slot shows its article while the article is live and the slot has not expired; a slot that is not
    pinned holds only for the day it was set — once a newer day's story is published, the automatic choice
    returns. Anything else falls back silently to the automatic choice (articles.views.front_page). Written
    through ``articles.front_slots``, which tells the page cache.
    """

    class Position(models.IntegerChoices):
        LEAD = 0, _("头条")
        TOP_1 = 1, _("要闻一")
        TOP_2 = 2, _("要闻二")
        TOP_3 = 3, _("要闻三")
        TOP_4 = 4, _("要闻四")

    position = models.PositiveSmallIntegerField(
        _("位置"), choices=Position, unique=True,
        error_messages={"unique": _("这个位置已经安排了稿件：请在列表中打开它修改，或先撤下。")},
    )  # fmt: skip
    article = models.ForeignKey(
        Article, verbose_name=_("稿件"), on_delete=models.CASCADE, related_name="front_slots",
        help_text=_("只能选择已经发布的稿件。"),
    )  # fmt: skip
    pinned = models.BooleanField(
        _("置顶"), default=False,
        help_text=_("不置顶：只管当天，次日有新稿件发布后让位于自动选择。置顶：一直保留，直到到期或撤下。"),
    )  # fmt: skip
    expires_at = models.DateTimeField(_("到期时间"), null=True, blank=True, help_text=_("到期后自动让位；留空则不限。"))
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("安排人"), null=True, on_delete=models.SET_NULL, related_name="+",
        editable=False,
    )  # fmt: skip
    set_at = models.DateTimeField(_("安排时间"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("首页位置")
        verbose_name_plural = _("首页位置")
        ordering = ["position"]
        constraints = [
            models.CheckConstraint(condition=models.Q(position__lte=4), name="front_slot_position_known"),
            models.UniqueConstraint(
                fields=["article"], name="front_slot_article_once",
                violation_error_message=_("这篇稿件已经安排在首页的另一个位置。"),
            ),  # fmt: skip
        ]

    def __str__(self) -> str:
        return f"{self.get_position_display()}：{self.article.headline}"

    def shows_at(self, now, newest_day) -> bool:
        """Whether the slot's article is shown at ``now``, when the newest live story is from ``newest_day``."""
        if not self.article.is_live or (self.expires_at is not None and self.expires_at <= now):
            return False
        return self.pinned or newest_day is None or newest_day <= timezone.localdate(self.set_at)
