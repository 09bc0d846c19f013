import uuid

from django import forms
from django.core.validators import ProhibitNullCharactersValidator
from django.utils.translation import gettext_lazy as _

from pingcheng.alerts.models import Alert
from pingcheng.directory.models import Unit


class UnitChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, unit: Unit) -> str:
        # Indented by depth, so a street's communities and grids read as its tree.
        return "\u3000" * max(unit.depth - 1, 0) + f"{unit.name}（{unit.get_kind_display()}）"


class AlertIssueForm(forms.Form):
    title = forms.CharField(label=_("标题"), max_length=60, validators=[ProhibitNullCharactersValidator()],
                            help_text=_("如“暴雨橙色预警”。"))  # fmt: skip
    severity = forms.ChoiceField(label=_("预警级别"), choices=Alert.Severity.choices, initial=Alert.Severity.ORANGE,
                                 widget=forms.RadioSelect)  # fmt: skip
    text = forms.CharField(
        label=_("内容"), max_length=300, widget=forms.Textarea(attrs={"rows": 5}),
        validators=[ProhibitNullCharactersValidator()], help_text=_("将以短信发出，请简明扼要（300字以内）。"),
    )  # fmt: skip
    units = UnitChoiceField(
        label=_("接收单位"), queryset=Unit.objects.none(), widget=forms.CheckboxSelectMultiple,
        help_text=_("预警发给所选单位及其下级的网格员和工作人员。"),
        error_messages={"required": _("请至少选择一个接收单位。"), "invalid_choice": _("所选单位不在您的管辖范围内。"),
                        "invalid_pk_value": _("所选单位不在您的管辖范围内。")},
    )  # fmt: skip

    # The form's key (Alert.submission): sent twice, it finds the warning the first sending issued.
    submission = forms.UUIDField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["units"].queryset = units
        if not self.is_bound:
            self.fields["submission"].initial = uuid.uuid4()
