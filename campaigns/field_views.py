"""The field pages: grid workers and street and community staff log activities, figures and findings from a phone.

Server-rendered in the site's own look, no JavaScript needed. Every page is for the logged-in campaign staff
only and reads through ``campaigns.access`` (an activity or finding out of reach is the same 404 as a missing
one); every write goes through ``campaigns.services``. A half-filled activity can always be kept as a draft.
"""

from functools import wraps

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Prefetch, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from campaigns import access, selectors, services
from campaigns.errors import CampaignActionRefused
from campaigns.forms import ActivityForm, FindingForm, LedgerForm, StepForm
from campaigns.models import Activity, Campaign, Finding
from campaigns.workflow import ACTIVITY_WORKFLOW, FINDING_WORKFLOW
from pingcheng.accounts import person_name, unsent_form_take
from pingcheng.directory.models import Unit
from pingcheng.photos.models import Photo
from pingcheng.photos.services import PhotoRejected

# What the three submit buttons of the activity form do after saving.
SUBMIT_STEPS = {"draft": None, "plan": "plan", "held": "hold"}


def field_staff_required(view):
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not access.user_works_on_campaigns(request.user):
            raise PermissionDenied(_("只有街道、社区工作人员和网格员可以使用活动填报。"))
        return view(request, *args, **kwargs)

    return never_cache(wrapper)


def _running_campaigns():
    today = timezone.localdate()
    return Campaign.objects.filter(starts_on__lte=today, ends_on__gte=today).select_related("campaign_type")


@field_staff_required
def home(request):
    """What waits for this person: drafts, activities to report on, findings to act on (overdue first)."""
    user = request.user
    mine = access.activities_for_user(user).select_related("campaign", "unit")
    findings = [
        finding
        for finding in selectors.findings_open().filter(pk__in=access.findings_for_user(user).values("pk"))
        .select_related("activity__unit", "responsible_unit", "escalated_to")[:50]
        if any(FINDING_WORKFLOW.allowed(step.name, user=user, obj=finding) for step in FINDING_WORKFLOW.transitions)
    ]  # fmt: skip
    context = {
        "drafts": mine.filter(status=Activity.Status.DRAFT, created_by=user)[:20],
        "to_report": mine.filter(status=Activity.Status.HELD).order_by("starts_at")[:20],
        "upcoming": mine.filter(status=Activity.Status.PLANNED).order_by("starts_at")[:20],
        "findings": findings,
        "campaigns": _campaigns_for(user),
        "nav": "none",
    }
    return render(request, "campaigns/field/home.html", context)


def _form_units(user):
    return access.units_for_campaign_user(user).filter(is_active=True).order_by("path")


def _campaigns_for(user) -> list[Campaign]:
    """The running campaigns this person may log under for one of their units."""
    units = _form_units(user)
    return [campaign for campaign in _running_campaigns().select_related("lead_unit")
            if access.campaign_units(campaign, units).exists()]  # fmt: skip


@field_staff_required
def activity_new(request):
    campaigns = _campaigns_for(request.user)
    campaign = next((c for c in campaigns if c.slug == request.GET.get("campaign", "")), None)
    if campaign is None:
        return render(request, "campaigns/field/campaign_choice.html", {"campaigns": campaigns, "nav": "none"})
    return _activity_form(request, campaign=campaign, activity=None)


@field_staff_required
def activity_edit(request, pk: int):
    activity = access.activity_access_for_user(user=request.user, pk=pk)
    if activity.status in (Activity.Status.CLOSED, Activity.Status.CANCELLED):
        messages.error(request, _("已总结或已取消的活动不能再修改。"))
        return redirect("campaigns-field:activity", pk=activity.pk)
    return _activity_form(request, campaign=activity.campaign, activity=activity)


def _sent_before(records, submission):
    """The record a new form's key already made (the form was sent twice), or None."""
    return records.filter(submission=submission).first() if submission else None


def _already_sent(request, view: str, record):
    messages.info(request, _("这份填报已提交过，未重复记录。"))
    return redirect(view, pk=record.pk)


def _restored(request):
    """What this person typed on this page before an idle logout sent them to log in again (or None)."""
    if request.method != "GET":
        return None
    kept = unsent_form_take(request)
    if kept is None:
        return None
    data, had_files = kept
    note = _("已恢复您退出登录前填写的内容，尚未提交，请核对后再提交。")
    messages.warning(request, note + (_("照片需要重新拍摄或选择。") if had_files else ""))
    return data


def _activity_form(request, *, campaign: Campaign, activity: Activity | None):
    units = access.campaign_units(campaign, _form_units(request.user))
    initial = {**ActivityForm.initial_for(activity), "photo_credit": person_name(request.user)}
    data = request.POST if request.method == "POST" else _restored(request)
    form = ActivityForm(data, request.FILES or None, campaign=campaign, units=units, initial=initial)
    if request.method == "POST" and form.is_valid():
        submission = form.cleaned_data["submission"] if activity is None else None
        mine = access.activities_for_user(request.user)
        if earlier := _sent_before(mine, submission):
            return _already_sent(request, "campaigns-field:activity", earlier)
        submit = request.POST.get("submit", "draft")
        step = SUBMIT_STEPS.get(submit)
        try:
            with transaction.atomic():
                saved = services.activity_save(activity=form.apply_to(activity or Activity(submission=submission)),
                                               by=request.user, figures=form.figures())  # fmt: skip
                if step and saved.status != Activity.Status.HELD:
                    saved = services.activity_step(activity=saved, by=request.user, name=step)
                # Last: a rejected picture rolls the whole sending back, and nothing after it can fail.
                services.activity_photos_add(activity=saved, by=request.user, files=form.cleaned_data["photos"],
                                             caption=form.cleaned_data["photo_caption"],
                                             credit_name=form.cleaned_data["photo_credit"])  # fmt: skip
        except PhotoRejected as rejected:
            form.add_error("photos", rejected)
        except CampaignActionRefused as refused:
            form.add_error(None, refused.text)
        except ValidationError as invalid:
            _errors_onto(form, invalid)
        except IntegrityError:
            # The same form sent twice at once: the other request recorded it first (the key is unique).
            if earlier := _sent_before(mine, submission):
                return _already_sent(request, "campaigns-field:activity", earlier)
            raise
        else:
            if step is not None:
                messages.success(request, _("已提交。"))
            elif saved.status == Activity.Status.DRAFT:
                messages.success(request, _("已保存草稿，可以随时接着填写。"))
            else:  # a planned or held activity changed: it stays what it was
                messages.success(request, _("已保存修改。"))
            return redirect("campaigns-field:activity", pk=saved.pk)
    return render(request, "campaigns/field/activity_form.html", {
        "form": form, "campaign": campaign, "activity": activity, "nav": "none",
        "files_lost": request.method == "POST" and bool(request.FILES) and form.errors,
    })  # fmt: skip


def _errors_onto(form, invalid: ValidationError) -> None:
    """A service's errors beside the fields they concern (a figure's error keyed by its metric code)."""
    if not hasattr(invalid, "error_dict"):
        form.add_error(None, invalid)
        return
    codes = {metric.code: form.metric_field(metric) for metric in getattr(form, "metrics", [])}
    for key, errors in invalid.error_dict.items():
        field = codes.get(key) or ({"starts_at": "day", "ends_at": "end"}.get(key, key) if key != "__all__" else None)
        if field not in form.fields:
            field = None
        for error in errors:
            form.add_error(field, error)


def _photos_in_order():
    """Photos as they were taken (found, rectified, re-inspected), each with its credit in the same query."""
    return Photo.objects.select_related("credit").order_by("created_at", "pk")


@field_staff_required
def activity_detail(request, pk: int):
    return _activity_page(request, pk)


def _activity_page(request, pk: int, *, kept_step: str = "", kept_note: str = ""):
    """The activity with the steps this person may take; ``kept_step``'s note given back as it was typed."""
    activity = get_object_or_404(
        access.activities_for_user(request.user)
        .select_related("campaign__campaign_type", "unit")
        .prefetch_related("figures__metric", "events__by", Prefetch("photos", queryset=_photos_in_order()),
                          Prefetch("findings", queryset=Finding.objects.select_related("responsible_unit"))),
        pk=pk,
    )  # fmt: skip
    steps = [step for step in ACTIVITY_WORKFLOW.available(user=request.user, obj=activity) if step.name != "move"]
    return render(request, "campaigns/field/activity_detail.html", {
        "activity": activity, "steps": steps, "nav": "none",
        "may_edit": activity.status not in (Activity.Status.CLOSED, Activity.Status.CANCELLED),
        "may_raise": activity.status != Activity.Status.CANCELLED, "kept_step": kept_step, "kept_note": kept_note,
    })  # fmt: skip


@require_http_methods(["GET", "POST"])
@field_staff_required
def activity_step(request, pk: int, name: str):
    activity = access.activity_access_for_user(user=request.user, pk=pk)
    if name not in {step.name for step in ACTIVITY_WORKFLOW.transitions}:
        raise Http404("没有这个操作")
    if request.method == "GET":
        # Where the login page sends back someone whose session idled out as they sent this step: what they
        # typed, on the activity's page, to check and send again; otherwise the activity's page itself.
        if (kept := _restored(request)) is None:
            return redirect("campaigns-field:activity", pk=activity.pk)
        return _activity_page(request, activity.pk, kept_step=name, kept_note=kept.get("note", ""))
    form = StepForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
        return redirect("campaigns-field:activity", pk=activity.pk)
    try:
        services.activity_step(activity=activity, by=request.user, name=name, note=form.cleaned_data["note"])
    except CampaignActionRefused as refused:
        messages.error(request, refused.text)
    else:
        messages.success(request, _("已记录：%(step)s。") % {"step": ACTIVITY_WORKFLOW[name].label})
    return redirect("campaigns-field:activity", pk=activity.pk)


def _responsible_choices(user, activity: Activity):
    """The units that may be made responsible: those in the user's scope, and the units above the activity's
    below the district (a grid worker's finding is usually the community's or the street's to fix)."""
    parts = [part for part in activity.unit.path.split("/") if part]
    above = ["/" + "/".join(parts[:depth]) + "/" for depth in range(2, len(parts))]
    in_scope = Q(pk__in=_form_units(user).values("pk")) | Q(path__in=above)
    return Unit.objects.filter(in_scope, is_active=True).order_by("path")


@field_staff_required
def finding_new(request, pk: int):
    activity = access.activity_access_for_user(user=request.user, pk=pk)
    data = request.POST if request.method == "POST" else _restored(request)
    form = FindingForm(data, request.FILES or None, responsible_units=_responsible_choices(request.user, activity),
                       initial={"responsible_unit": activity.unit_id, "photo_credit": person_name(request.user)})  # fmt: skip
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        mine = access.findings_for_user(request.user)
        if earlier := _sent_before(mine, data["submission"]):
            return _already_sent(request, "campaigns-field:finding", earlier)
        try:
            finding = services.finding_raise(
                activity=activity, by=request.user, location=data["location"], description=data["description"],
                responsible_unit=data["responsible_unit"], severity=data["severity"], photos=data["photos"],
                submission=data["submission"], credit_name=data["photo_credit"],
            )  # fmt: skip
        except PhotoRejected as rejected:
            form.add_error("photos", rejected)
        except CampaignActionRefused as refused:
            form.add_error(None, refused.text)
        except ValidationError as invalid:
            _errors_onto(form, invalid)
        except IntegrityError:
            if earlier := _sent_before(mine, data["submission"]):  # sent twice at once, as an activity's form
                return _already_sent(request, "campaigns-field:finding", earlier)
            raise
        else:
            messages.success(request, _("问题已登记。"))
            return redirect("campaigns-field:finding", pk=finding.pk)
    return render(request, "campaigns/field/finding_form.html", {
        "form": form, "activity": activity, "nav": "none",
        "files_lost": request.method == "POST" and bool(request.FILES) and form.errors,
    })  # fmt: skip


@field_staff_required
def finding_detail(request, pk: int):
    return _finding_page(request, pk)


def _finding_page(request, pk: int, *, failed_step: str = "", failed_form: StepForm | None = None, error: str = ""):
    """The finding with the steps this person may take; after a step whose form was wrong (a file that is not a
    picture), its form again with what was typed and the reason beside it (the photo is taken again)."""
    finding = get_object_or_404(
        access.findings_for_user(request.user)
        .select_related("activity__campaign", "activity__unit", "responsible_unit", "escalated_to")
        .prefetch_related("events__by", Prefetch("photos", queryset=_photos_in_order())),
        pk=pk,
    )
    steps = FINDING_WORKFLOW.available(user=request.user, obj=finding)
    today = timezone.localdate()
    overdue = finding.status in services.OPEN_RECTIFICATION and finding.deadline_due and finding.deadline_due < today
    return render(request, "campaigns/field/finding_detail.html", {
        "finding": finding, "steps": steps, "overdue": overdue, "nav": "none",
        "reinspect": {"pass", "fail"} <= {step.name for step in steps},
        "day_choices": (1, 2, 3, 5, 7, 10, 15, 20, 30),
        "failed_step": failed_step, "failed_note": failed_form.data.get("note", "") if failed_form else "",
        "failed_days": str(failed_form.data.get("working_days", "")) if failed_form else "", "step_error": error,
    })  # fmt: skip


@require_http_methods(["GET", "POST"])
@field_staff_required
def finding_step(request, pk: int, name: str):
    finding = access.finding_access_for_user(user=request.user, pk=pk)
    if name not in {step.name for step in FINDING_WORKFLOW.transitions}:
        raise Http404("没有这个操作")
    if request.method == "GET":
        # As an activity's step: after an idle logout the typed note and days come back on the finding's page.
        if (kept := _restored(request)) is None:
            return redirect("campaigns-field:finding", pk=finding.pk)
        return _finding_page(request, finding.pk, failed_step=name, failed_form=StepForm(kept),
                             error=_("尚未提交，请核对后再提交。"))  # fmt: skip
    form = StepForm(request.POST, request.FILES)
    if not form.is_valid():
        error = " ".join(str(e) for errors in form.errors.values() for e in errors)
        return _finding_page(request, finding.pk, failed_step=name, failed_form=form, error=error)
    try:
        services.finding_step(finding=finding, by=request.user, name=name, note=form.cleaned_data["note"],
                              working_days=form.cleaned_data["working_days"], photos=form.cleaned_data["photos"],
                              credit_name=person_name(request.user))  # fmt: skip
    except CampaignActionRefused as refused:  # not this person's step, or not now: nothing typed to keep
        messages.error(request, refused.text)
        return redirect("campaigns-field:finding", pk=finding.pk)
    except ValidationError as invalid:  # a file that is not a picture (PhotoRejected): the step is not taken
        return _finding_page(request, finding.pk, failed_step=name, failed_form=form, error=" ".join(invalid.messages))
    messages.success(request, _("已记录：%(step)s。") % {"step": FINDING_WORKFLOW[name].label})
    return redirect(reverse("campaigns-field:finding", args=[finding.pk]))


# --- ledgers ---------------------------------------------------------------------------------------------

LEDGER_INLINE_LIMIT = 500  # up to this many activities the file comes back at once; more are built by Celery


@field_staff_required
def ledger(request):
    """Ask for a ledger: small ones are answered with the file, large ones are built in the background and
    listed below with their progress, for this person only."""
    from campaigns.ledger import LedgerScope, ledger_activities, ledger_csv, ledger_xlsx
    from campaigns.models import LedgerExport
    from pingcheng.accounts import person_name

    today = timezone.localdate()
    form = LedgerForm(request.POST or None, units=_form_units(request.user),
                      campaigns=access.campaigns_for_user(request.user),
                      initial={"date_from": today.replace(day=1), "date_to": today, "file_format": "xlsx"})  # fmt: skip
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        scope = LedgerScope(unit=data["unit"], date_from=data["date_from"], date_to=data["date_to"],
                            campaign=data["campaign"], campaign_type=data["campaign_type"])  # fmt: skip
        activities = ledger_activities(scope, access.activities_for_user(request.user))
        if activities.count() <= LEDGER_INLINE_LIMIT:
            if data["file_format"] == "csv":
                content, kind = ledger_csv(activities), "text/csv; charset=utf-8"
            else:
                content = ledger_xlsx(scope, activities, by=person_name(request.user))
                kind = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            return _attachment(content, kind, f"{scope.title}（{scope.period}）.{data['file_format']}")
        try:
            services.ledger_export_request(by=request.user, unit=data["unit"], date_from=data["date_from"],
                                           date_to=data["date_to"], file_format=data["file_format"],
                                           campaign=data["campaign"], campaign_type=data["campaign_type"])  # fmt: skip
        except CampaignActionRefused as refused:
            form.add_error(None, refused.text)
        else:
            messages.success(request, _("台账较大，正在后台生成，完成后可在下方下载。"))
            return redirect("campaigns-field:ledger")
    exports = LedgerExport.objects.filter(requested_by=request.user).select_related("unit")[:10]
    waiting = any(export.status in (LedgerExport.Status.PENDING, LedgerExport.Status.RUNNING) for export in exports)
    return render(request, "campaigns/field/ledger.html",
                  {"form": form, "exports": exports, "waiting": waiting, "nav": "none"})  # fmt: skip


def _attachment(content: bytes, kind: str, filename: str):
    from urllib.parse import quote

    from django.http import HttpResponse

    response = HttpResponse(content, content_type=kind)
    response["Content-Disposition"] = (
        f"attachment; filename=\"ledger.{filename.rsplit('.', 1)[-1]}\"; filename*=UTF-8''{quote(filename)}"
    )
    return response


@field_staff_required
def ledger_download(request, pk: int):
    """A ledger built in the background, for the person who asked for it only (anyone else: not found)."""
    from campaigns.models import LedgerExport
    from campaigns.storage import ledger_storage

    export = get_object_or_404(LedgerExport, pk=pk, requested_by=request.user, status=LedgerExport.Status.DONE)
    if not export.file_name or not ledger_storage().exists(export.file_name):
        raise Http404("文件已过期")
    with ledger_storage().open(export.file_name) as handle:
        content = handle.read()
    kind = "text/csv; charset=utf-8" if export.format == "csv" else (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")  # fmt: skip
    return _attachment(content, kind, f"{export.unit.name}台账（{export.date_from}至{export.date_to}）.{export.format}")
