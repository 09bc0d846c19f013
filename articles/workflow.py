"""The newsroom's workflow: 三审, scheduling, withdrawal and corrections, declared once.

``articles.services`` checks each step here under the row lock; the admin's workflow panel shows a step's
form only when ``ARTICLE_WORKFLOW.allowed(...)`` says the user may take it.
"""

from django.utils.translation import gettext_lazy as _

from articles import access
from articles.errors import ArticleActionRefused
from articles.models import Article, ReviewDecision
from pingcheng.directory.access import user_has_role
from pingcheng.errors import DomainError
from pingcheng.workflow import Refusal, Transition, Workflow, require

S = Article.Status
REVIEW_STATES = frozenset({S.FIRST_REVIEW, S.SECOND_REVIEW, S.FINAL_REVIEW})
NEXT_LEVEL = {S.FIRST_REVIEW: S.SECOND_REVIEW, S.SECOND_REVIEW: S.FINAL_REVIEW, S.FINAL_REVIEW: S.APPROVED}
LEVEL_OF_STATE = {
    S.FIRST_REVIEW: ReviewDecision.Level.FIRST,
    S.SECOND_REVIEW: ReviewDecision.Level.SECOND,
    S.FINAL_REVIEW: ReviewDecision.Level.FINAL,
}


def _holds_level_role(user, article: Article) -> DomainError | None:
    role = access.LEVEL_ROLE[article.status]
    if user_has_role(user, role):
        return None
    level = LEVEL_OF_STATE[article.status]
    return DomainError(
        _("%(level)s须由具有“%(role)s”角色的人员进行。") % {"level": level.label, "role": role.label}, code="wrong_role"
    )


def _not_the_author(user, article: Article) -> DomainError | None:
    if article.created_by_id == user.pk or article.credits.filter(contributor__user=user).exists():
        return DomainError(_("作者不能审自己的稿件。"), code="author_reviews_own")
    return None


def _not_reviewer_of_another_level(user, article: Article) -> DomainError | None:
    level = LEVEL_OF_STATE[article.status]
    passed_elsewhere = (
        ReviewDecision.objects.filter(
            article=article, round=article.review_round, outcome=ReviewDecision.Outcome.PASS, reviewer=user
        )
        .exclude(level=level)
        .exists()
    )
    if passed_elsewhere:
        return DomainError(_("同一人不能承担两个审级，请由另一位审稿人审理。"), code="same_reviewer")
    return None


def _was_published(user, article: Article) -> bool:
    return article.published_at is not None


REVIEW_GUARDS = (_holds_level_role, _not_the_author, _not_reviewer_of_another_level)
NOT_IN_REVIEW = Refusal(_("这篇稿件当前不在审稿环节。"), "not_in_review")

ARTICLE_WORKFLOW = Workflow([
    Transition(
        name="submit", label=_("送审"), sources=frozenset({S.DRAFT, S.RETURNED}), target=S.FIRST_REVIEW,
        wrong_state=Refusal(_("只有草稿或退回的稿件可以送审。"), "not_submittable"),
        guards=(require(access.user_may_edit, Refusal(_("您不能送审这篇稿件。"), "submit_forbidden")),),
    ),
    Transition(
        name="pass", label=_("审稿通过"), sources=REVIEW_STATES, target=NEXT_LEVEL,
        wrong_state=NOT_IN_REVIEW, guards=REVIEW_GUARDS,
    ),
    Transition(
        name="return", label=_("退回"), sources=REVIEW_STATES, target=S.RETURNED,
        wrong_state=NOT_IN_REVIEW, guards=REVIEW_GUARDS,
        note_required=Refusal(_("退回稿件须写明审稿意见。"), "opinion_required"),
    ),
    Transition(
        name="schedule", label=_("安排发布"), sources=frozenset({S.APPROVED, S.SCHEDULED}), target=S.SCHEDULED,
        wrong_state=Refusal(_("稿件须经终审通过后才能安排发布。"), "not_approved"),
        guards=(require(lambda user, _a: access.user_may_publish(user), Refusal(_("您没有安排发布的权限。"), "schedule_forbidden")),),
    ),
    Transition(
        name="withdraw", label=_("撤稿"), sources=frozenset({S.APPROVED, S.SCHEDULED, S.PUBLISHED}),
        target=S.WITHDRAWN, wrong_state=Refusal(_("只有已发布、已定时或终审通过的稿件可以撤稿。"), "not_withdrawable"),
        guards=(require(lambda user, _a: access.user_may_withdraw(user), Refusal(_("撤稿须由副总编辑或总编辑操作。"), "withdraw_forbidden")),),
        note_required=Refusal(_("撤稿须填写原因。"), "reason_required"),
    ),
    Transition(
        name="correct", label=_("发布更正"), sources=None, target=None,
        wrong_state=Refusal(_("只有发布过的稿件才能发布更正。"), "not_published"),
        guards=(
            require(_was_published, Refusal(_("只有发布过的稿件才能发布更正。"), "not_published")),
            require(lambda user, _a: access.user_may_publish(user), Refusal(_("您没有发布更正的权限。"), "correct_forbidden")),
        ),
        note_required=Refusal(_("请填写更正内容。"), "text_required"),
    ),
], error_class=ArticleActionRefused)  # fmt: skip
