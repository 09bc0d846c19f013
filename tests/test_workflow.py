"""The workflow helper: transitions declared once, refused with their codes, read by the admin."""

from types import SimpleNamespace

import pytest

from pingcheng.errors import DomainError
from pingcheng.workflow import Refusal, Transition, Workflow, require

OPEN = frozenset({"open"})


def is_handler(user, obj) -> bool:
    return user.role == "handler"


FLOW = Workflow([
    Transition(name="answer", label="答复", sources=OPEN, target="answered",
               wrong_state=Refusal("只能答复办理中的诉求。", "not_open"),
               guards=(require(is_handler, Refusal("只有承办人可以答复。", "not_handler")),),
               note_required=Refusal("请填写答复内容。", "text_required")),
    Transition(name="escalate", label="督办", sources=frozenset({"open", "answered"}),
               target={"open": "escalated", "answered": "reopened"},
               wrong_state=Refusal("已办结的诉求不能督办。", "closed")),
    Transition(name="comment", label="备注", sources=None, target=None,
               wrong_state=Refusal("—", "never")),
])  # fmt: skip

HANDLER = SimpleNamespace(role="handler")
RESIDENT = SimpleNamespace(role="resident")


def item(status):
    return SimpleNamespace(status=status)


def test_a_step_returns_its_target_state():
    assert FLOW.check("answer", user=HANDLER, obj=item("open"), note="已处理") == "answered"


@pytest.mark.parametrize(
    ("name", "user", "status", "note", "code"),
    [
        ("answer", HANDLER, "closed", "已处理", "not_open"),
        ("answer", RESIDENT, "open", "已处理", "not_handler"),
        ("answer", HANDLER, "open", "   ", "text_required"),
        ("escalate", HANDLER, "closed", "", "closed"),
    ],
)
def test_refusals_carry_their_codes(name, user, status, note, code):
    with pytest.raises(DomainError) as refused:
        FLOW.check(name, user=user, obj=item(status), note=note)
    assert refused.value.code == code
    assert refused.value.text


def test_the_state_is_checked_before_the_user_and_the_user_before_the_note():
    with pytest.raises(DomainError) as refused:
        FLOW.check("answer", user=RESIDENT, obj=item("closed"), note="")
    assert refused.value.code == "not_open"
    with pytest.raises(DomainError) as refused:
        FLOW.check("answer", user=RESIDENT, obj=item("open"), note="")
    assert refused.value.code == "not_handler"


def test_a_target_may_depend_on_the_state_it_leaves():
    assert FLOW.check("escalate", user=RESIDENT, obj=item("open")) == "escalated"
    assert FLOW.check("escalate", user=RESIDENT, obj=item("answered")) == "reopened"


def test_a_step_from_any_state_keeps_the_state():
    assert FLOW.check("comment", user=RESIDENT, obj=item("closed")) is None


def test_available_lists_what_the_admin_may_offer_without_asking_for_the_note():
    assert [t.name for t in FLOW.available(user=HANDLER, obj=item("open"))] == ["answer", "escalate", "comment"]
    assert [t.name for t in FLOW.available(user=RESIDENT, obj=item("open"))] == ["escalate", "comment"]
    assert FLOW.allowed("answer", user=HANDLER, obj=item("open"))
    assert not FLOW.allowed("answer", user=HANDLER, obj=item("answered"))


def test_an_unknown_step_is_a_programming_error():
    with pytest.raises(KeyError):
        FLOW.check("anwser", user=HANDLER, obj=item("open"))


def test_a_step_declared_twice_is_refused():
    step = FLOW["comment"]
    with pytest.raises(ValueError):
        Workflow([step, step])


def test_refusals_are_raised_as_the_products_own_error_class():
    class InquiryRefused(DomainError):
        pass

    flow = Workflow(list(FLOW.transitions), error_class=InquiryRefused)
    with pytest.raises(InquiryRefused) as refused:
        flow.check("answer", user=RESIDENT, obj=item("open"), note="x")
    assert refused.value.code == "not_handler"
