"""The resident's forms: the inquiry (step 1), the SMS code (step 2), tracking, rating and the data request.

Plain Django forms: every message is a Chinese sentence that says what to do, every field has a label a
screen reader reads, and nothing needs JavaScript.
"""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import ProhibitNullCharactersValidator
from django.utils.translation import gettext_lazy as _

from grievances import public_data
from grievances.services import phone_normalise
from pingcheng.chinese import char_count
from pingcheng.directory.models import Unit

TITLE_MAX = 40
TEXT_MIN = 10
TEXT_MAX = 2000
NAME_MAX = 20
COMMENT_MAX = 500
MAX_PHOTOS = 3
PLACE_KINDS = (Unit.Kind.STREET, Unit.Kind.COMMUNITY, Unit.Kind.VILLAGE)


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class PhotosField(forms.FileField):
    """Up to ``MAX_PHOTOS`` pictures; each is checked and re-encoded by the shared photo pipeline later."""

    widget = MultipleFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"})

    def clean(self, data, initial=None):
        files = [item for item in (data if isinstance(data, list | tuple) else [data]) if item]
        if len(files) > MAX_PHOTOS:
            raise ValidationError(_("最多上传 %(count)s 张照片。") % {"count": MAX_PHOTOS}, code="too_many_photos")
        return [super(PhotosField, self).clean(item, initial) for item in files]


def place_choices() -> list:
    """Streets with their communities and villages beneath them, as grouped choices (one ``<optgroup>`` each)."""
    units = list(
        Unit.objects.filter(kind__in=PLACE_KINDS, is_active=True).order_by("path").only("pk", "name", "kind", "path")
    )
    groups: list = [("", _("请选择街道或社区"))]
    streets = [unit for unit in units if unit.kind == Unit.Kind.STREET]
    for street in streets:
        inside = [(unit.pk, unit.name) for unit in units if unit.path.startswith(street.path) and unit.pk != street.pk]
        groups.append((street.name, [(street.pk, _("%(street)s（街道）") % {"street": street.name}), *inside]))
    return groups


class _Text(forms.CharField):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.validators.append(ProhibitNullCharactersValidator())


# Plain sentences that say what to do, instead of Django's "这个字段是必填项。"
REQUIRED_MESSAGES = {
    "topic": _("请选择问题类别；不确定时选“其他”。"),
    "place": _("请选择问题所在的街道或社区。"),
    "title": _("请写一个标题，一句话说明是什么事。"),
    "text": _("请写下具体内容。"),
    "phone": _("请填写手机号码，用来接收验证码和办理结果。"),
}


class InquiryForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("您要办的事"), widget=forms.RadioSelect, choices=(),
        error_messages={"required": _("请选择您要办的事：咨询、投诉、建议或求助。"), "invalid_choice": _("请从咨询、投诉、建议、求助中选择一项。")},
    )  # fmt: skip
    topic = forms.TypedChoiceField(label=_("问题类别"), coerce=int, choices=(), help_text=_("不确定时选“其他”。"))
    place = forms.TypedChoiceField(
        label=_("问题所在的街道或社区"), coerce=int, choices=(), help_text=_("我们按地点把诉求转给负责的单位。")
    )
    title = _Text(
        label=_("标题"),
        max_length=TITLE_MAX * 3,
        help_text=_("一句话说明，%(max)s 个字以内，例如：工会会费返还要哪些材料") % {"max": TITLE_MAX},
    )
    text = _Text(
        label=_("具体内容"),
        widget=forms.Textarea(attrs={"rows": 8}),
        max_length=TEXT_MAX * 3,
        help_text=_("时间、地点、经过，写清楚便于办理；请不要写身份证号等与问题无关的个人信息。"),
    )
    photos = PhotosField(label=_("照片"), required=False, help_text=_("最多 3 张，JPG 或 PNG，每张 10MB 以内。"))
    name = _Text(
        label=_("您的姓名"),
        max_length=NAME_MAX,
        required=False,
        help_text=_("咨询和建议可以不填；投诉和求助请填写，便于核实和回访。"),
    )
    phone = _Text(
        label=_("手机号码"),
        max_length=20,
        help_text=_("用来接收验证码和办理结果；不会公开。"),
        widget=forms.TextInput(attrs={"type": "tel", "inputmode": "numeric", "autocomplete": "tel"}),
    )
    data_consent = forms.BooleanField(
        label=_("我已阅读上面的说明，同意按说明使用我的信息办理这件事。"),
        error_messages={"required": _("请先阅读个人信息使用说明并勾选同意，否则无法提交。")},
    )
    publish_consent = forms.BooleanField(
        label=_("同意公开答复：把我的问题（去掉姓名、电话、地址等）和官方答复放到“公开答复”里，帮助有同样问题的人。"),
        required=False,
        help_text=_("可以不同意，不影响办理。"),
    )
    # A field people never see (hidden by inquiries.css, skipped by keyboards and screen readers); robots fill it.
    website = forms.CharField(
        label=_("请勿填写此项"), required=False, widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = public_data.kind_choices()
        self.fields["topic"].choices = [("", _("请选择类别")), *public_data.topic_choices()]
        self.fields["place"].choices = place_choices()
        for name, required in REQUIRED_MESSAGES.items():
            self.fields[name].error_messages["required"] = required
        for name in ("topic", "place"):
            self.fields[name].error_messages["invalid_choice"] = _("请从列表中选择。")

    def clean_title(self):
        title = self.cleaned_data["title"].strip()
        if char_count(title) > TITLE_MAX or len(title) > TITLE_MAX * 2:
            raise ValidationError(_("标题请控制在 %(max)s 个字以内。") % {"max": TITLE_MAX}, code="title_long")
        return title

    def clean_text(self):
        text = self.cleaned_data["text"].strip()
        if len(text) < TEXT_MIN:
            raise ValidationError(
                _("内容太短了，请至少写 %(min)s 个字，说清楚问题。") % {"min": TEXT_MIN}, code="text_short"
            )
        if len(text) > TEXT_MAX:
            raise ValidationError(_("内容请控制在 %(max)s 字以内。") % {"max": TEXT_MAX}, code="text_long")
        return text

    def clean_phone(self):
        return phone_normalise(self.cleaned_data["phone"])

    def clean_place(self):
        place = self.cleaned_data["place"]
        if not Unit.objects.filter(pk=place, kind__in=PLACE_KINDS, is_active=True).exists():
            raise ValidationError(_("请从列表中选择街道或社区。"), code="place_invalid")
        return place

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("kind") in public_data.KINDS_NEEDING_NAME and not (cleaned.get("name") or "").strip():
            self.add_error("name", ValidationError(_("投诉和求助请填写姓名，便于核实和回访。"), code="name_required"))
        return cleaned


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("短信验证码"),
        max_length=12,
        help_text=_("6 位数字，10 分钟内有效。"),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code", "pattern": "[0-9]*"}),
        validators=[ProhibitNullCharactersValidator()],
        error_messages={"required": _("请填写短信里的 6 位验证码。")},
    )


class TrackForm(forms.Form):
    code = forms.CharField(
        label=_("查询码"),
        max_length=40,
        help_text=_("提交成功时显示、短信里也有的查询码。"),
        error_messages={"required": _("请填写查询码。")},
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"}),
        validators=[ProhibitNullCharactersValidator()],
    )
    phone_tail = forms.CharField(
        label=_("手机号后 4 位"),
        error_messages={"required": _("请填写手机号的最后 4 位数字。")},
        max_length=8,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off", "pattern": "[0-9]*"}),
        validators=[ProhibitNullCharactersValidator()],
    )

    def clean_code(self):
        return "".join(self.cleaned_data["code"].split()).upper()

    def clean_phone_tail(self):
        tail = self.cleaned_data["phone_tail"].strip()
        if not (tail.isascii() and tail.isdigit() and len(tail) == 4):
            raise ValidationError(_("请填写手机号的最后 4 位数字。"), code="tail_invalid")
        return tail


class RatingForm(forms.Form):
    rating = forms.ChoiceField(
        label=_("您对这次办理满意吗？"), widget=forms.RadioSelect, choices=(),
        error_messages={"required": _("请选择满意、基本满意或不满意。"), "invalid_choice": _("请选择满意、基本满意或不满意。")},
    )  # fmt: skip
    comment = _Text(
        label=_("还想说的话"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=COMMENT_MAX,
        required=False,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["rating"].choices = public_data.rating_choices()
