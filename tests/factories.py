"""factory_boy factories shared by the whole suite."""

import factory
from django.contrib.auth import get_user_model

from pingcheng.directory.models import Membership, Role, Unit
from pingcheng.directory.services import unit_save


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    last_name = "王"
    first_name = factory.Sequence(lambda n: f"同志{n}")
    is_staff = True
    password = factory.django.Password("pw-for-tests-1")


class UnitFactory(factory.django.DjangoModelFactory):
    """Units are saved through the directory service so that their paths are right."""

    class Meta:
        model = Unit

    code = factory.Sequence(lambda n: f"unit-{n}")
    name = factory.Sequence(lambda n: f"单位{n}")
    kind = Unit.Kind.DEPARTMENT

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        return unit_save(unit=model_class(*args, **kwargs))


def district() -> Unit:
    existing = Unit.objects.filter(kind=Unit.Kind.DISTRICT).first()
    return existing or UnitFactory(code="pingcheng", name="平城区", kind=Unit.Kind.DISTRICT, parent=None)


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    unit = factory.LazyFunction(district)
    role = Role.EDITOR


def staff(role: str, unit: Unit | None = None, **user_fields):
    """A staff user holding ``role`` in ``unit`` (the district by default)."""
    membership = MembershipFactory(role=role, unit=unit or district(), **{f"user__{k}": v for k, v in user_fields.items()})
    return membership.user


# --- newsroom -----------------------------------------------------------------------------------------

def newsroom() -> Unit:
    existing = Unit.objects.filter(code="media-centre").first()
    return existing or UnitFactory(code="media-centre", name="平城区融媒体中心", kind=Unit.Kind.DEPARTMENT, parent=district())


class ContributorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "directory.Contributor"

    name = factory.Sequence(lambda n: f"记者{n}")


class ArticleFactory(factory.django.DjangoModelFactory):
    """A draft written by a reporter; pass ``status`` and times to start further along."""

    class Meta:
        model = "articles.Article"

    headline = factory.Sequence(lambda n: f"平城区网格员筑牢防汛安全堤（{n}）")
    kicker = "发挥优势 冲锋在前"
    body = "<p>面对严峻的防汛形势，平城区网格员队伍闻“汛”而动。</p>"
    char_count = 20
    created_by = factory.LazyFunction(lambda: staff(Role.REPORTER, newsroom()))
