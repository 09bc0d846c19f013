"""Forms of the staff desk. Every text field refuses NUL characters (PostgreSQL rejects them)."""

from django import forms
from django.core.validators import ProhibitNullCharactersValidator
from django.utils.translation import gettext_lazy as _

from grievances.models import Inquiry, Topic
from pingcheng.directory.models import Unit

_NUL = [ProhibitNullCharactersValidator()]


def _text(label, *, max_length=2000, required=True, rows=4, help_text=""):
    return forms.CharField(label=label, max_length=max_length, required=required, validators=_NUL,
                           widget=forms.Textarea(attrs={"rows": rows}), help_text=help_text)  # fmt: skip


class UnitChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, unit):
        return unit.name


def _units():
    return Unit.objects.filter(is_active=True).exclude(kind=Unit.Kind.GRID).order_by("path")


class UnitForm(forms.Form):
    unit = UnitChoiceField(label=_("承办单位"), queryset=Unit.objects.none(),
                           error_messages={"invalid_choice": _("请选择列表中的单位。")})  # fmt: skip
    note = _text(_("说明"), required=False, max_length=500, rows=2)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = _units()


class CoUnitForm(forms.Form):
    unit = UnitChoiceField(label=_("协办单位"), queryset=Unit.objects.none(),
                           error_messages={"invalid_choice": _("请选择列表中的单位。")})  # fmt: skip

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = _units()


class NoteForm(forms.Form):
    note = _text(_("说明"), max_length=1000, rows=3)


class OptionalNoteForm(forms.Form):
    note = _text(_("说明"), required=False, max_length=1000, rows=2)


class AnswerForm(forms.Form):
    text = _text(_("答复内容"), max_length=5000, rows=8,
                 help_text=_("居民凭查询码可以看到答复；居民同意公开时，答复会去除个人信息后公开。"))  # fmt: skip


class RejectForm(forms.Form):
    reason = forms.ChoiceField(label=_("原因"), choices=Inquiry.RejectReason.choices)
    note = _text(_("说明（居民可见）"), max_length=1000, rows=3)
    duplicate_of = forms.CharField(label=_("重复于（查询码）"), required=False, max_length=20, validators=_NUL)


class ExtensionForm(forms.Form):
    working_days = forms.IntegerField(label=_("延长工作日"), min_value=1, max_value=30)
    note = _text(_("延期理由"), max_length=1000, rows=3)


class ExtensionDecisionForm(forms.Form):
    extension = forms.IntegerField(widget=forms.HiddenInput)
    approve = forms.TypedChoiceField(label=_("审批"), choices=[("1", _("批准")), ("0", _("不批准"))],
                                     coerce=lambda v: v == "1", widget=forms.RadioSelect)  # fmt: skip
    note = _text(_("审批意见"), required=False, max_length=1000, rows=2)


class PublishForm(forms.Form):
    public_title = forms.CharField(label=_("公开标题"), max_length=80, validators=_NUL)
    public_question = _text(_("公开的问题（已自动去除姓名、电话、证件号和地址，请再核对）"), max_length=2000, rows=5)


class IntakeForm(forms.Form):
    """A staff member records an inquiry received by phone, in person or by letter."""

    channel = forms.ChoiceField(label=_("来源渠道"), choices=[c for c in Inquiry.Channel.choices if c[0] != "web"])
    kind = forms.ChoiceField(label=_("诉求类型"), choices=Inquiry.Kind.choices)
    topic = forms.ModelChoiceField(label=_("类别"), queryset=Topic.objects.none(),
                                   error_messages={"invalid_choice": _("请选择列表中的类别。")})  # fmt: skip
    place_unit = UnitChoiceField(label=_("所在街道/社区"), queryset=Unit.objects.none(), required=False)
    title = forms.CharField(label=_("标题"), max_length=80, validators=_NUL)
    text = _text(_("诉求内容"), rows=6)
    name = forms.CharField(label=_("姓名"), max_length=40, required=False, validators=_NUL)
    phone = forms.CharField(label=_("手机号码"), max_length=20, required=False, validators=_NUL,
                            help_text=_("来信未留电话的可不填；居民将收到短信告知查询码和办理进展。"))  # fmt: skip
    publish_consent = forms.BooleanField(label=_("居民同意公开答复（去除个人信息后）"), required=False)
    idempotency_key = forms.CharField(widget=forms.HiddenInput, max_length=64, validators=_NUL)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["topic"].queryset = Topic.objects.filter(is_active=True)
        self.fields["place_unit"].queryset = Unit.objects.filter(
            is_active=True, kind__in=[Unit.Kind.STREET, Unit.Kind.COMMUNITY, Unit.Kind.VILLAGE]
        ).order_by("path")
