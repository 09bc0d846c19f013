"""The e-paper's date picker: a GET form readers use without JavaScript (``<input type="date">``)."""

from django import forms
from django.utils.translation import gettext_lazy as _

# The paper's online years (articles.views.ARCHIVE_YEARS): a date outside them has no edition to look for.
FIRST_YEAR, LAST_YEAR = 1949, 2199


class EpaperDateForm(forms.Form):
    date = forms.DateField(
        label=_("出版日期"),
        input_formats=["%Y-%m-%d"],  # what <input type="date"> sends, whatever the reader's locale shows
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={
            "required": _("请选择要看的出版日期。"),
            "invalid": _("请按“年-月-日”选择一个有效的日期，例如 2025-07-18。"),
        },
    )

    def clean_date(self):
        day = self.cleaned_data["date"]
        if not FIRST_YEAR <= day.year <= LAST_YEAR:
            raise forms.ValidationError(_("这个日期没有电子版，请选择本报出版期间的日期。"), code="date_out_of_range")
        return day
