from django.db import transaction
from django.db.models import F, Value
from django.db.models.functions import Concat, Substr

from pingcheng.directory.models import Unit


def _path_for(unit: Unit) -> str:
    return f"{unit.parent.path if unit.parent_id else '/'}{unit.code}/"


@transaction.atomic
def unit_save(*, unit: Unit) -> Unit:
    """Validate and save a unit, keeping ``path`` and ``depth`` of the unit and its whole subtree in step.

    Moving a unit or changing its code rewrites the paths below it in one UPDATE.
    """
    old_path = None
    if unit.pk:
        old_path = Unit.objects.select_for_update().values_list("path", flat=True).get(pk=unit.pk)
    unit.full_clean(exclude=["path"])
    unit.path = _path_for(unit)
    unit.depth = unit.path.count("/") - 2
    unit.save()
    if old_path and old_path != unit.path:
        depth_change = unit.path.count("/") - old_path.count("/")
        Unit.objects.filter(path__startswith=old_path).exclude(pk=unit.pk).update(
            path=Concat(Value(unit.path), Substr("path", len(old_path) + 1)),
            depth=F("depth") + depth_change,
        )
    return unit


def unit_get_or_create(*, code: str, defaults: dict) -> tuple[Unit, bool]:
    """Idempotent creation for demo data and imports: an existing unit keeps its row and gets the new fields."""
    unit = Unit.objects.filter(code=code).first()
    created = unit is None
    if created:
        unit = Unit(code=code)
    for field, value in defaults.items():
        setattr(unit, field, value)
    return unit_save(unit=unit), created
