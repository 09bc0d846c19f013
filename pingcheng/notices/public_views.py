"""The public subscription pages: subscribe, confirm (link or SMS code), manage and unsubscribe — no account.

The manage and unsubscribe pages are reached by the subscriber's token in the link; they are ``never_cache``
and tell search engines to keep out. Subscribing and confirming are rate-limited per IP and per address
(django-ratelimit, failing open when the cache is down). Unsubscribe answers RFC 8058's one-click POST
(``List-Unsubscribe=One-Click``) from a mail client, which carries no CSRF token: the token in the URL is the
credential, and ending a subscription is the one thing it can do there.
"""

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods
from django_ratelimit.core import is_ratelimited

from pingcheng.breadcrumbs import crumb
from pingcheng.errors import DomainError
from pingcheng.notices import subscriptions
from pingcheng.notices.access import subscriber_by_token
from pingcheng.notices.forms import CodeForm, SubscribeForm, SubscriptionChoicesForm
from pingcheng.notices.masking import mask_address
from pingcheng.notices.models import Frequency, Subscriber

SUBSCRIBE_IP_RATE = "10/h"
SUBSCRIBE_ADDRESS_RATE = "3/h"
CODE_IP_RATE = "20/h"
PENDING = "subscriptions_pending"


def _private(response):
    # Pages reached by a subscriber's token: never in a search engine.
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


def _crumbs(*trail):
    return [crumb(_("订阅通知"), "subscriptions:subscribe"), *trail]


def _limited(request, group: str, rate: str, key="ip") -> bool:
    return is_ratelimited(request=request, group=group, key=key, rate=rate, increment=True)


def _too_fast(request, template: str, context: dict):
    messages.error(request, _("操作太频繁了，请过一会儿再试。"))
    return render(request, template, context, status=429)


@never_cache
@require_http_methods(["GET", "POST"])
def subscribe(request):
    form = SubscribeForm(request.POST or None)
    context = {"form": form, "crumbs": _crumbs(), "nav": "none"}
    if request.method == "POST":
        if _limited(request, "subscriptions.subscribe", SUBSCRIBE_IP_RATE):
            return _too_fast(request, "notices/public/subscribe.html", context)
        if form.is_valid():
            address = form.cleaned_data["address"]
            if _limited(request, "subscriptions.subscribe.address", SUBSCRIBE_ADDRESS_RATE,
                        key=lambda group, req: address):  # fmt: skip
                return _too_fast(request, "notices/public/subscribe.html", context)
            try:
                subscriber = subscriptions.subscriber_subscribe(
                    address=address, units=form.selected_units(), topics=form.cleaned_data["topics"],
                    frequency=form.cleaned_data["frequency"], streams=form.cleaned_data["streams"],
                )  # fmt: skip
            except DomainError as error:
                form.add_error(None, error)
            else:
                if "@" in address:
                    return render(request, "notices/public/sent.html",
                                  {"masked": mask_address(address), "crumbs": _crumbs(crumb(_("请查收邮件")))})  # fmt: skip
                # The code page knows the pending number from the session: the token (the key to manage a
                # subscription) is never shown to whoever typed a number, and a confirmed number gets none.
                request.session[PENDING] = subscriber.pk if subscriber.confirmed_at is None else None
                request.session[PENDING + "_hint"] = mask_address(address)
                return redirect("subscriptions:verify")
    return render(request, "notices/public/subscribe.html", context, status=400 if form.errors else 200)


@never_cache
@require_http_methods(["GET", "POST"])
def verify(request):
    hint = request.session.get(PENDING + "_hint")
    if hint is None:
        return redirect("subscriptions:subscribe")
    form = CodeForm(request.POST or None)
    context = {"form": form, "masked": hint, "crumbs": _crumbs(crumb(_("输入验证码")))}
    if request.method == "POST":
        if _limited(request, "subscriptions.verify", CODE_IP_RATE):
            return _too_fast(request, "notices/public/verify.html", context)
        if form.is_valid():
            subscriber = Subscriber.objects.filter(pk=request.session.get(PENDING) or 0).first()
            try:
                if subscriber is None:
                    raise DomainError(_("验证码不正确。"), code="code_wrong")
                subscriptions.subscriber_confirm_code(subscriber=subscriber, code=form.cleaned_data["code"])
            except DomainError as error:
                form.add_error("code", error)
            else:
                request.session.pop(PENDING, None)
                request.session.pop(PENDING + "_hint", None)
                messages.success(request, _("订阅已确认。您可以在这里随时修改或退订。"))
                return redirect("subscriptions:manage", subscriber.token)
        return render(request, "notices/public/verify.html", context, status=400)
    return render(request, "notices/public/verify.html", context)


@never_cache
@require_http_methods(["GET", "POST"])
def confirm(request, token: str):
    """The e-mail's confirmation link. GET shows a button (link scanners open links; only a person presses it)."""
    subscriber = subscriber_by_token(token=token)
    if subscriber.confirmed_at is not None:
        # Confirmed once already: the manage page says where the subscription stands (after an unsubscribe,
        # "已退订，保存后恢复订阅"); a second confirmation would claim a subscription that is not active.
        return redirect("subscriptions:manage", subscriber.token)
    if request.method == "POST":
        if _limited(request, "subscriptions.confirm", CODE_IP_RATE):
            return _too_fast(request, "notices/public/confirm.html", {"subscriber": subscriber})
        subscriptions.subscriber_confirm(subscriber=subscriber)
        messages.success(request, _("订阅已确认。您可以在这里随时修改或退订。"))
        return redirect("subscriptions:manage", subscriber.token)
    context = {"subscriber": subscriber, "masked": str(subscriber), "crumbs": _crumbs(crumb(_("确认订阅")))}
    return _private(render(request, "notices/public/confirm.html", context))


@never_cache
@require_http_methods(["GET", "POST"])
def manage(request, token: str):
    subscriber = subscriber_by_token(token=token)
    if subscriber.confirmed_at is None:
        return (
            redirect("subscriptions:confirm", subscriber.token)
            if subscriber.email
            else redirect("subscriptions:subscribe")
        )
    current = list(subscriber.subscriptions.all())
    initial = {
        "units": sorted({item.unit_id for item in current if item.unit_id}),
        # A stream row is a topic followed in that stream only: it does not tick the topic everywhere.
        "topics": sorted({item.topic for item in current if not item.stream}),
        "streams": sorted({item.stream for item in current if item.stream}),
        "frequency": current[0].frequency if current else Frequency.IMMEDIATE,
    }
    form = SubscriptionChoicesForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        subscriptions.subscriber_update(subscriber=subscriber, units=form.selected_units(),
                                        topics=form.cleaned_data["topics"], streams=form.cleaned_data["streams"],
                                        frequency=form.cleaned_data["frequency"])  # fmt: skip
        messages.success(request, _("已保存您的订阅。"))
        return redirect("subscriptions:manage", subscriber.token)
    context = {"form": form, "subscriber": subscriber, "masked": str(subscriber),
               "crumbs": _crumbs(crumb(_("管理订阅")))}  # fmt: skip
    return _private(render(request, "notices/public/manage.html", context, status=400 if form.errors else 200))


@csrf_exempt
@never_cache
@require_http_methods(["GET", "POST"])
def unsubscribe(request, token: str):
    """GET: a one-button page (a link prefetcher must not unsubscribe anyone). POST: unsubscribe — from that
    button, or directly from a mail client's one-click (RFC 8058)."""
    subscriber = subscriber_by_token(token=token)
    if request.method == "POST":
        subscriptions.subscriber_unsubscribe(subscriber=subscriber)
        if request.POST.get("List-Unsubscribe") == "One-Click":
            return _private(HttpResponse(_("已退订。"), content_type="text/plain; charset=utf-8"))
        context = {"subscriber": subscriber, "masked": str(subscriber), "crumbs": _crumbs(crumb(_("已退订")))}
        return _private(render(request, "notices/public/unsubscribed.html", context))
    context = {"subscriber": subscriber, "masked": str(subscriber), "crumbs": _crumbs(crumb(_("退订")))}
    return _private(render(request, "notices/public/unsubscribe.html", context))
