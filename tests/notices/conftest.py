import pytest

from pingcheng.notices import kinds


@pytest.fixture
def scratch_kinds():
    """Kinds a test registers are removed afterwards, so the registry stays what the apps made it."""
    before = dict(kinds._registry)
    yield
    kinds._registry.clear()
    kinds._registry.update(before)
