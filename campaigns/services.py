"""Writes of the campaigns product: activities with their figures, their steps, findings and their rectification.

Each service checks scope and the workflow under the row lock, validates with ``full_clean``, writes an
append-only event, and announces what the public sees to the page cache after commit.
"""

import logging
from collections.abc import Iterable, Mapping
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from campaigns import access
from campaigns.cache import CAMPAIGNS
from campaigns.errors import CampaignActionRefused
from campaigns.models import Activity, ActivityEvent, ActivityFigure, Finding, FindingEvent, Metric
from campaigns.workflow import ACTIVITY_WORKFLOW, FINDING_WORKFLOW
from pingcheng.accounts import person_name
from pingcheng.directory.models import Contributor, Unit
from pingcheng.page_cache import page_product_changed
from pingcheng.workdays import deadline_set, workday_today

logger = logging.getLogger(__name__)

MAX_FIGURE = Decimal("99999999")
MAX_RECTIFICATION_DAYS = 60
# Changing these on a planned activity is a move: attendees must be told, and the calendar's SEQUENCE rises.
WHEN_AND_WHERE = ("starts_at", "ends_at", "place")
OPEN_RECTIFICATION = (Finding.Status.ORDERED, Finding.Status.IN_PROGRESS)


def _chinese_date(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def _chinese_time(moment: datetime) -> str:
    local = timezone.localtime(moment)
    return f"{local.month}月{local.day}日 {local:%H:%M}"


def _public_changed() -> None:
    transaction.on_commit(lambda: page_product_changed(CAMPAIGNS))


def figures_clean(*, activity: Activity, figures: Mapping[int | str, object]) -> dict[Metric, Decimal | None]:
    """The activity's figures keyed by metric, from raw input keyed by metric id or code.

    A figure must belong to the campaign's type, be a number, never negative, and whole unless the metric
    allows fractions; an empty value means "not recorded". All problems are raised together, keyed by code.
    """
    metrics = list(activity.campaign.campaign_type.metrics.all())
    by_key = {**{m.pk: m for m in metrics}, **{str(m.pk): m for m in metrics}, **{m.code: m for m in metrics}}
    cleaned: dict[Metric, Decimal | None] = {}
    errors: dict[str, list[ValidationError]] = {}
    for key, raw in figures.items():
        metric = by_key.get(key)
        if metric is None:
            errors.setdefault("__all__", []).append(
                ValidationError(_("“%(key)s”不是这类活动的统计指标。"), code="metric_unknown", params={"key": key})
            )
            continue
        text = "" if raw is None else str(raw).strip()
        if not text:
            cleaned[metric] = None
            continue
        try:
            value = Decimal(text)
        except InvalidOperation:
            value = None
        if value is None or not value.is_finite():
            message, code = _("%(name)s须填数字。"), "figure_not_a_number"
        elif value < 0:
            message, code = _("%(name)s不能是负数。"), "figure_negative"
        elif value > MAX_FIGURE:
            message, code = _("%(name)s数值过大，请核对。"), "figure_too_large"
        elif value != value.to_integral_value() and not metric.allows_fraction:
            message, code = _("%(name)s只能填整数。"), "figure_not_whole"
        elif value != value.quantize(Decimal("0.1")):
            message, code = _("%(name)s最多保留一位小数。"), "figure_too_precise"
        else:
            cleaned[metric] = value
            continue
        errors.setdefault(metric.code, []).append(ValidationError(message, code=code, params={"name": metric.name}))
    if errors:
        raise ValidationError(errors)
    return cleaned


def _check_period(activity: Activity) -> None:
    campaign = activity.campaign
    day = timezone.localdate(activity.starts_at)
    if not campaign.starts_on <= day <= campaign.ends_on:
        raise ValidationError(
            {"starts_at": _("活动日期须在专项活动期间（%(start)s至%(end)s）。")
             % {"start": _chinese_date(campaign.starts_on), "end": _chinese_date(campaign.ends_on)}},
            code="activity_outside_campaign",
        )  # fmt: skip


def _event(activity: Activity, action: str, by, note: str = "") -> None:
    ActivityEvent.objects.create(activity=activity, action=action, by=by, note=note)


@transaction.atomic
def activity_save(
    *,
    activity: Activity,
    by,
    figures: Mapping[int | str, object] | None = None,
    partner_units: Iterable[Unit] | None = None,
    note: str = "",
) -> Activity:
    """Create or change an activity and its figures.

    The unit must be in the user's scope (a grid worker logs for their grid, a street for the street and its
    communities) and the date inside the campaign's period. ``figures`` replaces the given figures only (an
    empty value removes one). On an activity already announced (planned), a change of time or place is a move:
    the event says so and the calendar's sequence rises, so subscribers' calendars update.
    """
    if not access.user_may_log_for(by, activity.unit):
        raise CampaignActionRefused(
            _("您不能为“%(unit)s”填报活动。") % {"unit": activity.unit}, code="unit_out_of_scope"
        )
    if not access.campaign_open_to(activity.campaign, activity.unit):
        raise CampaignActionRefused(
            _("“%(unit)s”不参加“%(campaign)s”。") % {"unit": activity.unit, "campaign": activity.campaign},
            code="campaign_not_for_unit",
        )
    creating = activity.pk is None
    if not creating:
        current = Activity.objects.select_for_update().get(pk=activity.pk)
        if current.status in (Activity.Status.CLOSED, Activity.Status.CANCELLED):
            raise CampaignActionRefused(_("已总结或已取消的活动不能再修改。"), code="activity_finished")
        moved = current.status == Activity.Status.PLANNED and any(
            _announced(getattr(current, name)) != _announced(getattr(activity, name)) for name in WHEN_AND_WHERE
        )
        activity.status = current.status  # steps go through activity_step, never through a save
        # Made internal: the public pages that showed it must be refreshed too.
        was_shown = current.is_public and current.status != Activity.Status.DRAFT
        # Already announced (or public and planned from before announcements were sent): an edit or a move is no
        # new activity; the move is told as one.
        was_announced = current.is_public and current.status == Activity.Status.PLANNED
    else:
        moved = was_shown = was_announced = False
        activity.created_by = by
    cleaned = figures_clean(activity=activity, figures=figures or {})
    if activity.status in (Activity.Status.HELD, Activity.Status.CLOSED) and activity.starts_at > timezone.now():
        raise ValidationError({"starts_at": _("已开展的活动，开始时间不能晚于现在。")}, code="held_in_future")
    # The form's key is unique in the database alone: two sendings at once must meet as an IntegrityError the
    # field view answers, not as a validation message about a field nobody typed.
    activity.full_clean(exclude=["partner_units", "photos", "articles", "submission"])
    _check_period(activity)
    if moved:
        activity.sequence += 1
        # What residents were told before: the public page and the calendars say what changed.
        activity.cancel_reason = _move_notice(current)
        note = " ".join(part for part in (activity.cancel_reason, note.strip()) if part)
    activity.save()
    if partner_units is not None:
        activity.partner_units.set(partner_units)
    for metric, value in cleaned.items():
        if value is None:
            ActivityFigure.objects.filter(activity=activity, metric=metric).delete()
        else:
            ActivityFigure.objects.update_or_create(activity=activity, metric=metric, defaults={"value": value})
    if creating:
        _event(activity, ActivityEvent.Action.CREATED, by, note)
    else:
        _event(activity, ActivityEvent.Action.MOVED if moved else ActivityEvent.Action.EDITED, by, note)
    if was_shown or (activity.is_public and activity.status != Activity.Status.DRAFT):
        _public_changed()
    if not was_announced:
        _announced_notify(activity)
    return activity


def _announced_notify(activity: Activity) -> None:
    # Imported here: campaigns.notices reads this module's finding states at import.
    from campaigns.notices import activity_announced_notify

    activity_announced_notify(activity)


def _announced(value):
    """A time as residents were told it, to the minute: the field form's minutes are no move of a time saved
    with seconds (by the admin or an import)."""
    return value.replace(second=0, microsecond=0) if isinstance(value, datetime) else value


def _move_notice(before: Activity) -> str:
    """The public notice of a move, from what was announced: ``原定11月30日 09:00，公路涵洞``."""
    limit = Activity._meta.get_field("cancel_reason").max_length
    place = before.place if len(before.place) <= 60 else before.place[:59] + "…"
    notice = _("原定%(when)s") % {"when": _chinese_time(before.starts_at)}
    if place:
        notice += _("，%(place)s") % {"place": place}
    return notice[:limit]


@transaction.atomic
def activity_step(*, activity: Activity, by, name: str, note: str = "") -> Activity:
    """Take step ``name`` of ACTIVITY_WORKFLOW (plan, hold, close, cancel). Closing stores the note as the
    report; cancelling stores it as the reason the public is told and raises the calendar's sequence."""
    if name == "move":
        # A move is a change of time or place (activity_save), which says what moved; a bare step cannot.
        raise CampaignActionRefused(_("改期请修改活动的时间或地点。"), code="move_by_edit")
    activity = Activity.objects.select_for_update().select_related("unit").get(pk=activity.pk)
    target = ACTIVITY_WORKFLOW.check(name, user=by, obj=activity, note=note)
    before = activity.status
    note = note.strip()
    limit = Activity._meta.get_field("cancel_reason").max_length
    if name == "cancel" and len(note) > limit:
        raise CampaignActionRefused(
            _("取消原因最多%(limit)s字（现有%(count)s字），公众会看到。") % {"limit": limit, "count": len(note)},
            code="reason_too_long",
        )
    if name == "hold" and activity.starts_at > timezone.now():
        # A plan is not a result: figures of an activity that has not started would count towards the totals.
        raise CampaignActionRefused(
            _("活动定于%(when)s开始，还没到时间，不能记为已开展；可以先提交为计划。")
            % {"when": _chinese_time(activity.starts_at)},
            code="held_in_future",
        )
    activity.status = target
    fields = ["status", "updated_at"]
    if name == "close":
        activity.report = note
        fields.append("report")
    elif name == "cancel":
        activity.cancel_reason = note
        activity.sequence += 1
        fields += ["cancel_reason", "sequence"]
        if before == Activity.Status.DRAFT:
            # A draft was never announced: dropping it must not publish it as a cancelled event.
            activity.is_public = False
            fields.append("is_public")
    activity.save(update_fields=fields)
    action = {"plan": ActivityEvent.Action.PLANNED, "hold": ActivityEvent.Action.HELD,
              "close": ActivityEvent.Action.CLOSED, "cancel": ActivityEvent.Action.CANCELLED}[name]  # fmt: skip
    _event(activity, action, by, note)
    if activity.is_public:
        _public_changed()
    if name == "plan":
        _announced_notify(activity)
    return activity


# --- photos ----------------------------------------------------------------------------------------------

MAX_PHOTOS_AT_ONCE = 9


def photo_credit_for(*, name: str, by, unit: Unit) -> Contributor | None:
    """The contributor a field photo is credited to: the person logged in (their own contributor, made and
    linked the first time), or whoever else they name, as a correspondent of the activity's unit."""
    name = name.strip()
    if not name:
        return None
    own = Contributor.objects.filter(user=by).first() if by is not None else None
    if own is not None and own.name == name:
        return own
    existing = Contributor.objects.filter(name=name).filter(Q(unit=unit) | Q(unit__isnull=True)).order_by("unit", "pk")
    if found := existing.first():
        return found
    contributor = Contributor(name=name, kind=Contributor.Kind.CORRESPONDENT, unit=unit,
                              user=by if own is None and by is not None and name == person_name(by) else None)  # fmt: skip
    contributor.full_clean()
    contributor.save()
    return contributor


def _photos_store(*, files, by, unit: Unit, caption: str, alt_text: str, credit_name: str, taken_on: date):
    """Each file through the shared pipeline (caps, decode, re-encode, renditions). A rejected file raises
    ``PhotoRejected``; the pictures stored before it are removed again, since the caller's transaction rolls back."""
    from pingcheng.photos.services import photo_create, photo_delete_files

    files = list(files)
    if len(files) > MAX_PHOTOS_AT_ONCE:
        raise ValidationError({"photos": _("一次最多上传%(max)s张照片。") % {"max": MAX_PHOTOS_AT_ONCE}},
                              code="too_many_photos")  # fmt: skip
    credit = photo_credit_for(name=credit_name, by=by, unit=unit)
    made = []
    try:
        for upload in files:
            made.append(photo_create(file=upload, caption=caption, alt_text=alt_text, credit=credit,
                                     taken_on=taken_on, uploaded_by=by))  # fmt: skip
    except BaseException:
        for photo in made:
            photo_delete_files(photo)
        raise
    return made


@transaction.atomic
def activity_photos_add(*, activity: Activity, by, files, caption: str = "", credit_name: str = ""):
    """Add photos to an activity (optional: never required as proof). Caption defaults to the activity's
    title, alt text to what and where, credit to whoever names it. Public with the activity, never apart."""
    if not access.user_may_log_for(by, activity.unit):
        raise CampaignActionRefused(_("您不能为这项活动上传照片。"), code="activity_out_of_scope")
    caption = caption.strip() or activity.title
    where = f"（{activity.place}）" if activity.place else ""
    alt_text = _("%(title)s现场照片%(where)s") % {"title": activity.title, "where": where}
    photos = _photos_store(files=files, by=by, unit=activity.unit, caption=caption[:300], alt_text=alt_text[:200],
                           credit_name=credit_name, taken_on=timezone.localdate(activity.starts_at))  # fmt: skip
    if photos:
        activity.photos.add(*photos)
        if activity.is_public and activity.status != Activity.Status.DRAFT:
            _public_changed()
    return photos


# --- findings --------------------------------------------------------------------------------------------


def _finding_event(finding: Finding, action: str, by, before: str, note: str = "") -> None:
    FindingEvent.objects.create(finding=finding, action=action, from_status=before, to_status=finding.status,
                                by=by, note=note)  # fmt: skip


@transaction.atomic
def finding_raise(
    *,
    activity: Activity,
    by,
    location: str,
    description: str,
    responsible_unit: Unit,
    severity: str = Finding.Severity.MINOR,
    found_at: datetime | None = None,
    photos: Iterable = (),
    submission=None,
    credit_name: str = "",
) -> Finding:
    """Record a problem found on an activity; the unit that held it (in the user's scope) owns its follow-up.
    ``photos`` are uploaded files, stored through the photo pipeline (captioned with the place, credited to
    ``credit_name``). ``submission`` is the key of the form it came from (unique: a form sent twice records one
    finding)."""
    if not access.user_may_log_for(by, activity.unit):
        raise CampaignActionRefused(_("您不能在这项活动上登记问题。"), code="activity_out_of_scope")
    if activity.status == Activity.Status.CANCELLED:
        raise CampaignActionRefused(_("已取消的活动不能登记问题。"), code="activity_cancelled")
    finding = Finding(activity=activity, location=location.strip(), description=description.strip(),
                      responsible_unit=responsible_unit, severity=severity, found_at=found_at or timezone.now(),
                      found_by=by, submission=submission)  # fmt: skip
    finding.full_clean(exclude=["photos", "submission"])  # unique in the database alone, as an activity's
    finding.save()
    _finding_event(finding, FindingEvent.Action.FOUND, by, "")
    _finding_photos(finding, by=by, files=photos, credit_name=credit_name, what=_("发现"))
    return finding


def _finding_photos(finding: Finding, *, by, files, credit_name: str, what: str) -> None:
    """A finding's photos at one step (found, rectified, re-inspected), captioned with the place and the step."""
    files = list(files)
    if not files:
        return
    when = timezone.localdate()
    caption = f"{finding.location}（{what}，{when.month}月{when.day}日）"
    alt_text = f"{finding.location}：{finding.description[:60]}"
    photos = _photos_store(files=files, by=by, unit=finding.activity.unit, caption=caption[:300],
                           alt_text=alt_text[:200], credit_name=credit_name, taken_on=when)  # fmt: skip
    finding.photos.add(*photos)


@transaction.atomic
def finding_step(
    *,
    finding: Finding,
    by,
    name: str,
    note: str = "",
    working_days: int | None = None,
    today: date | None = None,
    photos: Iterable = (),
    credit_name: str = "",
) -> Finding:
    """Take step ``name`` of FINDING_WORKFLOW. Ordering (again, after a failed re-inspection) sets the deadline:
    ``working_days`` working days from today, counted with the holiday calendar (调休 included). ``photos``
    (uploaded files) show the state at this step: the rectified spot, the re-inspection (回头看)."""
    finding = (
        Finding.objects.select_for_update().select_related("activity__unit", "responsible_unit").get(pk=finding.pk)
    )
    target = FINDING_WORKFLOW.check(name, user=by, obj=finding, note=note)
    before = finding.status
    finding.status = target
    if name == "order":
        if not isinstance(working_days, int) or not 1 <= working_days <= MAX_RECTIFICATION_DAYS:
            raise CampaignActionRefused(
                _("整改期限须为1至%(max)s个工作日。") % {"max": MAX_RECTIFICATION_DAYS}, code="deadline_invalid"
            )
        deadline_set(obj=finding, start=today or workday_today(), working_days=working_days)
        finding.escalated_to = None
        finding.escalated_at = None
    elif name == "pass":
        finding.cleared_at = timezone.now()
    finding.save()
    action = {"order": FindingEvent.Action.ORDERED, "start": FindingEvent.Action.STARTED,
              "report": FindingEvent.Action.REPORTED, "pass": FindingEvent.Action.PASSED,
              "fail": FindingEvent.Action.FAILED}[name]  # fmt: skip
    detail = note.strip()
    if name == "order":
        due = _chinese_date(finding.deadline_due)
        detail = _("限%(days)s个工作日内整改，%(due)s前完成。") % {"days": working_days, "due": due} + (
            f" {detail}" if detail else ""
        )
    _finding_event(finding, action, by, before, detail)
    _finding_photos(finding, by=by, files=photos, credit_name=credit_name, what=FINDING_WORKFLOW[name].label)
    return finding


def findings_overdue(*, today: date | None = None):
    """Findings still being rectified after their due date."""
    today = today or workday_today()
    return Finding.objects.filter(status__in=OPEN_RECTIFICATION, deadline_due__lt=today)


def findings_escalate_overdue(*, today: date | None = None) -> int:
    """Hand each overdue finding, once, to the unit above its responsible unit (the street above a community,
    the district above a street or a department). Safe to run twice or late: a finding already escalated for
    its current deadline is left alone."""
    escalated = 0
    for pk in findings_overdue(today=today).filter(escalated_at__isnull=True).values_list("pk", flat=True):
        with transaction.atomic():
            finding = (
                Finding.objects.select_for_update(of=("self",))
                .select_related("responsible_unit__parent")
                .filter(pk=pk, escalated_at__isnull=True, status__in=OPEN_RECTIFICATION)
                .first()
            )
            above = finding and finding.responsible_unit.parent
            if above is None:
                continue
            finding.escalated_to = above
            finding.escalated_at = timezone.now()
            finding.save(update_fields=["escalated_to", "escalated_at"])
            _finding_event(finding, FindingEvent.Action.ESCALATED, None, finding.status,
                           _("逾期未整改，已上报%(unit)s。") % {"unit": above.name})  # fmt: skip
            escalated += 1
    return escalated


# --- ledgers ---------------------------------------------------------------------------------------------

LEDGER_LEASE = timedelta(minutes=10)
LEDGER_KEEP = timedelta(days=7)


def _ledger_scope(export):
    from campaigns.ledger import LedgerScope

    return LedgerScope(unit=export.unit, date_from=export.date_from, date_to=export.date_to, campaign=export.campaign,
                       campaign_type=export.campaign_type)  # fmt: skip


def ledger_export_request(*, by, unit: Unit, date_from: date, date_to: date, file_format: str, campaign=None,
                          campaign_type=None):  # fmt: skip
    """Record a ledger to build in the background, for a unit in the user's scope; the task is queued after
    commit, and the sweep re-drives it if the broker was down."""
    from campaigns.models import LedgerExport
    from campaigns.tasks import ledger_export_build

    if not access.user_may_log_for(by, unit):
        raise CampaignActionRefused(_("您不能导出“%(unit)s”的台账。") % {"unit": unit.name}, code="unit_out_of_scope")
    export = LedgerExport(requested_by=by, unit=unit, date_from=date_from, date_to=date_to, format=file_format,
                          campaign=campaign, campaign_type=campaign_type)  # fmt: skip
    export.full_clean()
    export.save()
    transaction.on_commit(lambda: _enqueue(ledger_export_build, export.pk))
    return export


def _enqueue(task, *args) -> None:
    try:
        task.delay(*args)
    except Exception:  # the broker is down: the row stays pending and ledger_exports_sweep re-drives it
        logger.warning("Could not queue %s%s; the sweep will", task.name, args, exc_info=True)


def ledger_export_build(*, export_id: int) -> bool:
    """Build one requested ledger. Claimed with a lease (pending, or running past LEDGER_LEASE after a worker
    died), so two workers never build it at once and a late or repeated task does nothing."""
    from campaigns.ledger import ledger_activities, ledger_csv, ledger_xlsx
    from campaigns.models import LedgerExport
    from campaigns.storage import ledger_storage
    from pingcheng.accounts import person_name

    now = timezone.now()
    claimable = Q(status=LedgerExport.Status.PENDING) | Q(status=LedgerExport.Status.RUNNING,
                                                             started_at__lt=now - LEDGER_LEASE)  # fmt: skip
    if not LedgerExport.objects.filter(claimable, pk=export_id).update(status=LedgerExport.Status.RUNNING, started_at=now,
                                                                      progress=0):  # fmt: skip
        return False
    export = LedgerExport.objects.select_related("unit", "campaign", "campaign_type", "requested_by").get(pk=export_id)
    activities = ledger_activities(_ledger_scope(export), access.activities_for_user(export.requested_by))

    def progress(done: int, total: int) -> None:
        LedgerExport.objects.filter(pk=export_id).update(progress=min(99, done * 100 // max(total, 1)))

    try:
        if export.format == LedgerExport.Format.CSV:
            content = ledger_csv(activities)
        else:
            content = ledger_xlsx(
                _ledger_scope(export), activities, by=person_name(export.requested_by), progress=progress
            )
    except Exception as error:  # recorded for the person waiting, then raised for the worker's log
        LedgerExport.objects.filter(pk=export_id).update(status=LedgerExport.Status.FAILED, error=str(error)[:200],
                                                         finished_at=timezone.now())  # fmt: skip
        raise
    from django.core.files.base import ContentFile

    name = ledger_storage().save(f"{export_id}/ledger.{export.format}", ContentFile(content))
    LedgerExport.objects.filter(pk=export_id).update(status=LedgerExport.Status.DONE, progress=100, file_name=name,
                                                     row_count=activities.count(), finished_at=timezone.now())  # fmt: skip
    return True


def ledger_exports_sweep() -> int:
    """Re-drive ledgers left pending (the broker was down) or abandoned by a dead worker; drop week-old files."""
    from campaigns.models import LedgerExport
    from campaigns.storage import ledger_storage
    from campaigns.tasks import ledger_export_build

    now = timezone.now()
    stuck = LedgerExport.objects.filter(
        Q(status=LedgerExport.Status.PENDING, created_at__lt=now - timedelta(minutes=1))
        | Q(status=LedgerExport.Status.RUNNING, started_at__lt=now - LEDGER_LEASE)
    ).values_list("pk", flat=True)
    for pk in stuck:
        _enqueue(ledger_export_build, pk)
    for export in LedgerExport.objects.filter(created_at__lt=now - LEDGER_KEEP).exclude(file_name=""):
        ledger_storage().delete(export.file_name)
        LedgerExport.objects.filter(pk=export.pk).update(file_name="")
    return len(stuck)
