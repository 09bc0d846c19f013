"""The back office's home for each role: what waits for this person, from every product, with counts.

Products register panel functions (``dashboard_panel_register``) in their ``AppConfig.ready()``; each takes
the user and returns a ``Panel`` or ``None`` when it has nothing for them (a street office gets no review
queue). The admin's index page (``templates/admin/index.html``) shows the panels above the list of models,
beside the user's unread in-site notices. A panel that fails is logged and left out: the home page must open
even when one product is broken.
"""

import contextlib
import logging
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import transaction

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class PanelItem:
    """One line of a panel: ``待初审 3`` linking to the filtered list; ``note`` adds a reason or a date."""

    label: str
    count: int | None = None
    url: str = ""
    note: str = ""
    urgent: bool = False


@dataclass(frozen=True)
class Panel:
    title: str
    items: list[PanelItem] = field(default_factory=list)
    empty_text: str = ""
    order: int = 100

    @property
    def total(self) -> int:
        return sum(item.count or 0 for item in self.items)


PanelFunction = Callable[..., Panel | None]
_panels: dict[str, PanelFunction] = {}


def dashboard_panel_register(name: str, function: PanelFunction) -> None:
    """Register ``function(*, user) -> Panel | None`` under a unique ``name`` (re-registering replaces it)."""
    _panels[name] = function


def isolated_from_failure():
    """A savepoint inside a transaction, so a failed query cannot poison it on PostgreSQL; nothing otherwise
    (in autocommit a failed query harms nothing else, and a savepoint would cost two queries per panel)."""
    return transaction.atomic() if transaction.get_connection().in_atomic_block else contextlib.nullcontext()


def dashboard_panels(*, user) -> list[Panel]:
    """The panels this user has something in, in their declared order."""
    panels = []
    for name, function in _panels.items():
        try:
            with isolated_from_failure():
                panel = function(user=user)
        except Exception:
            logger.exception("dashboard panel %s failed", name)
            continue
        if panel is not None:
            panels.append(panel)
    return sorted(panels, key=lambda panel: panel.order)
