"""Staff accounts: how a staff member is named, sign-in throttling (django-axes), its unlock path and the idle
limit of staff sessions.

Names: ``person_name`` is the one way the back office names a colleague (review records, logs, presence
warnings, dashboards, the audit trail), in Chinese order: family name first, no space (邱东芳).

Failed logins are counted by django-axes in the database (settings ``AXES_*``): five for one account lock that
account from every address, five from one address lock that address for every account, each for
``LOGIN_LOCKOUT_MINUTES``. The functions named in those settings live here: the login page that says so in
Chinese, the client address behind nginx and the masked log label. A district administrator lifts a lockout
early with ``login_unlock`` (the "解除锁定" actions in the user and lockout admins).
"""

import ipaddress
import logging
import re
import time
from collections.abc import Iterable
from urllib.parse import parse_qs, urlsplit

from axes.helpers import get_client_username
from axes.utils import reset as axes_reset
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth import REDIRECT_FIELD_NAME, logout
from django.http import QueryDict
from django.shortcuts import render
from django.utils.translation import gettext as _

from pingcheng.directory import access
from pingcheng.errors import DomainError
from pingcheng.notices.masking import mask_contacts

logger = logging.getLogger(__name__)
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")

LAST_SEEN_KEY = "pingcheng_staff_last_seen"
# A form sent just as its staff session idled out, kept in the (new) session until its owner logs in again.
UNSENT_FORM_KEY = "pingcheng_unsent_form"
UNSENT_FORM_HOURS = 24
# Never kept: the old page's CSRF token (the login rotates it; the restored page carries a fresh one).
_UNSENT_SKIPPED = frozenset({"csrfmiddlewaretoken"})
# The last-seen time is written at most this often, so that a busy editor does not cost a session write per request.
LAST_SEEN_RESOLUTION = 60


def person_name(user) -> str:
    """A staff member's name as Chinese readers write it: family name, then given name, with no space (邱东芳).

    Django's ``get_full_name()`` is the Western order with a space ("东芳 邱"). A name written in Latin letters
    keeps a space between its parts (Wang Lei). An account with no name at all falls back to its login, the
    only thing that still tells it apart; nobody (``None``, an anonymous user) is the empty string.
    """
    if user is None or not getattr(user, "is_authenticated", False):
        return ""
    family, given = (user.last_name or "").strip(), (user.first_name or "").strip()
    if not (family or given):
        return user.get_username()
    joiner = "" if _CJK.search(family + given) else " "
    return joiner.join(part for part in (family, given) if part)


def login_lockout_message() -> str:
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    return _(
        "登录失败次数过多，该账号或当前网络已被暂时锁定。请 %(minutes)s 分钟后再试，或联系区级管理员解除锁定。"
    ) % {"minutes": minutes}


class LockedOutLoginForm(AdminAuthenticationForm):
    """The login form shown to a locked-out client: empty but for the name, with the lockout as its error."""

    def non_field_errors(self):
        return self.error_class([login_lockout_message()], error_class="nonfield", renderer=self.renderer)


def login_lockout_response(request, original_response=None, credentials=None):
    """The admin login page again, with the lockout explained (HTTP 429), instead of axes' bare text."""
    form = LockedOutLoginForm(request, initial={"username": get_client_username(request, credentials) or ""})
    context = {
        **admin.site.each_context(request),
        "title": _("登录"),
        "subtitle": None,
        "app_path": request.get_full_path(),
        "form": form,
        REDIRECT_FIELD_NAME: request.POST.get(REDIRECT_FIELD_NAME) or request.GET.get(REDIRECT_FIELD_NAME, ""),
    }
    return render(request, "admin/login.html", context, status=settings.AXES_HTTP_RESPONSE_CODE)


def login_client_str(username, ip_address, user_agent, path_info, request) -> str:
    """How axes names a client in its log lines: the login masked, since staff may sign in with a phone number."""
    return f"{{username: {mask_contacts(username or '')!r}, ip_address: {ip_address!r}, path_info: {path_info!r}}}"


def login_client_ip_behind_proxy(request) -> str | None:
    """The client's address as nginx saw it: the last X-Forwarded-For entry, which nginx appends itself.

    Entries before it come from the client and can be forged, so they are never used. Anything that is not an
    address falls back to REMOTE_ADDR (the column is an address type on PostgreSQL).
    """
    hops = [hop.strip() for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if hop.strip()]
    if hops:
        try:
            return str(ipaddress.ip_address(hops[-1]))
        except ValueError:
            pass
    return request.META.get("REMOTE_ADDR")


def login_unlock(*, by, usernames: Iterable[str] = (), ip_addresses: Iterable[str] = ()) -> int:
    """Forget the counted failures of these accounts and addresses, which lifts their lockout at once.

    Only a district administrator or a superuser may do it (``DomainError`` ``unlock_forbidden`` otherwise).
    Returns how many failure records went; logs who unlocked how many accounts and addresses.
    """
    if not access.user_sees_everything(by):
        raise DomainError(_("只有区级管理员可以解除登录锁定。"), code="unlock_forbidden")
    usernames, ip_addresses = sorted(set(usernames)), sorted(set(ip_addresses))
    removed = sum(axes_reset(username=name) for name in usernames if name)
    removed += sum(axes_reset(ip=address) for address in ip_addresses if address)
    logger.info("Login lockout lifted by user %s: %s accounts, %s addresses, %s failure records",
                by.pk, len(usernames), len(ip_addresses), removed)  # fmt: skip
    return removed


class StaffIdleTimeoutMiddleware:
    """Ends a staff session after SESSION_STAFF_IDLE_MINUTES without a request.

    Why an idle limit and not a short SESSION_COOKIE_AGE with SESSION_SAVE_EVERY_REQUEST: back-office computers
    in street and community offices are shared and left unattended; 30 minutes of silence is the risk, however
    long the working day. A short cookie age would log out an editor in the middle of the day's work, and saving
    the session on every request costs a database write per request for every visitor's session. Here only a
    staff session is touched, at most once a minute. Residents' pages never see it. Placed after the
    authentication and message middleware; after the logout the request goes on as anonymous, so the back office
    sends the user to the login page, where the message says why.

    A form sent just then is not lost: when the view sends its author to log in and come back, what they typed
    is kept in the new session, for them only, and the page that asked them to log in gives it back once
    (``unsent_form_take``): a grid worker who took 40 minutes over a patrol report logs in and finds it typed.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        # Without a session cookie nobody is logged in: leave the session untouched (no read, no Vary: Cookie).
        if settings.SESSION_COOKIE_NAME not in request.COOKIES:
            return self.get_response(request)
        user = getattr(request, "user", None)
        idled_out = None
        if user is not None and user.is_authenticated and user.is_staff:
            now = time.time()
            last_seen = request.session.get(LAST_SEEN_KEY)
            if isinstance(last_seen, int | float) and now - last_seen > settings.SESSION_STAFF_IDLE_MINUTES * 60:
                idled_out = user.pk
                logout(request)
                messages.info(
                    request,
                    _("您已超过 %(minutes)s 分钟未操作，为了账号安全已自动退出，请重新登录。")
                    % {"minutes": settings.SESSION_STAFF_IDLE_MINUTES},
                )
            elif not isinstance(last_seen, int | float) or now - last_seen >= LAST_SEEN_RESOLUTION:
                request.session[LAST_SEEN_KEY] = now
        response = self.get_response(request)
        if idled_out is not None and request.method == "POST" and _sent_to_log_in_and_back(request, response):
            _unsent_form_keep(request, owner=idled_out)
        return response


def _sent_to_log_in_and_back(request, response) -> bool:
    """Whether the view answered the logged-out POST by sending its author to log in and come back here.

    Only then is the form kept: a CSRF failure is a 403 (a form another site posted is never kept), and a
    view that handled the POST anonymously has nothing to give back.
    """
    if response.status_code not in (302, 303) or not response.has_header("Location"):
        return False
    back = parse_qs(urlsplit(response["Location"]).query).get(REDIRECT_FIELD_NAME, [""])[0]
    return back == request.get_full_path()


def _unsent_form_keep(request, *, owner: int) -> None:
    """Keep what the staff member typed (never the files: a photo is chosen again) for ``unsent_form_take``."""
    fields = {key: request.POST.getlist(key) for key in request.POST if key not in _UNSENT_SKIPPED}
    request.session[UNSENT_FORM_KEY] = {"owner": owner, "path": request.get_full_path(), "fields": fields,
                                        "files": bool(request.FILES), "at": time.time()}  # fmt: skip
    messages.info(request, _("您刚才填写的内容已暂存，重新登录后会回到这一页并自动填好，请核对后再提交。"))


def unsent_form_take(request) -> tuple[QueryDict, bool] | None:
    """The form its owner sent from this page as their session idled out, once, after they logged in again:
    the fields as a QueryDict to bind the form to, and whether files were sent with it (to be chosen again).

    Kept only for the person who typed it: someone else logging in on the same shared computer gets nothing,
    and the kept form is dropped. Old ones (after UNSENT_FORM_HOURS) are dropped too.
    """
    kept = request.session.get(UNSENT_FORM_KEY)
    if not isinstance(kept, dict) or not request.user.is_authenticated:
        return None
    if kept.get("owner") != request.user.pk or time.time() - kept.get("at", 0) > UNSENT_FORM_HOURS * 3600:
        del request.session[UNSENT_FORM_KEY]
        return None
    if kept.get("path") != request.get_full_path():
        return None
    del request.session[UNSENT_FORM_KEY]
    data = QueryDict(mutable=True)
    for key, values in kept.get("fields", {}).items():
        data.setlist(key, values)
    data._mutable = False
    return data, bool(kept.get("files"))
