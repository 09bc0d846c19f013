"""Status transitions declared once: the services guard with them, the admin reads them to offer buttons.

A ``Transition`` says from which states it may start, where it leads, what must be true of the user and the
object (``guards``) and whether it needs a note (a return opinion, a withdrawal reason). A product declares
its workflow as one ``Workflow`` of transitions; its services call ``workflow.check(...)`` under the row lock
and act on the target state it returns, and its admin calls ``workflow.allowed(...)`` to decide which
buttons to show — so the admin never re-derives a rule and a button is never offered for a step the service
would refuse.

Every refusal is a ``DomainError`` with a stable ``code`` (tests and API clients match on it) and a Chinese
sentence for the user.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from pingcheng.errors import DomainError


@dataclass(frozen=True)
class Refusal:
    message: str
    code: str

    def error(self, **params) -> DomainError:
        return DomainError(str(self.message) % params if params else str(self.message), code=self.code)


# A guard looks at (user, obj) and returns None when the step may go ahead, or the DomainError that stops it.
Guard = Callable[[Any, Any], DomainError | None]


def require(predicate: Callable[[Any, Any], bool], refusal: Refusal) -> Guard:
    """A guard from a yes/no predicate and the refusal to give when it says no."""

    def guard(user, obj) -> DomainError | None:
        return None if predicate(user, obj) else refusal.error()

    guard.__name__ = getattr(predicate, "__name__", "guard")
    return guard


@dataclass(frozen=True)
class Transition:
    """One step. ``sources=None`` means any state (e.g. a correction, which does not move the status)."""

    name: str
    label: str
    sources: frozenset[str] | None
    target: str | Mapping[str, str] | None
    wrong_state: Refusal
    guards: tuple[Guard, ...] = ()
    note_required: Refusal | None = None

    def target_for(self, state: str) -> str | None:
        """The state this step leads to from ``state`` (None: the step does not change the state)."""
        if isinstance(self.target, Mapping):
            return self.target[state]
        return self.target

    def refusal(self, *, user, obj, state: str, note: str | None = None) -> DomainError | None:
        """Why this step may not happen now, or None. Checked in a fixed order: state, guards, note."""
        if self.sources is not None and state not in self.sources:
            return self.wrong_state.error()
        for guard in self.guards:
            error = guard(user, obj)
            if error is not None:
                return error
        if note is not None and self.note_required is not None and not note.strip():
            return self.note_required.error()
        return None


@dataclass
class Workflow:
    """A product's transitions, looked up by name; ``state_field`` is the attribute holding the state."""

    transitions: Iterable[Transition]
    state_field: str = "status"
    # A product's own subclass of DomainError, so its callers can catch the product's refusals by type.
    error_class: type[DomainError] = DomainError
    _by_name: dict[str, Transition] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self.transitions = tuple(self.transitions)
        self._by_name = {}
        for transition in self.transitions:
            if transition.name in self._by_name:
                raise ValueError(f"transition {transition.name!r} declared twice")
            self._by_name[transition.name] = transition

    def __getitem__(self, name: str) -> Transition:
        try:
            return self._by_name[name]
        except KeyError:
            raise KeyError(f"no transition {name!r}; known: {sorted(self._by_name)}") from None

    def check(self, name: str, *, user, obj, note: str = "") -> str | None:
        """Raise the refusal if ``user`` may not take step ``name`` on ``obj`` now; else return the target state.

        Services call this under the row lock, with the note the user gave (empty when the step takes none).
        """
        transition = self[name]
        state = getattr(obj, self.state_field)
        error = transition.refusal(user=user, obj=obj, state=state, note=note)
        if error is None:
            return transition.target_for(state)
        if isinstance(error, self.error_class):
            raise error
        raise self.error_class(error.messages[0], code=error.code)

    def allowed(self, name: str, *, user, obj) -> bool:
        """Whether the step is open to the user now (the note is not asked for: the form collects it)."""
        transition = self[name]
        return transition.refusal(user=user, obj=obj, state=getattr(obj, self.state_field)) is None

    def available(self, *, user, obj) -> list[Transition]:
        """Every step open to the user now, in declaration order: what the admin offers as buttons."""
        return [t for t in self._by_name.values() if self.allowed(t.name, user=user, obj=obj)]
