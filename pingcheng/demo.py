"""Demo data loaders of the products, run by ``manage.py load_demo`` after the directory's units.

Each product registers its loader from its ``AppConfig.ready()``: ``load(units=…) -> str`` (idempotent, returns
a one-line summary) and, optionally, ``link_accounts()`` to tie the demo logins to its rows once they exist.
The platform thus loads every product's demo without importing any of them.
"""

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class DemoLoader:
    name: str
    load: Callable[..., str]
    link_accounts: Callable[[], None] | None = None


_loaders: dict[str, DemoLoader] = {}


def demo_loader_register(name: str, load: Callable[..., str], link_accounts: Callable[[], None] | None = None) -> None:
    _loaders[name] = DemoLoader(name=name, load=load, link_accounts=link_accounts)


def demo_loaders() -> list[DemoLoader]:
    """In registration order, which is INSTALLED_APPS order."""
    return list(_loaders.values())
