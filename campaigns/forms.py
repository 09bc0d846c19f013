"""The field forms: an activity with its figures, a finding with a photo, and the notes a step asks for.

Plain server-rendered forms for a 360 px phone: native date and time inputs, numeric keyboards for figures,
every message in Chinese beside its field.
"""

import uuid
from datetime import date, datetime, time, timedelta

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import ProhibitNullCharactersValidator
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from campaigns.models import Activity, Campaign, CampaignType, Finding, Metric
from pingcheng.directory.models import Unit

NO_NUL = [ProhibitNullCharactersValidator()]


def ledger_day_in_range(day: date) -> None:
    """The period becomes aware datetimes at the edges of its days: 1 January of year 1 in Shanghai is before
    year 1 in UTC, which the database adapter cannot convert. No ledger reaches outside this century."""
    if not date(2000, 1, 1) <= day <= date(2099, 12, 31):
        raise ValidationError(_("日期须在2000年至2099年之间。"), code="ledger_day_out_of_range")


class UnitChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, unit: Unit) -> str:
        return unit.name


class CameraInput(forms.FileInput):
    """Pictures from a phone: ``image/*`` without ``capture``, so the phone offers its camera *and* its gallery
    (a patrol's photos are often taken before the form is opened); several pictures when ``multiple``."""

    def __init__(self, *, multiple: bool = False):
        attrs = {"accept": "image/*"}
        super().__init__(attrs=attrs)
        self.allow_multiple_selected = multiple
        if multiple:
            self.attrs["multiple"] = True


class PhotoFilesField(forms.FileField):
    """Optional pictures, as a list of uploaded files. A plain file field: ``pingcheng.photos.services`` decodes,
    checks and re-encodes them with its own messages (Django's ImageField would decode them a second time)."""

    def __init__(self, *, multiple: bool = False, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("widget", CameraInput(multiple=multiple))
        super().__init__(**kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data if item]
        return [single(data, initial)] if data else []


def photo_fields(*, multiple: bool) -> dict[str, forms.Field]:
    return {
        "photos": PhotoFilesField(multiple=multiple, label=_("照片（可多张）") if multiple else _("照片（可选）"),
                                  help_text=_("可现场拍摄或从相册选择，不传也能提交。")),
        "photo_caption": forms.CharField(label=_("照片说明"), max_length=300, required=False, validators=NO_NUL,
                                         help_text=_("不填则用活动主题。")),
        "photo_credit": forms.CharField(label=_("拍摄人"), max_length=40, required=False, validators=NO_NUL),
    }  # fmt: skip


class ActivityForm(forms.Form):
    """An activity's own fields and, generated from the campaign's type, one number field per metric."""

    unit = UnitChoiceField(label=_("开展单位"), queryset=Unit.objects.none(), empty_label=None)
    title = forms.CharField(label=_("活动主题"), max_length=80, required=False, validators=NO_NUL,
                            help_text=_("不填则按活动类型和日期自动命名。"))  # fmt: skip
    # HTML date inputs take ISO dates only: a localised "2026/11/30" would show as empty.
    # Bounded like a ledger's period: 31 December 9999 with an overnight end has no next morning to end on.
    day = forms.DateField(label=_("日期"), validators=[ledger_day_in_range],
                          widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))  # fmt: skip
    start = forms.TimeField(label=_("开始时间"), widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"))
    end = forms.TimeField(label=_("结束时间"), required=False, help_text=_("早于开始时间即为次日结束（如夜间巡查 22:00 至 06:00）。"),
                          widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"))  # fmt: skip
    place = forms.CharField(label=_("地点"), max_length=120, required=False, validators=NO_NUL)
    partners_other = forms.CharField(label=_("参与单位"), max_length=200, required=False, validators=NO_NUL,
                                     help_text=_("如：社工站、城管、交警。"))  # fmt: skip
    summary = forms.CharField(label=_("活动内容"), required=False, validators=NO_NUL,
                              widget=forms.Textarea(attrs={"rows": 4}))  # fmt: skip
    is_public = forms.BooleanField(label=_("在网站上公开（居民可见）"), required=False, initial=True)
    # A new form's key (Activity.submission): sent twice, it finds the activity the first sending recorded.
    submission = forms.UUIDField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, campaign: Campaign, units, **kwargs):
        kwargs.setdefault("label_suffix", "")  # labels sit above their fields
        super().__init__(*args, **kwargs)
        self.campaign = campaign
        self.fields["unit"].queryset = units
        self.fields.update(photo_fields(multiple=True))
        self.metrics: list[Metric] = list(campaign.campaign_type.metrics.all())
        for metric in self.metrics:
            self.fields[self.metric_field(metric)] = forms.CharField(
                label=f"{metric.name}（{metric.unit}）", required=False, max_length=20, help_text=metric.meaning,
                widget=forms.TextInput(attrs={"inputmode": "decimal" if metric.allows_fraction else "numeric",
                                              "autocomplete": "off"}),
            )  # fmt: skip

    @staticmethod
    def metric_field(metric: Metric) -> str:
        return f"figure_{metric.code}"

    def figure_fields(self):
        return [self[self.metric_field(metric)] for metric in self.metrics]

    def main_fields(self):
        return [self[name] for name in ("unit", "title", "day", "start", "end", "place", "partners_other", "summary")]

    def photo_fields(self):
        return [self[name] for name in ("photos", "photo_caption", "photo_credit")]

    def figures(self) -> dict[str, str]:
        return {metric.code: self.cleaned_data.get(self.metric_field(metric), "") for metric in self.metrics}

    def apply_to(self, activity: Activity) -> Activity:
        data = self.cleaned_data
        zone = timezone.get_current_timezone()
        activity.campaign = self.campaign
        activity.unit = data["unit"]
        activity.starts_at = datetime.combine(data["day"], data["start"], tzinfo=zone)
        activity.ends_at = None
        if data.get("end"):
            # An end before the start is the next morning: an overnight flood patrol, 22:00 to 06:00.
            end_day = data["day"] + timedelta(days=1) if data["end"] < data["start"] else data["day"]
            activity.ends_at = datetime.combine(end_day, data["end"], tzinfo=zone)
        activity.title = data["title"].strip() or f"{self.campaign.campaign_type.name}（{data['day']:%m月%d日}）"
        activity.place = data["place"].strip()
        activity.partners_other = data["partners_other"].strip()
        activity.summary = data["summary"].strip()
        activity.is_public = data["is_public"] and self.campaign.is_public
        return activity

    @classmethod
    def initial_for(cls, activity: Activity | None) -> dict:
        if activity is None:
            now = timezone.localtime()
            return {"day": now.date(), "start": time(now.hour, now.minute), "is_public": True,
                    "submission": uuid.uuid4()}  # fmt: skip
        starts = timezone.localtime(activity.starts_at)
        initial = {
            "unit": activity.unit_id, "title": activity.title, "day": starts.date(), "start": starts.time(),
            "end": timezone.localtime(activity.ends_at).time() if activity.ends_at else None, "place": activity.place,
            "partners_other": activity.partners_other, "summary": activity.summary, "is_public": activity.is_public,
        }  # fmt: skip
        for figure in activity.figures.select_related("metric"):
            value = figure.value.normalize()
            initial[cls.metric_field(figure.metric)] = f"{value:f}"
        return initial


class FindingForm(forms.Form):
    location = forms.CharField(label=_("位置"), max_length=120, validators=NO_NUL,
                               help_text=_("如：公路涵洞、某小区3号楼北侧。"))  # fmt: skip
    description = forms.CharField(label=_("问题描述"), validators=NO_NUL, widget=forms.Textarea(attrs={"rows": 3}))
    severity = forms.ChoiceField(label=_("严重程度"), choices=Finding.Severity.choices, initial=Finding.Severity.MINOR,
                                 widget=forms.RadioSelect)  # fmt: skip
    responsible_unit = UnitChoiceField(label=_("责任单位"), queryset=Unit.objects.none(), empty_label=None)
    submission = forms.UUIDField(required=False, widget=forms.HiddenInput)  # as ActivityForm's

    def __init__(self, *args, responsible_units, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        self.fields["responsible_unit"].queryset = responsible_units
        self.fields["submission"].initial = uuid.uuid4()
        fields = photo_fields(multiple=False)
        del fields["photo_caption"]  # captioned with the place and the step
        self.fields.update(fields)


class StepForm(forms.Form):
    """The note a step takes (a report, a reason) and, for ordering rectification, the working days."""

    note = forms.CharField(label=_("说明"), required=False, max_length=2000, validators=NO_NUL,
                           widget=forms.Textarea(attrs={"rows": 3}))  # fmt: skip
    working_days = forms.IntegerField(label=_("整改期限（工作日）"), required=False, min_value=1, max_value=60)
    photos = PhotoFilesField(label=_("照片（可选）"))


class LedgerForm(forms.Form):
    """Which ledger to export: a unit in the user's scope, a period, optionally one campaign or one type."""

    unit = UnitChoiceField(label=_("单位"), queryset=Unit.objects.none(), empty_label=None)
    date_from = forms.DateField(label=_("开始日期"), validators=[ledger_day_in_range],
                                widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))  # fmt: skip
    date_to = forms.DateField(label=_("结束日期"), validators=[ledger_day_in_range],
                              widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))  # fmt: skip
    campaign = forms.ModelChoiceField(label=_("专项活动"), queryset=Campaign.objects.none(), required=False,
                                      empty_label=_("全部专项活动"))  # fmt: skip
    campaign_type = forms.ModelChoiceField(label=_("活动类型"), queryset=CampaignType.objects.none(), required=False,
                                           empty_label=_("全部类型"))  # fmt: skip
    file_format = forms.ChoiceField(label=_("格式"), choices=[("xlsx", _("Excel（XLSX），按类型分表，含合计行")),
                                                              ("csv", _("CSV，每项数据一行"))],
                                    initial="xlsx", widget=forms.RadioSelect)  # fmt: skip

    def __init__(self, *args, units, campaigns=None, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units
        # Only the campaigns the user's units take part in: a neighbour street's own (internal) ones stay unnamed.
        campaigns = Campaign.objects.all() if campaigns is None else campaigns
        self.fields["campaign"].queryset = campaigns.order_by("-starts_on")
        self.fields["campaign_type"].queryset = CampaignType.objects.all()

    def clean(self):
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and end < start:
            self.add_error("date_to", ValidationError(_("结束日期不能早于开始日期。"), code="period_reversed"))
        elif start and end and (end - start).days > 366 * 3:
            self.add_error("date_to", ValidationError(_("一次最多导出三年的台账。"), code="period_too_long"))
        return data
