"""The steps of an inquiry, declared once: services check them under the row lock, the desk pages and the
admin offer only the steps ``allowed`` says the user may take now.

A guard receives ``user=None`` for steps the system takes (routing at submission, the auto-close sweep) and
for the resident's own steps (rating), which the public side reaches through ``inquiry_access_by_code``.
"""

from django.utils.translation import gettext_lazy as _

from grievances import access
from grievances.errors import InquiryActionRefused
from grievances.models import Inquiry
from pingcheng.workflow import Refusal, Transition, Workflow, require

S = Inquiry.Status

_dispatcher = require(lambda user, inquiry: user is None or access.user_is_dispatcher(user),
                      Refusal(_("只有督办人或区级管理员可以分派、改派、驳回和督办诉求。"), "not_a_dispatcher"))  # fmt: skip
_handler = require(lambda user, inquiry: user is not None and access.user_may_handle(user, inquiry),
                   Refusal(_("这件诉求不由您的单位主办。"), "not_the_lead_unit"))  # fmt: skip
_co_handler = require(lambda user, inquiry: user is not None and access.user_may_co_handle(user, inquiry),
                      Refusal(_("您的单位不是这件诉求的协办单位。"), "not_a_co_unit"))  # fmt: skip
_handler_or_dispatcher = require(
    lambda user, inquiry: (
        user is not None and (access.user_may_handle(user, inquiry) or access.user_is_dispatcher(user))
    ),
    Refusal(_("这件诉求不由您的单位主办。"), "not_the_lead_unit"),
)
_resident = require(lambda user, inquiry: user is None, Refusal(_("只有提出诉求的居民可以评价。"), "not_the_resident"))
_consented = require(lambda user, inquiry: inquiry.publish_consent,
                     Refusal(_("居民没有同意公开，不能公开这件诉求。"), "no_publish_consent"))  # fmt: skip
_has_contact = require(lambda user, inquiry: user is not None and access.user_may_reveal_contact(user, inquiry),
                       Refusal(_("只有承办单位可以查看居民的联系方式。"), "reveal_not_allowed"))  # fmt: skip

OPEN = frozenset({S.ASSIGNED, S.ACCEPTED})

INQUIRY_WORKFLOW = Workflow([
    Transition(
        name="assign", label=_("分派"), sources=frozenset({S.SUBMITTED, S.RETURNED}), target=S.ASSIGNED,
        wrong_state=Refusal(_("只有待分派或被退回的诉求可以分派。"), "not_assignable"), guards=(_dispatcher,),
    ),
    Transition(
        name="reassign", label=_("改派"), sources=OPEN, target=S.ASSIGNED,
        wrong_state=Refusal(_("只有办理中的诉求可以改派。"), "not_reassignable"), guards=(_dispatcher,),
        note_required=Refusal(_("请写明改派理由。"), "reason_required"),
    ),
    Transition(
        name="accept", label=_("受理"), sources=frozenset({S.ASSIGNED}), target=S.ACCEPTED,
        wrong_state=Refusal(_("只有已分派的诉求可以受理。"), "not_assigned"), guards=(_handler,),
    ),
    Transition(
        name="return", label=_("退单"), sources=OPEN, target=S.RETURNED,
        wrong_state=Refusal(_("只有分派给本单位、尚未答复的诉求可以退单。"), "not_returnable"), guards=(_handler,),
        note_required=Refusal(_("退单须写明理由，例如应由哪个单位办理。"), "reason_required"),
    ),
    Transition(
        name="reject", label=_("不予受理"), sources=frozenset({S.SUBMITTED, S.RETURNED, S.ASSIGNED}),
        target=S.REJECTED,
        wrong_state=Refusal(_("已受理的诉求不能再驳回。"), "not_rejectable"), guards=(_dispatcher,),
        note_required=Refusal(_("请写明不予受理的理由，居民会看到。"), "reason_required"),
    ),
    Transition(
        name="add_co_unit", label=_("增加协办单位"), sources=OPEN, target=None,
        wrong_state=Refusal(_("只有办理中的诉求可以增加协办单位。"), "not_open"), guards=(_handler_or_dispatcher,),
    ),
    Transition(
        name="co_opinion", label=_("提交协办意见"), sources=OPEN, target=None,
        wrong_state=Refusal(_("诉求已答复或办结，不能再提交协办意见。"), "not_open"), guards=(_co_handler,),
        note_required=Refusal(_("请填写协办意见。"), "text_required"),
    ),
    Transition(
        name="request_extension", label=_("申请延期"), sources=OPEN, target=None,
        wrong_state=Refusal(_("只有办理中的诉求可以申请延期。"), "not_open"), guards=(_handler,),
        note_required=Refusal(_("请写明延期理由。"), "reason_required"),
    ),
    Transition(
        name="decide_extension", label=_("审批延期"), sources=OPEN, target=None,
        wrong_state=Refusal(_("诉求已答复或办结，延期申请无需审批。"), "not_open"), guards=(_dispatcher,),
    ),
    Transition(
        name="supervise", label=_("督办"), sources=OPEN, target=None,
        wrong_state=Refusal(_("只有办理中的诉求可以督办。"), "not_open"), guards=(_dispatcher,),
        note_required=Refusal(_("请写明督办意见。"), "note_required"),
    ),
    Transition(
        name="answer", label=_("答复"), sources=frozenset({S.ACCEPTED}), target=S.ANSWERED,
        wrong_state=Refusal(_("受理后才能答复。"), "not_accepted"), guards=(_handler,),
        note_required=Refusal(_("请填写答复内容。"), "answer_required"),
    ),
    Transition(
        name="rate", label=_("评价"), sources=frozenset({S.ANSWERED}), target=S.RATED,
        wrong_state=Refusal(_("答复后、办结前才能评价。"), "not_answered"), guards=(_resident,),
    ),
    Transition(
        name="close", label=_("办结"), sources=frozenset({S.ANSWERED, S.RATED}), target=S.CLOSED,
        wrong_state=Refusal(_("只有已答复或已评价的诉求可以办结。"), "not_closable"), guards=(_dispatcher,),
    ),
    Transition(
        name="publish", label=_("公开答复"), sources=frozenset({S.ANSWERED, S.RATED, S.CLOSED}), target=None,
        wrong_state=Refusal(_("答复后才能公开。"), "not_answered"), guards=(_dispatcher, _consented),
    ),
    Transition(
        name="unpublish", label=_("撤回公开"), sources=None, target=None,
        wrong_state=Refusal(_("不能撤回。"), "not_unpublishable"), guards=(_dispatcher,),
    ),
    Transition(
        name="reveal", label=_("查看联系方式"), sources=None, target=None,
        wrong_state=Refusal(_("不能查看。"), "reveal_not_allowed"), guards=(_has_contact,),
    ),
], error_class=InquiryActionRefused)  # fmt: skip
