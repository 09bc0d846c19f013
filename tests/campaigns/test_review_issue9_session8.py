"""Review of issue 9 (session 8): the front page's current campaigns, kept per process for the minute, must
not outlive a change another process announced before the page was stored."""

import pytest

from campaigns.models import Campaign
from pingcheng import page_cache
from tests.campaigns.test_review_issue9_memo_freshness import _announced_by_another_process
from tests.page_text import page_text

pytestmark = pytest.mark.django_db


def test_a_campaign_made_public_by_another_process_is_on_the_front_page_stored_after_it(client, flood, monkeypatch):
    # Long memos: the page must be right because the process saw the new generation, not by a memo's expiry.
    monkeypatch.setattr(page_cache, "LOCAL_GENERATIONS_MEMO", 30)
    Campaign.objects.filter(pk=flood.pk).update(is_public=False)
    page_cache.page_product_changed("campaigns")
    assert flood.title not in client.get("/").text  # this process keeps "none running" for the minute
    Campaign.objects.filter(pk=flood.pk).update(is_public=True)
    _announced_by_another_process("campaigns")
    assert flood.title in page_text(client.get("/"))
    assert flood.title in page_text(client.get("/"))  # and the stored copy readers get next
