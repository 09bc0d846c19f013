"""The newsroom desk: a reporter and one reviewer per level of 三审, used by the newsroom's and the platform's tests."""

import pytest

from pingcheng.directory.models import Role
from tests.factories import newsroom, staff


@pytest.fixture
def desk(db):
    """The newsroom: one reporter and one reviewer for each level of 三审."""
    unit = newsroom()
    return {
        "reporter": staff(Role.REPORTER, unit, username="reporter"),
        "editor": staff(Role.EDITOR, unit, username="editor"),
        "deputy": staff(Role.DEPUTY_CHIEF, unit, username="deputy"),
        "chief": staff(Role.CHIEF_EDITOR, unit, username="chief"),
    }
