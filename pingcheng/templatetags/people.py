"""``{% load people %}{{ user|person_name }}``: a staff member's name as Chinese readers write it (邱东芳)."""

from django import template

from pingcheng.accounts import person_name as _person_name

register = template.Library()


@register.filter
def person_name(user) -> str:
    return _person_name(user)
