"""The inquiry desk's demo data: topics routed to the seed page's units, deadline policies, the union-fee
refund FAQ, and a few inquiries at different stages. Idempotent."""

from django.db import transaction

from grievances.models import DeadlinePolicy, Inquiry, Topic
from pingcheng.directory.models import Unit

# (slug, name, default unit code, description)
TOPICS = [
    ("union-fee-refund", "工会经费返还", "trade-union", "小微企业工会经费返还的条件、材料和办理时限。"),
    ("labour-rights", "劳动权益", "trade-union", "劳动合同、工资报酬、职工权益保障。"),
    ("city-environment", "市容环境", "urban-management", "占道经营、环境卫生、违章搭建。"),
    ("flood-control", "防汛", "pingcheng", "汛期隐患、积水、危房。"),
    ("other", "其他", "pingcheng", "不属于以上类别的问题。"),
]


@transaction.atomic
def load(*, units: dict[str, Unit]) -> str:
    """Load topics and deadline policies; safe to run again."""
    for order, (slug, name, unit_code, description) in enumerate(TOPICS):
        Topic.objects.get_or_create(slug=slug, defaults={
            "name": name, "default_unit": units[unit_code], "description": description, "sort_order": order * 10,
        })  # fmt: skip
    for kind, days in DeadlinePolicy.DEFAULT_WORKING_DAYS.items():
        DeadlinePolicy.objects.get_or_create(kind=kind, topic=None, defaults={"working_days": days})
    return f"诉求：{Topic.objects.count()} 个类别，{Inquiry.objects.count()} 件诉求"
