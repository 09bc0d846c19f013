"""The demo campaigns: the work the seed page reports, as the street and community offices would have logged it.

Only the page's own figures are recorded (1,300 grid workers, 15 activities, 290 stalls, about 180 vendors,
2 kiddie rides and 1 trampoline, 18 street unions, 230 notice boards); where the page gives none, an activity
has none. Each activity is linked to the article that reported it. One planned activity lies a week after the
day the demo is loaded, so that residents have something upcoming to attend.

Idempotent: types by slug, campaigns by slug, activities by (campaign, title), findings by (activity, location).
A row that exists is left as it is (somebody may have worked on it since).
"""

from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from campaigns.models import (
    Activity,
    ActivityEvent,
    ActivityFigure,
    Campaign,
    CampaignType,
    Finding,
    FindingEvent,
    Metric,
    Target,
)
from pingcheng.directory.models import Unit
from pingcheng.workdays import deadline_set

SHANGHAI = ZoneInfo("Asia/Shanghai")
DEMO_NOTE = "演示数据：据2025年7月18日《平城新闻》第2版整理"

# slug: (name, description, [(code, name, unit, meaning, allows_fraction)])
TYPES = {
    "fangfei": (
        "防范非法集资宣传",
        "进社区、进企业宣传非法集资的特征和手段，提醒群众谨慎投资。",
        [
            ("banners", "悬挂横幅", "条", "活动现场悬挂的宣传横幅", False),
            ("leaflets", "发放宣传资料", "份", "当场发到群众手中的资料", False),
            ("residents", "受教育群众", "人次", "听讲解、参与互动的群众", False),
        ],
    ),
    "fangxun": (
        "防汛巡查",
        "汛期预警宣传、隐患排查和应急处置。",
        [
            ("workers", "出动网格员", "人次", "参与预警宣传和巡查的网格员", False),
            ("warnings", "推送预警信息", "条", "公众号、网格微信群推送的预警和提示", False),
            ("visits", "入户走访", "户", "上门宣传居家安全和防汛知识", False),
            ("checkpoints", "排查重点点位", "处", "地质灾害点、内涝点、涵洞、危旧房屋等", False),
            ("hazards_found", "发现隐患", "处", "巡查中发现并上报的问题", False),
            ("hazards_fixed", "处置隐患", "处", "当场或限期处置完毕的问题", False),
        ],
    ),
    "chuangcheng": (
        "创建文明城市",
        "“首善平城·绿色文明周”等创城主题活动和环境整治。",
        [
            ("events", "开展活动", "次", "文明交通劝导、消防安全检查、游商游贩治理等", False),
            ("spots", "整治点位", "处", "背街小巷、农贸市场、居民小区等重点部位", False),
            ("volunteers", "参与志愿者", "人次", "", False),
        ],
    ),
    "shirong": (
        "市容秩序整治",
        "游商小贩、占道经营等市容秩序的整治与引导。",
        [
            ("stalls_cleared", "清理无序摊点", "家", "全部清理的占道摊点", False),
            ("vendors_guided", "规范引导流动商贩", "家", "劝导入市、定点经营的流动商贩", False),
            ("facilities_removed", "取缔违规设施", "处", "违规设置的儿童游乐车、蹦床等", False),
        ],
    ),
    "zhiyuan": (
        "志愿服务",
        "居民、学生和单位的志愿服务活动。",
        [
            ("volunteers", "志愿者", "人", "", False),
            ("hours", "服务时长", "小时", "志愿者服务时长合计", True),
            ("served", "服务对象", "人次", "", False),
        ],
    ),
    "xuanjiang": (
        "政策宣传",
        "惠企惠民政策的宣传解读和办理指引。",
        [
            ("unions", "参与街道工会", "个", "", False),
            ("boards", "张贴公示栏、宣传栏", "个", "张贴公告、海报的公示栏和宣传栏", False),
            ("videos", "制作宣传视频", "条", "", False),
        ],
    ),
    "dangjian": (
        "基层党建",
        "基层组织建设、队伍培养等主题活动。",
        [
            ("sessions", "开展活动", "场", "专家授课、擂台比拼等", False),
            ("participants", "参与人员", "人次", "", False),
        ],
    ),
}

# slug: (title, type, level, lead unit, partner units, starts, ends, description, article headline)
CAMPAIGNS = [
    ("fangfei-2025", "守住钱袋子 护好幸福家——防范非法集资宣传", "fangfei", Campaign.Level.DISTRICT, "procuratorate",
     ["xinwang", "yujinyuan"], date(2025, 6, 1), None,
     "区检察院推出防非“连环招”，以“打击非法集资 拒绝高利诱惑”为主题进社区宣传。"),
    ("fangxun-2025", "汛期网格员防汛“安全堤”", "fangxun", Campaign.Level.DISTRICT, "pingcheng", [],
     date(2025, 6, 1), date(2025, 9, 30), "全区1300多名网格员开展预警宣传、隐患排查、防汛应急。"),
    ("lvse-wenming-zhou-2025", "首善平城·绿色文明周", "chuangcheng", Campaign.Level.DISTRICT, "civilization-office",
     ["wenyinghu", "daqinglu", "zhenhua"], date(2025, 7, 7), date(2025, 7, 13),
     "各街道依托“党建大联盟”开展为期一周的创城主题活动，严格落实“回头看”制度。"),
    ("gucheng-youshang-2025", "古城游商小贩整治", "shirong", Campaign.Level.DISTRICT, "urban-management",
     ["gucheng"], date(2025, 6, 1), date(2025, 8, 31), "疏堵结合整治游商小贩，营造整洁有序的古城旅游环境。"),
    ("liuyuan-zhiyuan-2025", "大学生暑期社区志愿服务", "zhiyuan", Campaign.Level.COMMUNITY, "liuyuandongyuan", [],
     date(2025, 7, 1), date(2025, 8, 31), "招募放假的大学生辅导小学生作业，清理小区卫生死角。"),
    ("xiaonantou-sanxue-2025", "到村工作大学生“三学三比三提升”", "dangjian", Campaign.Level.STREET, "xiaonantou", [],
     date(2025, 6, 1), date(2025, 12, 31), "学思想、学服务、学调研；比担当、比奉献、比技能。"),
    ("gonghui-fanhuan-2025", "小微企业工会经费返还宣传", "xuanjiang", Campaign.Level.DISTRICT, "trade-union",
     ["taxation"], date(2025, 6, 1), date(2025, 12, 31),
     "宣传2020—2022年度小微企业工会经费全额返还政策，咨询电话0352-5209130。"),
]  # fmt: skip

# (campaign slug, title, unit, day, hour, place, partners (units), partners (other), status, summary, figures,
#  article headline)
ACTIVITIES = [
    ("fangfei-2025", "“打击非法集资 拒绝高利诱惑”进社区", "yujinyuan", date(2025, 7, 15), 9, "御锦源社区",
     ["procuratorate"], "", Activity.Status.CLOSED,
     "检察人员通过悬挂横幅、发放宣传资料等形式，向居民介绍非法集资的特征、表现形式和常见手段。", {},
     "守住钱袋子 护好幸福家"),
    ("fangxun-2025", "全区网格员防汛预警宣传", "pingcheng", date(2025, 7, 10), 8, "全区各街道、村（社区）", [], "",
     Activity.Status.HELD, "线上线下联动推送防汛信息和安全注意事项，入户走访宣传居家安全和防汛知识。",
     {"workers": 1300}, "平城区网格员筑牢防汛“安全堤”"),
    ("fangxun-2025", "御锦源社区暴雨隐患排查", "yujinyuan-grid-1", date(2025, 7, 11), 7, "御锦源社区第一网格", [], "",
     Activity.Status.HELD, "对低洼易涝地区、涵洞和排水设施拉网式排查，发现问题及时上报。", {},
     "平城区网格员筑牢防汛“安全堤”"),
    ("lvse-wenming-zhou-2025", "“邻里和睦、幸福社区”邻里节", "xijing", date(2025, 7, 8), 15, "西京社区党群服务中心", [],
     "文瀛湖街道社工站", Activity.Status.CLOSED, "依托党群服务中心开展“邻里节”“我们的节日”等主题活动。", {},
     "党建引领迸发创城新活力"),
    ("lvse-wenming-zhou-2025", "四级管理 消除创城死角", "daqinglu", date(2025, 7, 9), 9,
     "辖区农（集）贸市场、背街小巷、居民小区", [], "城管、交警", Activity.Status.CLOSED,
     "开展文明交通劝导、消防安全检查、游商游贩治理等各类活动。", {"events": 15}, "立足实际构建创城新常态"),
    ("lvse-wenming-zhou-2025", "创城“回头看”督导检查", "zhenhua", date(2025, 7, 10), 9, "振华街道辖区", [], "",
     Activity.Status.HELD, "以查促改、以改促建，针对发现的问题现场反馈，提出限时整改要求。", {},
     "“三个强化”争取创城新成效"),
    ("gucheng-youshang-2025", "下寺坡街、华严广场、鼓楼东西街游商整治", "gucheng", date(2025, 7, 12), 18,
     "下寺坡街、华严广场、鼓楼东西街", ["urban-environment-brigade"], "", Activity.Status.CLOSED,
     "定点值守和流动步巡，疏堵结合：取缔华严广场违规设置的儿童游乐车2处、蹦床1处，清理下寺坡街两侧无序摊点290家，"
     "规范引导鼓楼东西街流动商贩约180家。",
     {"stalls_cleared": 290, "vendors_guided": 180, "facilities_removed": 3}, "疏堵结合整治游商小贩 营造整洁有序古城环境"),
    ("liuyuan-zhiyuan-2025", "大学生志愿者辅导功课、清理小区", "liuyuandongyuan", date(2025, 7, 16), 9, "柳园东院社区",
     [], "", Activity.Status.HELD, "一对一、一对二辅导小学生完成暑假作业；集中清理杂物、卫生死角和墙面广告。", {},
     "大学生志愿服务社区 擦亮城市文明底色"),
    ("xiaonantou-sanxue-2025", "“青春大擂台”技能比拼", "xiaonantou", date(2025, 7, 14), 14, "小南头街道", [], "",
     Activity.Status.HELD, "组织到村工作大学生开展“青春大擂台”“技能大比拼”等活动，在比中学、在学中提升。", {},
     "引导到村工作大学生扎根农村挥洒激情"),
    ("gonghui-fanhuan-2025", "小微企业工会经费返还公告进街道、社区", "trade-union", date(2025, 7, 8), 9,
     "各街道、社区公示栏、宣传栏；区税务局办税大厅", ["taxation"], "18个街道工会", Activity.Status.HELD,
     "张贴返还工作公告、海报，公布流程、所需资料、查询方式和咨询电话。", {"unions": 18, "boards": 230, "videos": 1},
     "全方位推动小微企业工会经费返还"),
]  # fmt: skip

# The district's targets for each street of the civilization week (campaign slug, metric, value, streets): the page
# reports 15 activities in 大庆路街道's week, so one street's progress is met and the others' still open.
TARGETS = [
    ("lvse-wenming-zhou-2025", "events", 15, ["wenyinghu", "daqinglu", "zhenhua"]),
    ("lvse-wenming-zhou-2025", "spots", 10, ["wenyinghu", "daqinglu", "zhenhua"]),
]

# (campaign slug, activity title, location, description, severity, responsible unit, working days, cycle)
FINDINGS = [
    ("fangxun-2025", "御锦源社区暴雨隐患排查", "公路涵洞", "涵洞积水，影响车辆和行人通行。", Finding.Severity.SERIOUS,
     "yujinyuan", 1, ["ordered", "reported", "passed"]),
    ("fangxun-2025", "御锦源社区暴雨隐患排查", "城市道路排水渠", "排水渠被杂物堵塞，雨天排水不畅。", Finding.Severity.MINOR,
     "yujinyuan", 2, ["ordered", "reported", "failed", "ordered", "reported", "passed"]),
    ("lvse-wenming-zhou-2025", "创城“回头看”督导检查", "背街小巷", "墙面野广告未清理干净。", Finding.Severity.MINOR,
     "zhenhua", 3, ["ordered", "in_progress"]),
]  # fmt: skip
CYCLE = {
    "ordered": (FindingEvent.Action.ORDERED, Finding.Status.ORDERED),
    "in_progress": (FindingEvent.Action.STARTED, Finding.Status.IN_PROGRESS),
    "reported": (FindingEvent.Action.REPORTED, Finding.Status.REPORTED),
    "failed": (FindingEvent.Action.FAILED, Finding.Status.FAILED),
    "passed": (FindingEvent.Action.PASSED, Finding.Status.CLEARED),
}


def _at(day: date, hour: int) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=SHANGHAI)


def _article(headline: str):
    from articles.links import article_by_headline  # the newsroom's demo, linked by a headline it printed

    return article_by_headline(headline)


def _user(username: str):
    return get_user_model().objects.filter(username=username).first()


@transaction.atomic
def load(*, units: dict[str, Unit]) -> str:
    """Load the campaigns the seed page reports; safe to run again."""
    types = {}
    for slug, (name, description, metrics) in TYPES.items():
        kind, _created = CampaignType.objects.get_or_create(
            slug=slug, defaults={"name": name, "description": description}
        )
        for order, (code, metric_name, unit, meaning, fraction) in enumerate(metrics, start=1):
            Metric.objects.get_or_create(campaign_type=kind, code=code, defaults={
                "name": metric_name, "unit": unit, "meaning": meaning, "allows_fraction": fraction, "sort_order": order,
            })  # fmt: skip
        types[slug] = kind
    today = timezone.localdate()
    campaigns = {}
    for slug, title, kind, level, lead, partners, starts, ends, description in CAMPAIGNS:
        campaign, created = Campaign.objects.get_or_create(slug=slug, defaults={
            "title": title, "campaign_type": types[kind], "level": level, "lead_unit": units[lead],
            "starts_on": starts, "ends_on": ends or max(date(2026, 12, 31), today + timedelta(days=60)),
            "description": description,
        })  # fmt: skip
        if created:
            campaign.partner_units.set([units[code] for code in partners])
        campaigns[slug] = campaign

    for slug, code, value, streets in TARGETS:
        metric = Metric.objects.get(campaign_type=campaigns[slug].campaign_type, code=code)
        for street_code in streets:
            Target.objects.get_or_create(campaign=campaigns[slug], unit=units[street_code], metric=metric,
                                         defaults={"value": Decimal(value)})  # fmt: skip

    street, community, grid = _user("xinwang"), _user("yujinyuan"), _user("grid")
    activities = {}
    for (slug, title, unit, day, hour, place, partner_units, others, status, summary, figures,
         headline) in ACTIVITIES:  # fmt: skip
        activity, created = Activity.objects.get_or_create(campaign=campaigns[slug], title=title, defaults={
            "unit": units[unit], "starts_at": _at(day, hour), "ends_at": _at(day, hour + 2), "place": place,
            "partners_other": others, "status": status, "summary": summary,
            "report": summary if status == Activity.Status.CLOSED else "",
        })  # fmt: skip
        activities[(slug, title)] = activity
        if not created:
            continue
        activity.partner_units.set([units[code] for code in partner_units])
        metrics = {m.code: m for m in activity.campaign.campaign_type.metrics.all()}
        ActivityFigure.objects.bulk_create(
            ActivityFigure(activity=activity, metric=metrics[code], value=Decimal(value))
            for code, value in figures.items()
        )
        article = _article(headline)
        if article is not None:
            activity.articles.add(article)
        ActivityEvent.objects.create(activity=activity, action=ActivityEvent.Action.CREATED, note=DEMO_NOTE)
        ActivityEvent.objects.create(activity=activity, action=status)  # held / closed: the step's own name

    upcoming, created = Activity.objects.get_or_create(campaign=campaigns["fangfei-2025"], title="防范非法集资知识讲座",
                                                       defaults={
        "unit": units["yujinyuan"], "starts_at": _at(today + timedelta(days=7), 9),
        "ends_at": _at(today + timedelta(days=7), 11), "place": "御锦源社区党群服务中心二楼",
        "status": Activity.Status.PLANNED, "summary": "检察官讲解常见非法集资手段，现场答疑。欢迎居民参加。",
    })  # fmt: skip
    if created:
        upcoming.partner_units.set([units["procuratorate"]])
        ActivityEvent.objects.create(activity=upcoming, action=ActivityEvent.Action.PLANNED, by=community)

    for slug, title, location, description, severity, responsible, days, cycle in FINDINGS:
        activity = activities[(slug, title)]
        if Finding.objects.filter(activity=activity, location=location).exists():
            continue
        found_at = activity.starts_at + timedelta(hours=1)
        finding = Finding.objects.create(activity=activity, location=location, description=description,
                                         severity=severity, responsible_unit=units[responsible], found_at=found_at,
                                         found_by=grid)  # fmt: skip
        FindingEvent.objects.create(finding=finding, action=FindingEvent.Action.FOUND, to_status=Finding.Status.FOUND,
                                    by=grid, note=DEMO_NOTE)  # fmt: skip
        for step in cycle:
            action, status = CYCLE[step]
            before, finding.status = finding.status, status
            note = ""
            if step == "ordered":
                deadline_set(obj=finding, start=timezone.localdate(found_at), working_days=days)
                note = f"限{days}个工作日内整改。"
            if step == "passed":
                finding.cleared_at = found_at + timedelta(days=days + 1)
            by = community if step in ("in_progress", "reported") else street
            FindingEvent.objects.create(finding=finding, action=action, from_status=before, to_status=status, by=by,
                                        note=note)  # fmt: skip
        finding.save()
    return (f"{Campaign.objects.count()} campaigns, {Activity.objects.count()} activities, "
            f"{Finding.objects.count()} findings")  # fmt: skip
