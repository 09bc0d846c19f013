"""The newsroom desk: a reporter and one reviewer per level of 三审, used by the newsroom's and the platform's tests;
and the two steps the notice tests repeat — publishing an article through the desk, then delivering its notices."""

import pytest

from articles import services as newsroom_services
from articles.models import Article, ReviewDecision
from pingcheng.directory.models import Role
from pingcheng.notices import audience
from pingcheng.notices.services import notices_sweep
from tests.factories import ArticleFactory, newsroom, staff


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


def publish_after_review(
    desk, *units_about, section=None, headline: str = "御锦源社区开展防汛应急演练",
    lead: str = "演练模拟暴雨内涝，转移群众120人。",
) -> Article:  # fmt: skip
    """Write an article as ``desk``'s reporter about ``units_about`` (in ``section``, if given), pass it through
    the three reviews (editor, deputy, chief) and publish it now, as the chief, through the newsroom's services:
    publishing writes the subscribers' fan-out, which ``deliver_notices`` then expands and sends."""
    article = ArticleFactory(created_by=desk["reporter"], headline=headline, lead=lead, section=section)
    article.units.set(units_about)
    newsroom_services.article_submit(article=article, by=desk["reporter"])
    for who in ("editor", "deputy", "chief"):
        newsroom_services.article_review(article=article, by=desk[who], outcome=ReviewDecision.Outcome.PASS)
    article.refresh_from_db()
    return newsroom_services.article_publish_now(article=article, by=desk["chief"])


def deliver_notices() -> int:
    """Do in the test's process what the scheduled sweeps do: expand every pending fan-out into notices, then
    send every notice that is due. Returns how many notices were sent."""
    audience.fanouts_sweep()
    return notices_sweep()
