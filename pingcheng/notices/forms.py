"""Forms of the public subscription pages and of the staff's channel preferences."""

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import ProhibitNullCharactersValidator, validate_email
from django.utils.translation import gettext_lazy as _

from pingcheng.directory.models import Unit
from pingcheng.notices.models import Frequency, StaffNoticePreference, Topic, mobile_validator
from pingcheng.notices.streams import stream_choices
from pingcheng.notices.subscriptions import address_normalize

UNIT_KINDS = (Unit.Kind.STREET, Unit.Kind.COMMUNITY, Unit.Kind.VILLAGE)


def unit_choices() -> list:
    """Streets, each with its communities and villages, as checkbox groups (one query)."""
    units = list(Unit.objects.filter(is_active=True, kind__in=UNIT_KINDS).order_by("path").only(
        "pk", "name", "kind", "path", "parent_id"))  # fmt: skip
    groups = []
    for street in (unit for unit in units if unit.kind == Unit.Kind.STREET):
        below = [(unit.pk, unit.name) for unit in units if unit.parent_id == street.pk]
        groups.append((street.name, [(street.pk, _("%(name)s全域") % {"name": street.name}), *below]))
    return groups


class SubscriptionChoicesForm(forms.Form):
    units = forms.TypedMultipleChoiceField(
        label=_("关注的街道和社区"), required=False, coerce=int, widget=forms.CheckboxSelectMultiple,
        help_text=_("不选表示全区。"),
    )  # fmt: skip
    topics = forms.MultipleChoiceField(
        label=_("订阅内容"), choices=Topic.choices, widget=forms.CheckboxSelectMultiple, required=False,
    )  # fmt: skip
    streams = forms.MultipleChoiceField(
        label=_("关注的栏目"), required=False, widget=forms.CheckboxSelectMultiple,
        help_text=_("所选栏目的新闻都会发给您，不论发生在哪个街道；只想看栏目时，上面的“新闻”可以不选。"),
    )  # fmt: skip
    frequency = forms.ChoiceField(label=_("接收频率"), choices=Frequency.choices, initial=Frequency.IMMEDIATE,
                                  widget=forms.RadioSelect, help_text=_("预警总是即时发送。"))  # fmt: skip

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["units"].choices = unit_choices()
        self.fields["streams"].choices = stream_choices()

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("topics") and not cleaned.get("streams") and "topics" not in self.errors:
            self.add_error("topics", ValidationError(_("请至少选择一项订阅内容或一个栏目。"), code="topics_required"))
        return cleaned

    def selected_units(self) -> list[Unit]:
        return list(Unit.objects.filter(pk__in=self.cleaned_data["units"], kind__in=UNIT_KINDS).order_by("path"))


class SubscribeForm(SubscriptionChoicesForm):
    address = forms.CharField(
        label=_("邮箱或手机号码"), max_length=254, validators=[ProhibitNullCharactersValidator()],
        help_text=_("邮箱会收到确认链接，手机会收到验证码。"),
        widget=forms.TextInput(attrs={"autocomplete": "email", "inputmode": "email"}),
    )  # fmt: skip
    field_order = ["address", "topics", "units", "streams", "frequency"]

    def clean_address(self) -> str:
        address = address_normalize(self.cleaned_data["address"])
        if "@" in address:
            try:
                validate_email(address)
            except ValidationError:
                raise ValidationError(_("请填写有效的邮箱地址。"), code="email_invalid") from None
        elif address.isdigit():
            mobile_validator(address)
        else:
            raise ValidationError(_("请填写邮箱地址或11位手机号码。"), code="address_invalid")
        return address


class CodeForm(forms.Form):
    code = forms.RegexField(label=_("短信验证码"), regex=r"^\s*\d{6}\s*$", max_length=10,
                            error_messages={"invalid": _("验证码是6位数字。")},
                            widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}))  # fmt: skip


class StaffPreferenceForm(forms.ModelForm):
    class Meta:
        model = StaffNoticePreference
        fields = ["by_inbox", "by_email", "by_sms", "phone"]
        help_texts = {"phone": _("选择短信时必填；工作通知和预警短信都发到这个号码。")}

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("by_sms") and not cleaned.get("phone"):
            self.add_error("phone", ValidationError(_("选择短信接收时请填写手机号码。"), code="phone_required"))
        if not (cleaned.get("by_inbox") or cleaned.get("by_email") or cleaned.get("by_sms")):
            raise ValidationError(_("请至少选择一种接收方式。"), code="channel_required")
        # E-mail alone, on an account with no address, reaches nobody: every work notice (a warning too) would be
        # written for no channel at all.
        user = self.instance.user
        email = (getattr(user, user.get_email_field_name(), "") or "").strip()
        if cleaned.get("by_email") and not (email or cleaned.get("by_inbox") or cleaned.get("by_sms")):
            self.add_error("by_email", ValidationError(
                _("您的账号没有登记电子邮箱，只选电子邮件将收不到任何工作通知。请同时选择站内信或短信，或请管理员登记邮箱。"),
                code="email_missing",
            ))  # fmt: skip
        return cleaned
