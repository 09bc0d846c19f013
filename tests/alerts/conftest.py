"""The district the warnings tests issue in, and the people in it: an issuer at a street, the district's
supervisor (督办人, an issuer by default), the staff a warning reaches below a community, someone in another
street it does not reach, and a newsroom member it never reaches."""

import pytest

from pingcheng.directory.models import Role, Unit
from pingcheng.notices.models import StaffNoticePreference
from tests.factories import UnitFactory, district, staff


@pytest.fixture
def tree(db):
    root = district()
    street = UnitFactory(code="xinwang", name="新旺街道", kind=Unit.Kind.STREET, parent=root)
    other_street = UnitFactory(code="xiaonantou", name="小南头街道", kind=Unit.Kind.STREET, parent=root)
    community = UnitFactory(code="yujinyuan", name="御锦源社区", kind=Unit.Kind.COMMUNITY, parent=street)
    second = UnitFactory(code="jinxiu", name="锦绣社区", kind=Unit.Kind.COMMUNITY, parent=street)
    grid = UnitFactory(code="yujinyuan-grid-1", name="御锦源社区第一网格", kind=Unit.Kind.GRID, parent=community)
    far = UnitFactory(code="far", name="远方社区", kind=Unit.Kind.COMMUNITY, parent=other_street)
    return {"district": root, "street": street, "other_street": other_street, "community": community,
            "second": second, "grid": grid, "far": far}  # fmt: skip


@pytest.fixture
def people(tree):
    issuer = staff(Role.STREET_STAFF, tree["street"], username="xinwang", last_name="赵", first_name="红梅")
    grid_worker = staff(Role.GRID_WORKER, tree["grid"], username="grid", last_name="陈", first_name="晓东",
                        email="grid@pingcheng.example")  # fmt: skip
    # The warning mobile is the preference's number; SMS for ordinary work notices stays off.
    StaffNoticePreference.objects.create(user=grid_worker, phone="13900000001")
    community_staff = staff(Role.COMMUNITY_STAFF, tree["community"], username="yjy", last_name="刘", first_name="淑芬")
    elsewhere = staff(Role.GRID_WORKER, tree["far"], username="far", last_name="吴", first_name="远")
    reporter = staff(Role.REPORTER, tree["community"], username="reporter", last_name="邱", first_name="东芳")
    supervisor = staff(Role.SUPERVISOR, tree["district"], username="supervisor", last_name="孙", first_name="建国")
    return {"issuer": issuer, "grid": grid_worker, "community": community_staff, "elsewhere": elsewhere,
            "reporter": reporter, "supervisor": supervisor}  # fmt: skip
