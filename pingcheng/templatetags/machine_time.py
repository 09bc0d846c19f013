"""``{{ value|machine_time }}`` for ``<time datetime="…">`` (see ``pingcheng.machine_time``); a builtin, so no
template needs to load it."""

from django import template

from pingcheng.machine_time import machine_time as _machine_time

register = template.Library()


@register.filter
def machine_time(moment) -> str:
    return _machine_time(moment)
