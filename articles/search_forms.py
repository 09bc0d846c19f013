"""The public search form: ``/search/?q=&section=&unit=&from=&to=&page=``."""

from datetime import date

from django import forms
from django.forms.utils import flatatt
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from articles.cache import NEWS
from articles.models import Section
from articles.search import MAX_QUERY_LENGTH
from pingcheng.directory.models import Unit
from pingcheng.page_cache import GenerationMemo

# Wide enough for any archive, narrow enough that a day's bounds stay valid datetimes in every time zone.
EARLIEST_DATE = date(1900, 1, 1)
LATEST_DATE = date(2100, 12, 31)
FILTER_UNIT_KINDS = (Unit.Kind.STREET, Unit.Kind.COMMUNITY)


def _date_field(label) -> forms.DateField:
    """A date filter in the ISO form that <input type="date"> sends, with a Chinese hint when it is wrong."""
    return forms.DateField(
        label=label,
        required=False,
        input_formats=["%Y-%m-%d"],
        widget=QuickDateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": _("%(label)s格式不对，请按“2025-07-18”的格式填写。") % {"label": label}},
    )


class QuickSelect(forms.Select):
    """A single-choice ``<select>`` written out in Python, with the attributes Django's own widget gets.

    The search page shows two on every request; Django renders each option through a template, which costs
    the page more than its search query does.
    """

    def render(self, name, value, attrs=None, renderer=None):
        selected = set(self.format_value(value))
        options = format_html_join(
            "\n",
            '<option value="{}"{}>{}</option>',
            ((key, " selected" if str(key) in selected else "", label) for key, label in self.choices),
        )
        return format_html(
            '<select name="{}"{}>\n{}\n</select>', name, flatatt(self.build_attrs(self.attrs, attrs)), options
        )


class QuickInputMixin:
    """An ``<input>`` written out in Python with the attributes Django's own widget gets (its template costs the
    search page, which shows three on every request, more than a rare word's search does)."""

    def render(self, name, value, attrs=None, renderer=None):
        value = self.format_value(value)
        return format_html(
            '<input type="{}" name="{}"{}{}>',
            self.input_type,
            name,
            format_html(' value="{}"', value) if value is not None else "",
            flatatt(self.build_attrs(self.attrs, attrs)),
        )


class QuickTextInput(QuickInputMixin, forms.TextInput):
    pass


class QuickDateInput(QuickInputMixin, forms.DateInput):
    pass


def _listed_choices(field: forms.ModelChoiceField) -> list[tuple[str, str]]:
    """The field's choices read in one plain query (a ModelChoiceIterator opens a server-side cursor)."""
    return [(field.prepare_value(obj), field.label_from_instance(obj)) for obj in field.queryset.all()]


def _filter_choices() -> dict[str, list[tuple[str, str]]]:
    return {name: _listed_choices(ArticleSearchForm.base_fields[name]) for name in ArticleSearchForm.LISTED}


# Every search page lists the sections and the streets and communities: read once per process and news
# generation (a section or unit saved or removed announces a news change: articles.rendering.LISTED_BY_NEWS).
_FILTER_CHOICES = GenerationMemo(NEWS, _filter_choices)


class UnitChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, unit: Unit) -> str:
        # Communities follow their street in path order; the street's name in front keeps them apart.
        if unit.kind == Unit.Kind.COMMUNITY and unit.parent_id:
            return f"{unit.parent.display_short_name} · {unit.name}"
        return unit.name


class ArticleSearchForm(forms.Form):
    """Validates the query string; every bad value becomes a message on the page, never an error response.

    A query longer than ``MAX_QUERY_LENGTH`` is cut to that length (``q_truncated`` tells the page), since a
    pasted sentence is a normal thing to search for.
    """

    # The URL says ?from=…&to=…; "from" is a Python keyword, so the fields have longer names.
    PARAM_NAMES = {"date_from": "from", "date_to": "to"}
    # The choice fields whose options every page lists.
    LISTED = ("section", "unit")

    q = forms.CharField(
        label=_("搜索词"),
        required=False,
        widget=QuickTextInput(attrs={"type": "search", "maxlength": MAX_QUERY_LENGTH, "enterkeyhint": "search"}),
        help_text=_("可输入多个词，用空格分开；结果须包含全部词语。"),
    )
    section = forms.ModelChoiceField(
        label=_("栏目"),
        queryset=Section.objects.all(),
        to_field_name="slug",
        required=False,
        empty_label=_("全部栏目"),
        error_messages={"invalid_choice": _("没有这个栏目，请从列表中选择。")},
        widget=QuickSelect,
    )
    unit = UnitChoiceField(
        label=_("街道、社区"),
        queryset=Unit.objects.filter(kind__in=FILTER_UNIT_KINDS, is_active=True).select_related("parent"),
        to_field_name="code",
        required=False,
        empty_label=_("全部街道、社区"),
        error_messages={"invalid_choice": _("没有这个街道或社区，请从列表中选择。")},
        widget=QuickSelect,
    )
    date_from = _date_field(_("开始日期"))
    date_to = _date_field(_("结束日期"))

    def __init__(self, data=None, *args, **kwargs):
        self.q_truncated = False
        if data is not None and len(data.get("q", "")) > MAX_QUERY_LENGTH:
            data = data.copy()
            data["q"] = data["q"][:MAX_QUERY_LENGTH]
            self.q_truncated = True
        # Labels sit above their fields; a trailing colon would only be read out.
        kwargs.setdefault("label_suffix", "")
        super().__init__(data, *args, **kwargs)
        listed = _FILTER_CHOICES.value()
        for name in self.LISTED:
            self.fields[name].widget.choices = [("", self.fields[name].empty_label), *listed[name]]

    def add_prefix(self, field_name: str) -> str:
        return super().add_prefix(self.PARAM_NAMES.get(field_name, field_name))

    def clean_q(self) -> str:
        return " ".join(self.cleaned_data["q"].split())

    def _clean_date(self, name: str) -> date | None:
        value = self.cleaned_data.get(name)
        if value is not None and not EARLIEST_DATE <= value <= LATEST_DATE:
            raise forms.ValidationError(
                _("请填写%(earliest)d年至%(latest)d年之间的日期。")
                % {"earliest": EARLIEST_DATE.year, "latest": LATEST_DATE.year},
                code="date_out_of_range",
            )
        return value

    def clean_date_from(self) -> date | None:
        return self._clean_date("date_from")

    def clean_date_to(self) -> date | None:
        return self._clean_date("date_to")

    def clean(self):
        cleaned = super().clean()
        date_from, date_to = cleaned.get("date_from"), cleaned.get("date_to")
        if date_from and date_to and date_from > date_to:
            raise forms.ValidationError(_("开始日期不能晚于结束日期。"), code="date_range_reversed")
        return cleaned

    @property
    def has_filters(self) -> bool:
        data = getattr(self, "cleaned_data", {})
        return any(data.get(name) for name in ("section", "unit", "date_from", "date_to"))
