import pytest
from django.core.exceptions import ImproperlyConfigured

from pingcheng.errors import DomainError
from pingcheng.notices import kinds, services
from pingcheng.notices.models import Notice
from tests.factories import UserFactory


@pytest.mark.django_db
def test_a_kind_typo_is_refused_at_enqueue_and_nothing_is_written():
    user = UserFactory(email="reporter@example.cn")
    with pytest.raises(DomainError) as refused:
        services.notice_enqueue(kind="article_retruned", recipient=user, key="article:1:returned:1")
    assert refused.value.code == "notice_kind_unknown"
    assert "article_retruned" in refused.value.text
    assert not Notice.objects.exists()


@pytest.mark.django_db
def test_a_registered_kind_is_accepted_at_enqueue():
    user = UserFactory(email="reporter@example.cn")
    notices = services.notice_enqueue(kind="article_returned", recipient=user, key="article:1:returned:1",
                                      context={"headline": "标题", "level": "初审", "opinion": "请修改"})  # fmt: skip
    assert {n.kind for n in notices} == {"article_returned"}
    assert {n.template for n in notices} == {"article_returned"}


def test_the_newsroom_registers_its_kinds_for_the_inbox_and_email():
    for name in ("article_returned", "article_published"):
        kind = kinds.kind_get(name)
        assert kind.channels == {Notice.Channel.INBOX, Notice.Channel.EMAIL}
        assert kind.template == name
        assert not kind.urgent
        assert str(kind.description)


def test_registering_the_same_kind_again_is_harmless(scratch_kinds):
    first = kinds.kind_register(name="test_kind", description="测试", channels=["sms"], template="generic")
    again = kinds.kind_register(name="test_kind", description="测试", channels=["sms"], template="generic")
    assert first == again
    assert kinds.kind_get("test_kind").channels == {Notice.Channel.SMS}


def test_a_second_definition_under_a_taken_name_is_refused(scratch_kinds):
    kinds.kind_register(name="test_kind", description="测试", channels=["sms"], template="generic")
    with pytest.raises(ImproperlyConfigured):
        kinds.kind_register(name="test_kind", description="测试", channels=["email"], template="generic")


@pytest.mark.parametrize("channels", [[], ["fax"]])
def test_a_kind_needs_known_channels(scratch_kinds, channels):
    with pytest.raises(ImproperlyConfigured):
        kinds.kind_register(name="test_kind", description="测试", channels=channels)


def test_the_system_check_reports_a_kind_whose_template_is_missing(scratch_kinds):
    assert kinds.check_kind_templates() == []
    kinds.kind_register(name="test_kind_without_templates", description="测试", channels=["sms", "inbox"])
    errors = kinds.check_kind_templates()
    assert {error.id for error in errors} == {"notices.E001"}
    assert any("test_kind_without_templates.sms.txt" in error.msg for error in errors)
    assert any("test_kind_without_templates.body.txt" in error.msg for error in errors)
