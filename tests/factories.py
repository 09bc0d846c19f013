"""factory_boy factories shared by the whole suite."""

import factory
from django.contrib.auth import get_user_model

from pingcheng.directory.models import Membership, Role, Unit
from pingcheng.directory.services import unit_save


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    last_name = "王"
    first_name = factory.Sequence(lambda n: f"同志{n}")
    is_staff = True
    password = factory.PostGenerationMethodCall("set_password", "pw-for-tests-1")


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
