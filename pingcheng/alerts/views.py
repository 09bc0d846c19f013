"""The warning pages: issue (issuers), the live acknowledgement board (the issuer), and the acknowledgement
link (the recipient, no account needed). Server-rendered, no JavaScript; the board refreshes itself."""

from functools import wraps

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from pingcheng.alerts import access, selectors, services
from pingcheng.alerts.forms import AlertIssueForm
from pingcheng.alerts.models import Alert, AlertRecipient
from pingcheng.errors import DomainError

BOARD_REFRESH_SECONDS = 20


def staff_required(view):
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not (request.user.is_active and request.user.is_staff):
            raise PermissionDenied(_("只有工作人员可以查看预警。"))
        return view(request, *args, **kwargs)

    return never_cache(wrapper)


@staff_required
def alert_list(request):
    alerts = selectors.alerts_list(queryset=access.alerts_for_user(request.user))
    return render(request, "alerts/alert_list.html",
                  {"alerts": alerts, "may_issue": access.user_may_issue(request.user)})  # fmt: skip


@staff_required
@require_http_methods(["GET", "POST"])
def alert_new(request):
    if not access.user_may_issue(request.user):
        raise PermissionDenied(_("您没有发布预警的权限。"))
    units = access.alert_target_units(request.user).order_by("path")
    form = AlertIssueForm(request.POST or None, units=units)
    if request.method == "POST" and form.is_valid():
        try:
            alert = services.alert_issue(by=request.user, **form.cleaned_data)
        except IntegrityError:
            # The same form sent twice at the same moment: the other sending issued it.
            alert = Alert.objects.filter(submission=form.cleaned_data["submission"], issued_by=request.user).first()
            if alert is None:
                form.add_error(None, _("这份表单已经用过，请重新打开发布页面。"))
        except DomainError as error:
            form.add_error(None, error.text)
        if not form.errors:
            messages.success(request, _("预警已发布，正在通知接收人。"))
            return redirect(alert)
    return render(request, "alerts/alert_form.html", {"form": form})


@staff_required
def alert_board(request, alert_id):
    alert = access.alert_access_for_board(user=request.user, alert_id=alert_id)
    context = {"alert": alert, "refresh": BOARD_REFRESH_SECONDS, **selectors.alert_board(alert=alert)}
    return render(request, "alerts/alert_board.html", context)


@staff_required
@require_POST
def alert_resend(request, alert_id):
    alert = access.alert_access_for_board(user=request.user, alert_id=alert_id)
    shown = request.POST.get("after_round", "")
    try:
        fanout = services.alert_resend(alert=alert, by=request.user,
                                       after_round=int(shown) if shown.isdigit() else None)  # fmt: skip
    except DomainError as error:
        messages.error(request, error.text)
    else:
        messages.success(request, _("已向未确认的人员第%(n)s次重发。") % {"n": fanout.round})
    return redirect(alert)


@never_cache
@require_http_methods(["GET", "POST"])
def alert_ack(request, token):
    """GET shows the warning and a button; POST records the acknowledgement (a link preview or a scanner that
    only GETs acknowledges nothing). Idempotent."""
    recipient = access.recipient_access_by_token(token=token)
    if request.method == "POST" and recipient.acknowledged_at is None:
        recipient = services.alert_acknowledge(recipient=recipient, via=AlertRecipient.Via.LINK)
        return redirect("alerts:ack", token=token)
    return render(request, "alerts/alert_ack.html", {"recipient": recipient, "alert": recipient.alert})
