"""The steps of an activity and of a finding's rectification, declared once: services check them under the row
lock, the field pages and the admin offer only the steps ``allowed`` says the user may take."""

from django.utils.translation import gettext_lazy as _

from campaigns import access
from campaigns.errors import CampaignActionRefused
from campaigns.models import Activity, Finding
from pingcheng.workflow import Refusal, Transition, Workflow, require

A = Activity.Status
F = Finding.Status

_may_log = require(lambda user, activity: access.user_may_log_for(user, activity.unit),
                   Refusal(_("这项活动不在您的管辖范围内。"), "activity_out_of_scope"))  # fmt: skip

ACTIVITY_WORKFLOW = Workflow([
    Transition(
        name="plan", label=_("提交计划"), sources=frozenset({A.DRAFT}), target=A.PLANNED,
        wrong_state=Refusal(_("只有草稿可以提交为计划。"), "not_a_draft"), guards=(_may_log,),
    ),
    Transition(
        name="hold", label=_("记为已开展"), sources=frozenset({A.DRAFT, A.PLANNED}), target=A.HELD,
        wrong_state=Refusal(_("只有草稿或计划中的活动可以记为已开展。"), "not_holdable"), guards=(_may_log,),
    ),
    Transition(
        name="close", label=_("填写总结"), sources=frozenset({A.HELD}), target=A.CLOSED,
        wrong_state=Refusal(_("活动开展后才能总结。"), "not_held"), guards=(_may_log,),
        note_required=Refusal(_("请填写活动总结。"), "report_required"),
    ),
    Transition(
        name="move", label=_("改期"), sources=frozenset({A.PLANNED}), target=A.PLANNED,
        wrong_state=Refusal(_("只有计划中的活动可以改期。"), "not_movable"), guards=(_may_log,),
    ),
    Transition(
        name="cancel", label=_("取消活动"), sources=frozenset({A.DRAFT, A.PLANNED}), target=A.CANCELLED,
        wrong_state=Refusal(_("已开展的活动不能取消。"), "not_cancellable"), guards=(_may_log,),
        note_required=Refusal(_("取消活动须说明原因，公众会看到。"), "reason_required"),
    ),
], error_class=CampaignActionRefused)  # fmt: skip

_may_decide = require(access.user_may_decide_finding,
                      Refusal(_("下达整改、复查和销号须由问题所在街道或社区的工作人员操作。"), "not_a_decider"))  # fmt: skip
_may_rectify = require(access.user_may_rectify, Refusal(_("您不是这个问题的责任单位。"), "not_responsible"))

FINDING_WORKFLOW = Workflow([
    Transition(
        name="order", label=_("下达限期整改"), sources=frozenset({F.FOUND, F.FAILED}), target=F.ORDERED,
        wrong_state=Refusal(_("只有新发现或复查未通过的问题可以下达整改。"), "not_orderable"), guards=(_may_decide,),
    ),
    Transition(
        name="start", label=_("开始整改"), sources=frozenset({F.ORDERED}), target=F.IN_PROGRESS,
        wrong_state=Refusal(_("下达整改后才能开始整改。"), "not_ordered"), guards=(_may_rectify,),
    ),
    Transition(
        name="report", label=_("报告整改完成"), sources=frozenset({F.ORDERED, F.IN_PROGRESS}), target=F.REPORTED,
        wrong_state=Refusal(_("下达整改后才能报告整改完成。"), "not_in_rectification"), guards=(_may_rectify,),
        note_required=Refusal(_("请说明整改情况。"), "report_required"),
    ),
    Transition(
        name="pass", label=_("复查通过，销号"), sources=frozenset({F.REPORTED}), target=F.CLEARED,
        wrong_state=Refusal(_("整改完成后才能复查销号。"), "not_reported"), guards=(_may_decide,),
    ),
    Transition(
        name="fail", label=_("复查未通过"), sources=frozenset({F.REPORTED}), target=F.FAILED,
        wrong_state=Refusal(_("整改完成后才能复查。"), "not_reported"), guards=(_may_decide,),
        note_required=Refusal(_("请写明复查发现的问题。"), "reason_required"),
    ),
], error_class=CampaignActionRefused)  # fmt: skip
