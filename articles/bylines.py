"""Bylines rendered the way the paper prints them: ``本报讯（记者 宋芳 通讯员 马向英）``, ``本报记者 邱东芳``."""

from articles.models import Article, Credit
from articles.print_import import Byline, format_byline
from articles.print_import import Credit as PrintedCredit

# Photographers are credited under their photos (``曹飞摄``) and editors in the 责任编辑 line, not in the byline.
BYLINE_ROLES = (
    Credit.Role.REPORTER, Credit.Role.INTERN, Credit.Role.SPECIAL, Credit.Role.TRAINEE, Credit.Role.CORRESPONDENT,
)  # fmt: skip
DATELINES = {Article.Dateline.BENBAO_XUN: "本报讯", Article.Dateline.BENBAO_JIZHE: "本报记者", Article.Dateline.NONE: ""}


def byline_credits(article: Article) -> list[Credit]:
    """The article's byline credits in printed order; uses prefetched credits when they are there."""
    credits = sorted(article.credits.all(), key=lambda credit: (credit.order, credit.pk))
    return [credit for credit in credits if credit.role in BYLINE_ROLES]


def article_byline(article: Article) -> str:
    credits = byline_credits(article)
    dateline = DATELINES[Article.Dateline(article.dateline)]
    if not credits:
        return dateline if dateline == "本报讯" else ""
    printed = [PrintedCredit(role=c.role, name=c.contributor.name, order=index) for index, c in enumerate(credits)]
    return format_byline(Byline(dateline=dateline, credits=printed))


def printed_byline(article: Article) -> str:
    """The byline stored when the article was last rendered (``articles.rendering``), else built now."""
    return article.byline if article.rendered_at is not None else article_byline(article)
