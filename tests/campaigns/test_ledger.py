"""The ledger (台账): the same records as every page, in the layout a street office hands upward."""

import csv
import io
import time
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from campaigns import field_views, services
from campaigns.models import Activity, LedgerExport

pytestmark = pytest.mark.django_db


@pytest.fixture
def ledger_rows(new_activity, people, units):
    first = services.activity_save(activity=new_activity(title="涵洞巡查", starts_at=timezone.now() - timedelta(hours=5)),
                                   by=people["grid"], figures={"patrols": 3, "hazards": 2, "hours": "1.5"})  # fmt: skip
    services.activity_step(activity=first, by=people["grid"], name="hold")
    services.finding_raise(activity=first, by=people["grid"], location="公路涵洞", description="排水口堵塞",
                           responsible_unit=units["yujinyuan"])  # fmt: skip
    second = services.activity_save(activity=new_activity(title="低洼地巡查", unit="yujinyuan"),
                                    by=people["community"], figures={"patrols": 4})  # fmt: skip
    services.activity_step(activity=second, by=people["community"], name="hold")
    services.activity_save(activity=new_activity(title="草稿不计"), by=people["grid"], figures={"patrols": 100})
    services.activity_save(activity=new_activity(title="邻街巡查", unit="zhenhua"), by=people["neighbour"])
    return first, second


def _post(client, user, units, **fields):
    client.force_login(user)
    today = timezone.localdate()
    data = {"unit": units["xinwang"].pk, "date_from": str(today - timedelta(days=7)), "date_to": str(today),
            "campaign": "", "campaign_type": "", "file_format": "xlsx", **fields}  # fmt: skip
    return client.post(reverse("campaigns-field:ledger"), data)


def test_the_xlsx_has_a_title_the_period_a_sheet_per_type_and_a_totals_row(client, people, units, ledger_rows):
    response = _post(client, people["street"], units)
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "attachment" in response["Content-Disposition"]
    workbook = load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames == ["防汛", "问题隐患"]
    sheet = workbook["防汛"]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "新旺街道专项活动台账（防汛）" and "统计时间" in rows[1][0]
    header = rows[2]
    assert header[:3] == ("序号", "日期", "活动主题") and "巡查（次）" in header and "志愿服务时长（小时）" in header
    titles = [row[2] for row in rows[3:-1]]
    assert titles == ["涵洞巡查", "低洼地巡查"]  # no draft, no neighbouring street
    totals = dict(zip(header, rows[-1], strict=True))
    assert totals["序号"] == "合计" and totals["巡查（次）"] == 7 and totals["发现隐患（处）"] == 2
    assert totals["志愿服务时长（小时）"] == 1.5 and totals["发现问题"] == 1
    findings = list(workbook["问题隐患"].iter_rows(values_only=True))
    assert findings[3][3] == "公路涵洞" and findings[3][6] == "御锦源社区"


def test_the_csv_has_one_row_per_figure_and_opens_in_excel(client, people, units, ledger_rows):
    response = _post(client, people["street"], units, file_format="csv")
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))
    assert {(row["活动主题"], row["指标"], row["数值"]) for row in rows} == {
        ("涵洞巡查", "巡查", "3"), ("涵洞巡查", "发现隐患", "2"), ("涵洞巡查", "志愿服务时长", "1.5"),
        ("低洼地巡查", "巡查", "4"),
    }  # fmt: skip


def test_a_street_cannot_export_a_neighbours_ledger(client, people, units, ledger_rows):
    response = _post(client, people["street"], units, unit=units["zhenhua"].pk)
    assert response.status_code == 200 and "errorlist" in response.text
    assert not response.get("Content-Disposition")


def test_a_grid_workers_ledger_holds_their_grid_only(client, people, units, ledger_rows):
    response = _post(client, people["grid"], units, unit=units["grid"].pk, file_format="csv")
    titles = {row["活动主题"] for row in csv.DictReader(io.StringIO(response.content.decode("utf-8").lstrip("\ufeff")))}
    assert titles == {"涵洞巡查"}


def test_a_reversed_period_gets_a_message(client, people, units):
    today = timezone.localdate()
    response = _post(client, people["street"], units, date_from=str(today), date_to=str(today - timedelta(days=1)))
    assert "结束日期不能早于开始日期" in response.text


@pytest.mark.django_db(transaction=True)
def test_a_large_ledger_is_built_by_a_worker_and_downloaded_by_its_requester_only(client, people, units, ledger_rows,
                                                                                  celery_worker, monkeypatch):  # fmt: skip
    monkeypatch.setattr(field_views, "LEDGER_INLINE_LIMIT", 0)
    response = _post(client, people["street"], units)
    assert response.status_code == 302
    export = LedgerExport.objects.get()
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        export.refresh_from_db()
        if export.status in (LedgerExport.Status.DONE, LedgerExport.Status.FAILED):
            break
        time.sleep(0.3)
    assert export.status == LedgerExport.Status.DONE and export.row_count == 2 and export.progress == 100
    page = client.get(reverse("campaigns-field:ledger")).text
    assert reverse("campaigns-field:ledger_download", args=[export.pk]) in page
    download = client.get(reverse("campaigns-field:ledger_download", args=[export.pk]))
    assert load_workbook(io.BytesIO(download.content))["防汛"]["A1"].value == "新旺街道专项活动台账（防汛）"
    client.force_login(people["district"])
    assert client.get(reverse("campaigns-field:ledger_download", args=[export.pk])).status_code == 404
    assert Activity.objects.count() == 4
