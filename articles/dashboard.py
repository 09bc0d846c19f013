"""The newsroom's panels on the back office's home: each reviewer's turn, each author's drafts and returns,
and for those who publish, what waits for a time and what goes out next.

Each panel names its articles by their full headline, what needs action first (the longest waiting first in a
review queue), with counts beside the links to the whole lists.
"""

from datetime import timedelta

from django.db.models import Count, Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from articles import access
from articles.models import Article, ReviewDecision
from articles.workflow import LEVEL_OF_STATE
from pingcheng.accounts import person_name
from pingcheng.dashboard import Panel, PanelItem
from pingcheng.directory.access import user_has_role
from pingcheng.directory.models import NEWSROOM_ROLES

S = Article.Status
CHANGELIST = "admin:articles_article_changelist"
# Reviewers write too (a deputy chief files a commentary); only those who never write see no author panel.
WRITING_ROLES = tuple(NEWSROOM_ROLES)
# How many articles a panel names one by one; the counts and the list behind each link hold the rest.
NAMED = 5


def _when(moment) -> str:
    local = timezone.localtime(moment)
    return f"{local.month}月{local.day}日 {local:%H:%M}"


def _change_url(article: Article) -> str:
    return reverse("admin:articles_article_change", args=[article.pk])


def review_queue_panel(*, user) -> Panel | None:
    """"Your turn": the 三审 levels this user holds a role for, with how many articles wait at each."""
    levels = [status for status, role in access.LEVEL_ROLE.items() if user_has_role(user, role)]
    if not levels:
        return None
    # The workflow's review guards, as one query: pieces they wrote or are credited on, and pieces they passed
    # at another level of this round, are not theirs to review (articles.workflow), so they do not wait.
    own = Q(created_by=user) | Q(credits__contributor__user=user)
    waiting = Article.objects.filter(status__in=levels).exclude(pk__in=Article.objects.filter(own).values("pk"))
    mine = {status: Q(status=status) & ~Q(Exists(_passed_at_another_level(user, status))) for status in levels}
    counts = waiting.aggregate(**{status: Count("pk", filter=condition) for status, condition in mine.items()})
    url = reverse(CHANGELIST)
    items = [
        PanelItem(label=str(S(status).label), count=counts[status], url=f"{url}?status__exact={status}",
                  urgent=counts[status] > 0)  # fmt: skip
        for status in levels
    ]
    if any(counts.values()):
        turn = Q()
        for condition in mine.values():
            turn |= condition
        # The longest waiting first: the time the article last moved (submitted or passed) is its edited_at.
        for article in waiting.filter(turn).select_related("created_by").order_by("edited_at", "pk")[:NAMED]:
            items.append(PanelItem(
                label=article.headline, url=_change_url(article),
                note=_("%(level)s · %(author)s · %(when)s送达") % {
                    "level": S(article.status).label, "author": person_name(article.created_by) or "—",
                    "when": _when(article.edited_at)},
            ))  # fmt: skip
    return Panel(title=_("轮到我审的稿件"), items=items, order=10)


def author_panel(*, user) -> Panel | None:
    """A writer's drafts and returned pieces, each return with the reviewer's opinion."""
    if not user_has_role(user, *WRITING_ROLES):
        return None
    mine = Article.objects.filter(Q(created_by=user) | Q(credits__contributor__user=user)).distinct()
    url = reverse(CHANGELIST)
    counts = mine.aggregate(drafts=Count("pk", filter=Q(status=S.DRAFT), distinct=True),
                            in_review=Count("pk", filter=Q(status__in=list(access.LEVEL_ROLE)), distinct=True))  # fmt: skip
    items = []
    # Returned pieces first: the reviewer is waiting for the author.
    returned = list(mine.filter(status=S.RETURNED).order_by("-edited_at")[:NAMED])
    returns = _last_returns([article.pk for article in returned])
    for article in returned:
        decision = returns.get(article.pk)
        note = ""
        if decision is not None:
            note = _("%(level)s退回（%(who)s）：%(opinion)s") % {
                "level": decision.get_level_display(), "who": person_name(decision.reviewer), "opinion": decision.opinion}
        items.append(PanelItem(label=_("已退回：%(headline)s") % {"headline": article.headline},
                               url=_change_url(article), note=note, urgent=True))  # fmt: skip
    items.append(PanelItem(label=_("草稿"), count=counts["drafts"], url=f"{url}?queue=mine&status__exact={S.DRAFT}"))
    if counts["drafts"]:
        for article in mine.filter(status=S.DRAFT).order_by("-edited_at")[:NAMED]:
            items.append(PanelItem(label=article.headline, url=_change_url(article),
                                   note=_("草稿 · 最后编辑 %(when)s") % {"when": _when(article.edited_at)}))  # fmt: skip
    items.append(PanelItem(label=_("审稿中"), count=counts["in_review"], url=f"{url}?queue=mine"))
    items.append(PanelItem(label=_("撰写新稿件"), url=reverse("admin:articles_article_add")))
    return Panel(title=_("我的稿件"), items=items, order=20)


def schedule_panel(*, user) -> Panel | None:
    """Approved pieces waiting for a time, and what goes live in the next 24 hours, for whoever publishes."""
    if not access.user_may_publish(user):
        return None
    now = timezone.now()
    url = reverse(CHANGELIST)
    counts = Article.objects.aggregate(
        approved=Count("pk", filter=Q(status=S.APPROVED)),
        upcoming=Count("pk", filter=Q(status=S.SCHEDULED, publish_at__gt=now, publish_at__lte=now + timedelta(hours=24))),
    )  # fmt: skip
    items = [
        PanelItem(label=_("终审通过，待安排发布"), count=counts["approved"], url=f"{url}?status__exact={S.APPROVED}",
                  urgent=counts["approved"] > 0),
        PanelItem(label=_("24小时内定时发布"), count=counts["upcoming"], url=f"{url}?status__exact={S.SCHEDULED}"),
    ]  # fmt: skip
    # What goes out next, at what time (Beijing time, 24-hour clock): the chief's running order.
    upcoming = Article.objects.filter(status=S.SCHEDULED, publish_at__gt=now).order_by("publish_at", "pk")[:NAMED]
    for article in upcoming:
        items.append(PanelItem(label=article.headline, url=_change_url(article),
                               note=_("%(when)s 定时发布") % {"when": _when(article.publish_at)}))  # fmt: skip
    items.append(PanelItem(label=_("发布日程（全部定时稿件）"), url=reverse("admin:articles_article_schedule")))
    return Panel(title=_("待发布"), order=30, items=items)


def _passed_at_another_level(user, status: str):
    return ReviewDecision.objects.filter(
        article=OuterRef("pk"), round=OuterRef("review_round"), reviewer=user, outcome=ReviewDecision.Outcome.PASS
    ).exclude(level=LEVEL_OF_STATE[status])


def _last_returns(article_ids: list[int]) -> dict[int, ReviewDecision]:
    returns: dict[int, ReviewDecision] = {}
    decisions = ReviewDecision.objects.filter(article_id__in=article_ids, outcome=ReviewDecision.Outcome.RETURN)
    for decision in decisions.select_related("reviewer").defer("snapshot").order_by("decided_at", "pk"):
        returns[decision.article_id] = decision  # the latest return wins
    return returns
