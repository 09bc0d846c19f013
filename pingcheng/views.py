from django.http import HttpResponseServerError, JsonResponse
from django.shortcuts import render
from django.template import loader
from django.views.decorators.cache import never_cache

from pingcheng.health import run_checks


@never_cache
def healthz(request):
    results = run_checks()
    healthy = all(value == "ok" for value in results.values())
    return JsonResponse({"status": "ok" if healthy else "error", "checks": results}, status=200 if healthy else 503)


def page_not_found(request, exception=None):
    return render(request, "404.html", status=404)


def server_error(request):
    # No request context: the failure may be the database or session store the context processors need.
    return HttpResponseServerError(loader.render_to_string("500.html"))


def bad_request(request, exception=None):
    return render(request, "400.html", status=400)


def permission_denied(request, exception=None):
    return render(request, "403.html", status=403)


def coming_soon(request, *, title: str, intro: str):
    """The products still being built: say so, and give the district's public contacts in the meantime."""
    from pingcheng.directory.models import Unit

    contacts = Unit.objects.filter(is_active=True).exclude(public_phones="").order_by("sort_order")
    return render(request, "coming_soon.html", {"title": title, "intro": intro, "contacts": contacts})
