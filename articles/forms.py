import re
import unicodedata
from datetime import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from articles.models import Article, Correction, Edition, ReviewDecision
from articles.services import EDITABLE_FIELDS

TIME_24H = re.compile(r"^([01]?\d|2[0-3])[:：.．]([0-5]\d)$")


class BeijingTimeWidget(forms.MultiWidget):
    """A date picker and a time typed in 24-hour form (14:30).

    The browser's own time and datetime pickers follow the computer's locale and may ask for 上午/下午 or AM/PM;
    a newsroom writes 14:30. A single ``<name>`` value as ``YYYY-MM-DDTHH:MM`` (what a datetime-local input
    or a script sends) is read too, and full-width digits and colons (１４：３０) as their ASCII forms.
    """

    def __init__(self, attrs=None):
        widgets = {
            "date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "time": forms.TextInput(attrs={"inputmode": "numeric", "placeholder": "14:30", "size": 5, "maxlength": 5,
                                           "pattern": r"([01]?\d|2[0-3])[:：]([0-5]\d)", "autocomplete": "off",
                                           "aria-label": _("时间（24小时制）")}),
        }  # fmt: skip
        super().__init__(widgets, attrs)

    def decompress(self, value):
        if not value:
            return [None, None]
        local = timezone.localtime(value) if timezone.is_aware(value) else value
        return [local.date(), local.strftime("%H:%M")]

    def value_from_datadict(self, data, files, name):
        date, time = super().value_from_datadict(data, files, name)
        whole = data.get(name)
        if not (date or time) and whole:
            date, _sep, time = whole.replace("T", " ").partition(" ")
        # A Chinese input method in full-width mode types １４：３０: read as the 14:30 it means.
        return [unicodedata.normalize("NFKC", part) if isinstance(part, str) else part for part in (date, time)]


class TimeOfDayField(forms.TimeField):
    """HH:MM on a 24-hour clock; a full-width colon (typed with a Chinese input method) is read as a colon."""

    default_error_messages = {"invalid": _("请按24小时制填写时间，如 14:30。")}

    def to_python(self, value):
        if isinstance(value, str) and (match := TIME_24H.match(value.strip())):
            value = f"{int(match[1]):02d}:{match[2]}"
        elif isinstance(value, str) and value.strip():
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return super().to_python(value)


class BeijingTimeField(forms.SplitDateTimeField):
    """A moment given as a date and a 24-hour time, in Beijing time (the site's TIME_ZONE)."""

    widget = BeijingTimeWidget
    default_error_messages = {
        "invalid_date": _("请选择日期。"),
        "invalid_time": _("请按24小时制填写时间，如 14:30。"),
    }

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.fields = (forms.DateField(required=False), TimeOfDayField(required=False, input_formats=["%H:%M"]))


def beijing_time(value: datetime) -> str:
    """A moment as the newsroom reads it: Beijing time, 24-hour clock (2026年7月18日 14:30)."""
    local = timezone.localtime(value)
    return f"{local.year}年{local.month}月{local.day}日 {local:%H:%M}"


def _future_or_error(form: forms.Form, field: str, value: datetime | None, message) -> None:
    if value is not None and value <= timezone.now():
        form.add_error(field, message % {"when": beijing_time(value), "now": beijing_time(timezone.now())})


PAST_PUBLISH_TIME = _("定时发布的时间 %(when)s 已经过去（现在是北京时间 %(now)s）。要现在发布，请点“立即发布”；"
                      "定时发布请选择将来的时间。")  # fmt: skip
PAST_UNPUBLISH_TIME = _("下线时间 %(when)s 已经过去（现在是北京时间 %(now)s），请选择将来的时间。")

# The workflow step a button of the article form takes with the save (``name="_workflow"``), and the field of
# the form that belongs to it: its refusal is shown there.
WORKFLOW_STEPS = {
    "submit": None, "pass": "review_opinion", "return": "review_opinion", "publish": "expire_at",
    "schedule": "schedule_at", "withdraw": "withdraw_reason", "correct": "correction_text",
}  # fmt: skip
# What a person types for a step: typed but saved with the plain 保存 button, it would be dropped.
TYPED_FOR_STEP = {
    "review_opinion": _("您填写了审稿意见，但点的是“保存”。审稿意见要点“通过”或“退回”才会记录；不需要时请清空后再保存。"),
    "withdraw_reason": _("您填写了撤稿原因，但点的是“保存”。要撤稿请点“撤下稿件”；不撤稿请清空原因后再保存。"),
    "correction_text": _("您填写了更正内容，但点的是“保存”。要发布更正请点“发布更正”；不需要时请清空后再保存。"),
}


class ArticleAdminForm(forms.ModelForm):
    """The editing form, and the workflow step taken with it (the button pressed), so an edit is never lost.

    ``expected_version`` carries the version the editor opened, to refuse stale saves. The step's own fields
    (an opinion, a publication time, a reason, a correction) are part of this form: the back office saves the
    edits and takes the step together, or neither. The admin sets ``workflow_step`` (the button's value) on
    the class, and ``workflow_refusal`` when the service refused the step, to show it here with everything
    that was typed.
    """

    workflow_step = ""
    workflow_refusal = None

    expected_version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    review_opinion = forms.CharField(label=_("审稿意见"), required=False, max_length=2000,
                                     widget=forms.Textarea(attrs={"rows": 3}), help_text=_("退回时必填。"))  # fmt: skip
    schedule_at = BeijingTimeField(label=_("定时发布时间"), required=False, help_text=_("北京时间，24小时制。"))
    expire_at = BeijingTimeField(label=_("到期下线（可选）"), required=False,
                                 help_text=_("到时自动下线，如活动通知；一般稿件不填。"))  # fmt: skip
    withdraw_reason = forms.CharField(label=_("撤稿原因"), required=False, max_length=500,
                                      widget=forms.Textarea(attrs={"rows": 2}))  # fmt: skip
    correction_kind = forms.ChoiceField(label=_("类型"), choices=Correction.Kind.choices, required=False)
    correction_text = forms.CharField(label=_("更正内容"), required=False, max_length=2000,
                                      widget=forms.Textarea(attrs={"rows": 3}))  # fmt: skip

    class Meta:
        model = Article
        fields = [*EDITABLE_FIELDS, "units"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["expected_version"].initial = self.instance.version
            if self.instance.publish_at and self.instance.status == Article.Status.SCHEDULED:
                self.fields["schedule_at"].initial = self.instance.publish_at
            self.fields["expire_at"].initial = self.instance.unpublish_at

    def clean(self):
        cleaned = super().clean()
        # Browsers send a textarea's line breaks as CRLF; stored text has LF. Unnormalised, an untouched lead
        # or body would count as an edit, and an approved article would go back to 终审 when only saved.
        for name in ("lead", "body"):
            if isinstance(cleaned.get(name), str):
                cleaned[name] = cleaned[name].replace("\r\n", "\n")
        self._clean_workflow(cleaned)
        expected = cleaned.get("expected_version")
        if self.instance.pk and expected is not None:
            current = Article.objects.filter(pk=self.instance.pk).values_list("version", flat=True).first()
            if current is not None and current != expected:
                raise forms.ValidationError(
                    _("这篇稿件在您打开后已被他人修改并保存（当前第 %(current)s 版，您打开的是第 %(expected)s 版）。"
                      "请复制您的修改，刷新页面后再编辑。") % {"current": current, "expected": expected},
                    code="edit_conflict",
                )  # fmt: skip
        return cleaned

    def _clean_workflow(self, cleaned: dict) -> None:
        step = self.workflow_step
        if step and step not in WORKFLOW_STEPS:
            raise forms.ValidationError(_("未知的操作。"), code="step_unknown")
        if step and step != "submit" and not self.instance.pk:
            # The new-article page offers 送审 only; any other step needs a saved article in the right state.
            raise forms.ValidationError(_("新稿件只能保存或送审。"), code="step_needs_saved_article")
        # The publication times are read only for the steps that use them: a half-typed time left in the box
        # does not stop a plain save or another step.
        for name, used_by in (("schedule_at", {"schedule"}), ("expire_at", {"schedule", "publish"})):
            if step not in used_by:
                self._errors.pop(name, None)
                cleaned[name] = None
        if self.workflow_refusal is not None:
            note = gettext("您的修改尚未保存，页面上填写的内容都还在，处理后再提交即可。")
            self.add_error(WORKFLOW_STEPS.get(step), f"{self.workflow_refusal.text} {note}")
        if not step:
            for field, message in TYPED_FOR_STEP.items():
                if (cleaned.get(field) or "").strip():
                    self.add_error(field, message)
            return
        if step == "schedule":
            if cleaned.get("schedule_at") is None and "schedule_at" not in self.errors:
                self.add_error("schedule_at", _("请填写定时发布的日期和时间。"))
            _future_or_error(self, "schedule_at", cleaned.get("schedule_at"), PAST_PUBLISH_TIME)
        if step in ("schedule", "publish"):
            _future_or_error(self, "expire_at", cleaned.get("expire_at"), PAST_UNPUBLISH_TIME)


class ReviewForm(forms.Form):
    outcome = forms.ChoiceField(label=_("结论"), choices=ReviewDecision.Outcome.choices, widget=forms.RadioSelect)
    opinion = forms.CharField(label=_("审稿意见"), required=False, widget=forms.Textarea(attrs={"rows": 3}),
                              max_length=2000, help_text=_("退回时必填。"))  # fmt: skip


class PublishNowForm(forms.Form):
    """立即发布: the article goes out at this moment, which is the time readers are shown."""

    unpublish_at = BeijingTimeField(label=_("到期下线（可选）"), required=False)

    def clean(self):
        cleaned = super().clean()
        _future_or_error(self, "unpublish_at", cleaned.get("unpublish_at"), PAST_UNPUBLISH_TIME)
        return cleaned


class ScheduleForm(forms.Form):
    """定时发布 at a future minute; a time already past is refused (立即发布 is its own action), so a typo can
    neither backdate a story nor publish it by surprise."""

    publish_at = BeijingTimeField(label=_("定时发布时间"), help_text=_("北京时间，24小时制。"))
    unpublish_at = BeijingTimeField(label=_("到期下线（可选）"), required=False)

    def clean(self):
        cleaned = super().clean()
        publish_at, unpublish_at = cleaned.get("publish_at"), cleaned.get("unpublish_at")
        _future_or_error(self, "publish_at", publish_at, PAST_PUBLISH_TIME)
        if publish_at and unpublish_at and unpublish_at <= publish_at:
            self.add_error("unpublish_at", _("下线时间必须晚于发布时间。"))
        return cleaned


class WithdrawForm(forms.Form):
    reason = forms.CharField(label=_("撤稿原因"), max_length=500, widget=forms.Textarea(attrs={"rows": 2}))


class CorrectionForm(forms.Form):
    kind = forms.ChoiceField(label=_("类型"), choices=Correction.Kind.choices)
    text = forms.CharField(label=_("内容"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))


class PageImportForm(forms.Form):
    text = forms.CharField(
        label=_("版面文字"), widget=forms.Textarea(attrs={"rows": 20, "cols": 100}), max_length=200_000,
        help_text=_("粘贴整版纯文本（来自排版系统或 PDF 导出）。每篇稿件将生成一篇草稿，请逐篇核对。"),
    )  # fmt: skip
    edition_date = forms.DateField(label=_("出版日期（可选）"), required=False,
                                   widget=forms.DateInput(attrs={"type": "date"}))  # fmt: skip
    edition_number = forms.IntegerField(label=_("期号（可选）"), required=False, min_value=1)
    page_number = forms.IntegerField(label=_("版次（可选）"), required=False, min_value=1, max_value=64)
    page_name = forms.CharField(label=_("版名（可选）"), required=False, max_length=40)

    def clean(self):
        cleaned = super().clean()
        placement = [cleaned.get(f) for f in ("edition_date", "edition_number", "page_number", "page_name")]
        if any(placement) and not all(placement):
            raise forms.ValidationError(_("填写见报版面时，请同时填写出版日期、期号、版次和版名。"), code="placement_partial")
        if all(placement):
            clash = Edition.objects.filter(number=cleaned["edition_number"]).exclude(date=cleaned["edition_date"]).first()
            if clash:
                self.add_error("edition_number", _("第%(n)s期已是 %(date)s 的期号，请核对。")
                               % {"n": clash.number, "date": clash.date.strftime("%Y年%m月%d日")})  # fmt: skip
        return cleaned
