from pingcheng.errors import DomainError


class ArticleActionRefused(DomainError):
    """A workflow step that the article's state or the user's role does not allow; the message says why."""


class ArticleEditConflict(ArticleActionRefused):
    """Someone else saved the article since this editor opened it."""
