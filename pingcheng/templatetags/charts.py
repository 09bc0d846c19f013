"""Figures in tables as the charts beside them print them (``pingcheng.charts.number_text``)."""

from django import template

from pingcheng.charts import number_text

register = template.Library()


@register.filter
def chart_number(value) -> str:
    return "" if value is None else number_text(value)
