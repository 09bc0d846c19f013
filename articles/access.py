"""Who may see and change which articles in the back office.

Reviewers (初审/复审/终审) and district administrators see every article; reporters, correspondents and
photographers see the articles they wrote or are credited on. One 404 for "missing" and "not yours".
"""

from django.db.models import Q, QuerySet
from django.http import Http404

from articles.models import Article
from pingcheng.directory import access
from pingcheng.directory.models import NEWSROOM_ROLES, REVIEW_ROLES, Role


def user_is_reviewer(user) -> bool:
    return access.user_sees_everything(user) or access.user_has_role(user, *REVIEW_ROLES)


def user_is_newsroom(user) -> bool:
    return access.user_sees_everything(user) or access.user_has_role(user, *NEWSROOM_ROLES)


def articles_for_user(user) -> QuerySet[Article]:
    if user_is_reviewer(user):
        return Article.objects.all()
    if not user_is_newsroom(user):
        return Article.objects.none()
    return Article.objects.filter(Q(created_by=user) | Q(credits__contributor__user=user)).distinct()


def article_access_for_user(*, user, pk) -> Article:
    try:
        return articles_for_user(user).get(pk=pk)
    except (Article.DoesNotExist, ValueError, TypeError):
        raise Http404("稿件不存在") from None


def user_may_edit(user, article: Article) -> bool:
    """Authors edit their drafts and returned pieces; reviewers edit anything still in the newsroom's hands.

    Published pieces are edited by reviewers only, and every substantive edit is kept as a revision.
    """
    if user_is_reviewer(user):
        return True
    own = article.created_by_id == user.pk or article.credits.filter(contributor__user=user).exists()
    return own and article.status in (Article.Status.DRAFT, Article.Status.RETURNED)


LEVEL_ROLE = {
    Article.Status.FIRST_REVIEW: Role.EDITOR,
    Article.Status.SECOND_REVIEW: Role.DEPUTY_CHIEF,
    Article.Status.FINAL_REVIEW: Role.CHIEF_EDITOR,
}
PUBLISHING_ROLES = (Role.EDITOR, Role.DEPUTY_CHIEF, Role.CHIEF_EDITOR)
WITHDRAWING_ROLES = (Role.DEPUTY_CHIEF, Role.CHIEF_EDITOR)


def user_may_publish(user) -> bool:
    return access.user_sees_everything(user) or access.user_has_role(user, *PUBLISHING_ROLES)


def user_may_withdraw(user) -> bool:
    return access.user_sees_everything(user) or access.user_has_role(user, *WITHDRAWING_ROLES)


def user_may_import(user) -> bool:
    """Importing a printed page is for reviewers (编辑, 副总编辑, 总编辑) and district administrators only.

    The choice: an import writes many drafts at once, creates contributors and series in the directory, and
    with a placement creates the edition and page of the printed paper — all of which only editors may
    create by hand. A reporter or correspondent sends their own piece as an ordinary draft instead.
    """
    return user_is_reviewer(user)
