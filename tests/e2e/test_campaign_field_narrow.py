"""The field pages on the narrowest phone they are made for (360 px, Chromium): nothing scrolls sideways, however
long a campaign's title or however unbroken what a worker typed into an activity's place."""

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import override_settings
from django.utils import timezone

from campaigns import services
from campaigns.models import Activity, Campaign
from pingcheng.directory.models import Unit
from pingcheng.display_mode import COOKIE_NAME, LARGE

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
SIDEWAYS = "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"


@pytest.fixture
def site(live_server, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    with override_settings(DEBUG=True):  # demo accounts are created in development only; the site runs as deployed
        call_command("load_demo", "--accounts", verbosity=0)
    return live_server.url


@pytest.fixture
def narrow(chromium):
    context = chromium.new_context(viewport={"width": 360, "height": 740}, device_scale_factor=2, is_mobile=True,
                                   has_touch=True, locale="zh-CN")  # fmt: skip
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


def test_the_field_pages_never_scroll_sideways_at_360_px(site, narrow):
    worker = get_user_model().objects.get(username="yujinyuan")
    activity = services.activity_save(
        activity=Activity(campaign=Campaign.objects.get(slug="fangfei-2025"), unit=Unit.objects.get(code="yujinyuan"),
                          title="防范非法集资宣传进小区", starts_at=timezone.now() - timedelta(hours=2),
                          place="https://map.example.com/pingcheng/yujinyuan/" + "a" * 60, partners_other="B" * 120),
        by=worker,
    )  # fmt: skip
    narrow.goto(site + "/admin/login/?next=/field/")
    narrow.fill("#id_username", "yujinyuan")
    narrow.fill("#id_password", "pingcheng-demo-2026")
    narrow.click("input[type=submit]")
    narrow.wait_for_url(site + "/field/")
    # The campaign choice (the demo's 守住钱袋子 护好幸福家——防范非法集资宣传 is one long button) and the activity.
    pages = ["/field/", "/field/activities/new/", f"/field/activities/{activity.pk}/",
             f"/field/activities/{activity.pk}/findings/new/"]  # fmt: skip
    for path in pages:
        narrow.goto(site + path)
        assert narrow.evaluate(SIDEWAYS) <= 0, path
    # The large mode (长辈模式) an older worker may have switched on: the photo's file input grows with the text.
    narrow.context.add_cookies([{"name": COOKIE_NAME, "value": LARGE, "url": site}])
    for path in pages:
        narrow.goto(site + path)
        assert narrow.evaluate(SIDEWAYS) <= 0, f"{path} in the large mode"
