"""The resident's side of the inquiry desk: ask (two steps, the draft kept on the server), track, rate, read public
answers and FAQ, and see or delete one's own data.

The two submission steps keep the draft in the session (server-side rows, signed), so nothing typed is lost
between them and nothing of it travels in the page. Tracking codes arrive by POST only and access is then kept
in the session under a random token, so a code never stands in a URL, a log line or a referrer. Pages that
show nothing of one resident are whole-page cached (``@public_page``); the others never are.
"""

from __future__ import annotations

import secrets
from datetime import timedelta

from cryptography.fernet import InvalidToken
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods
from django_ratelimit.core import is_ratelimited

from grievances import public_data, suggestions
from grievances.forms_public import CodeForm, InquiryForm, RatingForm, TrackForm
from grievances.verification import VerificationRefused, phone_code_check, phone_code_send
from pingcheng.accounts import login_client_ip_behind_proxy
from pingcheng.breadcrumbs import crumb
from pingcheng.chinese import mask_phone
from pingcheng.directory.models import Unit
from pingcheng.errors import DomainError
from pingcheng.page_cache import public_page
from pingcheng.pagination import paginate
from pingcheng.photos.services import photo_create

PRODUCT = "grievances"
DRAFT = "grievances_draft"
DONE = "grievances_done"
TRACKED = "grievances_tracked"
TRACKED_KEPT = 10
# A draft older than this is dropped: the SMS code is long gone and the resident starts over (their text is kept
# up to here, which covers a phone call or a search for an old receipt in between).
DRAFT_TTL = timedelta(hours=2)
# Per address; the per-phone limits live in the database (grievances.verification) and hold when the cache is down.
DRAFT_RATE = "20/h"
SUBMIT_RATE = "20/h"
TRACK_RATE = "30/h"
PHONE_SUBMIT_RATE = "10/d"
SUGGESTIONS_SHOWN = 5


def _crumbs(*trail):
    return [crumb(_("群众诉求"), "grievances:index"), *trail]


def _client_ip(request) -> str:
    """The resident's address. Behind nginx every request comes from 127.0.0.1, and counting that would put the
    whole district under one limit: the address nginx appended is used instead, as for the staff login."""
    if settings.AXES_CLIENT_IP_CALLABLE:
        return login_client_ip_behind_proxy(request) or ""
    return request.META.get("REMOTE_ADDR", "")


def _ip_key(group, request) -> str:
    return _client_ip(request)


def _limited(request, group: str, rate: str, key=_ip_key) -> bool:
    return is_ratelimited(request=request, group=group, key=key, rate=rate, increment=True)


def _too_fast(request, template: str, context: dict, status: int = 429):
    context = {**context, "crumbs": context.get("crumbs") or _crumbs(crumb(_("请稍后再试")))}
    messages.error(request, _("操作太频繁了，请过一会儿再试。着急的话可以直接拨打咨询电话。"))
    return render(request, template, context, status=status)


# --- Landing, public answers, FAQ --------------------------------------------------------------------------


@public_page(PRODUCT)
def landing(request):
    return render(request, "grievances/public/landing.html", {
        "recent_answers": public_data.answers_recent(limit=5),
        "faq": public_data.faq_entries()[:5],
        "departments": public_data.departments(),
        "nav": "inquiries",
    })  # fmt: skip


@public_page(PRODUCT)
def answers(request):
    return _answers_page(request, public_data.answers_published(), heading=_("公开答复"))


@public_page(PRODUCT)
def answers_by_topic(request, pk: int):
    topic = get_object_or_404(public_data.topics_public(), pk=pk)
    return _answers_page(request, public_data.answers_published(topic=topic),
                         heading=_("公开答复：%(name)s") % {"name": topic.name}, trail=crumb(topic.name))  # fmt: skip


@public_page(PRODUCT)
def answers_by_unit(request, code: str):
    unit = get_object_or_404(Unit, code=code, is_active=True)
    return _answers_page(request, public_data.answers_published(unit=unit),
                         heading=_("公开答复：%(name)s") % {"name": unit.name}, trail=crumb(unit.name))  # fmt: skip


def answers_search(request):
    """Searched answers: not cached, as the page cache keys pages by path and page number only."""
    q = request.GET.get("q", "").strip()[: suggestions.MAX_QUERY_LENGTH]
    found = suggestions.answers_matching(q) if q else []
    return _answers_page(request, found, heading=_("搜索公开答复"), q=q, trail=crumb(_("搜索")), keep=("q",))


def _answers_page(request, rows, *, heading: str, q: str = "", trail=None, keep=()):
    page = paginate(request, rows, keep=keep)
    return render(request, "grievances/public/answers.html", {
        "answers": public_data.answer_cards(page.object_list),
        "page_obj": page,
        "heading": heading,
        "q": q,
        "topics": public_data.topics_public(),
        "units": public_data.answering_units(),
        "crumbs": _crumbs(crumb(_("公开答复"), "grievances:answers"), trail) if trail else _crumbs(crumb(_("公开答复"))),
        "nav": "inquiries",
    })  # fmt: skip


@public_page(PRODUCT)
def answer_detail(request, pk: int):
    answer = public_data.answer_public(pk)
    if answer is None:
        raise Http404(_("没有这条公开答复。"))
    return render(request, "grievances/public/answer_detail.html", {
        "answer": answer,
        "crumbs": _crumbs(crumb(_("公开答复"), "grievances:answers"), crumb(answer.title)),
        "nav": "inquiries",
    })  # fmt: skip


@public_page(PRODUCT)
def faq(request):
    return render(request, "grievances/public/faq.html", {
        "groups": public_data.faq_groups(),
        "crumbs": _crumbs(crumb(_("常见问题"))),
        "nav": "inquiries",
    })  # fmt: skip


# --- Submission: step 1 ------------------------------------------------------------------------------------


def _draft(request) -> dict | None:
    draft = request.session.get(DRAFT)
    if not isinstance(draft, dict):
        return None
    started = draft.get("started")
    if not isinstance(started, int | float) or timezone.now().timestamp() - started > DRAFT_TTL.total_seconds():
        request.session.pop(DRAFT, None)
        return None
    try:
        public_data.draft_phone(draft)
        public_data.draft_initial(draft)
    except InvalidToken:
        # Encrypted with a key since rotated out (the rotation re-encrypts rows, not sessions): start over.
        request.session.pop(DRAFT, None)
        return None
    return draft


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def inquiry_new(request):
    draft = _draft(request)
    context = {"crumbs": _crumbs(crumb(_("提出诉求"))), "nav": "inquiries",
               "draft_photo_count": len(draft.get("photo_ids", [])) if draft else 0}  # fmt: skip
    if request.method != "POST":
        initial = public_data.draft_initial(draft) if draft else {}
        return render(request, "grievances/public/new.html", {**context, "form": InquiryForm(initial=initial)})

    form = InquiryForm(request.POST, request.FILES)
    if _limited(request, "grievances-draft", DRAFT_RATE):
        return _too_fast(request, "grievances/public/new.html", {**context, "form": form})
    if not form.is_valid():
        return render(request, "grievances/public/new.html", {**context, "form": form}, status=400)
    data = form.cleaned_data
    if data.get("website"):
        # A robot filled the field people never see: answer as for a person, keep nothing, send no SMS.
        return redirect("grievances:index")

    photo_ids = list(draft.get("photo_ids", [])) if draft else []
    if data["photos"]:
        created = []
        try:
            for upload in data["photos"]:
                # Personal data: renditions beside the master, outside MEDIA_ROOT; staff see them through the desk's view.
                created.append(photo_create(file=upload, private=True).pk)
        except ValidationError as error:
            public_data.draft_photos_discard(created)
            form.add_error("photos", error.messages[0])
            return render(request, "grievances/public/new.html", {**context, "form": form}, status=400)
        public_data.draft_photos_discard(photo_ids)
        photo_ids = created

    same_phone = draft is not None and draft.get("phone_digest") == public_data.inquiry_phone_digest(data["phone"])
    new_draft = public_data.draft_from(data, photo_ids=photo_ids)
    new_draft["key"] = draft["key"] if draft and draft.get("key") else secrets.token_hex(16)
    new_draft["started"] = timezone.now().timestamp()
    # Which version of the draft a confirmation page shows: another tab that rewrote the draft in between must not
    # have its text filed from this tab's page (see inquiry_confirm).
    new_draft["rev"] = secrets.token_urlsafe(8)
    request.session[DRAFT] = new_draft
    if same_phone and draft.get("code_sent"):
        new_draft["code_sent"] = True
        return redirect("grievances:confirm")  # the code already sent still works
    try:
        phone_code_send(phone=data["phone"], ip=_client_ip(request), purpose=new_draft["key"])
    except VerificationRefused as error:
        if error.code != "code_cooldown":
            form.add_error("phone", error.messages[0])
            return render(request, "grievances/public/new.html", {**context, "form": form}, status=429)
        # The code sent a moment ago still works for this phone; if it was used up, the message says when to ask again.
        messages.info(request, error.messages[0])
    new_draft["code_sent"] = True
    request.session[DRAFT] = new_draft
    return redirect("grievances:confirm")


# --- Submission: step 2 ------------------------------------------------------------------------------------


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def inquiry_confirm(request):
    draft = _draft(request)
    if draft is None:
        if request.method == "POST" and request.session.get(DONE):
            return redirect("grievances:done")  # a second press after the first one filed it
        messages.info(request, _("请先填写诉求内容。"))
        return redirect("grievances:new")
    phone = public_data.draft_phone(draft)
    context = {
        "draft": draft,
        "masked_phone": mask_phone(phone),
        "suggestions": suggestions.suggest(f"{draft['title']}\n{draft['text']}", limit=SUGGESTIONS_SHOWN),
        "crumbs": _crumbs(crumb(_("提出诉求"), "grievances:new"), crumb(_("确认手机号"))),
        "nav": "inquiries",
        **public_data.draft_labels(draft),
    }
    if request.method != "POST":
        return render(request, "grievances/public/confirm.html", {**context, "form": CodeForm()})

    if request.POST.get("action") == "resend":
        if _limited(request, "grievances-resend", DRAFT_RATE):
            return _too_fast(request, "grievances/public/confirm.html", {**context, "form": CodeForm()})
        try:
            phone_code_send(phone=phone, ip=_client_ip(request), purpose=draft["key"])
        except VerificationRefused as error:
            messages.error(request, error.messages[0])
        else:
            messages.success(request, _("新的验证码已发送，请查看短信。"))
        return redirect("grievances:confirm")

    if "rev" in request.POST and request.POST["rev"] != draft.get("rev", ""):
        messages.error(request, _("您在另一个页面改过诉求内容，下面是最新的内容。请核对后再提交。"))
        return redirect("grievances:confirm")
    form = CodeForm(request.POST)
    if _limited(request, "grievances-submit", SUBMIT_RATE):
        return _too_fast(request, "grievances/public/confirm.html", {**context, "form": form})
    if not form.is_valid():
        return render(request, "grievances/public/confirm.html", {**context, "form": form}, status=400)
    try:
        phone_code_check(phone=phone, code=form.cleaned_data["code"], purpose=draft["key"])
    except VerificationRefused as error:
        form.add_error("code", error.messages[0])
        return render(request, "grievances/public/confirm.html", {**context, "form": form}, status=400)

    existing = public_data.inquiry_duplicate_of(phone=phone, title=draft["title"], text=draft["text"],
                                                idempotency_key=draft["key"])  # fmt: skip
    if existing is not None:
        inquiry, duplicate = existing, True
    else:
        digest_key = lambda group, req: public_data.inquiry_phone_digest(phone)  # noqa: E731 — django-ratelimit's key callable
        if _limited(request, "grievances-phone-submit", PHONE_SUBMIT_RATE, key=digest_key):
            return _too_fast(request, "grievances/public/confirm.html", {**context, "form": form})
        try:
            inquiry = public_data.inquiry_submit_draft(draft=draft, phone=phone)
        except DomainError as error:
            form.add_error(None, error.text)
            return render(request, "grievances/public/confirm.html", {**context, "form": form}, status=400)
        duplicate = False
    request.session.pop(DRAFT, None)
    request.session[DONE] = {"inquiry": inquiry.pk, "duplicate": duplicate}
    _remember_tracked(request, inquiry)
    return redirect("grievances:done")


@never_cache
def inquiry_done(request):
    done = request.session.get(DONE)
    inquiry = public_data.inquiry_by_pk(done.get("inquiry")) if isinstance(done, dict) else None
    if inquiry is None:
        return redirect("grievances:new")
    return render(request, "grievances/public/done.html", {
        **public_data.receipt(inquiry),
        "duplicate": bool(done.get("duplicate")),
        "crumbs": _crumbs(crumb(_("提交成功"))),
        "nav": "inquiries",
    })  # fmt: skip


# --- Tracking, rating, own data ------------------------------------------------------------------------------


def _remember_tracked(request, inquiry) -> str:
    tracked = request.session.get(TRACKED)
    tracked = dict(tracked) if isinstance(tracked, dict) else {}
    for token, pk in list(tracked.items()):
        if pk == inquiry.pk:
            return token
    token = secrets.token_urlsafe(12)
    tracked[token] = inquiry.pk
    request.session[TRACKED] = dict(list(tracked.items())[-TRACKED_KEPT:])
    return token


def _tracked(request, token: str):
    """The inquiry this browser looked up under ``token``, or None (another browser's link, an old session)."""
    tracked = request.session.get(TRACKED)
    pk = tracked.get(token) if isinstance(tracked, dict) else None
    return public_data.inquiry_by_pk(pk) if pk else None


def _lookup_again(request):
    messages.info(request, _("为保护您的信息，查询只在查过的这台设备上有效一段时间。请重新输入查询码和手机号后 4 位。"))
    return redirect("grievances:track")


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def track(request):
    context = {"crumbs": _crumbs(crumb(_("查办理进度"))), "nav": "inquiries"}
    tracked = request.session.get(TRACKED) if request.session.get(TRACKED) else {}
    context["recent"] = public_data.tracked_titles(tracked if isinstance(tracked, dict) else {})
    if request.method != "POST":
        return render(request, "grievances/public/track.html", {**context, "form": TrackForm()})
    form = TrackForm(request.POST)
    if _limited(request, "grievances-track", TRACK_RATE):
        return _too_fast(request, "grievances/public/track.html", {**context, "form": form})
    if not form.is_valid():
        return render(request, "grievances/public/track.html", {**context, "form": form}, status=400)
    inquiry = public_data.inquiry_by_code(code=form.cleaned_data["code"], phone_tail=form.cleaned_data["phone_tail"])
    if inquiry is None:
        # One sentence for a wrong code and for a wrong phone: which of the two was wrong is not said.
        form.add_error(None, _("未找到：查询码或手机号后 4 位不对，请核对后再试。"))
        return render(request, "grievances/public/track.html", {**context, "form": form}, status=404)
    return redirect("grievances:track_detail", _remember_tracked(request, inquiry))


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def track_detail(request, token: str):
    inquiry = _tracked(request, token)
    if inquiry is None:
        return _lookup_again(request)
    rating_form = None
    if public_data.may_rate(inquiry):
        rating_form = RatingForm(request.POST if request.method == "POST" else None)
        if request.method == "POST" and rating_form.is_valid():
            try:
                public_data.inquiry_rate(inquiry=inquiry, rating=rating_form.cleaned_data["rating"],
                                         comment=rating_form.cleaned_data["comment"])  # fmt: skip
            except DomainError as error:
                rating_form.add_error(None, error.text)
            else:
                messages.success(request, _("谢谢您的评价。"))
                return redirect("grievances:track_detail", token)
    elif request.method == "POST":
        messages.info(request, _("这件诉求现在不能评价。"))
        return redirect("grievances:track_detail", token)
    view = public_data.resident_view(inquiry)
    status = 400 if request.method == "POST" else 200
    return render(request, "grievances/public/track_detail.html", {
        "inquiry": inquiry,
        "view": view,
        "token": token,
        "rating_form": rating_form,
        "crumbs": _crumbs(crumb(_("查办理进度"), "grievances:track"), crumb(view.title)),
        "nav": "inquiries",
    }, status=status)  # fmt: skip


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def my_data(request, token: str):
    inquiry = _tracked(request, token)
    if inquiry is None:
        return _lookup_again(request)
    erased = False
    if request.method == "POST" and request.POST.get("action") == "erase":
        if request.POST.get("confirm") != "yes":
            messages.error(request, _("请先勾选确认，再删除。"))
            return redirect("grievances:my_data", token)
        try:
            public_data.personal_data_erase(inquiry=inquiry)
        except DomainError as error:
            messages.error(request, error.text)
        else:
            messages.success(request, _("已删除。"))
            erased = True
        inquiry = public_data.inquiry_by_pk(inquiry.pk)
    return render(request, "grievances/public/my_data.html", {
        "token": token,
        "stored": public_data.stored_about(inquiry),
        "erased": erased or public_data.is_erased(inquiry),
        "can_erase": public_data.can_erase(),
        "crumbs": _crumbs(crumb(_("查办理进度"), "grievances:track"), crumb(_("我的个人信息"))),
        "nav": "inquiries",
    })  # fmt: skip
