"""Issue 11 review (second round): what a grid worker's phone, a street office, a resident and an attacker tried,
and what each must meet — a clear Chinese message, a neighbour's records unnamed, the demo showing progress."""

import re
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

import pingcheng.urls  # noqa: F401  (imported with DEBUG off, as tests/campaigns/test_demo.py explains)
from campaigns.models import Activity, Campaign, Target
from campaigns.selectors import campaign_progress

pytestmark = pytest.mark.django_db


def _as(client, user, *, staff=False):
    if staff:
        user.is_staff = True
        user.save(update_fields=["is_staff"])
    client.force_login(user)
    return client


@pytest.fixture
def neighbours_own(units, flood):
    """振华街道's own internal campaign: nothing of it is 新旺街道's business."""
    return Campaign.objects.create(title="振华街道内部整治", slug="zh-neibu", campaign_type=flood.campaign_type,
                                   level=Campaign.Level.STREET, lead_unit=units["zhenhua"], is_public=False,
                                   starts_on=flood.starts_on, ends_on=flood.ends_on)  # fmt: skip


def _new_form(client, campaign) -> tuple[str, dict]:
    url = reverse("campaigns-field:activity_new") + f"?campaign={campaign.slug}"
    form = client.get(url).context["form"]
    return url, {"submission": str(form.initial["submission"]), "submit": "draft"}


# --- the activity form ---------------------------------------------------------------------------------


def test_an_overnight_activity_on_the_last_day_of_the_calendar_gets_a_message_not_a_server_error(
    client, people, units, flood
):
    """22:00 to 06:00 on 9999-12-31 has no next morning: the day is refused beside its field."""
    phone = _as(client, people["grid"])
    url, data = _new_form(phone, flood)
    response = phone.post(url, {**data, "unit": units["grid"].pk, "day": "9999-12-31", "start": "22:00",
                                "end": "06:00"})  # fmt: skip
    assert response.status_code == 200
    assert response.context["form"].errors["day"] == ["日期须在2000年至2099年之间。"]
    assert not Activity.objects.exists()
    # An ordinary overnight patrol is still recorded.
    day = flood.starts_on.isoformat()
    response = phone.post(url, {**data, "unit": units["grid"].pk, "day": day, "start": "22:00", "end": "06:00"})
    assert response.status_code == 302 and Activity.objects.count() == 1


def test_the_public_checkbox_is_tapped_on_its_words(client, people, flood):
    """The 在网站上公开 box sits inside its label, so the whole 44 px line (field.css) is the tap target."""
    phone = _as(client, people["grid"])
    url, _data = _new_form(phone, flood)
    html = phone.get(url).content.decode()
    assert '<label for="id_is_public"><input type="checkbox" name="is_public"' in html
    assert "在网站上公开（居民可见）</label>" in html
    # Without a box (a text field), the label stays above its field.
    assert '<label for="id_place">地点</label>' in html


# --- scoping ---------------------------------------------------------------------------------------------


def test_the_ledger_offers_only_campaigns_the_streets_units_take_part_in(client, people, flood, neighbours_own):
    street = _as(client, people["street"])
    choices = street.get(reverse("campaigns-field:ledger")).context["form"].fields["campaign"].queryset
    assert flood in choices and neighbours_own not in choices
    html = street.get(reverse("campaigns-field:ledger")).content.decode()
    assert "振华街道内部整治" not in html
    # Asking for it by id anyway is a message, not a ledger.
    response = street.post(reverse("campaigns-field:ledger"), {
        "unit": people["street"].memberships.first().unit_id, "date_from": flood.starts_on, "date_to": flood.ends_on,
        "campaign": neighbours_own.pk, "file_format": "csv",
    })  # fmt: skip
    assert response.status_code == 200 and "campaign" in response.context["form"].errors
    # The neighbour's own staff and the district still find it.
    for user in (people["neighbour"], people["district"]):
        form = _as(client, user).get(reverse("campaigns-field:ledger")).context["form"]
        assert neighbours_own in form.fields["campaign"].queryset


def test_a_street_cannot_read_a_neighbour_streets_own_campaign_in_the_admin(client, people, flood, neighbours_own):
    admin = _as(client, people["street"], staff=True)
    listing = admin.get(reverse("admin:campaigns_campaign_changelist"))
    assert listing.status_code == 200
    shown = set(listing.context["cl"].result_list)
    assert flood in shown and neighbours_own not in shown
    response = admin.get(reverse("admin:campaigns_campaign_change", args=[neighbours_own.pk]))
    assert response.status_code == 302  # the admin's "does not exist", as for a missing id
    # Its own staff still read it.
    neighbour = _as(client, people["neighbour"], staff=True)
    assert neighbour.get(reverse("admin:campaigns_campaign_change", args=[neighbours_own.pk])).status_code == 200


def test_a_street_reads_its_own_targets_of_a_district_campaign_not_the_neighbours(client, people, units, flood):
    patrols = flood.campaign_type.metrics.get(code="patrols")
    own = Target.objects.create(campaign=flood, unit=units["xinwang"], metric=patrols, value=40)
    theirs = Target.objects.create(campaign=flood, unit=units["zhenhua"], metric=patrols, value=30)
    url = reverse("admin:campaigns_campaign_change", args=[flood.pk])
    street = _as(client, people["street"], staff=True)
    inline = street.get(url).context["inline_admin_formsets"][0].formset
    assert list(inline.queryset) == [own]
    district = _as(client, people["district"], staff=True)
    inline = district.get(url).context["inline_admin_formsets"][0].formset
    assert set(inline.queryset) == {own, theirs}


# --- the demo --------------------------------------------------------------------------------------------


def test_the_demo_sets_street_targets_so_the_dashboard_shows_progress(client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.DEBUG = True  # demo accounts exist in development only
    call_command("load_demo", "--accounts", stdout=StringIO())
    call_command("load_demo", stdout=StringIO())  # again: no second target
    week = Campaign.objects.get(slug="lvse-wenming-zhou-2025")
    progress = {(p.unit.code, p.metric.code): p for p in campaign_progress(campaign=week)}
    assert len(progress) == Target.objects.filter(campaign=week).count() == 6
    assert progress[("daqinglu", "events")].share == 100  # the page's 15 activities
    assert progress[("zhenhua", "events")].share == 0
    from django.contrib.auth import get_user_model

    client.force_login(get_user_model().objects.get(username="admin"))
    page = client.get(reverse("campaigns-field:dashboard_campaign", args=[week.pk]) + "?period=campaign")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'id="chart-progress-title"' in html and "大庆路街道 · 开展活动：15/15次（100%）" in html


# --- the calendars ---------------------------------------------------------------------------------------


def test_an_activity_keeps_one_calendar_uid_whatever_host_the_feed_is_fetched_through(
    client, settings, people, new_activity
):
    """Subscribed once through www. and once through the bare domain (or fetched by a proxy under its internal
    name), the same activity must be one event, not two: the UID names the site, not the request's host."""
    import icalendar

    from campaigns import services

    settings.SITE_URL = "https://news.pingcheng.example"
    settings.ALLOWED_HOSTS = ["news.pingcheng.example", "www.news.pingcheng.example", "10.0.0.5"]
    settings.PAGE_CACHE_ENABLED = False
    activity = services.activity_save(
        activity=new_activity(unit="yujinyuan", starts_at=timezone.now() + timedelta(days=3)), by=people["community"]
    )
    services.activity_step(activity=activity, by=people["community"], name="plan")
    uids = set()
    for host in settings.ALLOWED_HOSTS:
        response = client.get(reverse("campaigns:calendar"), HTTP_HOST=host)
        assert response.status_code == 200
        uids |= {str(event["UID"]) for event in icalendar.Calendar.from_ical(response.content).walk("VEVENT")}
    assert uids == {f"activity-{activity.pk}@news.pingcheng.example"}


# --- page cache ------------------------------------------------------------------------------------------


def test_a_withdrawn_article_leaves_the_cached_campaign_timeline_at_once(client, people, new_activity, flood):
    """The timeline prints each activity's coverage: when the newsroom withdraws an article (and announces the
    news changed), the campaign page cached a moment ago must not keep its headline and link."""
    from articles.models import Article
    from campaigns import services
    from pingcheng.page_cache import page_product_changed
    from tests.factories import ArticleFactory

    when = timezone.now() - timedelta(hours=1)
    story = ArticleFactory(headline="网格员连夜排除涵洞积水", status=Article.Status.PUBLISHED, publish_at=when,
                           published_at=when)  # fmt: skip
    activity = services.activity_save(activity=new_activity(), by=people["grid"], figures={"patrols": 1})
    services.activity_step(activity=activity, by=people["grid"], name="hold")
    activity.articles.add(story)
    url = reverse("campaigns:detail", args=[flood.slug])
    assert "网格员连夜排除涵洞积水" in client.get(url).text
    assert "网格员连夜排除涵洞积水" in client.get(url).text  # from the page cache
    Article.objects.filter(pk=story.pk).update(status=Article.Status.WITHDRAWN)
    page_product_changed("news")  # what the newsroom's services announce after a withdrawal
    page = client.get(url).text
    assert "网格员连夜排除涵洞积水" not in page and "涵洞积水巡查" in page


# --- idle logout in the middle of a step -----------------------------------------------------------------


def _idle_then_send(client, user, url: str, data: dict):
    """``user`` typed a step's form for 40 minutes; the session idled out before it was sent."""
    import time

    from pingcheng.accounts import LAST_SEEN_KEY

    client.force_login(user)
    session = client.session
    session[LAST_SEEN_KEY] = time.time() - 40 * 60
    session.save()
    response = client.post(url, data)
    assert response.status_code == 302 and response["Location"].startswith(reverse("admin:login"))
    client.post(f"{reverse('admin:login')}?next={url}",
                {"username": user.username, "password": "pw-for-tests-1", "next": url})  # fmt: skip
    return client.get(url)  # where the login page sends them back


def test_an_order_typed_as_the_session_idled_out_comes_back_on_the_finding_not_a_405(client, people, units,
                                                                                   new_activity):  # fmt: skip
    from campaigns import services
    from campaigns.models import Finding

    activity = services.activity_save(activity=new_activity(unit="yujinyuan"), by=people["community"])
    activity = services.activity_step(activity=activity, by=people["community"], name="hold")
    finding = services.finding_raise(activity=activity, by=people["community"], location="公路涵洞", description="积水",
                                     responsible_unit=units["yujinyuan"])  # fmt: skip
    url = reverse("campaigns-field:finding_step", args=[finding.pk, "order"])
    page = _idle_then_send(client, people["street"], url, {"working_days": "5", "note": "清理淤泥并设置警示牌"})
    assert page.status_code == 200
    html = page.content.decode()
    assert "已恢复您退出登录前填写的内容" in html
    assert "清理淤泥并设置警示牌</textarea>" in html and '<option value="5" selected>' in html
    finding.refresh_from_db()
    assert finding.status == Finding.Status.FOUND  # given back to check, never taken on their behalf
    # Opened again (or without anything kept), the step's address leads to the finding.
    again = client.get(url)
    assert again.status_code == 302 and again["Location"] == reverse("campaigns-field:finding", args=[finding.pk])


def test_a_cancel_reason_typed_as_the_session_idled_out_comes_back_on_the_activity_not_a_405(
    client, people, new_activity
):
    from campaigns import services

    planned = services.activity_save(
        activity=new_activity(unit="yujinyuan", starts_at=timezone.now() + timedelta(days=2)), by=people["community"]
    )
    planned = services.activity_step(activity=planned, by=people["community"], name="plan")
    url = reverse("campaigns-field:activity_step", args=[planned.pk, "cancel"])
    page = _idle_then_send(client, people["community"], url, {"note": "暴雨红色预警，讲座改期另行通知"})
    assert page.status_code == 200
    html = page.content.decode()
    assert "已恢复您退出登录前填写的内容" in html and "暴雨红色预警，讲座改期另行通知</textarea>" in html
    planned.refresh_from_db()
    assert planned.status == Activity.Status.PLANNED
    again = client.get(url)
    assert again.status_code == 302 and again["Location"] == reverse("campaigns-field:activity", args=[planned.pk])
    # Any other method is still refused.
    assert client.put(url).status_code == 405


# --- valid HTML ------------------------------------------------------------------------------------------

# A valid global date and time (HTML Standard): a fraction of a second has one to three digits. Django's "c"
# format prints the six of timezone.now(), which every event's time has; the Nu checker refused the pages.
MACHINE_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?([+-]\d{2}:?\d{2}|Z))?$")


def test_every_time_on_the_activity_and_finding_pages_is_a_valid_machine_time(client, people, units, new_activity):
    from campaigns import services

    activity = services.activity_save(activity=new_activity(unit="yujinyuan"), by=people["community"])
    activity = services.activity_step(activity=activity, by=people["community"], name="hold")
    finding = services.finding_raise(activity=activity, by=people["community"], location="公路涵洞",
                                     description="积水", responsible_unit=units["yujinyuan"])  # fmt: skip
    services.finding_step(finding=finding, by=people["community"], name="order", working_days=3)
    client.force_login(people["community"])
    for url in (reverse("campaigns-field:activity", args=[activity.pk]),
                reverse("campaigns-field:finding", args=[finding.pk]), reverse("campaigns-field:home")):  # fmt: skip
        times = re.findall(r'datetime="([^"]*)"', client.get(url).content.decode())
        assert times and all(MACHINE_TIME.match(value) for value in times), (url, times)
