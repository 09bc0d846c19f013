from urllib.parse import unquote, urlsplit

from django.contrib import admin
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.http import HttpResponseServerError, JsonResponse
from django.shortcuts import render
from django.template import loader
from django.urls import Resolver404, resolve, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from pingcheng.health import run_checks
from pingcheng.request_guard import RejectedInput, request_forget_unreadable_query

LOOPBACK_ADDRESSES = frozenset({"127.0.0.1", "::1"})


@never_cache
def healthz(request):
    """Each check as "ok" or "error"; the reasons only for staff and for probes on this host.

    The reasons name hosts, ports and library errors: nothing for the public. A request relayed by the
    reverse proxy also comes from 127.0.0.1, but carries X-Forwarded-For (deploy/nginx.conf always sets
    it), so only a probe on the host itself counts as local.
    """
    results = run_checks()
    healthy = all(value == "ok" for value in results.values())
    # The user comes from the session, which lives in the database: only ask when the database answers.
    detailed = _is_local_probe(request) or (results["database"] == "ok" and _is_active_staff(request.user))
    checks = results if detailed else {name: value == "ok" for name, value in results.items()}
    return JsonResponse({"status": "ok" if healthy else "error", "checks": checks}, status=200 if healthy else 503)


def _is_local_probe(request) -> bool:
    return request.META.get("REMOTE_ADDR") in LOOPBACK_ADDRESSES and "HTTP_X_FORWARDED_FOR" not in request.META


def _is_active_staff(user) -> bool:
    return bool(user.is_authenticated and user.is_active and user.is_staff)


def page_not_found(request, exception=None):
    return _error_page(request, "404.html", status=404)


def server_error(request):
    # No request context: the failure may be the database or session store the context processors need.
    return HttpResponseServerError(loader.render_to_string("500.html"))


def bad_request(request, exception=None):
    # Only our own refusals say why; Django's reasons are English and technical.
    message = str(exception) if isinstance(exception, RejectedInput) else ""
    if _is_upload_endpoint(request):
        return _json_error(message or _("请求有误，请重新选择图片上传。"), status=400)
    return _error_page(request, "400.html", status=400, error_message=message)


def permission_denied(request, exception=None):
    return _error_page(request, "403.html", status=403)


def csrf_failure(request, reason=""):
    """CSRF_FAILURE_VIEW: JSON for upload endpoints and clients that ask for JSON, the 403 page otherwise.

    CKEditor's upload adapter shows ``error.message`` from a JSON body and nothing from an HTML page, and
    it sends ``Accept: */*``, so the upload endpoints are recognised by their view, not the header.
    """
    message = _("页面已过期或浏览器未保存本站 Cookie，安全校验未通过。请刷新页面后重试。")
    if (
        _is_upload_endpoint(request)
        or request.get_preferred_type(["text/html", "application/json"]) == "application/json"
    ):
        return _json_error(message, status=403)
    return _error_page(request, "403.html", status=403, error_message=message)


def _json_error(message: str, *, status: int) -> JsonResponse:
    # The shape CKEditor's upload adapter reads (pingcheng.photos.views).
    return JsonResponse({"error": {"message": message}}, status=status, json_dumps_params={"ensure_ascii": False})


def _is_upload_endpoint(request) -> bool:
    try:
        match = resolve(request.path_info)
    except Resolver404:
        return False
    return getattr(match.func, "is_upload_endpoint", False)


def _error_page(request, template: str, *, status: int, error_message: str = ""):
    # The failure may be the query itself (too many fields); base.html's search box reads request.GET.
    request_forget_unreadable_query(request)
    # Error pages are never cached, so the header's search box may keep what the reader typed.
    context = {"error_message": error_message, "site_search_q": request.GET.get("q", "")}
    return render(request, template, context, status=status)


def admin_login(request):
    """The admin's login, where a ``next`` that leads off the site or to no page is replaced by the dashboard.

    Django drops an off-site ``next`` and then sends the user to LOGIN_REDIRECT_URL, which this site does
    not have (a 404); it follows an on-site path whether or not a page is there.
    """
    dashboard = reverse("admin:index")
    for method in ("GET", "POST"):
        data = getattr(request, method)
        target = data.get(REDIRECT_FIELD_NAME)
        if target is not None and not _leads_to_a_page(request, target):
            data = data.copy()
            data[REDIRECT_FIELD_NAME] = dashboard
            setattr(request, method, data)
    return admin.site.login(request)


def _leads_to_a_page(request, target: str) -> bool:
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return False
    try:
        resolve(unquote(urlsplit(target).path))
    except Resolver404:
        return False
    return True
