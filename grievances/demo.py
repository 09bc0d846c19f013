"""The inquiry desk's demo data: topics routed to the seed page's units, deadline policies, the union-fee
refund FAQ and an answer template drawn from the seed page's article (平城区总工会 全方位推动小微企业工会经费
返还), and inquiries at different stages — one answered, rated and published. Idempotent: rows are found by
their natural keys (slug, question, idempotency key) and an inquiry's steps are taken only once."""

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from grievances import services
from grievances.models import AnswerTemplate, DeadlinePolicy, FaqEntry, Inquiry, InquiryEvent, Reply, Topic
from pingcheng.directory.models import Unit
from pingcheng.page_cache import page_product_changed
from pingcheng.redaction import redact
from pingcheng.workdays import deadline_set

# (slug, name, default unit code, description)
TOPICS = [
    ("union-fee-refund", "工会经费返还", "trade-union", "小微企业工会经费（筹备金）返还的条件、材料和办理时限。"),
    ("labour-rights", "劳动权益", "trade-union", "劳动合同、工资报酬、职工权益保障。"),
    ("city-environment", "市容环境", "urban-management", "占道经营、环境卫生、违章搭建。"),
    ("flood-control", "防汛", "urban-management", "汛期积水、排水设施、危险隐患。"),
    ("other", "其他", "pingcheng", "不属于以上类别的问题，由区里分派到承办单位。"),
]

UNION_PHONES = "0352-5209130、18535257842、18335204270"

# The seed page's article, as questions a resident asks (its wording kept).
UNION_FAQ = [
    (
        "小微企业工会经费返还，返还的是哪些经费？",
        "小微企业工会经费全额返还工作是指按照相关规定及时返还企业足额缴纳的工会经费（筹备金），返还所属时间段为"
        "2020年1月1日至2022年12月31日。",
    ),
    (
        "返还工会经费应具备什么条件？",
        "在平城区范围内依法足额缴纳工会经费（筹备金），在本次返还工会经费（筹备金）企业名单内且符合小微企业划型标准的"
        "单位（成立有工会组织），均可进行返还。2023年12月31日前建立工会组织（含被覆盖）的小微企业，2020—2022年度的"
        "工会经费（筹备金）均能够全额返还。",
    ),
    (
        "办理返还需要哪些材料？多久能办好？",
        "企业可先扫描二维码自助查询，如能查询到本企业，即可携带2020年度、2021年度、2022年度会计报表至平城区行政办公中心"
        "北区121核实是否符合返还条件。办理时提供：营业执照正本复印件一份（盖企业公章）；工会成立批复、选举结果批复复印件"
        "各一份；企业会计报表（2020年度、2021年度）各一份；企业完税证明复印件一份（盖企业公章）；银行缴费回执复印件一份"
        "（盖企业公章）；返还申报表、承诺书各一份。上述资料经审核无误后，于10个工作日内完成返还工作。"
        f"咨询电话：{UNION_PHONES}。",
    ),
]

UNION_TEMPLATE = (
    "您好！经核实，符合条件的小微企业可申请全额返还2020—2022年度缴纳的工会经费（筹备金）。请携带营业执照正本复印件"
    "（盖企业公章）、工会成立批复和选举结果批复复印件、企业会计报表、完税证明复印件、银行缴费回执复印件及返还申报表、"
    "承诺书，到平城区行政办公中心北区121办理，资料审核无误后10个工作日内完成返还。"
    f"咨询电话：{UNION_PHONES}。"
)

# Questions the union's consultation phones answered before the desk opened, published with the callers'
# consent (no name or number was noted): the seed article's refund — which fees, on what conditions, which
# materials, within 10 working days. They are the public answers a fresh `make run` shows without any login.
# (key, title, question, answer, days before loading)
ANSWERED_BY_PHONE = [
    ("demo-union-phone-years", "小微企业工会经费返还的是哪几年的经费？",
     "听说小微企业的工会经费可以返还，返还的是哪几年交的经费？筹备金也能返还吗？",
     "您好！小微企业工会经费全额返还，返还的是企业足额缴纳的工会经费（筹备金），所属时间段为2020年1月1日至2022年"
     f"12月31日。可先扫描二维码自助查询本企业是否在返还名单内。咨询电话：{UNION_PHONES}。", 40),
    ("demo-union-phone-conditions", "2023年才成立工会的小微企业能返还工会经费吗？",
     "我们是平城区的一家小微企业，2023年10月才成立工会，之前一直足额缴纳筹备金，请问符合返还条件吗？要带什么材料？",
     "您好！在平城区范围内依法足额缴纳工会经费（筹备金）、在本次返还企业名单内且符合小微企业划型标准的单位均可返还；"
     "2023年12月31日前建立工会组织（含被覆盖）的小微企业，2020—2022年度的工会经费（筹备金）均能全额返还。请携带"
     "营业执照正本复印件（盖企业公章）、工会成立批复和选举结果批复复印件、企业会计报表、完税证明复印件、银行缴费回执"
     "复印件及返还申报表、承诺书，到平城区行政办公中心北区121办理，资料审核无误后10个工作日内完成返还。"
     f"咨询电话：{UNION_PHONES}。", 25),
]  # fmt: skip

# Residents are named from pingcheng.audit.privacy.RESIDENT_DEMO_NAMES; their phones are not real numbers.
# (key, kind, topic slug, place unit code, title, text, name, phone, consent, stage)
INQUIRIES = [
    ("demo-union-answered", Inquiry.Kind.CONSULT, "union-fee-refund", "xinwang", "我们公司2022年成立了工会，经费能返还吗？",
     "我们是新旺街道的一家小微企业，2022年成立了工会，2020年以来一直足额缴纳工会经费。请问能不能返还？需要准备什么？",
     "孙桂兰", "13800000001", True, "published"),
    ("demo-union-assigned", Inquiry.Kind.COMPLAINT, "labour-rights", "yujinyuan", "单位拖欠两个月工资",
     "我在御锦源社区附近一家餐馆工作，老板已经两个月没发工资，请工会帮忙协调。", "郭建平", "13800000002", False,
     "assigned"),
    ("demo-city-accepted", Inquiry.Kind.SUGGESTION, "city-environment", "yujinyuan", "建议在御锦源社区门口增设垃圾分类箱",
     "御锦源社区门口只有一个垃圾桶，早晚经常满溢，建议增设分类垃圾箱并增加清运次数。", "", "13800000003", True,
     "accepted"),
    ("demo-flood-overdue", Inquiry.Kind.HELP, "flood-control", "liuyuandongyuan", "小区门口涵洞下雨积水",
     "柳园东院社区门口的涵洞一下雨就积水，老人孩子出行不便，请尽快疏通。", "林秀英", "13800000004", True, "overdue"),
    ("demo-other-returned", Inquiry.Kind.CONSULT, "other", "xiaonantou", "老年人乘车优惠卡在哪里办？",
     "请问70岁以上老人的公交乘车优惠卡在哪里办理，需要带什么证件？", "何淑珍", "13800000005", False, "returned"),
]  # fmt: skip


def _user(username: str):
    return get_user_model().objects.filter(username=username).first()


@transaction.atomic
def load(*, units: dict[str, Unit]) -> str:
    """Load topics, deadline policies, the union's FAQ and template, and the demo inquiries; safe to run again."""
    topics = {}
    for order, (slug, name, unit_code, description) in enumerate(TOPICS):
        topics[slug], _created = Topic.objects.get_or_create(slug=slug, defaults={
            "name": name, "default_unit": units[unit_code], "description": description, "sort_order": order * 10,
        })  # fmt: skip
    for kind, days in DeadlinePolicy.DEFAULT_WORKING_DAYS.items():
        DeadlinePolicy.objects.get_or_create(kind=kind, topic=None, defaults={"working_days": days})
    union = units["trade-union"]
    if not union.public_phones:
        Unit.objects.filter(pk=union.pk).update(public_phones=UNION_PHONES)
    for order, (question, answer) in enumerate(UNION_FAQ):
        FaqEntry.objects.get_or_create(question=question, defaults={
            "topic": topics["union-fee-refund"], "unit": union, "answer": answer, "sort_order": order * 10,
        })  # fmt: skip
    AnswerTemplate.objects.get_or_create(title="小微企业工会经费返还：条件、材料和时限", defaults={
        "topic": topics["union-fee-refund"], "unit": union, "text": UNION_TEMPLATE,
    })  # fmt: skip
    _answered_by_phone(topic=topics["union-fee-refund"], union=union)
    for key, kind, topic, place, title, text, name, phone, consent, _stage in INQUIRIES:
        services.inquiry_submit(
            kind=kind, topic=topics[topic], place_unit=units.get(place), title=title, text=text, name=name,
            phone=phone, publish_consent=consent, idempotency_key=key,
        )  # fmt: skip
    link_accounts()
    return (
        f"诉求：{Topic.objects.count()} 个类别，{FaqEntry.objects.count()} 条常见问题，{Inquiry.objects.count()} 件诉求"
    )


def _answered_by_phone(*, topic: Topic, union: Unit) -> None:
    """The union's earlier answers as closed, published inquiries with their history. Written as records of
    what happened, not through the services' steps: those need a handler's and a supervisor's login, which
    ``load_demo`` without ``--accounts`` does not create, and these must be on the public pages all the same."""
    A, S, created = InquiryEvent.Action, Inquiry.Status, False
    for key, title, question, answer, days in ANSWERED_BY_PHONE:
        if Inquiry.objects.filter(idempotency_key=key).exists():
            continue
        filed = timezone.now() - timedelta(days=days)
        answered, closed = filed + timedelta(days=1), filed + timedelta(days=9)
        inquiry = Inquiry(
            kind=Inquiry.Kind.CONSULT, topic=topic, title=title, text=question, channel=Inquiry.Channel.PHONE,
            status=Inquiry.Status.CLOSED, lead_unit=union, publish_consent=True, is_published=True,
            public_title=redact(title)[:80], public_question=redact(question), published_at=closed,
            submitted_at=filed, assigned_at=filed, accepted_at=filed + timedelta(hours=1), answered_at=answered,
            closed_at=closed, idempotency_key=key,
        )  # fmt: skip
        deadline_set(obj=inquiry, start=filed,
                     working_days=services.inquiry_working_days(kind=inquiry.kind, topic=topic))  # fmt: skip
        inquiry.save()
        Reply.objects.create(inquiry=inquiry, unit=union, text=answer, is_official_answer=True, is_public=True,
                             at=answered)  # fmt: skip
        for action, before, after, at, visible in [
            (A.RECORDED, "", S.SUBMITTED, filed, True), (A.ASSIGNED, S.SUBMITTED, S.ASSIGNED, filed, True),
            (A.ACCEPTED, S.ASSIGNED, S.ACCEPTED, inquiry.accepted_at, True),
            (A.ANSWERED, S.ACCEPTED, S.ANSWERED, answered, True), (A.AUTO_CLOSED, S.ANSWERED, S.CLOSED, closed, True),
            (A.PUBLISHED, "", "", closed, False),
        ]:  # fmt: skip
            InquiryEvent.objects.create(inquiry=inquiry, action=action, from_status=before, to_status=after,
                                        actor_unit=union, at=at, visible_to_resident=visible)  # fmt: skip
        created = True
    if created:
        transaction.on_commit(lambda: page_product_changed("grievances"))


@transaction.atomic
def link_accounts() -> None:
    """Take the demo inquiries to their stages with the demo accounts (the union's handler, the street's staff,
    the supervisor), once they exist; an inquiry already moved on from its filing is left alone."""
    units = {unit.code: unit for unit in Unit.objects.filter(code__in=["trade-union", "xinwang"])}
    if len(units) < 2:
        return
    for key, *_fields, stage in INQUIRIES:
        inquiry = Inquiry.objects.filter(idempotency_key=key).first()
        if inquiry is not None and inquiry.events.count() == 2:  # filed and routed, nothing since
            _advance(inquiry, stage, units)


def _advance(inquiry: Inquiry, stage: str, units: dict[str, Unit]) -> None:
    union, street, supervisor = _user("union"), _user("xinwang"), _user("supervisor")
    if not (union and street and supervisor):
        return  # the directory's demo accounts are missing: the inquiries stay as filed
    if stage == "published":
        services.inquiry_accept(inquiry=inquiry, by=union)
        services.inquiry_answer(inquiry=inquiry, by=union, text=UNION_TEMPLATE)
        services.inquiry_rate(inquiry=inquiry, rating=Inquiry.Rating.SATISFIED)
        services.inquiry_close(inquiry=inquiry, by=supervisor)
        services.inquiry_publish(inquiry=inquiry, by=supervisor)
    elif stage in ("accepted", "overdue"):
        # The street office handles what happens in its communities: the supervisor reassigns it there.
        services.inquiry_reassign(
            inquiry=inquiry, unit=units["xinwang"], by=supervisor, note="属新旺街道辖区，请街道办理"
        )
        services.inquiry_accept(inquiry=inquiry, by=street)
        if stage == "overdue":
            # Demo only: the clock is set back so the desk shows an overdue item (a real one is stored at filing).
            filed = timezone.now() - timedelta(days=14)
            deadline_set(obj=inquiry, start=filed, working_days=inquiry.deadline_working_days)
            inquiry.submitted_at = filed
            inquiry.save(update_fields=["submitted_at", "deadline_start", "deadline_due", "deadline_provisional"])
    elif stage == "returned":
        # Routed to the union by mistake, which gives it back within the day: it waits for the supervisor.
        services.inquiry_reassign(inquiry=inquiry, unit=units["trade-union"], by=supervisor, note="请区总工会答复")
        services.inquiry_return(inquiry=inquiry, by=union, reason="老年人乘车优惠卡不属于工会业务，请改派区民政局。")
