"""The staff desk (/desk/): handlers and dispatchers list, open and act on inquiries, and record ones received by
phone, in person or by letter. Server-rendered in the field pages' look; no JavaScript needed.

Every page reads through ``grievances.access`` (an inquiry out of reach is the same 404 as a missing one) and
every write goes through ``grievances.services``; a step is offered only when ``INQUIRY_WORKFLOW.allowed``
says so, and the service checks it again. Names and phones are masked; the lead unit's handler may reveal
them to call back, which is logged.
"""

import secrets
from functools import wraps

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from grievances import access, desk_forms, selectors, services
from grievances.errors import InquiryActionRefused
from grievances.models import Extension, Inquiry, tracking_code_normalise
from grievances.workflow import INQUIRY_WORKFLOW
from pingcheng.errors import DomainError
from pingcheng.pagination import paginate
from pingcheng.photos.storage import photo_rendition_storage
from pingcheng.redaction import redact
from pingcheng.workdays import workday_after, workday_today

PAGE_SIZE = 30
ANSWER_MAX = desk_forms.AnswerForm.base_fields["text"].max_length


def desk_staff_required(view):
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not access.user_works_on_inquiries(request.user):
            raise PermissionDenied(_("只有诉求承办单位和督办人可以使用诉求办理。"))
        return view(request, *args, **kwargs)

    return never_cache(wrapper)


@desk_staff_required
def desk_list(request):
    """The user's inquiries, open ones by deadline, overdue and due-soon flagged; dispatchers may see all."""
    user = request.user
    dispatcher = access.user_is_dispatcher(user)
    scope = request.GET.get("scope", "mine" if access.user_is_handler(user) else "all")
    scope = scope if scope in ("mine", "all") and dispatcher else ("mine" if not dispatcher else scope)
    status = request.GET.get("status", "open")
    if status not in ("open", "overdue", "waiting", "", *Inquiry.Status.values):
        status = "open"
    rows = selectors.desk_inquiries(user=user, scope=scope, status=status)
    page = paginate(request, rows, per_page=PAGE_SIZE, keep=("scope", "status"))
    today = workday_today()
    soon = workday_after(start=today, working_days=1).date
    for inquiry in page.object_list:
        inquiry.flag = selectors.deadline_flag(inquiry, today=today, soon=soon)
    context = {
        "page": page,
        "counts": selectors.desk_counts(user=user, today=today),
        "scope": scope,
        "status": status,
        "dispatcher": dispatcher,
        "statuses": [
            ("open", _("未答复（已分派和办理中）")),
            ("overdue", _("已逾期")),
            ("waiting", _("待分派和被退回")),
            *Inquiry.Status.choices,
            ("", _("全部")),
        ],  # fmt: skip
        "today": today,
        "nav": "none",
    }
    return render(request, "grievances/desk/list.html", context)


def _step_forms(user, inquiry: Inquiry) -> dict:
    """The forms of the steps this user may take now, keyed by step name (unbound)."""
    allowed = {t.name for t in INQUIRY_WORKFLOW.available(user=user, obj=inquiry)}
    forms = {}
    if "assign" in allowed:
        forms["assign"] = desk_forms.UnitForm(initial={"unit": inquiry.topic.default_unit_id})
    if "reassign" in allowed:
        forms["reassign"] = desk_forms.UnitForm()
    if "accept" in allowed:
        forms["accept"] = None
    if "answer" in allowed:
        forms["answer"] = desk_forms.AnswerForm()
    if "return" in allowed:
        forms["return"] = desk_forms.NoteForm()
    if "request_extension" in allowed and not inquiry.extensions.filter(status=Extension.Status.PENDING).exists():
        forms["request_extension"] = desk_forms.ExtensionForm()
    if "add_co_unit" in allowed:
        forms["add_co_unit"] = desk_forms.CoUnitForm()
    if "co_opinion" in allowed:
        forms["co_opinion"] = desk_forms.NoteForm()
    if "supervise" in allowed and not inquiry.is_supervised:
        forms["supervise"] = desk_forms.NoteForm()
    if "reject" in allowed:
        forms["reject"] = desk_forms.RejectForm()
    if "close" in allowed:
        forms["close"] = None
    if "publish" in allowed and not inquiry.is_published:
        forms["publish"] = desk_forms.PublishForm(
            initial={"public_title": redact(inquiry.title)[:80], "public_question": redact(inquiry.text)}
        )
    if "unpublish" in allowed and inquiry.is_published:
        forms["unpublish"] = None
    return forms


@desk_staff_required
def desk_detail(request, pk: int):
    return _render_detail(request, access.inquiry_access_for_user(user=request.user, pk=pk))


def _render_detail(request, inquiry: Inquiry, *, revealed=None, bound: dict | None = None, status: int = 200):
    user = request.user
    forms = _step_forms(user, inquiry)
    forms.update(bound or {})
    pending = inquiry.extensions.filter(status=Extension.Status.PENDING).select_related("unit").first()
    templates = selectors.answer_templates_for(inquiry)
    context = {
        "inquiry": inquiry,
        "events": inquiry.events.select_related("actor", "actor_unit").order_by("at", "pk"),
        "replies": inquiry.replies.select_related("unit", "author").order_by("at", "pk"),
        "co_handlings": inquiry.co_handlings.select_related("unit"),
        "photos": [item.photo for item in inquiry.photos.select_related("photo")],
        "forms": forms,
        "pending_extension": pending,
        "decide_form": desk_forms.ExtensionDecisionForm(initial={"extension": pending.pk})
        if pending
        and pending.requested_by_id != user.pk
        and INQUIRY_WORKFLOW.allowed("decide_extension", user=user, obj=inquiry)
        else None,
        "may_reveal": INQUIRY_WORKFLOW.allowed("reveal", user=user, obj=inquiry),
        "revealed": revealed,
        "answer_templates": list(templates) if "answer" in forms else [],
        "flag": selectors.deadline_flag(
            inquiry, today=workday_today(), soon=workday_after(start=workday_today(), working_days=1).date
        ),
        "nav": "none",
    }
    return render(request, "grievances/desk/detail.html", context, status=status)


def _duplicate_of(raw: str) -> Inquiry | None:
    code = tracking_code_normalise(raw)
    if not raw.strip():
        return None
    target = Inquiry.objects.filter(tracking_code=code).first() if code else None
    if target is None:
        raise InquiryActionRefused(_("没有这个查询码的诉求。"), code="duplicate_unknown")
    return target


# Each step: its form (None: a button alone) and how the cleaned data reaches the service.
STEPS = {
    "assign": (desk_forms.UnitForm, lambda i, u, d: services.inquiry_assign(inquiry=i, unit=d["unit"], by=u,
                                                                            note=d["note"])),
    "reassign": (desk_forms.UnitForm, lambda i, u, d: services.inquiry_reassign(inquiry=i, unit=d["unit"], by=u,
                                                                                note=d["note"])),
    "accept": (None, lambda i, u, d: services.inquiry_accept(inquiry=i, by=u)),
    "answer": (desk_forms.AnswerForm, lambda i, u, d: services.inquiry_answer(inquiry=i, by=u, text=d["text"])),
    "return": (desk_forms.NoteForm, lambda i, u, d: services.inquiry_return(inquiry=i, by=u, reason=d["note"])),
    "request_extension": (desk_forms.ExtensionForm, lambda i, u, d: services.extension_request(
        inquiry=i, by=u, working_days=d["working_days"], reason=d["note"])),
    "add_co_unit": (desk_forms.CoUnitForm, lambda i, u, d: services.inquiry_co_unit_add(inquiry=i, unit=d["unit"], by=u)),
    "co_opinion": (desk_forms.NoteForm, lambda i, u, d: services.inquiry_co_opinion(inquiry=i, by=u, text=d["note"])),
    "supervise": (desk_forms.NoteForm, lambda i, u, d: services.inquiry_supervise(inquiry=i, by=u, note=d["note"])),
    "reject": (desk_forms.RejectForm, lambda i, u, d: services.inquiry_reject(
        inquiry=i, by=u, reason=d["reason"], note=d["note"], duplicate_of=_duplicate_of(d["duplicate_of"]))),
    "close": (None, lambda i, u, d: services.inquiry_close(inquiry=i, by=u)),
    "publish": (desk_forms.PublishForm, lambda i, u, d: services.inquiry_publish(
        inquiry=i, by=u, public_title=d["public_title"], public_question=d["public_question"])),
    "unpublish": (None, lambda i, u, d: services.inquiry_unpublish(inquiry=i, by=u)),
}  # fmt: skip

DONE = {
    "assign": _("已分派。"), "reassign": _("已改派。"), "accept": _("已受理，请在期限内答复。"),
    "answer": _("已答复，居民将收到短信。"), "return": _("已退单，等待督办人重新分派。"),
    "request_extension": _("延期申请已提交，等待督办人审批。"), "add_co_unit": _("已增加协办单位。"),
    "co_opinion": _("协办意见已提交。"), "supervise": _("已督办。"), "reject": _("已不予受理，居民将看到原因。"),
    "close": _("已办结。"), "publish": _("已公开。"), "unpublish": _("已撤回公开。"),
}  # fmt: skip


@require_POST
@desk_staff_required
def desk_step(request, pk: int, name: str):
    """Take one step; a refused step or a form error re-renders the page with the reason (status 400)."""
    inquiry = access.inquiry_access_for_user(user=request.user, pk=pk)
    if name not in STEPS:
        raise Http404("没有这个操作")
    if name == "answer" and "use_template" in request.POST:
        return _answer_from_template(request, inquiry)
    form_class, act = STEPS[name]
    form = form_class(request.POST) if form_class else None
    if form is not None and not form.is_valid():
        return _render_detail(request, inquiry, bound={name: form}, status=400)
    try:
        act(inquiry, request.user, form.cleaned_data if form else {})
    except DomainError as error:
        messages.error(request, error.text)
        inquiry = access.inquiry_access_for_user(user=request.user, pk=pk)
        return _render_detail(request, inquiry, bound={name: form} if form else None, status=400)
    messages.success(request, DONE[name])
    if not access.inquiries_for_user(request.user).filter(pk=pk).exists():
        return redirect("grievances-desk:list")  # returned or reassigned away: no longer this unit's
    return redirect("grievances-desk:detail", pk=pk)


def _answer_from_template(request, inquiry: Inquiry):
    """The answer form again, its box holding what was typed with the chosen template after it (nothing is filed).
    Without JavaScript a template reaches the box only through the server; appending, never replacing, means a
    press of 插入模板 cannot lose what the handler already wrote."""
    typed = request.POST.get("text", "").replace("\x00", "").rstrip()
    if not INQUIRY_WORKFLOW.allowed("answer", user=request.user, obj=inquiry):
        messages.error(request, _("现在不能答复这项诉求。"))
        return _render_detail(request, inquiry, status=400)
    raw = request.POST.get("template", "")
    template = selectors.answer_templates_for(inquiry).filter(pk=raw).first() if raw.isdigit() else None
    if template is None:
        messages.error(request, _("请从列表中选择答复模板。"))
        return _render_detail(request, inquiry, bound={"answer": desk_forms.AnswerForm(initial={"text": typed})},
                              status=400)  # fmt: skip
    text = f"{typed}\n\n{template.text}" if typed else template.text
    if len(text) > ANSWER_MAX:
        messages.error(request, _("加上模板后答复将超过 %(max)d 字，模板没有插入。") % {"max": ANSWER_MAX})
        text = typed
    elif typed:
        messages.info(request, _("模板已接在您写的内容后面，请修改后提交。"))
    else:
        messages.info(request, _("已填入模板，请按实际情况修改后提交。"))
    return _render_detail(request, inquiry, bound={"answer": desk_forms.AnswerForm(initial={"text": text})})


@require_POST
@desk_staff_required
def desk_extension_decide(request, pk: int):
    inquiry = access.inquiry_access_for_user(user=request.user, pk=pk)
    form = desk_forms.ExtensionDecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请选择批准或不批准。"))
        return redirect("grievances-desk:detail", pk=pk)
    extension = inquiry.extensions.filter(pk=form.cleaned_data["extension"]).first()
    if extension is None:
        raise Http404("没有这项延期申请")
    try:
        services.extension_decide(extension=extension, by=request.user, approve=form.cleaned_data["approve"],
                                  note=form.cleaned_data["note"])  # fmt: skip
    except DomainError as error:
        messages.error(request, error.text)
        return redirect("grievances-desk:detail", pk=pk)
    messages.success(
        request, _("已批准延期，居民将收到新的答复期限。") if form.cleaned_data["approve"] else _("已不批准延期。")
    )
    return redirect("grievances-desk:detail", pk=pk)


@require_POST
@desk_staff_required
def desk_reveal(request, pk: int):
    """Show the resident's name and phone on this response only (never stored in the session); logged."""
    inquiry = access.inquiry_access_for_user(user=request.user, pk=pk)
    try:
        revealed = services.inquiry_contact_reveal(inquiry=inquiry, by=request.user)
    except DomainError as error:
        messages.error(request, error.text)
        return redirect("grievances-desk:detail", pk=pk)
    return _render_detail(request, inquiry, revealed=revealed)


@desk_staff_required
def desk_new(request):
    """Record an inquiry received by phone, in person or by letter; it is routed like a web one."""
    if request.method == "POST":
        form = desk_forms.IntakeForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                inquiry = services.inquiry_submit(
                    kind=data["kind"], topic=data["topic"], place_unit=data["place_unit"], title=data["title"],
                    text=data["text"], name=data["name"], phone=data["phone"], channel=data["channel"],
                    publish_consent=data["publish_consent"], idempotency_key=data["idempotency_key"], by=request.user,
                )  # fmt: skip
            except DomainError as error:
                if getattr(error, "code", "") == "idempotency_key_taken":
                    # A fresh key, so that the next press files what is typed here instead of failing again.
                    form.data = form.data.copy()
                    form.data["idempotency_key"] = secrets.token_urlsafe(24)
                form.add_error(None, error.text)
            else:
                messages.success(
                    request, _("已登记，查询码 %(code)s，请告知居民。") % {"code": inquiry.tracking_code_display}
                )
                if access.inquiries_for_user(request.user).filter(pk=inquiry.pk).exists():
                    return redirect("grievances-desk:detail", pk=inquiry.pk)
                return redirect("grievances-desk:list")
        status = 400
    else:
        form = desk_forms.IntakeForm(initial={"idempotency_key": secrets.token_urlsafe(24)})
        status = 200
    return render(request, "grievances/desk/new.html", {"form": form, "nav": "none"}, status=status)


# The width the desk shows a resident's photo at (a phone's column at 2× is about 780 px); the full size is a link.
PHOTO_SHOWN_WIDTH = 960


@desk_staff_required
def desk_photo(request, pk: int, photo):
    """One of the resident's photos of an inquiry, to staff who may open the inquiry (the same 404 otherwise).

    Inquiry photos are personal data (faces, house numbers, plates), so they are never files under MEDIA_URL:
    their renditions live beside the private masters (``photo_create(private=True)``) and this view is the only
    way out, with the inquiry's access check on every request and ``private, no-store`` so that no shared cache
    or later user of the browser keeps a copy. The public never sees them: answers are published as text only.
    Sent by Django rather than by an nginx ``X-Accel-Redirect``: a few staff opening a few photos is little
    work, and one path keeps the access rule in one place.
    """
    inquiry = access.inquiry_access_for_user(user=request.user, pk=pk)
    item = inquiry.photos.select_related("photo").filter(photo__uuid=photo).first()
    if item is None or not item.photo.renditions:
        raise Http404("没有这张图片")
    renditions = item.photo.renditions
    widths = sorted(int(width) for width in renditions)
    fitting = [w for w in widths if w <= PHOTO_SHOWN_WIDTH] or widths[:1]
    entry = renditions[str(widths[-1] if request.GET.get("size") == "full" else fitting[-1])]
    storage = photo_rendition_storage(entry)
    if not storage.exists(entry["jpeg"]):
        raise Http404("没有这张图片")
    response = FileResponse(storage.open(entry["jpeg"]), content_type="image/jpeg")
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


def desk_url(inquiry: Inquiry) -> str:
    return reverse("grievances-desk:detail", kwargs={"pk": inquiry.pk})
