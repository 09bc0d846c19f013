"""The audit log: every staff write in every product names its actor and the fields it changed; only the
district administrator reads the log, and nobody edits or deletes it."""

import datetime
import io
import logging

import pytest
from auditlog.models import LogEntry
from auditlog.registry import auditlog
from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from articles.models import Article, ArticlePhoto, Correction, Credit, Edition, Page, Section, Series
from pingcheng.audit.models import PersonalDataExport
from pingcheng.audit.registry import SECRET_SHOWN_AS, audit_exemptions
from pingcheng.audit.services import personal_data_export_logged
from pingcheng.directory.models import Contributor, Membership, Role, Unit
from pingcheng.directory.services import unit_save
from pingcheng.models import WorkdayOverride, WorkdayYear
from pingcheng.notices.models import Notice, Subscriber
from pingcheng.photos.models import Photo
from pingcheng.photos.services import photo_create
from tests.factories import ArticleFactory, UnitFactory, UserFactory, district, staff

pytestmark = pytest.mark.django_db

User = get_user_model()
CHANGELIST = "/admin/audit/auditentry/"  # auditlog's LogEntry rows, through the Chinese-named proxy
EXPORTS = "/admin/audit/personaldataexport/"


def entries_for(obj, action=LogEntry.Action.UPDATE):
    return LogEntry.objects.get_for_object(obj).filter(action=action).order_by("pk")


@pytest.fixture
def district_admin():
    return staff(Role.DISTRICT_ADMIN, username="district_admin")


@pytest.fixture
def superuser():
    return UserFactory(username="root", is_superuser=True)


# --- every product's models are audited -----------------------------------------------------------------


AUDITED = [Article, Credit, ArticlePhoto, Correction, Edition, Page, Section, Series, Photo, Unit, Membership,
           Contributor, User, WorkdayOverride, WorkdayYear, Notice]  # fmt: skip


@pytest.mark.parametrize("model", AUDITED, ids=lambda model: model._meta.label)
def test_the_models_staff_write_are_registered_for_auditing(model):
    assert auditlog.contains(model)


def test_every_model_of_the_project_is_audited_or_exempt_with_a_reason():
    # A product added later (campaigns, the inquiry desk) must decide for each model: audit it or say why not.
    ours = [config for config in apps.get_app_configs() if config.name.split(".")[0] in {"pingcheng", "articles",
                                                                                         "campaigns", "grievances"}]
    exempt = audit_exemptions()
    undecided = [
        model._meta.label
        for config in ours
        for model in config.get_models()
        if not auditlog.contains(model) and model not in exempt
    ]
    assert undecided == []
    assert all(reason.strip() for reason in exempt.values())


# --- a staff write in each product ----------------------------------------------------------------------


def _inline_management(prefix: str) -> dict:
    return {f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0", f"{prefix}-MIN_NUM_FORMS": "0",
            f"{prefix}-MAX_NUM_FORMS": "1000"}  # fmt: skip


def test_an_article_edit_through_the_admin_names_the_editor_and_the_changed_field(client, desk):
    article = ArticleFactory(created_by=desk["reporter"])
    client.force_login(desk["editor"])
    data = {"headline": article.headline, "kicker": article.kicker, "subtitle": "", "dateline": "xun",
            "lead": "编辑补写的导语", "body": article.body, "tags": "", "series_part": "", "page_order": "",
            "responsible_editor": "", "source": "", "original_author": "", "original_title": "",
            "expected_version": str(article.version),
            **_inline_management("credits"), **_inline_management("figures")}  # fmt: skip

    response = client.post(reverse("admin:articles_article_change", args=[article.pk]), data)

    assert response.status_code == 302, response.text[:2000]
    entry = entries_for(article).get()
    assert entry.actor == desk["editor"] and entry.remote_addr == "127.0.0.1"
    assert entry.changes_dict["lead"] == ["", "编辑补写的导语"]
    # Derived and noisy fields never make an entry longer.
    assert not {"search_text", "char_count", "edited_at", "version"} & set(entry.changes_dict)


def test_an_article_saved_without_a_change_makes_no_entry(client, desk):
    article = ArticleFactory(created_by=desk["reporter"])
    article.save()
    assert not entries_for(article).exists()


def _photo_upload() -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 40, 40)).save(buffer, "JPEG")
    return SimpleUploadedFile("photo.jpg", buffer.getvalue(), content_type="image/jpeg")


def test_a_photo_caption_change_names_who_changed_it(client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    photographer = staff(Role.PHOTOGRAPHER, username="photographer")
    photo = photo_create(file=_photo_upload(), caption="原来的说明", uploaded_by=photographer)
    client.force_login(photographer)

    response = client.post(
        reverse("admin:photos_photo_change", args=[photo.pk]),
        {"caption": "志愿者清理小广告", "alt_text": "", "credit": "", "taken_on": ""},
    )

    assert response.status_code == 302, response.text[:2000]
    entry = entries_for(photo).get()
    assert entry.actor == photographer
    assert entry.changes_dict == {"caption": ["原来的说明", "志愿者清理小广告"]}


def test_a_unit_change_by_the_district_admin_is_recorded(client, district_admin):
    street = UnitFactory(code="xinwang", name="新旺街道", kind=Unit.Kind.STREET, parent=district())
    client.force_login(district_admin)

    response = client.post(reverse("admin:directory_unit_change", args=[street.pk]), {
        "name": "新旺街道", "short_name": "新旺", "code": "xinwang", "kind": Unit.Kind.STREET,
        "parent": district().pk, "address": "新旺路1号", "public_phones": "", "description": "",
        "sort_order": "100", "is_active": "on",
    })  # fmt: skip

    assert response.status_code == 302, response.text[:2000]
    entry = entries_for(street).get()
    assert entry.actor == district_admin
    assert entry.changes_dict["address"] == ["", "新旺路1号"]
    assert not {"path", "depth"} & set(entry.changes_dict)


def test_a_workday_override_added_in_the_admin_is_recorded(client, district_admin):
    client.force_login(district_admin)

    response = client.post(reverse("admin:pingcheng_workdayoverride_add"),
                           {"date": "2027-02-06", "is_workday": "on", "note": "春节调休补班"})  # fmt: skip

    assert response.status_code == 302, response.text[:2000]
    override = WorkdayOverride.objects.get(date=datetime.date(2027, 2, 6))
    entry = entries_for(override, LogEntry.Action.CREATE).get()
    assert entry.actor == district_admin
    assert entry.changes_dict["note"] == ["None", "春节调休补班"]
    assert "updated_at" not in entry.changes_dict


def test_a_password_change_is_recorded_without_the_hash(district_admin):
    user = UserFactory(username="clerk")
    old_hash = user.password
    user.set_password("a-new-password-2")
    user.save()

    entry = entries_for(user).get()
    assert entry.changes_dict["password"] == [SECRET_SHOWN_AS, SECRET_SHOWN_AS]
    assert old_hash not in str(entry.changes) and user.password not in str(entry.changes)


def test_making_an_account_staff_or_superuser_is_recorded_with_the_actor(client, superuser):
    user = UserFactory(username="clerk", is_staff=False)
    client.force_login(superuser)

    response = client.post(reverse("admin:auth_user_change", args=[user.pk]), {
        "username": "clerk", "first_name": user.first_name, "last_name": user.last_name, "email": "",
        "is_active": "on", "is_staff": "on", "is_superuser": "on", "date_joined_0": "2026-01-05",
        "date_joined_1": "09:00:00", "memberships-TOTAL_FORMS": "0", "memberships-INITIAL_FORMS": "0",
        "memberships-MIN_NUM_FORMS": "0", "memberships-MAX_NUM_FORMS": "1000",
    })  # fmt: skip

    assert response.status_code == 302, response.text[:2000]
    entry = entries_for(user).get()
    assert entry.actor == superuser
    assert entry.changes_dict["is_staff"] == ["False", "True"]
    assert entry.changes_dict["is_superuser"] == ["False", "True"]


def test_a_login_is_not_a_write(client):
    user = UserFactory(username="clerk")
    response = client.post("/admin/login/", {"username": "clerk", "password": "pw-for-tests-1", "next": "/admin/"})
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.last_login is not None
    assert not entries_for(user).exists()


def _dead_sms() -> Notice:
    resident = Subscriber.objects.create(phone="13912345678", confirmed_at=datetime.datetime.now(datetime.UTC))
    return Notice.objects.create(key="k:1", kind="test", channel=Notice.Channel.SMS, subscriber=resident,
                                 recipient="13912345678", recipient_hint="139****5678", template="t",
                                 status=Notice.Status.DEAD, attempts=5, last_error="超时")  # fmt: skip


def test_a_notice_resend_is_recorded_and_its_creation_is_not(client):
    supervisor = staff(Role.SUPERVISOR, username="supervisor")
    notice = _dead_sms()
    client.force_login(supervisor)

    response = client.post("/admin/notices/notice/", {"action": "resend", "_selected_action": [notice.pk]})

    assert response.status_code == 302, response.text[:2000]
    assert not entries_for(notice, LogEntry.Action.CREATE).exists()
    entry = entries_for(notice).get()
    assert entry.actor == supervisor
    assert entry.changes_dict["status"] == [Notice.Status.DEAD, Notice.Status.PENDING]
    assert "13912345678" not in str(entry.changes)


def test_a_write_outside_a_request_has_no_actor():
    unit = UnitFactory(code="xinwang", name="新旺街道", kind=Unit.Kind.STREET, parent=district())
    unit.address = "新旺路1号"
    unit_save(unit=unit)

    entry = entries_for(unit).get()
    assert entry.actor is None
    assert entry.changes_dict["address"] == ["", "新旺路1号"]


# --- who reads the log ----------------------------------------------------------------------------------


def test_the_district_admin_reads_the_audit_log(client, district_admin):
    unit = UnitFactory(code="xinwang", name="新旺街道", kind=Unit.Kind.STREET, parent=district())
    client.force_login(district_admin)

    listing = client.get(CHANGELIST)
    detail = client.get(f"{CHANGELIST}{LogEntry.objects.get_for_object(unit).get().pk}/change/")

    assert listing.status_code == 200
    assert "新旺街道" in listing.text
    assert detail.status_code == 200


# django-auditlog and django-axes speak English only ("Audit log", "Log entries", "Axes › Access attempts").
LIBRARY_ENGLISH = ["Audit log", "Auditlog", "Log entries", "log entries", "Log entry", "Axes", "Access attempt",
                   "access attempt"]  # fmt: skip


def test_the_admin_index_names_the_audit_trail_and_the_lockouts_in_chinese(client, district_admin):
    client.force_login(district_admin)

    index = client.get("/admin/").text

    assert "操作记录" in index and "登录锁定" in index and "个人信息导出记录" in index
    assert [word for word in LIBRARY_ENGLISH if word in index] == []


def test_the_audit_trail_list_and_entry_read_in_chinese(client, district_admin):
    unit = UnitFactory(code="xinwang", name="新旺街道", kind=Unit.Kind.STREET, parent=district())
    unit.address = "新旺路1号"
    unit_save(unit=unit)
    article = ArticleFactory(headline="新旺街道开展防汛演练")
    article.units.add(unit)
    client.force_login(district_admin)

    listing = client.get(CHANGELIST).text
    change = client.get(f"{CHANGELIST}{entries_for(unit).get().pk}/change/").text
    links = client.get(f"{CHANGELIST}{entries_for(article).get().pk}/change/").text

    for label in ["时间", "对象", "操作", "改动", "操作人", "对象类型", "1 项：地址", "系统"]:
        assert label in listing
    assert "修改：新旺街道" in change and "<th>字段</th><th>原值</th><th>新值</th>" in change
    assert "<td>新旺路1号</td>" in change
    assert "<th>关联</th><th>操作</th><th>对象</th>" in links and "<td>添加</td>" in links
    english = ["Created", "Resource", "Changes", "Correlation ID", "system", " change: ", "<th>Field</th>",
               "<th>From</th>", "<th>To</th>", "Updated ", "<th>Relationship</th>", *LIBRARY_ENGLISH]  # fmt: skip
    assert [word for word in english if word in listing + change + links] == []


def test_the_audit_trail_filters_by_action_object_type_and_search_and_ignores_unknown_values(client, district_admin):
    unit = UnitFactory(code="xinwang", name="新旺街道", kind=Unit.Kind.STREET, parent=district())
    unit.address = "新旺路1号"
    unit_save(unit=unit)
    section = Section.objects.create(name="基层", slug="jiceng")
    unit_type = ContentType.objects.get_for_model(Unit)
    client.force_login(district_admin)

    def listed(query: str) -> set[int]:
        response = client.get(f"{CHANGELIST}?{query}")
        assert response.status_code == 200
        return {entry.pk for entry in response.context["cl"].result_list}

    updates = set(LogEntry.objects.filter(action=LogEntry.Action.UPDATE).values_list("pk", flat=True))
    everything = set(LogEntry.objects.values_list("pk", flat=True))
    assert listed(f"action={LogEntry.Action.UPDATE}") == updates and updates
    units = set(LogEntry.objects.filter(content_type=unit_type).values_list("pk", flat=True))
    assert listed(f"resource_type={unit_type.pk}") == units
    assert listed("q=基层") == {entries_for(section, LogEntry.Action.CREATE).get().pk}
    assert listed("action=9") == listed("action=x") == listed("resource_type=x") == everything


@pytest.mark.parametrize("role", [Role.REPORTER, Role.CHIEF_EDITOR, Role.SUPERVISOR, Role.STREET_STAFF])
def test_other_staff_cannot_see_the_audit_log(client, role):
    unit = UnitFactory(code="xinwang", name="新旺街道", kind=Unit.Kind.STREET, parent=district())
    entry = LogEntry.objects.get_for_object(unit).get()
    client.force_login(staff(role, username=f"u-{role}"))

    assert client.get(CHANGELIST).status_code == 403
    assert client.get(f"{CHANGELIST}{entry.pk}/change/").status_code == 403
    assert client.get(EXPORTS).status_code == 403
    index = client.get("/admin/").text
    assert CHANGELIST not in index and "操作记录" not in index and "登录锁定" not in index


def test_nobody_can_change_or_delete_an_entry_through_the_admin(client, superuser):
    unit = UnitFactory(code="xinwang", name="新旺街道", kind=Unit.Kind.STREET, parent=district())
    entry = LogEntry.objects.get_for_object(unit).get()
    client.force_login(superuser)

    assert client.get(f"{CHANGELIST}{entry.pk}/delete/").status_code == 403
    assert client.post(f"{CHANGELIST}{entry.pk}/delete/", {"post": "yes"}).status_code == 403
    client.post(CHANGELIST, {"action": "delete_selected", "_selected_action": [entry.pk], "post": "yes"})
    assert client.post(f"{CHANGELIST}{entry.pk}/change/", {"object_repr": "改过的"}).status_code == 403
    assert client.get(f"{CHANGELIST}add/").status_code == 403

    entry.refresh_from_db()
    assert entry.object_repr == "新旺街道"
    assert "delete_selected" not in client.get(CHANGELIST).text


# --- exports of personal data -----------------------------------------------------------------------------


def test_an_export_of_personal_data_is_recorded_and_logged_without_the_data(caplog, district_admin, client):
    clerk = staff(Role.STREET_STAFF, username="clerk")
    with caplog.at_level(logging.INFO, logger="pingcheng.audit"):
        personal_data_export_logged(user=clerk, what="诉求台账（新旺街道，2026年5月）", count=42)

    export = PersonalDataExport.objects.get()
    assert (export.user, export.username, export.count) == (clerk, "clerk", 42)
    assert "clerk" in caplog.text and "42" in caplog.text
    client.force_login(district_admin)
    assert "诉求台账" in client.get(EXPORTS).text
    assert client.post(f"{EXPORTS}{export.pk}/delete/", {"post": "yes"}).status_code == 403


def test_the_export_record_outlives_the_account():
    clerk = staff(Role.STREET_STAFF, username="clerk")
    personal_data_export_logged(user=clerk, what="订阅者名单", count=3)
    clerk.delete()
    assert PersonalDataExport.objects.get().username == "clerk"


def test_granting_groups_and_permissions_is_recorded():
    from auditlog.models import LogEntry
    from django.contrib.auth.models import Group, Permission

    from pingcheng.directory.models import Role
    from tests.factories import staff

    assert auditlog.contains(Group) and auditlog.contains(get_user_model())
    reporter = staff(Role.REPORTER, username="granted")
    group = Group.objects.create(name="审稿组")
    permission = Permission.objects.filter(content_type__app_label="articles").first()
    group.permissions.add(permission)
    reporter.groups.add(group)
    reporter.user_permissions.add(permission)
    user_entries = LogEntry.objects.get_for_object(reporter)
    assert any("groups" in (entry.changes or {}) for entry in user_entries)
    assert any("user_permissions" in (entry.changes or {}) for entry in user_entries)
    assert any("permissions" in (entry.changes or {}) for entry in LogEntry.objects.get_for_object(group))


def test_an_account_named_in_the_trail_is_deactivated_not_deleted(client):
    from auditlog.context import set_actor
    from auditlog.models import LogEntry

    from pingcheng.directory.models import Role, Unit
    from tests.factories import UnitFactory, district, staff

    actor = staff(Role.DISTRICT_ADMIN, username="throwaway")
    with set_actor(actor):
        UnitFactory(code="xinwang-audit", name="新旺街道", kind=Unit.Kind.STREET, parent=district())
    assert LogEntry.objects.filter(actor=actor).exists()
    client.force_login(staff(Role.DISTRICT_ADMIN, username="other-admin"))
    response = client.post(reverse("admin:auth_user_delete", args=[actor.pk]), {"post": "yes"})
    assert response.status_code == 403
    assert get_user_model().objects.filter(pk=actor.pk).exists()
    assert LogEntry.objects.filter(actor=actor).exists()
