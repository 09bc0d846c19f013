"""The staff inbox: the in-site notices addressed to the signed-in user, in the back office's frame.

Every response is ``never_cache`` (private, no-store): the page is one person's messages, and a shared or
browser cache must neither keep it nor serve a stale unread count after "mark read".
"""

from django.contrib import admin, messages
from django.contrib.admin.views.decorators import staff_member_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from pingcheng.notices import access, services
from pingcheng.notices.forms import StaffPreferenceForm
from pingcheng.notices.models import StaffNoticePreference
from pingcheng.notices.selectors import inbox_list, inbox_unread_count

INBOX_LIMIT = 100


@never_cache
@require_GET
@staff_member_required
def inbox(request):
    context = {
        **admin.site.each_context(request),
        "title": _("站内信"),
        "inbox": inbox_list(user=request.user, limit=INBOX_LIMIT),
        "unread_count": inbox_unread_count(user=request.user),
        "limit": INBOX_LIMIT,
    }
    return render(request, "notices/inbox.html", context)


@never_cache
@require_POST
@staff_member_required
def inbox_mark_read(request, notice_id: int):
    notice = access.inbox_notice_for_user(user=request.user, notice_id=notice_id)
    services.notice_mark_read(notice=notice)
    return redirect("notices:inbox")


@never_cache
@require_POST
@staff_member_required
def inbox_mark_all_read(request):
    count = services.inbox_mark_all_read(user=request.user)
    messages.success(request, ngettext("已将 %d 条站内信标为已读。", "已将 %d 条站内信标为已读。", count) % count)
    return redirect("notices:inbox")


@never_cache
@require_http_methods(["GET", "POST"])
@staff_member_required
def preferences(request):
    """The signed-in staff member's channels for work notices (inbox, e-mail, SMS)."""
    current = StaffNoticePreference.objects.filter(user=request.user).first()
    form = StaffPreferenceForm(request.POST or None, instance=current or StaffNoticePreference(user=request.user))
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("已保存接收方式。"))
        return redirect("notices:preferences")
    context = {**admin.site.each_context(request), "title": _("接收方式设置"), "form": form}
    return render(request, "notices/preferences.html", context, status=400 if form.errors else 200)
