"""The permission matrix: every back-office URL × every role, generated from the admin and URL registries.

Who may see what is declared once, below, in ``POLICY`` (one rule per registered ModelAdmin: the roles that
may view, add, change and delete, and which rows each of them sees) and ``BACK_OFFICE`` (the staff views
outside the admin). The expectations are computed from those tables, never from the code under test, and
the URLs come from the registries:

* every ModelAdmin in ``admin.site._registry``: its changelist, add, change, delete and history views for
  rows of the viewer's own units, of other units, of the viewer's own articles and of other authors, and a
  missing id; and each custom URL of its ``get_urls()`` (``CUSTOM_ADMIN_URLS``);
* the admin's index and each app's index;
* every other URL pattern that refuses an anonymous visitor (found by asking each pattern anonymously),
  which must have a ``BACK_OFFICE`` entry.

A ModelAdmin or a staff view added later (campaigns, the inquiry desk …) without an entry here fails
``test_every_registered_admin_has_a_policy`` or ``test_every_back_office_url_has_a_policy``: whoever adds it
declares who may see it, and the matrix then checks that it holds.

The viewers: one user per ``Role``, spread over two streets (and a community and a grid in them), the
newsroom and a department, plus a staff user without any membership and an anonymous visitor. What every
answer must be: anonymous → the login page; never a 5xx; 200 for what is allowed; 403, 404 or a redirect
for what is not, and the same answer for a row that is not yours as for one that does not exist; on a
changelist, the rows out of scope are absent and the rows in scope present; a change page offers "save"
only to those who may change the row.

About 200 requests per viewer; the world is built once per module and each viewer uses one client.
"""

from __future__ import annotations

import io
import logging
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta

import pytest
from django.apps import apps
from django.conf import settings
from django.contrib import admin
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.shortcuts import resolve_url
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone
from PIL import Image

from articles.models import Article, Correction, Credit, Edition, FrontSlot, Page, ReviewDecision, Section, Series
from pingcheng.directory.models import NEWSROOM_ROLES, REVIEW_ROLES, Contributor, Membership, Role, Unit
from pingcheng.models import WorkdayOverride, WorkdayYear
from pingcheng.notices.models import Notice, Subscriber
from pingcheng.photos.services import photo_create
from tests.factories import ArticleFactory, UnitFactory, UserFactory, district, newsroom, staff

pytestmark = pytest.mark.django_db

ALL_ROLES = frozenset(Role.values)
NEWSROOM = frozenset(NEWSROOM_ROLES)
REVIEWERS = frozenset(REVIEW_ROLES)
ADMIN = frozenset({Role.DISTRICT_ADMIN})
CAMPAIGN_ROLES = frozenset({Role.STREET_STAFF, Role.COMMUNITY_STAFF, Role.GRID_WORKER, Role.DISTRICT_ADMIN})
NOBODY: frozenset[str] = frozenset()
INQUIRY_HANDLERS = frozenset({Role.DEPARTMENT_HANDLER, Role.STREET_STAFF, Role.COMMUNITY_STAFF})
INQUIRY_DISPATCHERS = frozenset({Role.SUPERVISOR, Role.DISTRICT_ADMIN})
INQUIRY_STAFF = INQUIRY_HANDLERS | INQUIRY_DISPATCHERS
MISSING_ID = 987_654_321


# --- Who is looking, and at what --------------------------------------------------------------------------


@dataclass(frozen=True)
class Viewer:
    name: str
    role: str | None = None  # None: anonymous, or staff without a membership
    user: object = None
    unit: Unit | None = None

    @property
    def sees_everything(self) -> bool:
        return self.role == Role.DISTRICT_ADMIN


@dataclass(frozen=True)
class Probe:
    """A row the matrix opens: whose unit it lies in and who wrote, uploaded or received it."""

    label: str
    obj: object
    unit: Unit | None = None
    owners: tuple = ()
    published: bool = False


Scope = Callable[[Viewer, Probe], bool]


def everything(viewer: Viewer, probe: Probe) -> bool:
    return True


def own_units(viewer: Viewer, probe: Probe) -> bool:
    """Rows in the viewer's unit or below it (a street sees its communities and grids, never its neighbour);
    a district administrator's unit is the district."""
    if viewer.sees_everything:
        return True
    return viewer.unit is not None and probe.unit is not None and probe.unit.path.startswith(viewer.unit.path)


def campaign_open_to_viewer(viewer: Viewer, probe: Probe) -> bool:
    """A campaign the viewer's unit takes part in: a district one, or one led in their subtree or above it; a
    neighbour street's own campaign is none of theirs (campaigns.access.campaigns_for_user)."""
    if viewer.sees_everything:
        return True
    if viewer.unit is None or probe.unit is None:
        return False
    path, lead = viewer.unit.path, probe.unit.path
    return lead.startswith(path) or path.startswith(lead)


def addressed_to_viewer(viewer: Viewer, probe: Probe) -> bool:
    """Strictly the viewer's own (an inbox): no role reaches someone else's."""
    return viewer.user in probe.owners


def own(viewer: Viewer, probe: Probe) -> bool:
    return viewer.sees_everything or addressed_to_viewer(viewer, probe)


def own_or_any_for_reviewers(viewer: Viewer, probe: Probe) -> bool:
    return viewer.role in REVIEWERS or own(viewer, probe)


def inquiry_reach(viewer: Viewer, probe: Probe) -> bool:
    """Dispatchers reach every inquiry; handlers those their unit (or a unit below it) leads."""
    return viewer.role in INQUIRY_DISPATCHERS or (viewer.role in INQUIRY_HANDLERS and own_units(viewer, probe))


def unpublished(scope: Scope) -> Scope:
    return lambda viewer, probe: not probe.published and scope(viewer, probe)


@dataclass(frozen=True)
class Rule:
    """Who may use one ModelAdmin: the roles for each action (``add`` and ``delete`` default to ``change``)
    and, for a viewer holding one of them, which rows it reaches (the scopes above)."""

    view: frozenset[str]
    change: frozenset[str] = NOBODY
    add: frozenset[str] | None = None
    delete: frozenset[str] | None = None
    scope: Scope = everything  # the rows a viewer with the right role sees
    change_scope: Scope | None = None  # the rows they may change (default: all they see)
    delete_scope: Scope | None = None  # the rows they may delete (default: all they may change)
    probes: Callable[[World], list[Probe]] = lambda world: []

    def may(self, viewer: Viewer, roles: frozenset[str], scope: Scope, probe: Probe | None = None) -> bool:
        if viewer.role not in roles:
            return False
        return probe is None or scope(viewer, probe)

    def may_view(self, viewer, probe=None) -> bool:
        return self.may(viewer, self.view | self.change, self.scope, probe)

    def may_add(self, viewer) -> bool:
        return self.may(viewer, self.change if self.add is None else self.add, self.scope)

    def may_change(self, viewer, probe=None) -> bool:
        return self.may_view(viewer, probe) and self.may(viewer, self.change, self.change_scope or self.scope, probe)

    def may_delete(self, viewer, probe=None) -> bool:
        roles = self.change if self.delete is None else self.delete
        scope = self.delete_scope or self.change_scope or self.scope
        return self.may_view(viewer, probe) and self.may(viewer, roles, scope, probe)


@dataclass
class World:
    """The units, the viewers and the rows every probe refers to."""

    units: dict[str, Unit] = field(default_factory=dict)
    viewers: dict[str, Viewer] = field(default_factory=dict)
    rows: dict[str, object] = field(default_factory=dict)

    def user(self, role: str):
        return self.viewers[role].user


# --- The policy -------------------------------------------------------------------------------------------

POLICY: dict[str, Rule] = {
    # Django's own groups and permissions bypass memberships: superusers only, not even district administrators.
    "auth.group": Rule(view=NOBODY, probes=lambda w: [Probe("group", w.rows["group"])]),
    "auth.user": Rule(
        view=ADMIN, change=ADMIN,
        probes=lambda w: [Probe("another reporter's account", w.rows["other_reporter"]),
                          Probe("street A staff account", w.user(Role.STREET_STAFF))],
    ),
    # The audit trail: read by district administrators only, and nobody edits it (pingcheng/audit/admin.py).
    "audit.personaldataexport": Rule(view=ADMIN, probes=lambda w: [Probe("export record", w.rows["export"])]),
    "audit.auditentry": Rule(view=ADMIN, probes=lambda w: [Probe("audit log entry", w.rows["log_entry"])]),
    "audit.loginlock": Rule(
        view=ADMIN, delete=ADMIN,  # deleting the row is the unlock
        probes=lambda w: [Probe("failed login", w.rows["login_attempt"])],
    ),
    # Every staff member looks the directory up, within the units they belong to; administrators change it.
    "directory.unit": Rule(
        view=ALL_ROLES, change=ADMIN, scope=own_units,
        probes=lambda w: [Probe(f"unit {name}", w.units[name], unit=w.units[name])
                          for name in ("street_a", "community_b", "newsroom")],
    ),
    "directory.membership": Rule(
        view=frozenset({Role.SUPERVISOR, Role.STREET_STAFF, Role.CHIEF_EDITOR}) | ADMIN, change=ADMIN, scope=own_units,
        probes=lambda w: [
            Probe("membership in street A", w.rows["membership_street_a"], unit=w.units["street_a"]),
            Probe("membership in community B", w.rows["membership_community_b"], unit=w.units["community_b"]),
            Probe("membership in the newsroom", w.rows["membership_newsroom"], unit=w.units["newsroom"]),
        ],
    ),
    "directory.contributor": Rule(
        view=NEWSROOM | ADMIN, change=REVIEWERS | ADMIN, probes=lambda w: [Probe("contributor", w.rows["contributor"])]
    ),
    "articles.section": Rule(
        view=NEWSROOM | ADMIN, change=frozenset({Role.CHIEF_EDITOR}) | ADMIN,
        probes=lambda w: [Probe("section", w.rows["section"])],
    ),
    "articles.series": Rule(
        view=NEWSROOM | ADMIN, change=REVIEWERS | ADMIN, probes=lambda w: [Probe("series", w.rows["series"])]
    ),
    "articles.edition": Rule(
        view=NEWSROOM | ADMIN, change=REVIEWERS | ADMIN, probes=lambda w: [Probe("edition", w.rows["edition"])]
    ),
    "articles.page": Rule(
        view=NEWSROOM | ADMIN, change=REVIEWERS | ADMIN, probes=lambda w: [Probe("page", w.rows["page"])]
    ),
    # Authors see what they wrote or are credited on; reviewers see everything; published work is never deleted.
    "articles.article": Rule(
        view=NEWSROOM | ADMIN, change=NEWSROOM | ADMIN, scope=own_or_any_for_reviewers,
        delete_scope=unpublished(own_or_any_for_reviewers),
        probes=lambda w: [
            Probe("reporter's draft, photographer credited", w.rows["own_draft"],
                  owners=(w.user(Role.REPORTER), w.user(Role.PHOTOGRAPHER))),
            Probe("another reporter's published article", w.rows["other_article"], owners=(w.rows["other_reporter"],),
                  published=True),
        ],
    ),  # fmt: skip
    # 三审 decisions are evidence: read by reviewers, written only by the workflow.
    "articles.reviewdecision": Rule(
        view=REVIEWERS | ADMIN, probes=lambda w: [Probe("review decision", w.rows["decision"])]
    ),
    # The front page's 头条 and 要闻: chosen by the reviewers (articles/front_admin.py).
    "articles.frontslot": Rule(
        view=REVIEWERS | ADMIN, change=REVIEWERS | ADMIN,
        probes=lambda w: [Probe("front-page slot", w.rows["front_slot"])],
    ),  # fmt: skip
    "articles.correction": Rule(
        view=NEWSROOM | ADMIN, add=NOBODY, change=NOBODY, delete=NOBODY,
        probes=lambda w: [Probe("correction", w.rows["correction"])],
    ),
    "notices.notice": Rule(
        view=frozenset({Role.SUPERVISOR}) | ADMIN, change=ADMIN, add=NOBODY, delete=NOBODY,
        probes=lambda w: [Probe("reporter's notice", w.rows["notice_reporter"], owners=(w.user(Role.REPORTER),)),
                          Probe("street staff's notice", w.rows["notice_street"], owners=(w.user(Role.STREET_STAFF),))],
    ),  # fmt: skip
    # Residents' subscriptions: supervisors read them (masked); residents alone change them, from their link.
    "notices.subscriber": Rule(
        view=frozenset({Role.SUPERVISOR}) | ADMIN, change=NOBODY, add=NOBODY, delete=NOBODY,
        probes=lambda w: [Probe("subscriber", w.rows["subscriber"])],
    ),
    # Everyone uploads; reviewers pick from every photo; only the uploader re-captions or deletes an unused one.
    "photos.photo": Rule(
        view=ALL_ROLES, change=ALL_ROLES, scope=own_or_any_for_reviewers, change_scope=own,
        probes=lambda w: [Probe("reporter's photo", w.rows["photo_reporter"], owners=(w.user(Role.REPORTER),)),
                          Probe("street staff's photo", w.rows["photo_street"], owners=(w.user(Role.STREET_STAFF),))],
    ),  # fmt: skip
    # Campaigns: every campaign role reads the types and campaigns (to log under them); the district sets them up,
    # a street's staff edit what their street leads. Activities and findings are read within the unit's subtree
    # here and changed only through the services (the field pages).
    "campaigns.campaigntype": Rule(
        view=CAMPAIGN_ROLES, change=ADMIN, probes=lambda w: [Probe("campaign type", w.rows["campaign_type"])]
    ),
    "campaigns.campaign": Rule(
        view=CAMPAIGN_ROLES, change=frozenset({Role.STREET_STAFF}) | ADMIN, add=ADMIN, delete=NOBODY,
        scope=campaign_open_to_viewer, change_scope=own_units,
        probes=lambda w: [Probe("street A's campaign", w.rows["campaign_street_a"], unit=w.units["street_a"]),
                          Probe("district campaign", w.rows["campaign_district"], unit=w.units["district"])],
    ),  # fmt: skip
    "campaigns.activity": Rule(
        view=CAMPAIGN_ROLES, scope=own_units,
        probes=lambda w: [Probe("grid A's patrol", w.rows["activity_grid_a"], unit=w.units["grid_a"]),
                          Probe("community B's talk", w.rows["activity_community_b"], unit=w.units["community_b"])],
    ),  # fmt: skip
    "campaigns.finding": Rule(
        view=CAMPAIGN_ROLES, scope=own_units,
        probes=lambda w: [Probe("hazard found by grid A", w.rows["finding_grid_a"], unit=w.units["grid_a"])],
    ),
    # The inquiry desk: dispatchers (督办人, district) set up topics and deadlines; handlers keep their unit's
    # templates and FAQ; inquiries are read here within reach (dispatchers all, handlers their units') and
    # worked on at /desk/.
    "grievances.topic": Rule(
        view=INQUIRY_STAFF, change=INQUIRY_DISPATCHERS, delete=NOBODY,
        probes=lambda w: [Probe("inquiry topic", w.rows["inquiry_topic"])],
    ),
    "grievances.deadlinepolicy": Rule(
        view=INQUIRY_STAFF, change=INQUIRY_DISPATCHERS,
        probes=lambda w: [Probe("deadline policy", w.rows["deadline_policy"])],
    ),
    "grievances.answertemplate": Rule(
        view=INQUIRY_STAFF, change=INQUIRY_STAFF, scope=own_units,
        probes=lambda w: [Probe("department's answer template", w.rows["answer_template"], unit=w.units["department"])],
    ),
    "grievances.faqentry": Rule(
        view=INQUIRY_STAFF, change=INQUIRY_STAFF, scope=own_units,
        probes=lambda w: [Probe("street A's FAQ entry", w.rows["faq_street_a"], unit=w.units["street_a"])],
    ),
    "grievances.inquiry": Rule(
        view=INQUIRY_STAFF, scope=inquiry_reach,
        probes=lambda w: [Probe("inquiry led by the department", w.rows["inquiry_department"], unit=w.units["department"]),
                          Probe("inquiry led by street A", w.rows["inquiry_street_a"], unit=w.units["street_a"])],
    ),  # fmt: skip
    # Warnings: their issuers (street staff, supervisors, district administrators) read their own; nobody edits one
    # in the admin.
    "alerts.alert": Rule(
        view=frozenset({Role.STREET_STAFF, Role.SUPERVISOR}) | ADMIN, add=NOBODY, change=NOBODY, delete=NOBODY, scope=own,
        probes=lambda w: [Probe("street A's warning", w.rows["alert_street"], owners=(w.user(Role.STREET_STAFF),))],
    ),
    "notices.staffnoticepreference": Rule(
        view=ADMIN, change=ADMIN, probes=lambda w: [Probe("warning mobile", w.rows["staff_phone"])]
    ),
    "pingcheng.workdayoverride": Rule(
        view=ALL_ROLES, change=ADMIN, probes=lambda w: [Probe("calendar override", w.rows["workday_override"])]
    ),
    "pingcheng.workdayyear": Rule(
        view=ALL_ROLES, change=ADMIN, probes=lambda w: [Probe("calendar year", w.rows["workday_year"])]
    ),
}


@dataclass(frozen=True)
class Endpoint:
    """A URL outside the standard admin views: who may use it and what "allowed" answers.

    ``model`` names the POLICY entry whose probes fill ``kwargs`` (then ``may`` gets the probe and the URL is
    also tried with a missing id); ``ok`` is the status of an allowed request; ``anonymous`` what a visitor
    who is not logged in gets ("login": a redirect to the login page).
    """

    method: str
    may: Callable[..., bool]
    ok: frozenset[int] = frozenset({200})
    model: str | None = None
    kwargs: Callable[[int], dict] = lambda pk: {}
    anonymous: str = "login"


def any_staff(viewer: Viewer, probe: Probe | None = None) -> bool:
    return viewer.user is not None


def campaign_row_visible(viewer: Viewer, probe: Probe) -> bool:
    label = "campaigns.finding" if probe.label.startswith("hazard") else "campaigns.activity"
    return POLICY[label].may_view(viewer, probe)


CAMPAIGN_LEADERS = CAMPAIGN_ROLES - {Role.GRID_WORKER}


def campaign_takes_viewer_part(viewer: Viewer, probe: Probe) -> bool:
    """A leader's units take part in the campaign: its lead unit lies in their subtree or above it."""
    if viewer.role not in CAMPAIGN_LEADERS:
        return False
    path, lead = viewer.unit.path, probe.unit.path
    return viewer.sees_everything or lead.startswith(path) or path.startswith(lead)


def inquiry_visible(viewer: Viewer, probe: Probe) -> bool:
    return POLICY["grievances.inquiry"].may_view(viewer, probe)


def article_visible(viewer: Viewer, probe: Probe) -> bool:
    return POLICY["articles.article"].may_view(viewer, probe)


CUSTOM_ADMIN_URLS: dict[str, Endpoint] = {
    # Importing a printed page creates drafts and editions: the reviewers' work (articles.access.user_may_import).
    "admin:articles_article_import": Endpoint("GET", may=lambda viewer: viewer.role in REVIEWERS | ADMIN),
    # The publication schedule: every newsroom member sees what goes out when (of the articles they may see).
    "admin:articles_article_schedule": Endpoint("GET", may=lambda viewer: viewer.role in NEWSROOM | ADMIN),
    # A GET of a workflow step leads back to the article; someone who may not see it gets the 404.
    "admin:articles_article_workflow": Endpoint(
        "GET", may=article_visible, ok=frozenset({302}), model="articles.article",
        kwargs=lambda pk: {"pk": pk, "step": "submit"},
    ),
    # The outbox's counts per day, kind and channel: whoever may read the outbox.
    "admin:notices_notice_report": Endpoint("GET", may=lambda viewer: viewer.role in {Role.SUPERVISOR} | ADMIN),
    "admin:auth_user_password_change": Endpoint(
        "GET", may=lambda viewer, probe: viewer.sees_everything, model="auth.user", kwargs=lambda pk: {"id": pk}
    ),
}

BACK_OFFICE: dict[str, Endpoint] = {
    "notices:inbox": Endpoint("GET", may=any_staff),
    "notices:preferences": Endpoint("GET", may=any_staff),
    "notices:inbox_mark_all_read": Endpoint("POST", may=any_staff, ok=frozenset({302})),
    "notices:inbox_mark_read": Endpoint(
        "POST", may=addressed_to_viewer, ok=frozenset({302}), model="notices.notice", kwargs=lambda pk: {"notice_id": pk}
    ),
    "articles:preview": Endpoint("GET", may=article_visible, model="articles.article", kwargs=lambda pk: {"pk": pk}),
    # The editor's upload endpoint answers JSON, never a login page; allowed without a file is "no file" (400).
    # The field pages of campaign staff: their own units' activities and findings; a step answers with a redirect
    # (to the page, with the outcome as a message) whether or not the workflow allowed it.
    "campaigns-field:home": Endpoint("GET", may=lambda viewer: viewer.role in CAMPAIGN_ROLES),
    "campaigns-field:activity_new": Endpoint("GET", may=lambda viewer: viewer.role in CAMPAIGN_ROLES),
    "campaigns-field:activity": Endpoint("GET", may=campaign_row_visible, model="campaigns.activity",
                                         kwargs=lambda pk: {"pk": pk}),  # fmt: skip
    "campaigns-field:activity_edit": Endpoint("GET", may=campaign_row_visible, model="campaigns.activity",
                                              kwargs=lambda pk: {"pk": pk}),  # fmt: skip
    "campaigns-field:finding_new": Endpoint("GET", may=campaign_row_visible, model="campaigns.activity",
                                            kwargs=lambda pk: {"pk": pk}),  # fmt: skip
    "campaigns-field:activity_step": Endpoint("POST", may=campaign_row_visible, model="campaigns.activity",
                                              ok=frozenset({302}), kwargs=lambda pk: {"pk": pk, "name": "hold"}),  # fmt: skip
    "campaigns-field:finding": Endpoint("GET", may=campaign_row_visible, model="campaigns.finding",
                                        kwargs=lambda pk: {"pk": pk}),  # fmt: skip
    "campaigns-field:finding_step": Endpoint("POST", may=campaign_row_visible, model="campaigns.finding",
                                             ok=frozenset({302}), kwargs=lambda pk: {"pk": pk, "name": "start"}),  # fmt: skip
    "campaigns-field:ledger": Endpoint("GET", may=lambda viewer: viewer.role in CAMPAIGN_ROLES),
    # A built ledger is its requester's alone; the matrix has none (activity ids stand in), so all are refused.
    "campaigns-field:ledger_download": Endpoint("GET", may=lambda viewer, probe=None: False, model="campaigns.activity",
                                                kwargs=lambda pk: {"pk": pk}),  # fmt: skip
    # The leaders' dashboard: district, street and community staff (not grid workers); a campaign's page for those
    # whose units take part in it (a street's own campaign is not its neighbours').
    "campaigns-field:dashboard": Endpoint("GET", may=lambda viewer: viewer.role in CAMPAIGN_LEADERS),
    "campaigns-field:dashboard_campaign": Endpoint("GET", may=campaign_takes_viewer_part, model="campaigns.campaign",
                                                   kwargs=lambda pk: {"pk": pk}),  # fmt: skip
    # The inquiry desk: handlers and dispatchers; an inquiry out of reach is the same 404 as a missing one. A
    # step answers with a redirect, or 400 and the reason when the workflow refuses it (a dispatcher "accepting");
    # a reveal shows the page (the lead unit) or leads back with the refusal.
    "grievances-desk:list": Endpoint("GET", may=lambda viewer: viewer.role in INQUIRY_STAFF),
    "grievances-desk:new": Endpoint("GET", may=lambda viewer: viewer.role in INQUIRY_STAFF),
    "grievances-desk:figures": Endpoint("GET", may=lambda viewer: viewer.role in INQUIRY_STAFF),  # own units' rows
    "grievances-desk:detail": Endpoint("GET", may=inquiry_visible, model="grievances.inquiry",
                                       kwargs=lambda pk: {"pk": pk}),  # fmt: skip
    "grievances-desk:step": Endpoint("POST", may=inquiry_visible, model="grievances.inquiry",
                                     ok=frozenset({302, 400}), kwargs=lambda pk: {"pk": pk, "name": "accept"}),  # fmt: skip
    "grievances-desk:reveal": Endpoint("POST", may=inquiry_visible, model="grievances.inquiry",
                                       ok=frozenset({200, 302}), kwargs=lambda pk: {"pk": pk}),  # fmt: skip
    "grievances-desk:extension_decide": Endpoint("POST", may=inquiry_visible, model="grievances.inquiry",
                                                 ok=frozenset({302}), kwargs=lambda pk: {"pk": pk}),  # fmt: skip
    # A resident's photo: the probes have none, so an allowed viewer gets the missing photo's 404 here; who sees an
    # existing one is tested in tests/grievances (the lead unit's staff, not another unit's, never the public).
    "grievances-desk:photo": Endpoint("GET", may=inquiry_visible, model="grievances.inquiry", ok=frozenset({404}),
                                      kwargs=lambda pk: {"pk": pk, "photo": SAMPLE_UUID}),  # fmt: skip
    # Warnings: any staff member lists their own; issuers issue; a board and its re-send are the issuer's own.
    "alerts:list": Endpoint("GET", may=any_staff),
    "alerts:new": Endpoint("GET", may=lambda viewer: viewer.role in {Role.STREET_STAFF, Role.SUPERVISOR,
                                                                         Role.DISTRICT_ADMIN}),  # fmt: skip
    "alerts:board": Endpoint("GET", may=own, model="alerts.alert", kwargs=lambda pk: {"alert_id": pk}),
    "alerts:resend": Endpoint("POST", may=own, model="alerts.alert", ok=frozenset({302}),
                              kwargs=lambda pk: {"alert_id": pk}),  # fmt: skip
    "articles:photo_upload": Endpoint(
        "POST", may=lambda viewer: viewer.role in NEWSROOM | ADMIN, ok=frozenset({400}), anonymous="403"
    ),
}


# --- The world --------------------------------------------------------------------------------------------

PLACEMENT = {
    Role.REPORTER: "newsroom",
    Role.CORRESPONDENT: "community_a",  # a community's correspondent: its reporter, not its staff
    Role.PHOTOGRAPHER: "newsroom",
    Role.EDITOR: "newsroom",
    Role.DEPUTY_CHIEF: "newsroom",
    Role.CHIEF_EDITOR: "newsroom",
    Role.STREET_STAFF: "street_a",
    Role.COMMUNITY_STAFF: "community_b",
    Role.GRID_WORKER: "grid_a",
    Role.DEPARTMENT_HANDLER: "department",
    Role.SUPERVISOR: "street_b",
    Role.DISTRICT_ADMIN: "district",
}
assert set(PLACEMENT) == set(Role), "every role of pingcheng.directory.models.Role needs a unit in the matrix"


def _small_jpeg() -> io.BytesIO:
    data = io.BytesIO()
    Image.new("RGB", (64, 48), "#4a7ab0").save(data, "JPEG")
    data.seek(0)
    return data


def _build_world() -> World:
    world = World()
    units = world.units
    units["district"] = district()
    units["newsroom"] = newsroom()
    units["street_a"] = UnitFactory(code="street-a", name="新旺街道", kind=Unit.Kind.STREET, parent=units["district"])
    units["street_b"] = UnitFactory(code="street-b", name="振华街道", kind=Unit.Kind.STREET, parent=units["district"])
    units["community_a"] = UnitFactory(code="community-a", name="柳园社区", kind=Unit.Kind.COMMUNITY,
                                       parent=units["street_a"])  # fmt: skip
    units["community_b"] = UnitFactory(code="community-b", name="古楼社区", kind=Unit.Kind.COMMUNITY,
                                       parent=units["street_b"])  # fmt: skip
    units["grid_a"] = UnitFactory(code="grid-a", name="柳园第一网格", kind=Unit.Kind.GRID, parent=units["community_a"])
    units["department"] = UnitFactory(code="chengguan", name="城管局", kind=Unit.Kind.DEPARTMENT, parent=units["district"])

    for role, unit_name in PLACEMENT.items():
        user = staff(role, units[unit_name], username=f"matrix-{role}")
        world.viewers[role] = Viewer(name=role, role=role, user=user, unit=units[unit_name])
    world.viewers["staff_without_membership"] = Viewer(
        name="staff_without_membership", user=UserFactory(username="matrix-no-membership")
    )
    world.viewers["anonymous"] = Viewer(name="anonymous")

    rows = world.rows
    rows["other_reporter"] = staff(Role.REPORTER, units["newsroom"], username="matrix-other-reporter")
    memberships = Membership.objects.select_related("unit")
    rows["membership_street_a"] = memberships.get(user=world.user(Role.STREET_STAFF))
    rows["membership_community_b"] = memberships.get(user=world.user(Role.COMMUNITY_STAFF))
    rows["membership_newsroom"] = memberships.get(user=rows["other_reporter"])
    rows["group"] = Group.objects.create(name="编辑组")
    rows["contributor"] = Contributor.objects.create(name="马向英", kind=Contributor.Kind.CORRESPONDENT,
                                                     unit=units["community_a"])  # fmt: skip
    photographer = Contributor.objects.create(name="曹飞", kind=Contributor.Kind.PHOTOGRAPHER,
                                              user=world.user(Role.PHOTOGRAPHER))  # fmt: skip
    rows["section"] = Section.objects.create(name="基层", slug="jiceng")
    rows["series"] = Series.objects.create(title="继往开来", slug="jiwang-kailai")
    rows["edition"] = Edition.objects.create(date=date(2025, 7, 18), number=1268)
    rows["page"] = Page.objects.create(edition=rows["edition"], number=2, name="平城新闻")
    rows["own_draft"] = ArticleFactory(headline="新旺街道开展防汛演练", created_by=world.user(Role.REPORTER))
    Credit.objects.create(article=rows["own_draft"], contributor=photographer, role=Credit.Role.PHOTOGRAPHER)
    now = timezone.now()
    rows["other_article"] = ArticleFactory(
        headline="振华街道志愿服务", created_by=rows["other_reporter"], status=Article.Status.PUBLISHED,
        publish_at=now - timedelta(hours=2), published_at=now - timedelta(hours=2), section=rows["section"],
    )  # fmt: skip
    rows["decision"] = ReviewDecision.objects.create(
        article=rows["other_article"], round=1, level=ReviewDecision.Level.FINAL,
        outcome=ReviewDecision.Outcome.PASS, reviewer=world.user(Role.CHIEF_EDITOR),
    )  # fmt: skip
    rows["front_slot"] = FrontSlot.objects.create(position=FrontSlot.Position.LEAD, article=rows["other_article"])
    rows["correction"] = Correction.objects.create(article=rows["other_article"], text="第二段人名有误，已更正。",
                                                   by=world.user(Role.CHIEF_EDITOR))  # fmt: skip
    for name, role in (("notice_reporter", Role.REPORTER), ("notice_street", Role.STREET_STAFF)):
        rows[name] = Notice.objects.create(key=f"matrix:{role}", kind="matrix", channel=Notice.Channel.INBOX,
                                           user=world.user(role), template="matrix", sent_at=now)  # fmt: skip
    rows["subscriber"] = Subscriber.objects.create(email="matrix@example.com", confirmed_at=now)
    for name, role in (("photo_reporter", Role.REPORTER), ("photo_street", Role.STREET_STAFF)):
        rows[name] = photo_create(file=_small_jpeg(), caption=f"{name} 图片说明", uploaded_by=world.user(role))
    _campaign_rows(world)
    _grievance_rows(world)
    _alert_rows(world)
    rows["workday_override"] = WorkdayOverride.objects.create(date=date(2026, 10, 10), is_workday=True, note="调休")
    rows["workday_year"] = WorkdayYear.objects.create(year=2027)
    # Rows of apps that other changes are still bringing in are made only where the app is installed.
    if _installed("axes"):
        rows["login_attempt"] = apps.get_model("axes", "AccessAttempt").objects.create(
            username="someone", ip_address="203.0.113.9", user_agent="test", http_accept="*/*", path_info="/admin/login/",
            failures_since_start=2, attempt_time=now,
        )  # fmt: skip
    if _installed("auditlog"):
        rows["log_entry"] = apps.get_model("auditlog", "LogEntry").objects.create(
            content_type=ContentType.objects.get_for_model(Section), object_pk=str(rows["section"].pk),
            object_id=rows["section"].pk, object_repr=str(rows["section"]), action=1, changes={"name": ["乡镇", "基层"]},
        )  # fmt: skip
    if _installed("audit"):
        admin_user = world.user(Role.DISTRICT_ADMIN)
        rows["export"] = apps.get_model("audit", "PersonalDataExport").objects.create(
            user=admin_user, username=admin_user.username, what="群众诉求台账", count=12
        )
    return world


def _campaign_rows(world: World) -> None:
    from campaigns.models import Activity, Campaign, CampaignType, Finding

    rows, units = world.rows, world.units
    rows["campaign_type"] = kind = CampaignType.objects.create(name="防汛", slug="fangxun")
    today = timezone.localdate()
    period = {"campaign_type": kind, "starts_on": today - timedelta(days=30), "ends_on": today + timedelta(days=30)}
    rows["campaign_street_a"] = Campaign.objects.create(title="新旺街道防汛巡查", slug="xw-fangxun",
                                                        level=Campaign.Level.STREET, lead_unit=units["street_a"], **period)  # fmt: skip
    rows["campaign_district"] = Campaign.objects.create(title="平城区防汛", slug="pc-fangxun",
                                                        level=Campaign.Level.DISTRICT, lead_unit=units["district"], **period)  # fmt: skip
    now = timezone.now()
    rows["activity_grid_a"] = Activity.objects.create(campaign=rows["campaign_district"], unit=units["grid_a"],
                                                      title="涵洞积水巡查", starts_at=now, status=Activity.Status.HELD)  # fmt: skip
    rows["activity_community_b"] = Activity.objects.create(campaign=rows["campaign_district"], unit=units["community_b"],
                                                           title="防汛知识宣传", starts_at=now)  # fmt: skip
    rows["finding_grid_a"] = Finding.objects.create(activity=rows["activity_grid_a"], location="公路涵洞",
                                                    description="排水口堵塞", responsible_unit=units["community_a"],
                                                    found_at=now)  # fmt: skip
    # A campaign with activities is never deleted (PROTECT), so neither probe offers deletion.
    Activity.objects.create(campaign=rows["campaign_street_a"], unit=units["street_a"], title="防汛演练", starts_at=now)


def _grievance_rows(world: World) -> None:
    from grievances.models import AnswerTemplate, DeadlinePolicy, FaqEntry, Inquiry, Topic
    from grievances.services import inquiry_submit

    rows, units = world.rows, world.units
    rows["inquiry_topic"] = topic = Topic.objects.create(name="城市管理", slug="chengguan", default_unit=units["department"])
    street_topic = Topic.objects.create(name="社区事务", slug="shequ", default_unit=units["street_a"])
    rows["deadline_policy"] = DeadlinePolicy.objects.create(kind=Inquiry.Kind.CONSULT, working_days=3)
    rows["answer_template"] = AnswerTemplate.objects.create(topic=topic, unit=units["department"], title="占道经营",
                                                            text="已安排执法人员核查。")  # fmt: skip
    rows["faq_street_a"] = FaqEntry.objects.create(topic=street_topic, unit=units["street_a"], question="如何办理居住证明？",
                                                   answer="请到社区服务站办理。")  # fmt: skip
    for name, chosen in (("inquiry_department", topic), ("inquiry_street_a", street_topic)):
        rows[name] = inquiry_submit(kind=Inquiry.Kind.CONSULT, topic=chosen, place_unit=None, title="咨询",
                                    text="请问如何办理。", name="", phone="13800001111", publish_consent=False,
                                    idempotency_key=f"matrix-{name}")  # fmt: skip


def _alert_rows(world: World) -> None:
    from pingcheng.alerts.models import Alert
    from pingcheng.notices.models import StaffNoticePreference

    alert = Alert.objects.create(title="暴雨橙色预警", text="注意防汛", issued_by=world.user(Role.STREET_STAFF))
    alert.units.set([world.units["community_a"]])
    world.rows["alert_street"] = alert
    world.rows["staff_phone"] = StaffNoticePreference.objects.create(user=world.user(Role.GRID_WORKER), phone="13900000009")


def _installed(app_label: str) -> bool:
    return any(config.label == app_label for config in apps.get_app_configs())


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker) -> Iterator[World]:
    """Built once for the module inside a transaction that is rolled back at its end; each test's own
    transaction (a savepoint within it) undoes what that test's requests wrote, such as a notice read."""
    with django_db_blocker.unblock(), transaction.atomic():
        yield _build_world()
        transaction.set_rollback(True)


# --- The registries ---------------------------------------------------------------------------------------

STANDARD_VIEWS = ("changelist", "add", "change", "delete", "history")


def _admin_label(model_admin) -> str:
    return model_admin.model._meta.label_lower


def _custom_admin_url_names() -> set[str]:
    names = set()
    for model, model_admin in admin.site._registry.items():
        standard = {f"{model._meta.app_label}_{model._meta.model_name}_{view}" for view in STANDARD_VIEWS}
        names |= {f"admin:{p.name}" for p in model_admin.get_urls() if p.name and p.name not in standard}
    return names


# A value a <uuid:…> route resolves ("x" would not, and the route would look public).
SAMPLE_UUID = "00000000-0000-4000-8000-000000000000"


@dataclass(frozen=True)
class Route:
    name: str  # "namespace:name", or the route itself for an unnamed pattern
    route: str
    converters: dict


def _routes(resolver: URLResolver | None = None, prefix: str = "", namespace: str = "") -> Iterator[Route]:
    """Every URL pattern outside the admin site, with its full route."""
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            inner = ":".join(part for part in (namespace, entry.namespace) if part)
            if entry.namespace == "admin" and entry.app_name == "admin":
                continue  # the admin site: walked through admin.site._registry instead
            yield from _routes(entry, prefix + str(entry.pattern), inner)
        elif isinstance(entry, URLPattern):
            route = prefix + str(entry.pattern)
            name = f"{namespace}:{entry.name}" if namespace and entry.name else (entry.name or route)
            yield Route(name=name, route=route, converters=getattr(entry.pattern, "converters", {}))


def _sample_path(route: Route) -> str:
    """The route with a sample value for each parameter: any value will do, a refusal comes before the lookup."""
    if any(char in route.route for char in "^$()[]\\"):
        pytest.fail(f"{route.name}: a regular-expression route the matrix cannot fill in ({route.route!r})")

    def sample(match: re.Match) -> str:
        return {"int": "1", "uuid": SAMPLE_UUID}.get(match.group(1), "x")

    return "/" + re.sub(r"<(?:(\w+):)?(\w+)>", sample, route.route)


def _login_url() -> str:
    return resolve_url(settings.LOGIN_URL)


def _refuses_anonymous(client: Client, path: str) -> bool:
    response = client.get(path)
    if response.status_code == 405:
        response = client.post(path)
    if response.status_code in (401, 403):
        return True
    return response.status_code in (301, 302, 303) and response["Location"].startswith(_login_url())


def test_every_registered_admin_has_a_policy():
    registered = {_admin_label(model_admin) for model_admin in admin.site._registry.values()}
    undeclared = sorted(registered - set(POLICY))
    assert not undeclared, (
        f"ModelAdmins without a rule in POLICY (tests/test_permission_matrix.py): {undeclared}. Declare which roles "
        "may view, add, change and delete them, which rows each sees, and one or two sample rows."
    )


def test_every_policy_entry_names_a_registered_admin():
    registered = {_admin_label(model_admin) for model_admin in admin.site._registry.values()}
    # An entry may be written before its app is installed; once installed, its admin must exist.
    stale = sorted(label for label in set(POLICY) - registered if _installed(label.split(".")[0]))
    assert not stale, f"POLICY names admins that are not registered: {stale}"


def test_every_policy_entry_has_sample_rows(world):
    registered = {_admin_label(model_admin) for model_admin in admin.site._registry.values()}
    without = sorted(label for label, rule in POLICY.items() if label in registered and not rule.probes(world))
    assert not without, f"POLICY entries without sample rows to open: {without}"


def test_every_custom_admin_url_has_a_policy():
    found = _custom_admin_url_names()
    assert found == set(CUSTOM_ADMIN_URLS), (
        f"custom admin URLs (ModelAdmin.get_urls) without an entry in CUSTOM_ADMIN_URLS: "
        f"{sorted(found - set(CUSTOM_ADMIN_URLS))}; entries for URLs that are gone: {sorted(set(CUSTOM_ADMIN_URLS) - found)}"
    )


def test_every_back_office_url_has_a_policy():
    """Ask every non-admin URL pattern anonymously: those that refuse a visitor are the back office."""
    client = Client(raise_request_exception=False)
    refusing = {route.name for route in _routes() if _refuses_anonymous(client, _sample_path(route))}
    assert refusing == set(BACK_OFFICE), (
        f"URLs that refuse anonymous visitors without an entry in BACK_OFFICE: {sorted(refusing - set(BACK_OFFICE))}; "
        f"entries that no longer refuse them (or are gone): {sorted(set(BACK_OFFICE) - refusing)}"
    )


def test_the_walk_finds_the_known_back_office_views_and_leaves_public_pages_alone():
    """The discovery above would pass vacuously if it found nothing: it sees the inbox and not the news."""
    client = Client(raise_request_exception=False)
    routes = {route.name: route for route in _routes()}
    assert _refuses_anonymous(client, _sample_path(routes["notices:inbox"]))
    assert _refuses_anonymous(client, _sample_path(routes["articles:preview"]))
    assert not _refuses_anonymous(client, _sample_path(routes["articles:list"]))
    assert not _refuses_anonymous(client, _sample_path(routes["articles:detail"]))


# --- The matrix -------------------------------------------------------------------------------------------


class Matrix:
    """Sends the requests for one viewer and collects every answer that breaks the policy."""

    def __init__(self, world: World, viewer: Viewer):
        self.world = world
        self.viewer = viewer
        self.client = Client(raise_request_exception=False)
        if viewer.user is not None:
            self.client.force_login(viewer.user, backend="django.contrib.auth.backends.ModelBackend")
        self.failures: list[str] = []
        self.requests = 0
        self._missing: dict[tuple[str, str], tuple[int, str]] = {}

    def request(self, method: str, url: str):
        self.requests += 1
        response = self.client.get(url) if method == "GET" else self.client.post(url)
        if response.status_code >= 500:
            self.fail(method, url, "never a server error", response)
        return response

    def fail(self, method: str, url: str, expected: str, response) -> None:
        where = response.get("Location", "")
        self.failures.append(f"{method} {url}: expected {expected}, got {response.status_code} {where}".rstrip())

    def is_denial(self, response) -> bool:
        if response.status_code in (403, 404):
            return True
        location = response.get("Location", "")
        return response.status_code == 302 and (
            location.startswith(_login_url()) or location == reverse("admin:index")
        )

    def expect(self, method: str, url: str, allowed: bool, ok=frozenset({200}), anonymous: str = "login"):
        response = self.request(method, url)
        if self.viewer.user is None:
            if anonymous == "login":
                if not (response.status_code == 302 and response["Location"].startswith(_login_url())):
                    self.fail(method, url, "a redirect to the login page", response)
            elif response.status_code != int(anonymous):
                self.fail(method, url, anonymous, response)
        elif allowed and response.status_code not in ok:
            self.fail(method, url, f"allowed ({'/'.join(map(str, sorted(ok)))})", response)
        elif not allowed and not self.is_denial(response):
            self.fail(method, url, "refused (403, 404 or a redirect)", response)
        return response

    def remember_missing(self, method: str, missing_url: str, response) -> None:
        self._missing[method, missing_url] = (response.status_code, response.get("Location", ""))

    def expect_same_as_missing(self, method: str, url: str, missing_url: str, response) -> None:
        """A row the viewer may not reach must look exactly like a row that does not exist."""
        expected = self._missing[method, missing_url]
        if (response.status_code, response.get("Location", "").replace(url, missing_url)) != expected:
            self.fail(method, url, "the answer for a missing id ({} {})".format(*expected), response)

    def admin(self, label: str, rule: Rule) -> None:
        app_label, model_name = label.split(".")
        prefix = f"admin:{app_label}_{model_name}"
        changelist_url = reverse(f"{prefix}_changelist")
        probes = rule.probes(self.world)
        response = self.expect("GET", changelist_url, rule.may_view(self.viewer))
        if response.status_code == 200 and self.viewer.user is not None:
            html = response.text
            for probe in probes:
                link = f'href="{reverse(f"{prefix}_change", args=[probe.obj.pk])}'
                if rule.may_view(self.viewer, probe) != (link in html):
                    listed = "listed" if link in html else "not listed"
                    self.failures.append(f"GET {changelist_url}: {probe.label} {listed}, contrary to the policy")
        self.expect("GET", reverse(f"{prefix}_add"), rule.may_add(self.viewer))
        for view, may in (("change", rule.may_view), ("history", rule.may_view), ("delete", rule.may_delete)):
            missing_url = reverse(f"{prefix}_{view}", args=[MISSING_ID])
            self.remember_missing("GET", missing_url, self.expect("GET", missing_url, allowed=False))
            for probe in probes:
                url = reverse(f"{prefix}_{view}", args=[probe.obj.pk])
                allowed = may(self.viewer, probe)
                response = self.expect("GET", url, allowed)
                if self.viewer.user is None:
                    continue
                if not allowed and not rule.may_view(self.viewer, probe):
                    self.expect_same_as_missing("GET", url, missing_url, response)
                if view == "change" and response.status_code == 200:
                    offers_save = 'name="_save"' in response.text
                    if offers_save != rule.may_change(self.viewer, probe):
                        self.failures.append(f"GET {url}: {probe.label} "
                                             f"{'offers' if offers_save else 'does not offer'} a save button, "
                                             "contrary to the policy")  # fmt: skip

    def endpoint(self, name: str, endpoint: Endpoint) -> None:
        if endpoint.model is None:
            allowed = self.viewer.user is not None and endpoint.may(self.viewer)
            self.expect(endpoint.method, reverse(name), allowed, endpoint.ok, endpoint.anonymous)
            return
        missing_url = reverse(name, kwargs=endpoint.kwargs(MISSING_ID))
        missing = self.expect(endpoint.method, missing_url, False, endpoint.ok, endpoint.anonymous)
        self.remember_missing(endpoint.method, missing_url, missing)
        for probe in POLICY[endpoint.model].probes(self.world):
            url = reverse(name, kwargs=endpoint.kwargs(probe.obj.pk))
            allowed = self.viewer.user is not None and endpoint.may(self.viewer, probe)
            response = self.expect(endpoint.method, url, allowed, endpoint.ok, endpoint.anonymous)
            if self.viewer.user is not None and not allowed:
                self.expect_same_as_missing(endpoint.method, url, missing_url, response)

    def admin_indexes(self) -> None:
        self.expect("GET", reverse("admin:index"), allowed=True)
        for app_label in sorted({model._meta.app_label for model in admin.site._registry}):
            labels = [label for label in POLICY if label.startswith(f"{app_label}.")]
            allowed = any(POLICY[label].may_view(self.viewer) for label in labels)
            self.expect("GET", reverse("admin:app_list", args=[app_label]), allowed)


VIEWERS = [*PLACEMENT, "staff_without_membership", "anonymous"]


@pytest.fixture
def quiet_refusals():
    """Thousands of 403s and 404s each log a warning with a traceback; server errors (ERROR) still show."""
    logger = logging.getLogger("django.request")
    level = logger.level
    logger.setLevel(logging.ERROR)
    yield
    logger.setLevel(level)


def test_the_history_of_a_row_of_a_model_you_may_not_see_looks_like_a_missing_row(world):
    """Django's history view looks the row up before it checks permission; ours refuses first."""
    client = Client(raise_request_exception=False)
    client.force_login(world.user(Role.STREET_STAFF), backend="django.contrib.auth.backends.ModelBackend")
    existing = client.get(reverse("admin:articles_section_history", args=[world.rows["section"].pk]))
    missing = client.get(reverse("admin:articles_section_history", args=[MISSING_ID]))
    assert (existing.status_code, existing.get("Location")) == (missing.status_code, missing.get("Location"))


@pytest.mark.parametrize("viewer_name", VIEWERS)
def test_every_back_office_url_answers_this_viewer_as_the_policy_says(world, viewer_name, quiet_refusals):
    matrix = Matrix(world, world.viewers[viewer_name])
    matrix.admin_indexes()
    for model_admin in admin.site._registry.values():
        label = _admin_label(model_admin)
        if label in POLICY:  # an undeclared admin fails test_every_registered_admin_has_a_policy
            matrix.admin(label, POLICY[label])
    for name, endpoint in {**CUSTOM_ADMIN_URLS, **BACK_OFFICE}.items():
        matrix.endpoint(name, endpoint)
    assert matrix.requests > 100
    assert not matrix.failures, f"{viewer_name}: {len(matrix.failures)} answer(s) break the policy:\n" + "\n".join(
        matrix.failures
    )
