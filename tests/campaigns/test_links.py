"""Campaigns on the newsroom's pages: the front page's current campaigns, and under an article the campaigns it
covers with their other coverage — public ones only, and fresh after a campaign changes."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from articles.models import Article
from campaigns import services
from campaigns.models import Activity
from pingcheng.page_cache import page_product_changed
from tests.factories import ArticleFactory
from tests.page_text import page_text

pytestmark = pytest.mark.django_db


def _live(headline: str, hours_ago: int = 1) -> Article:
    when = timezone.now() - timedelta(hours=hours_ago)
    return ArticleFactory(headline=headline, status=Article.Status.PUBLISHED, publish_at=when, published_at=when)


@pytest.fixture
def covered(new_activity, people):
    """Two public activities of the flood campaign, each reported by an article, and a third article about
    something else."""
    story = _live("网格员筑牢防汛安全堤")
    other = _live("涵洞积水连夜排除", hours_ago=3)
    unrelated = _live("志愿服务擦亮城市文明底色")
    for title, article in (("汛期巡查", story), ("涵洞排水", other)):
        activity = services.activity_save(activity=new_activity(title=title), by=people["grid"], figures={"patrols": 1})
        services.activity_step(activity=activity, by=people["grid"], name="hold")
        activity.articles.add(article)
    return {"story": story, "other": other, "unrelated": unrelated}


def test_the_front_page_shows_running_public_campaigns_with_their_next_activity(client, flood, new_activity, people):
    talk = services.activity_save(activity=new_activity(title="防汛知识讲座", unit="yujinyuan", place="社区活动室",
                                                        starts_at=timezone.now() + timedelta(days=2)),
                                  by=people["community"])  # fmt: skip
    services.activity_step(activity=talk, by=people["community"], name="plan")
    page = client.get("/").text
    assert "正在开展的专项活动" in page and flood.title in page and flood.get_absolute_url() in page
    assert "下次活动" in page and "社区活动室" in page


def test_the_front_page_leaves_out_internal_ended_and_coming_campaigns(client, flood):
    today = timezone.localdate()
    for change in ({"is_public": False}, {"is_public": True, "ends_on": today - timedelta(days=1)},
                   {"starts_on": today + timedelta(days=1), "ends_on": today + timedelta(days=9)}):  # fmt: skip
        for name, value in change.items():
            setattr(flood, name, value)
        flood.save()
        page_product_changed("campaigns")
        assert flood.title not in client.get("/").text, change


def test_an_article_names_the_campaign_it_covers_and_its_other_coverage(client, flood, covered):
    page = page_text(client.get(covered["story"].get_absolute_url()))
    assert "本文报道的专项活动" in page and flood.title in page
    assert "涵洞积水连夜排除" in page  # covers another activity of the same campaign
    assert "志愿服务擦亮城市文明底色" not in page.split("本文报道的专项活动", 1)[1]
    assert "本文报道的专项活动" not in client.get(covered["unrelated"].get_absolute_url()).text


def test_an_article_does_not_name_an_internal_campaign_or_activity(client, flood, covered, people):
    activity = Activity.objects.get(articles=covered["story"])
    activity.is_public = False
    services.activity_save(activity=activity, by=people["grid"])
    assert "本文报道的专项活动" not in client.get(covered["story"].get_absolute_url()).text
    # The other article still covers a public activity, but must not list the story the internal one reports.
    other = page_text(client.get(covered["other"].get_absolute_url()))
    assert flood.title in other and "网格员筑牢防汛安全堤" not in other.split("本文报道的专项活动", 1)[1]
    flood.is_public = False
    flood.save()
    page_product_changed("campaigns")  # as the admin does after the commit
    assert "本文报道的专项活动" not in client.get(covered["other"].get_absolute_url()).text


def test_a_withdrawn_article_is_not_listed_as_other_coverage(client, covered):
    Article.objects.filter(pk=covered["other"].pk).update(status=Article.Status.WITHDRAWN)
    page = page_text(client.get(covered["story"].get_absolute_url()))
    assert "涵洞积水连夜排除" not in page


def test_campaign_parts_are_fresh_on_cached_newsroom_pages(client, flood, covered, new_activity, people, settings,
                                                          django_capture_on_commit_callbacks):  # fmt: skip
    settings.PAGE_CACHE_ENABLED = True
    story_url = covered["story"].get_absolute_url()
    for path in ("/", story_url):
        client.get(path)
        assert flood.title in client.get(path).text  # the second came from the cache
    with django_capture_on_commit_callbacks(execute=True):
        talk = services.activity_save(activity=new_activity(title="防汛知识讲座", place="社区活动室",
                                                            starts_at=timezone.now() + timedelta(days=2)),
                                      by=people["grid"])  # fmt: skip
        services.activity_step(activity=talk, by=people["grid"], name="plan")
        activity = Activity.objects.get(articles=covered["story"])
        activity.is_public = False
        services.activity_save(activity=activity, by=people["grid"])
    assert "社区活动室" in client.get("/").text
    assert "本文报道的专项活动" not in client.get(story_url).text


def test_campaign_parts_cost_a_fixed_number_of_queries(client, flood, covered, new_activity, people,
                                                       django_assert_max_num_queries):  # fmt: skip
    story_url = covered["story"].get_absolute_url()
    client.get(story_url)
    with CaptureQueriesContext(connection) as few:
        client.get(story_url)
    for n in range(12):
        activity = services.activity_save(
            activity=new_activity(title=f"巡查{n}"), by=people["grid"], figures={"patrols": 1}
        )
        services.activity_step(activity=activity, by=people["grid"], name="hold")
        activity.articles.add(_live(f"第{n}次巡查"))
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(story_url)


def test_an_article_no_public_activity_covers_asks_nothing_of_the_campaigns(client, covered):
    url = covered["unrelated"].get_absolute_url()
    client.get(url)  # this process learns which articles public activities cover
    with CaptureQueriesContext(connection) as queries:
        page = client.get(url).text
    assert "本文报道的专项活动" not in page
    assert [q["sql"] for q in queries.captured_queries if "campaigns_" in q["sql"]] == []


def test_coverage_linked_after_a_page_was_read_shows_at_once(client, flood, covered, people,
                                                             django_capture_on_commit_callbacks):  # fmt: skip
    url = covered["unrelated"].get_absolute_url()
    assert "本文报道的专项活动" not in client.get(url).text
    activity = Activity.objects.get(articles=covered["story"])
    with django_capture_on_commit_callbacks(execute=True):
        activity.articles.add(covered["unrelated"])
    assert flood.title in page_text(client.get(url)).split("本文报道的专项活动", 1)[1]
    with django_capture_on_commit_callbacks(execute=True):
        activity.articles.remove(covered["unrelated"])
    assert "本文报道的专项活动" not in client.get(url).text


def test_the_front_pages_campaigns_strip_follows_a_rename_at_once(client, flood):
    """The strip is rendered once per list of current campaigns (campaign_links._last_strip), not per view."""
    assert client.get("/").text.count(flood.title) == client.get("/").text.count(flood.title) == 1
    flood.title = "平城区2026年汛期安全巡查百日行动"
    flood.save()
    page_product_changed("campaigns")
    assert "平城区2026年汛期安全巡查百日行动" in client.get("/").text
