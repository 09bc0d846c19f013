"""The back office opens on what waits for this person: panels from each product and the unread inbox."""

import pytest

from articles import services
from articles.models import ReviewDecision
from pingcheng.dashboard import Panel, dashboard_panel_register
from pingcheng.directory.models import Role, Unit
from tests.factories import ArticleFactory, UnitFactory, district, staff

pytestmark = pytest.mark.django_db
HOME = "/admin/"


def submitted(**fields):
    article = ArticleFactory(**fields)
    services.article_submit(article=article, by=article.created_by)
    return article


def test_the_first_reviewer_sees_their_turn_with_counts(client, desk):
    submitted()
    submitted()
    submitted(created_by=desk["editor"])  # their own piece is not theirs to review
    client.force_login(desk["editor"])
    response = client.get(HOME)
    assert response.status_code == 200
    panel = next(p for p in response.context["panels"] if p.title == "轮到我审的稿件")
    assert [(item.label, item.count) for item in panel.items if item.count is not None] == [("待初审", 2)]
    assert "轮到我审的稿件" in response.text


def test_a_reporter_sees_a_returned_piece_with_the_reviewers_opinion(client, desk):
    article = submitted(created_by=desk["reporter"], headline="平城区网格员筑牢防汛安全堤")
    services.article_review(article=article, by=desk["editor"], outcome=ReviewDecision.Outcome.RETURN,
                            opinion="请补充受访者姓名")  # fmt: skip
    client.force_login(desk["reporter"])
    response = client.get(HOME)
    assert "已退回：平城区网格员筑牢防汛安全堤" in response.text
    assert "请补充受访者姓名" in response.text
    assert "轮到我审的稿件" not in response.text


def test_the_return_also_arrives_unread_in_the_reporters_inbox(client, desk, django_capture_on_commit_callbacks):
    article = submitted(created_by=desk["reporter"])
    with django_capture_on_commit_callbacks(execute=True):
        services.article_review(article=article, by=desk["editor"], outcome=ReviewDecision.Outcome.RETURN,
                                opinion="标题太长")  # fmt: skip
    client.force_login(desk["reporter"])
    response = client.get(HOME)
    assert response.context["unread_count"] == 1
    assert "1 条未读" in response.text


def test_street_staff_get_no_newsroom_panels(client):
    street = UnitFactory(code="xinwang", name="新旺街道", kind=Unit.Kind.STREET, parent=district())
    client.force_login(staff(Role.STREET_STAFF, street))
    response = client.get(HOME)
    assert response.status_code == 200
    # Their own products' panels (campaigns, inquiries) may be there; none of the newsroom's.
    assert not {panel.title for panel in response.context["panels"]} & {"轮到我审的稿件", "我的稿件", "待发布"}
    assert "没有新通知。" in response.text


def test_a_broken_panel_is_left_out_and_the_home_page_still_opens(client, desk):
    def broken(*, user) -> Panel:
        raise RuntimeError("a product's panel is broken")

    dashboard_panel_register("tests.broken", broken)
    try:
        client.force_login(desk["editor"])
        response = client.get(HOME)
        assert response.status_code == 200
        assert "轮到我审的稿件" in response.text
    finally:
        from pingcheng import dashboard

        dashboard._panels.pop("tests.broken")


@pytest.mark.django_db(transaction=True)  # autocommit, as in production: no per-panel savepoints to count
def test_the_home_page_takes_a_bounded_number_of_queries(client, desk, django_assert_max_num_queries):
    for _ in range(5):
        submitted()
    client.force_login(desk["chief"])
    client.get(HOME)
    with django_assert_max_num_queries(20):
        client.get(HOME)


def test_the_inbox_message_leads_to_the_returned_article(client, desk, django_capture_on_commit_callbacks):
    article = submitted(created_by=desk["reporter"])
    services.article_review(article=article, by=desk["editor"], outcome=ReviewDecision.Outcome.RETURN, opinion="改标题")
    client.force_login(desk["reporter"])
    change_url = f"/admin/articles/article/{article.pk}/change/"
    assert f'href="{change_url}"' in client.get(HOME).text
    assert f'href="{change_url}"' in client.get("/admin/inbox/").text


def test_an_inbox_link_never_leaves_the_site(desk):
    from pingcheng.notices.selectors import inbox_list
    from pingcheng.notices.services import notice_enqueue

    # Browsers drop tabs and newlines inside a URL and read a backslash as a slash: a link with any whitespace
    # or control character, or that does not start with exactly one slash, is dropped.
    links = ["//evil.example/x", "https://evil.example/", "javascript:alert(1)", "/\t/evil.example/login",
             "/\n/evil.example/", "/\r\n/evil.example/", " //evil.example/", "/\\evil.example/", "///evil.example/",
             "/\x1b/evil.example/", "/\u3000/evil.example/", "/\u200b/evil.example/", "/admin/ x", "/admin/",
             "/admin/articles/article/1/change/?from=inbox#top"]  # fmt: skip
    for n, link in enumerate(links):
        notice_enqueue(kind="generic", recipient=desk["reporter"], key=f"link-test:{n}",
                       context={"subject": "测试", "body": "正文", "link": link})  # fmt: skip
    messages = inbox_list(user=desk["reporter"])
    assert len(messages) == len(links)
    kept = sorted(message.link for message in messages if message.link)
    assert kept == ["/admin/", "/admin/articles/article/1/change/?from=inbox#top"]


def test_the_queue_count_agrees_with_the_workflow_for_someone_holding_two_levels(client, desk):
    from articles.workflow import ARTICLE_WORKFLOW
    from pingcheng.directory.models import Membership
    from tests.factories import newsroom

    both = desk["editor"]
    Membership.objects.create(user=both, unit=newsroom(), role=Role.DEPUTY_CHIEF)
    both = type(both).objects.get(pk=both.pk)
    article = submitted()
    services.article_review(article=article, by=both, outcome=ReviewDecision.Outcome.PASS)
    article.refresh_from_db()
    assert not ARTICLE_WORKFLOW.allowed("pass", user=both, obj=article)
    client.force_login(both)
    panel = next(p for p in client.get(HOME).context["panels"] if p.title == "轮到我审的稿件")
    assert [(item.label, item.count) for item in panel.items] == [("待初审", 0), ("待复审", 0)]


@pytest.mark.django_db(transaction=True)
def test_a_panel_whose_query_fails_leaves_the_other_panels_working_inside_a_transaction(desk, monkeypatch):
    """ATOMIC_REQUESTS or a caller's transaction: the failed panel's query must not poison the others'."""
    from django.db import connection, transaction

    from pingcheng import dashboard

    def failing_query(*, user) -> Panel:
        with connection.cursor() as cursor:
            cursor.execute("SELECT * FROM no_such_table")
        raise AssertionError("unreachable")

    # First in line, so the newsroom's panels run after the failure.
    monkeypatch.setattr(dashboard, "_panels", {"tests.failing_query": failing_query, **dashboard._panels})
    with transaction.atomic():
        titles = [panel.title for panel in dashboard.dashboard_panels(user=desk["editor"])]
    assert "轮到我审的稿件" in titles


@pytest.mark.django_db(transaction=True)  # autocommit, as in production: no per-panel savepoints to count
@pytest.mark.parametrize("role", [Role.GRID_WORKER, Role.COMMUNITY_STAFF])
def test_field_workers_are_led_to_the_field_pages_and_their_warnings_in_few_queries(client, role,
                                                                                    django_assert_max_num_queries):  # fmt: skip
    street = UnitFactory(code="xinwang", name="新旺街道", kind=Unit.Kind.STREET, parent=district())
    community = UnitFactory(code="yujinyuan", name="御锦源社区", kind=Unit.Kind.COMMUNITY, parent=street)
    grid = UnitFactory(code="yujinyuan-grid-1", name="御锦源社区第一网格", kind=Unit.Kind.GRID, parent=community)
    worker = staff(role, grid if role == Role.GRID_WORKER else community)
    client.force_login(worker)
    client.get(HOME)
    # Measured: 11 queries for a grid worker, 15 for community staff (who also get the campaign dashboard's panel).
    with django_assert_max_num_queries(16):
        response = client.get(HOME)
    assert "现场工作" in [panel.title for panel in response.context["panels"]]
    assert 'href="/field/activities/new/"' in response.text and "登记活动" in response.text
