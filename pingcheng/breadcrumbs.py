"""Breadcrumb trails built from named routes, never from hard-coded paths.

A view passes ``crumbs`` to its template; ``base.html`` renders them through ``includes/breadcrumbs.html``,
which adds 首页 in front (the article page's trail is rendered that way when the article is saved:
articles.rendering). The last crumb is the current page and may have no URL::

    crumbs = [crumb(_("新闻"), "articles:list"), crumb(section.name, section), crumb(article.headline)]
"""

from __future__ import annotations

from typing import NamedTuple, Protocol

from django.urls import reverse


class _HasAbsoluteUrl(Protocol):
    def get_absolute_url(self) -> str: ...


class Crumb(NamedTuple):
    """A (title, url) pair: templates unpack it as ``{% for title, url in crumbs %}``."""

    title: str
    url: str = ""


def crumb(title: str, to: str | _HasAbsoluteUrl | None = None, *args, **kwargs) -> Crumb:
    """A crumb titled ``title`` leading to ``to``: a URL name reversed with ``args``/``kwargs``, or an object
    with ``get_absolute_url()``; without ``to``, the current page (rendered as text).
    """
    if to is None:
        return Crumb(title)
    if isinstance(to, str):
        return Crumb(title, reverse(to, args=args or None, kwargs=kwargs or None))
    return Crumb(title, to.get_absolute_url())
