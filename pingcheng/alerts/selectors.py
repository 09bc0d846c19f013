"""Reads for the acknowledgement board: counts unit by unit and who is still missing, in a fixed number of
queries whatever the size of the warning."""

from dataclasses import dataclass, field

from django.db.models import Count, F, Q, Window
from django.db.models.functions import RowNumber

from pingcheng.alerts.models import Alert, AlertFanout, AlertRecipient

# Names listed per unit and state; the counts are always whole.
NAMES_PER_UNIT = 60


@dataclass
class UnitBoard:
    unit_id: int
    name: str
    total: int
    acknowledged: int
    missing_names: list[AlertRecipient] = field(default_factory=list)
    acknowledged_names: list[AlertRecipient] = field(default_factory=list)

    @property
    def missing(self) -> int:
        return self.total - self.acknowledged


def alert_board(*, alert: Alert) -> dict:
    """Per unit (tree order): totals, acknowledged, and up to ``NAMES_PER_UNIT`` names each of who has not and
    who has acknowledged; plus the fan-out's progress, and the chosen units that nobody in them was reached in
    (no grid worker, staff member or subscriber there: the issuer must know the warning did not get there).
    Four queries."""
    rows = (
        AlertRecipient.objects.filter(alert=alert)
        .values("unit_id", "unit__name", "unit__path")
        .annotate(total=Count("pk"), acknowledged=Count("pk", filter=Q(acknowledged_at__isnull=False)))
        .order_by("unit__path")
    )
    units = {
        row["unit_id"]: UnitBoard(row["unit_id"], row["unit__name"], row["total"], row["acknowledged"]) for row in rows
    }
    named = (
        AlertRecipient.objects.filter(alert=alert)
        .annotate(
            acked=Q(acknowledged_at__isnull=False),
            rank=Window(
                RowNumber(), partition_by=[F("unit_id"), F("acked")], order_by=[F("name").asc(), F("pk").asc()]
            ),
        )
        .filter(rank__lte=NAMES_PER_UNIT)
        .only("pk", "unit_id", "name", "role", "acknowledged_at", "acknowledged_via")
        .order_by("unit_id", "name", "pk")
    )
    for recipient in named:
        board = units.get(recipient.unit_id)
        if board is None:  # acknowledged between the two queries, in a unit the first did not see yet
            continue
        (board.acknowledged_names if recipient.acknowledged_at else board.missing_names).append(recipient)
    fanouts = list(AlertFanout.objects.filter(alert=alert).order_by("round"))
    reached = [row["unit__path"] for row in rows]
    unreached = [
        name for name, path in alert.units.order_by("path").values_list("name", "path")
        if not any(below.startswith(path) for below in reached)
    ]  # fmt: skip
    total = sum(board.total for board in units.values())
    acknowledged = sum(board.acknowledged for board in units.values())
    return {
        "units": list(units.values()),
        "total": total,
        "acknowledged": acknowledged,
        "missing": total - acknowledged,
        "fanning_out": any(fanout.phase != AlertFanout.Phase.DONE for fanout in fanouts),
        "unreached": unreached,
        "fanouts": fanouts,
    }


def alerts_list(*, queryset) -> list[Alert]:
    """Warnings with their counts, newest first (one query)."""
    return list(
        queryset.annotate(
            total=Count("recipients"),
            acknowledged=Count("recipients", filter=Q(recipients__acknowledged_at__isnull=False)),
        ).order_by("-issued_at")[:100]
    )
