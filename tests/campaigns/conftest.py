from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from campaigns.models import Activity, Campaign, CampaignType, Metric
from pingcheng.directory.models import Role, Unit
from tests.factories import UnitFactory, district, staff


@pytest.fixture
def units(db):
    top = district()
    xinwang = UnitFactory(code="xinwang", name="新旺街道", kind=Unit.Kind.STREET, parent=top)
    zhenhua = UnitFactory(code="zhenhua", name="振华街道", kind=Unit.Kind.STREET, parent=top)
    yujinyuan = UnitFactory(code="yujinyuan", name="御锦源社区", kind=Unit.Kind.COMMUNITY, parent=xinwang)
    grid = UnitFactory(code="yjy-1", name="御锦源第一网格", kind=Unit.Kind.GRID, parent=yujinyuan)
    return {"district": top, "xinwang": xinwang, "zhenhua": zhenhua, "yujinyuan": yujinyuan, "grid": grid}


@pytest.fixture
def people(units):
    return {
        "street": staff(Role.STREET_STAFF, units["xinwang"], username="xw-staff"),
        "community": staff(Role.COMMUNITY_STAFF, units["yujinyuan"], username="yjy-staff"),
        "grid": staff(Role.GRID_WORKER, units["grid"], username="yjy-grid"),
        "neighbour": staff(Role.STREET_STAFF, units["zhenhua"], username="zh-staff"),
        "district": staff(Role.DISTRICT_ADMIN, units["district"], username="pc-admin"),
        "reporter": staff(Role.CORRESPONDENT, units["yujinyuan"], username="yjy-correspondent"),
    }


@pytest.fixture
def flood(units):
    kind = CampaignType.objects.create(name="防汛", slug="fangxun")
    Metric.objects.create(campaign_type=kind, code="patrols", name="巡查", unit="次", sort_order=1)
    Metric.objects.create(campaign_type=kind, code="hazards", name="发现隐患", unit="处", sort_order=2)
    Metric.objects.create(campaign_type=kind, code="hours", name="志愿服务时长", unit="小时", sort_order=3,
                          allows_fraction=True)  # fmt: skip
    today = timezone.localdate()
    return Campaign.objects.create(title="平城区汛期网格巡查", slug="xunqi", campaign_type=kind,
                                   level=Campaign.Level.DISTRICT, lead_unit=units["district"],
                                   starts_on=today - timedelta(days=60), ends_on=today + timedelta(days=60))  # fmt: skip


@pytest.fixture
def new_activity(flood, units):
    def make(unit="grid", **fields) -> Activity:
        defaults = {"campaign": flood, "unit": units[unit], "title": "涵洞积水巡查", "place": "公路涵洞",
                    "starts_at": timezone.now() - timedelta(hours=2)}  # fmt: skip
        return Activity(**{**defaults, **fields})

    return make


def figures(**values) -> dict:
    return {code: str(value) if isinstance(value, Decimal) else value for code, value in values.items()}
