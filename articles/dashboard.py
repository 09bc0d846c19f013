"""The newsroom's panels on the back office's home: each reviewer's turn, each author's drafts and returns."""

from datetime import timedelta

from django.db.models import Count, Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from articles import access
from articles.models import Article, ReviewDecision
from articles.workflow import LEVEL_OF_STATE
from pingcheng.dashboard import Panel, PanelItem
from pingcheng.directory.access import user_has_role
from pingcheng.directory.models import NEWSROOM_ROLES

S = Article.Status
CHANGELIST = "admin:articles_article_changelist"
# Reviewers write too (a deputy chief files a commentary); only those who never write see no author panel.
WRITING_ROLES = tuple(NEWSROOM_ROLES)


def review_queue_panel(*, user) -> Panel | None:
    """"Your turn": the 三审 levels this user holds a role for, with how many articles wait at each."""
    levels = [status for status, role in access.LEVEL_ROLE.items() if user_has_role(user, role)]
    if not levels:
        return None
    # The workflow's review guards, as one query: pieces they wrote or are credited on, and pieces they passed
    # at another level of this round, are not theirs to review (articles.workflow), so they do not wait.
    own = Q(created_by=user) | Q(credits__contributor__user=user)
    waiting = Article.objects.filter(status__in=levels).exclude(pk__in=Article.objects.filter(own).values("pk"))
    counts = waiting.aggregate(**{
        status: Count("pk", filter=Q(status=status) & ~Q(Exists(_passed_at_another_level(user, status))))
        for status in levels
    })  # fmt: skip
    url = reverse(CHANGELIST)
    items = [
        PanelItem(label=str(S(status).label), count=counts[status], url=f"{url}?status__exact={status}",
                  urgent=counts[status] > 0)  # fmt: skip
        for status in levels
    ]
    return Panel(title=_("轮到我审的稿件"), items=items, order=10)


def author_panel(*, user) -> Panel | None:
    """A writer's drafts and returned pieces, each return with the reviewer's opinion."""
    if not user_has_role(user, *WRITING_ROLES):
        return None
    mine = Article.objects.filter(Q(created_by=user) | Q(credits__contributor__user=user)).distinct()
    url = reverse(CHANGELIST)
    drafts = mine.filter(status=S.DRAFT).count()
    in_review = mine.filter(status__in=list(access.LEVEL_ROLE)).count()
    items = [
        PanelItem(label=_("草稿"), count=drafts, url=f"{url}?queue=mine&status__exact={S.DRAFT}"),
        PanelItem(label=_("审稿中"), count=in_review, url=f"{url}?queue=mine"),
    ]
    returned = list(mine.filter(status=S.RETURNED).order_by("-edited_at")[:5])
    opinions = _last_return_opinions([article.pk for article in returned])
    for article in returned:
        items.append(PanelItem(
            label=_("已退回：%(headline)s") % {"headline": article.headline},
            url=reverse("admin:articles_article_change", args=[article.pk]),
            note=opinions.get(article.pk, ""), urgent=True,
        ))  # fmt: skip
    return Panel(title=_("我的稿件"), items=items, order=20)


def schedule_panel(*, user) -> Panel | None:
    """Approved pieces waiting for a time, and what goes live in the next 24 hours, for whoever publishes."""
    if not access.user_may_publish(user):
        return None
    now = timezone.now()
    url = reverse(CHANGELIST)
    approved = Article.objects.filter(status=S.APPROVED).count()
    upcoming = Article.objects.filter(
        status=S.SCHEDULED, publish_at__gt=now, publish_at__lte=now + timedelta(hours=24)
    ).count()
    return Panel(title=_("待发布"), order=30, items=[
        PanelItem(label=_("终审通过，待安排发布"), count=approved, url=f"{url}?status__exact={S.APPROVED}",
                  urgent=approved > 0),
        PanelItem(label=_("24小时内定时发布"), count=upcoming, url=f"{url}?status__exact={S.SCHEDULED}"),
    ])  # fmt: skip


def _passed_at_another_level(user, status: str):
    return ReviewDecision.objects.filter(
        article=OuterRef("pk"), round=OuterRef("review_round"), reviewer=user, outcome=ReviewDecision.Outcome.PASS
    ).exclude(level=LEVEL_OF_STATE[status])


def _last_return_opinions(article_ids: list[int]) -> dict[int, str]:
    opinions: dict[int, str] = {}
    decisions = ReviewDecision.objects.filter(article_id__in=article_ids, outcome=ReviewDecision.Outcome.RETURN)
    for article_id, opinion in decisions.order_by("decided_at", "pk").values_list("article_id", "opinion"):
        opinions[article_id] = opinion  # the latest return wins
    return opinions
