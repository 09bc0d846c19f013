"""The elderly-friendly display mode (适老化 长辈模式): larger type, stronger contrast, bigger targets.

A reader switches it on or off with a plain form in the site header, without JavaScript: the form POSTs
here, the view sets (or deletes) one cookie and sends the reader back to the page they came from. Pages read
the cookie through the ``display_mode`` context processor and put a class on ``<html>``; site.css does the rest.

Because the server renders the two modes differently, the mode is part of the page-cache key
(``pingcheng.page_cache``), and public pages answer ``Vary: Cookie`` so that a browser's own cache never
shows the page of the other mode after a switch.

The form carries no CSRF token on purpose: a token would give every public page the CSRF cookie, and the page
cache never stores a response that sets a cookie (nor may one reader's token be served to the next). A forged
switch could only change how the site looks; it is still refused when the browser says that the request came
from another site (``Sec-Fetch-Site``, or ``Origin`` where a browser does not send the former).
"""


from django.conf import settings
from django.core.exceptions import BadRequest, PermissionDenied
from django.http import HttpRequest, HttpResponseRedirect
from django.utils.cache import add_never_cache_headers
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from pingcheng.pagination import page_number
from pingcheng.safe_paths import local_path

COOKIE_NAME = "display_mode"
STANDARD = "standard"
LARGE = "large"
MODES = (STANDARD, LARGE)
COOKIE_MAX_AGE = 365 * 24 * 3600  # a resident who needs large type needs it on every visit


def display_mode(request: HttpRequest | None) -> str:
    """The mode this reader chose: ``LARGE`` or ``STANDARD`` (any other cookie value is the standard mode)."""
    cookies = getattr(request, "COOKIES", None) or {}
    return LARGE if cookies.get(COOKIE_NAME) == LARGE else STANDARD


def display_mode_context(request: HttpRequest) -> dict:
    """``display_mode`` for base.html, and ``display_mode_next``: where the switch sends the reader back to.

    The way back is the page's path and its page number only — exactly what the page cache keys a page by —
    so a cached page never hands one reader's query string (a search, a tracking code) to another.
    """
    number = page_number(request)
    return {
        "display_mode": display_mode(request),
        "display_mode_next": request.path + (f"?page={number}" if number > 1 else ""),
    }


@csrf_exempt  # see the module docstring: same-site is checked below instead of a token
@require_POST
def display_mode_switch(request: HttpRequest) -> HttpResponseRedirect:
    """Turn the large, high-contrast mode on (``mode=large``) or off (``mode=standard``) and go back."""
    if _from_another_site(request):
        raise PermissionDenied("display mode switch from another site")
    mode = request.POST.get("mode", "")
    if mode not in MODES:
        raise BadRequest("unknown display mode")
    response = HttpResponseRedirect(_same_site_path(request.POST.get("next", "")))
    response.status_code = 303  # "see other": the browser follows with a GET, never re-posting the form
    if mode == LARGE:
        response.set_cookie(
            COOKIE_NAME, LARGE, max_age=COOKIE_MAX_AGE, secure=settings.SESSION_COOKIE_SECURE, httponly=True,
            samesite="Lax",
        )  # fmt: skip
    else:
        response.delete_cookie(COOKIE_NAME, samesite="Lax")
    add_never_cache_headers(response)
    return response


def _from_another_site(request: HttpRequest) -> bool:
    fetch_site = request.headers.get("Sec-Fetch-Site")
    if fetch_site is not None:
        return fetch_site not in ("same-origin", "none")  # "none": typed or bookmarked by the reader
    origin = request.headers.get("Origin")
    if origin is None:
        return False  # an old browser that sends neither header: the worst case is a changed font size
    own = f"{request.scheme}://{request.get_host()}"
    return origin not in (own, *settings.CSRF_TRUSTED_ORIGINS)


def _same_site_path(target: str) -> str:
    """``target`` when it is a path on this site, else the home page: never an open redirect."""
    return local_path(target) or "/"
