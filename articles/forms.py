from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from articles.models import Article, Correction, Edition, ReviewDecision
from articles.services import EDITABLE_FIELDS


class ArticleAdminForm(forms.ModelForm):
    """The editing form; ``expected_version`` carries the version the editor opened, to refuse stale saves."""

    expected_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Article
        fields = [*EDITABLE_FIELDS, "units"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["expected_version"].initial = self.instance.version

    def clean(self):
        cleaned = super().clean()
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


class ReviewForm(forms.Form):
    outcome = forms.ChoiceField(label=_("结论"), choices=ReviewDecision.Outcome.choices, widget=forms.RadioSelect)
    opinion = forms.CharField(label=_("审稿意见"), required=False, widget=forms.Textarea(attrs={"rows": 3}),
                              max_length=2000, help_text=_("退回时必填。"))  # fmt: skip


class ScheduleForm(forms.Form):
    publish_at = forms.DateTimeField(
        label=_("发布时间"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text=_("北京时间；早于现在则立即发布。"),
    )  # fmt: skip
    unpublish_at = forms.DateTimeField(
        label=_("下线时间（可选）"), required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )  # fmt: skip

    def clean(self):
        cleaned = super().clean()
        publish_at, unpublish_at = cleaned.get("publish_at"), cleaned.get("unpublish_at")
        if publish_at and unpublish_at and unpublish_at <= publish_at:
            self.add_error("unpublish_at", _("下线时间必须晚于发布时间。"))
        return cleaned

    @staticmethod
    def initial_for(article: Article) -> dict:
        when = timezone.localtime(article.publish_at or timezone.now())
        return {"publish_at": when.strftime("%Y-%m-%dT%H:%M")}


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
