"""Refuse input that no view can use, before any view or middleware reads it.

PostgreSQL refuses NUL (0x00) in every string parameter and psycopg raises ``ValueError``, so a NUL that
reaches a query is a 500: in a URL capture (``/news/tags/%00/``), a query parameter, a form field, a cookie
(the session key is looked up as it comes) or a header that something stores. Forms validate NUL away, but
captures, query strings, cookies and headers are used as they arrive. Bytes that are not UTF-8 (``%ff%fe``)
are never what a visitor meant; Django keeps them percent-escaped in the path and replaces them in the
query, which only turns them into a query for garbage. And more than ``DATA_UPLOAD_MAX_NUMBER_FIELDS``
fields raise ``TooManyFieldsSent`` the moment ``request.GET`` or ``request.POST`` is first read, wherever
that happens to be.

So ``RequestGuardMiddleware`` reads all of it first, near the top of ``MIDDLEWARE`` — before sessions, login
throttling or an audit log can store the path or the parameters — and answers 400 through the site's own
error page with a sentence that says why.
"""

import re
from urllib.parse import unquote_to_bytes

from django.core.exceptions import BadRequest, SuspiciousOperation
from django.core.handlers.exception import response_for_exception
from django.core.handlers.wsgi import get_bytes_from_wsgi
from django.http import QueryDict
from django.http.multipartparser import MultiPartParserError
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

NUL = "\x00"
# Django keeps bytes that are not UTF-8 percent-escaped in path_info (repercent_broken_unicode). A correctly
# encoded URL never leaves an escape of a byte above 0x7F there; only broken bytes or a twice-encoded link do.
BROKEN_BYTE = re.compile(r"%[89A-F][0-9A-F]", re.IGNORECASE)

# The guard answers before these middlewares further down MIDDLEWARE run; its answer gets their headers too.
HEADER_MIDDLEWARE = ("django.middleware.clickjacking.XFrameOptionsMiddleware", "pingcheng.csp.SiteCSPMiddleware")


class RejectedInput(BadRequest):
    """A request refused for what it carries; the message, in Chinese, is shown on the 400 page."""


class RequestGuardMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.header_middleware = [import_string(path)(get_response) for path in HEADER_MIDDLEWARE]

    def __call__(self, request):
        try:
            request_check_input(request)
        except (SuspiciousOperation, BadRequest, MultiPartParserError) as error:
            # SuspiciousOperation covers too many fields and a body over DATA_UPLOAD_MAX_MEMORY_SIZE. Django
            # answers and logs each of these as it would anywhere else (400 page, django.security logger).
            request_forget_unreadable_query(request)
            response = response_for_exception(request, error)
            for middleware in self.header_middleware:
                response = middleware.process_response(request, response)
            return response
        return self.get_response(request)


def request_check_input(request) -> None:
    """Raise ``RejectedInput`` for NUL or non-UTF-8 anywhere a view may read from; parse GET and POST once."""
    if NUL in request.path:
        raise RejectedInput(_("地址中含有空字符（NUL），无法处理。"))
    if BROKEN_BYTE.search(request.path_info):
        raise RejectedInput(_("地址中含有无法识别的字符（须为 UTF-8 编码）。"))
    # QUERY_STRING holds the bytes as sent (WSGI decodes them as Latin-1); an ASGI server decodes them first.
    if hasattr(request, "environ") and not _is_utf8(
        unquote_to_bytes(get_bytes_from_wsgi(request.environ, "QUERY_STRING", ""))
    ):
        raise RejectedInput(_("查询参数中含有无法识别的字符（须为 UTF-8 编码）。"))
    if _has_nul(request.GET):
        raise RejectedInput(_("查询参数中含有空字符（NUL），无法处理。"))
    # Django already strips NUL and other unprintable characters from the names of uploaded files.
    if request.method == "POST" and _has_nul(request.POST):
        raise RejectedInput(_("表单内容中含有空字符（NUL），无法处理。"))
    if any(NUL in name or NUL in value for name, value in request.COOKIES.items()):
        raise RejectedInput(_("Cookie 中含有空字符（NUL），请清除本站 Cookie 后重试。"))
    if any(name.startswith("HTTP_") and NUL in str(value) for name, value in request.META.items()):
        raise RejectedInput(_("请求头中含有空字符（NUL），无法处理。"))


def request_forget_unreadable_query(request) -> None:
    """Replace a query string that raises when read (too many fields) by an empty one.

    Anything rendering the answer — the error page's search box, a context processor, Django's debug page —
    reads ``request.GET``; read again, the query would raise again and the 400 would become a 500.
    """
    try:
        request.GET  # noqa: B018 — reading is the test
    except SuspiciousOperation:
        request.GET = QueryDict()


def _is_utf8(raw: bytes) -> bool:
    try:
        raw.decode("utf-8")
    except UnicodeError:
        return False
    return True


def _has_nul(data: QueryDict) -> bool:
    return any(NUL in name or any(NUL in value for value in values) for name, values in data.lists())
