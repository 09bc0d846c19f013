"""Demo data loaders of the products, run by ``manage.py load_demo`` after the directory's units.

Each product registers its loader from its ``AppConfig.ready()``: ``load(units=…) -> str`` (idempotent, returns
a one-line summary) and, optionally, ``link_accounts()`` to tie the demo logins to its rows once they exist.
The platform thus loads every product's demo without importing any of them.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.utils.module_loading import import_string


@dataclass(frozen=True)
class DemoLoader:
    """Dotted paths, imported only when ``load_demo`` runs: no process pays for demo code at start-up."""

    name: str
    load_path: str
    link_accounts_path: str | None = None

    @property
    def load(self) -> Callable[..., str]:
        return import_string(self.load_path)

    @property
    def link_accounts(self) -> Callable[[], None] | None:
        return import_string(self.link_accounts_path) if self.link_accounts_path else None


_loaders: dict[str, DemoLoader] = {}


def demo_loader_register(name: str, load: str, link_accounts: str | None = None) -> None:
    """Register a product's loader by the dotted path of ``load(units=…) -> str`` (and ``link_accounts()``)."""
    _loaders[name] = DemoLoader(name=name, load_path=load, link_accounts_path=link_accounts)


def demo_loaders() -> list[DemoLoader]:
    """In registration order, which is INSTALLED_APPS order."""
    return list(_loaders.values())
