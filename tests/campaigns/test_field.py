"""The field pages: a grid worker logs a patrol and a hazard with a photo; the street orders, re-inspects, clears."""

import io
import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from campaigns.models import Activity, Finding

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PHOTO_MASTER_ROOT = tmp_path / "masters"


def _as(client, user):
    client.force_login(user)
    return client


def _jpeg() -> io.BytesIO:
    buffer = io.BytesIO()
    Image.new("RGB", (80, 60), "gray").save(buffer, "JPEG")
    buffer.seek(0)
    buffer.name = "hazard.jpg"
    return buffer


def _activity_post(units, **overrides) -> dict:
    # Two hours ago: an activity recorded as held has started (a start still to come is refused).
    began = timezone.localtime() - timedelta(hours=2)
    return {"unit": units["grid"].pk, "title": "涵洞积水巡查", "day": f"{began:%Y-%m-%d}", "start": f"{began:%H:%M}", "end": "",
            "place": "公路涵洞", "partners_other": "", "summary": "雨后巡查", "is_public": "on",
            "figure_patrols": "2", "figure_hazards": "1", "figure_hours": "", "submit": "held", **overrides}  # fmt: skip


def test_anonymous_visitors_are_sent_to_log_in_and_newsroom_staff_are_refused(client, people):
    response = client.get(reverse("campaigns-field:home"))
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
    assert _as(client, people["reporter"]).get(reverse("campaigns-field:home")).status_code == 403


def test_a_grid_worker_logs_a_patrol_with_figures_from_the_form(client, people, units, flood):
    _as(client, people["grid"])
    form = client.get(reverse("campaigns-field:activity_new"), {"campaign": flood.slug})
    assert form.status_code == 200 and "巡查（次）" in form.text
    response = client.post(f"{reverse('campaigns-field:activity_new')}?campaign={flood.slug}", _activity_post(units))
    activity = Activity.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "campaigns-field:activity", args=[activity.pk]
    )
    assert activity.status == Activity.Status.HELD and activity.created_by == people["grid"]
    assert {f.metric.code: int(f.value) for f in activity.figures.all()} == {"patrols": 2, "hazards": 1}
    page = client.get(response["Location"])
    assert "涵洞积水巡查" in page.text and "已开展" in page.text


def test_a_bad_figure_keeps_everything_typed_and_says_what_is_wrong(client, people, units, flood):
    _as(client, people["grid"])
    url = f"{reverse('campaigns-field:activity_new')}?campaign={flood.slug}"
    response = client.post(url, _activity_post(units, figure_patrols="-3", summary="雨后巡查，发现积水"))
    assert response.status_code == 200 and not Activity.objects.exists()
    assert "巡查不能是负数" in response.text
    assert "雨后巡查，发现积水" in response.text and 'value="-3"' in response.text


def test_a_half_filled_form_is_kept_as_a_draft(client, people, units, flood):
    _as(client, people["grid"])
    url = f"{reverse('campaigns-field:activity_new')}?campaign={flood.slug}"
    client.post(url, _activity_post(units, title="", summary="", figure_patrols="", figure_hazards="", submit="draft"))
    draft = Activity.objects.get()
    assert draft.status == Activity.Status.DRAFT and draft.title.startswith("防汛")
    assert draft.title in client.get(reverse("campaigns-field:home")).text


def test_a_grid_worker_cannot_log_for_another_unit_by_a_crafted_post(client, people, units, flood):
    _as(client, people["grid"])
    url = f"{reverse('campaigns-field:activity_new')}?campaign={flood.slug}"
    response = client.post(url, _activity_post(units, unit=units["zhenhua"].pk))
    assert response.status_code == 200 and not Activity.objects.exists()
    assert "errorlist" in response.text


def test_a_guessed_activity_of_another_street_is_not_found(client, people, units, new_activity):
    from campaigns import services

    other = services.activity_save(activity=new_activity(unit="zhenhua"), by=people["neighbour"])
    _as(client, people["street"])
    for name in ("activity", "activity_edit", "finding_new"):
        assert client.get(reverse(f"campaigns-field:{name}", args=[other.pk])).status_code == 404
    response = client.post(reverse("campaigns-field:activity_step", args=[other.pk, "hold"]))
    assert response.status_code == 404
    other.refresh_from_db()
    assert other.status == Activity.Status.DRAFT


def test_the_finding_cycle_through_the_pages(client, people, units, flood):
    _as(client, people["grid"])
    client.post(f"{reverse('campaigns-field:activity_new')}?campaign={flood.slug}", _activity_post(units))
    activity = Activity.objects.get()
    response = client.post(reverse("campaigns-field:finding_new", args=[activity.pk]), {
        "location": "公路涵洞", "description": "排水口堵塞", "severity": "serious",
        "responsible_unit": units["yujinyuan"].pk, "photos": _jpeg(),
    })  # fmt: skip
    finding = Finding.objects.get()
    assert response.status_code == 302 and finding.photos.count() == 1
    page = client.get(reverse("campaigns-field:finding", args=[finding.pk])).text
    assert "field-step" not in page and "由问题所在街道或社区下达限期整改" in page  # the grid finds; the street decides
    assert re.search(r'<img [^>]*alt="[^"]+"', page)

    _as(client, people["street"])
    assert "公路涵洞" in client.get(reverse("campaigns-field:home")).text
    step = reverse("campaigns-field:finding_step", args=[finding.pk, "order"])
    client.post(step, {"working_days": "3", "note": "三日内疏通"})
    _as(client, people["community"])
    client.post(reverse("campaigns-field:finding_step", args=[finding.pk, "report"]), {"note": "已疏通"})
    _as(client, people["street"])
    refused = client.post(reverse("campaigns-field:finding_step", args=[finding.pk, "fail"]), {"note": ""}, follow=True)
    assert "请写明复查发现的问题" in refused.text
    client.post(reverse("campaigns-field:finding_step", args=[finding.pk, "pass"]))
    finding.refresh_from_db()
    assert finding.status == Finding.Status.CLEARED
    assert list(finding.events.values_list("action", flat=True)) == ["found", "ordered", "reported", "passed"]


def test_a_file_that_is_not_a_picture_gets_a_message_and_no_finding(client, people, units, flood):
    _as(client, people["grid"])
    client.post(f"{reverse('campaigns-field:activity_new')}?campaign={flood.slug}", _activity_post(units))
    activity = Activity.objects.get()
    fake = io.BytesIO(b"<html><script>alert(1)</script></html>")
    fake.name = "hazard.jpg"
    response = client.post(reverse("campaigns-field:finding_new", args=[activity.pk]), {
        "location": "公路涵洞", "description": "排水口堵塞", "severity": "minor",
        "responsible_unit": units["grid"].pk, "photos": fake,
    })  # fmt: skip
    assert response.status_code == 200 and not Finding.objects.exists()
    assert "照片" in response.text and "errorlist" in response.text


def test_field_pages_are_never_cached(client, people):
    response = _as(client, people["grid"]).get(reverse("campaigns-field:home"))
    assert "no-cache" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]


def test_the_new_activity_form_starts_with_todays_date_in_the_format_date_inputs_take(client, people, flood):
    page = _as(client, people["grid"]).get(reverse("campaigns-field:activity_new"), {"campaign": flood.slug}).text
    assert f'type="date" name="day" value="{timezone.localdate():%Y-%m-%d}"' in page
