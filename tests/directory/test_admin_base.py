"""The scoped admin base: changelist, choices and objects limited to the user's units, by role and unit."""

import pytest
from django.contrib import admin
from django.contrib.admin import AdminSite
from django.contrib.messages.storage.fallback import FallbackStorage
from django.test import RequestFactory

from pingcheng.directory.admin_base import ScopedModelAdmin, unit_choices_anywhere
from pingcheng.directory.models import Membership, Role, Unit
from pingcheng.errors import DomainError
from tests.factories import UnitFactory, district, staff

pytestmark = pytest.mark.django_db

STREET_ROLES = frozenset({Role.STREET_STAFF, Role.COMMUNITY_STAFF, Role.GRID_WORKER})


class LedgerAdmin(ScopedModelAdmin):
    """A stand-in for a campaign ledger: street and community staff, scoped by the membership's unit."""

    view_roles = STREET_ROLES
    change_roles = frozenset({Role.STREET_STAFF, Role.COMMUNITY_STAFF})
    fields = ["user", "unit", "role"]


@pytest.fixture
def tree():
    root = district()
    xinwang = UnitFactory(code="xinwang", name="新旺街道", kind=Unit.Kind.STREET, parent=root)
    zhenhua = UnitFactory(code="zhenhua", name="振华街道", kind=Unit.Kind.STREET, parent=root)
    yujinyuan = UnitFactory(code="yujinyuan", name="御锦源社区", kind=Unit.Kind.COMMUNITY, parent=xinwang)
    xijing = UnitFactory(code="xijing", name="西京社区", kind=Unit.Kind.COMMUNITY, parent=zhenhua)
    return {"xinwang": xinwang, "zhenhua": zhenhua, "yujinyuan": yujinyuan, "xijing": xijing}


@pytest.fixture
def model_admin():
    return LedgerAdmin(Membership, AdminSite(name="scoped-test"))


def request_for(user, method="get"):
    request = getattr(RequestFactory(), method)("/admin/directory/membership/")
    request.user = user
    request.session = {}
    request._messages = FallbackStorage(request)
    return request


def test_street_staff_see_their_street_and_its_communities_not_the_neighbour(tree, model_admin):
    xinwang_staff = staff(Role.STREET_STAFF, tree["xinwang"], username="xw")
    staff(Role.COMMUNITY_STAFF, tree["yujinyuan"], username="yjy")
    staff(Role.COMMUNITY_STAFF, tree["xijing"], username="xj")
    request = request_for(xinwang_staff)
    units = set(model_admin.get_queryset(request).values_list("unit__code", flat=True))
    assert units == {"xinwang", "yujinyuan"}


def test_a_correspondent_membership_opens_none_of_the_communitys_ledgers(tree, model_admin):
    community_row = Membership.objects.get(user=staff(Role.COMMUNITY_STAFF, tree["yujinyuan"], username="yjy"))
    correspondent = staff(Role.CORRESPONDENT, tree["yujinyuan"], username="mxy")
    request = request_for(correspondent)
    assert not model_admin.has_module_permission(request)
    assert not model_admin.get_queryset(request).exists()
    assert not model_admin.has_view_permission(request, community_row)
    assert not model_admin.has_change_permission(request, community_row)


def test_objects_of_another_street_can_be_neither_viewed_changed_nor_deleted(tree, model_admin):
    neighbour_row = Membership.objects.get(user=staff(Role.COMMUNITY_STAFF, tree["xijing"], username="xj"))
    own_row = Membership.objects.get(user=staff(Role.COMMUNITY_STAFF, tree["yujinyuan"], username="yjy"))
    request = request_for(staff(Role.STREET_STAFF, tree["xinwang"], username="xw"))
    assert model_admin.has_change_permission(request, own_row) and model_admin.has_delete_permission(request, own_row)
    assert not model_admin.has_view_permission(request, neighbour_row)
    assert not model_admin.has_change_permission(request, neighbour_row)
    assert not model_admin.has_delete_permission(request, neighbour_row)


def test_a_grid_worker_may_view_but_not_change(tree, model_admin):
    grid = UnitFactory(code="grid-1", name="第一网格", kind=Unit.Kind.GRID, parent=tree["yujinyuan"])
    row = Membership.objects.get(user=staff(Role.GRID_WORKER, grid, username="gw"))
    request = request_for(row.user)
    assert model_admin.has_view_permission(request, row)
    assert not model_admin.has_change_permission(request, row)


def test_unit_choices_are_limited_to_the_users_units(tree, model_admin):
    request = request_for(staff(Role.STREET_STAFF, tree["xinwang"], username="xw"))
    field = model_admin.formfield_for_foreignkey(Membership._meta.get_field("unit"), request)
    assert set(field.queryset.values_list("code", flat=True)) == {"xinwang", "yujinyuan"}


def test_a_field_declared_anywhere_offers_every_active_unit(tree):
    class AnywhereAdmin(LedgerAdmin):
        pass

    model_admin = AnywhereAdmin(Membership, AdminSite(name="anywhere-test"))
    unit_choices_anywhere(Membership, "unit")
    try:
        request = request_for(staff(Role.STREET_STAFF, tree["xinwang"], username="xw"))
        field = model_admin.formfield_for_foreignkey(Membership._meta.get_field("unit"), request)
        assert {"xinwang", "zhenhua", "xijing"} <= set(field.queryset.values_list("code", flat=True))
    finally:
        from pingcheng.directory import admin_base

        admin_base._PICK_ANY_UNIT.discard(("directory.membership", "unit"))


def test_saving_a_row_for_a_unit_out_of_scope_is_refused(tree, model_admin):
    user = staff(Role.STREET_STAFF, tree["xinwang"], username="xw")
    row = Membership(user=user, unit=tree["xijing"], role=Role.COMMUNITY_STAFF)
    with pytest.raises(DomainError) as refused:
        model_admin.save_model(request_for(user, "post"), row, form=None, change=False)
    assert refused.value.code == "unit_out_of_scope"
    assert not Membership.objects.filter(unit=tree["xijing"]).exists()


def test_a_domain_error_in_a_save_becomes_an_error_message_not_a_500(tree, client, monkeypatch):
    registered = admin.site._registry[Membership]
    assert isinstance(registered, ScopedModelAdmin)

    def refuse(request, obj, form, change):
        raise DomainError("这一步不允许。", code="refused_for_test")

    monkeypatch.setattr(registered, "save_model", refuse)
    administrator = staff(Role.DISTRICT_ADMIN, username="admin")
    row = Membership.objects.get(user=staff(Role.STREET_STAFF, tree["xinwang"], username="xw"))
    client.force_login(administrator)
    url = f"/admin/directory/membership/{row.pk}/change/"
    response = client.post(url, {"user": row.user.pk, "unit": tree["xinwang"].pk, "role": Role.STREET_STAFF,
                                 "title": "", "is_active": "on"})  # fmt: skip
    assert response.status_code == 302 and response["Location"] == url
    assert "这一步不允许。" in client.get(url).text


def test_unit_autocomplete_follows_the_source_fields_scope(tree, client):
    """The directory's autocomplete offers a scoped field's own units, and every unit where declared anywhere."""
    editor = staff(Role.EDITOR, UnitFactory(code="media-centre", name="融媒体中心", kind=Unit.Kind.DEPARTMENT,
                                             parent=district()), username="ed")  # fmt: skip
    client.force_login(editor)
    response = client.get("/admin/autocomplete/", {"app_label": "articles", "model_name": "article",
                                                   "field_name": "units", "term": "街道"})  # fmt: skip
    assert response.status_code == 200
    assert {"新旺街道", "振华街道"} <= {item["text"] for item in response.json()["results"]}


def test_a_unit_reached_through_a_parent_scopes_the_parent_choices_and_the_save(tree):
    """unit_field="credit__unit": like a finding that belongs to an activity that belongs to a unit."""
    from pingcheng.directory.models import Contributor
    from pingcheng.photos.models import Photo

    class ThroughParentAdmin(ScopedModelAdmin):
        view_roles = change_roles = frozenset({Role.STREET_STAFF})
        unit_field = "credit__unit"

    model_admin = ThroughParentAdmin(Photo, AdminSite(name="through-parent"))
    ours = Contributor.objects.create(name="李明", unit=tree["yujinyuan"])
    theirs = Contributor.objects.create(name="王芳", unit=tree["xijing"])
    request = request_for(staff(Role.STREET_STAFF, tree["xinwang"], username="xw"), "post")
    field = model_admin.formfield_for_foreignkey(Photo._meta.get_field("credit"), request)
    assert list(field.queryset) == [ours]
    with pytest.raises(DomainError) as refused:
        model_admin.save_model(request, Photo(credit=theirs, width=1, height=1), form=None, change=False)
    assert refused.value.code == "unit_out_of_scope"


def test_one_streets_edit_keeps_the_other_streets_units_on_a_shared_row(tree, monkeypatch):
    from articles.models import Article
    from pingcheng.directory import admin_base
    from tests.factories import ArticleFactory

    # Article.units is the stand-in for a shared campaign's units; here it is scoped, not "anywhere".
    monkeypatch.setattr(admin_base, "_PICK_ANY_UNIT", set())

    class SharedRowAdmin(ScopedModelAdmin):
        view_roles = change_roles = frozenset({Role.STREET_STAFF})
        unit_field = "units"
        unit_is_many = True
        fields = ["headline", "units"]

    model_admin = SharedRowAdmin(Article, AdminSite(name="shared-row"))
    article = ArticleFactory(headline="两个街道联合开展防汛演练")
    article.units.set([tree["xinwang"], tree["zhenhua"]])
    request = request_for(staff(Role.STREET_STAFF, tree["xinwang"], username="xw"), "post")
    assert model_admin.get_queryset(request).filter(pk=article.pk).count() == 1  # once, not once per unit
    form_class = model_admin.get_form(request, article, change=True)
    form = form_class({"headline": "新旺、振华街道联合开展防汛演练", "units": [tree["xinwang"].pk]}, instance=article)
    assert form.is_valid(), form.errors
    assert set(form.fields["units"].queryset.values_list("code", flat=True)) == {"xinwang", "yujinyuan"}
    model_admin.save_model(request, form.save(commit=False), form, change=True)
    model_admin.save_related(request, form, formsets=[], change=True)
    assert set(article.units.values_list("code", flat=True)) == {"xinwang", "zhenhua"}
