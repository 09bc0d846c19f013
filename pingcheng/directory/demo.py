"""The district directory as the seed page names it, and one demo account per role.

Idempotent: every row is found by its natural key (unit code, username) and updated in place.
"""

from django.contrib.auth import get_user_model
from django.db import transaction

from pingcheng.directory.models import Membership, Role, Unit
from pingcheng.directory.services import unit_get_or_create

K = Unit.Kind

# (code, parent code, kind, name, short name, extra fields)
UNITS: list[tuple[str, str | None, str, str, str, dict]] = [
    ("pingcheng", None, K.DISTRICT, "平城区", "平城", {"address": "山西省大同市平城区"}),
    # Streets named on the page.
    ("xinwang", "pingcheng", K.STREET, "新旺街道", "新旺", {}),
    ("xiaonantou", "pingcheng", K.STREET, "小南头街道", "小南头", {}),
    ("gucheng", "pingcheng", K.STREET, "古城街道", "古城", {}),
    ("wenyinghu", "pingcheng", K.STREET, "文瀛湖街道", "文瀛湖", {}),
    ("daqinglu", "pingcheng", K.STREET, "大庆路街道", "大庆路", {}),
    ("zhenhua", "pingcheng", K.STREET, "振华街道", "振华", {}),
    # Communities named on the page, under their streets.
    ("yujinyuan", "xinwang", K.COMMUNITY, "御锦源社区", "御锦源", {}),
    ("liuyuandongyuan", "xinwang", K.COMMUNITY, "柳园东院社区", "柳园东院", {}),
    ("xijing", "wenyinghu", K.COMMUNITY, "西京社区", "西京", {}),
    ("yujinyuan-grid-1", "yujinyuan", K.GRID, "御锦源社区第一网格", "第一网格", {}),
    # Departments and their sub-units.
    ("procuratorate", "pingcheng", K.DEPARTMENT, "平城区人民检察院", "区检察院", {}),
    ("urban-management", "pingcheng", K.DEPARTMENT, "平城区城市管理局", "区城管局", {}),
    (
        "urban-environment-brigade",
        "urban-management",
        K.DEPARTMENT,
        "平城区城市管理局环境治理监督大队",
        "环境治理监督大队",
        {},
    ),
    (
        "trade-union",
        "pingcheng",
        K.DEPARTMENT,
        "平城区总工会",
        "区总工会",
        {
            "address": "平城区行政办公中心北区121",
            "public_phones": "0352-5209130、18535257842、18335204270",
            "description": "小微企业工会经费返还咨询与办理。",
        },
    ),
    ("taxation", "pingcheng", K.DEPARTMENT, "平城区税务局", "区税务局", {}),
    ("civilization-office", "pingcheng", K.DEPARTMENT, "平城区创建全国文明城市工作办公室", "区创城办", {}),
    ("media-centre", "pingcheng", K.DEPARTMENT, "平城区融媒体中心", "融媒体中心", {}),
    # Outside organisations.
    ("wenyinghu-social-work", "wenyinghu", K.ORGANISATION, "文瀛湖街道社工站", "社工站", {}),
]

DEMO_PASSWORD = "pingcheng-demo-2026"

# (username, family name, given name, unit code, role, title). The reporter and the correspondent are people
# credited on the seed page; the others are invented, with names a district office might have (none of them a
# demo resident's, see pingcheng.audit.privacy).
ACCOUNTS: list[tuple[str, str, str, str, str, str]] = [
    ("admin", "高", "志远", "pingcheng", Role.DISTRICT_ADMIN, "平台管理员"),
    ("reporter", "邱", "东芳", "media-centre", Role.REPORTER, "记者"),
    ("correspondent", "马", "向英", "xiaonantou", Role.CORRESPONDENT, "通讯员"),
    ("editor", "王", "丽君", "media-centre", Role.EDITOR, "编辑"),
    ("deputy", "李", "建平", "media-centre", Role.DEPUTY_CHIEF, "副总编辑"),
    ("chief", "张", "国强", "media-centre", Role.CHIEF_EDITOR, "总编辑"),
    ("xinwang", "赵", "红梅", "xinwang", Role.STREET_STAFF, "新旺街道办干部"),
    ("yujinyuan", "刘", "淑芬", "yujinyuan", Role.COMMUNITY_STAFF, "御锦源社区干部"),
    ("grid", "陈", "晓东", "yujinyuan-grid-1", Role.GRID_WORKER, "网格员"),
    ("union", "孙", "立新", "trade-union", Role.DEPARTMENT_HANDLER, "区总工会承办人"),
    ("supervisor", "周", "明", "pingcheng", Role.SUPERVISOR, "区督办人"),
]
# The given names the demo accounts had before they got real ones ("王 编辑"): a demo database loaded then is
# renamed; a name somebody has changed since is left alone.
PLACEHOLDER_GIVEN_NAMES = frozenset({"理员", "编辑", "副总编", "总编", "街道", "社区", "网格", "承办", "督办"})


@transaction.atomic
def load_units() -> dict[str, Unit]:
    units: dict[str, Unit] = {}
    for order, (code, parent_code, kind, name, short_name, extra) in enumerate(UNITS):
        units[code], _created = unit_get_or_create(
            code=code,
            defaults={
                "kind": kind,
                "name": name,
                "short_name": short_name,
                "parent": units[parent_code] if parent_code else None,
                "sort_order": order * 10,
                **extra,
            },
        )
    return units


@transaction.atomic
def load_accounts(units: dict[str, Unit]) -> list[tuple[str, str, str]]:
    """Create one staff account per role. Returns (username, role, unit) rows for printing."""
    User = get_user_model()
    rows = []
    for username, family, given, unit_code, role, title in ACCOUNTS:
        user, created = User.objects.get_or_create(
            username=username, defaults={"last_name": family, "first_name": given, "is_staff": True}
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save(update_fields=["password"])
        elif user.first_name in PLACEHOLDER_GIVEN_NAMES:
            user.last_name, user.first_name = family, given
            user.save(update_fields=["last_name", "first_name"])
        Membership.objects.update_or_create(
            user=user, unit=units[unit_code], role=role, defaults={"title": title, "is_active": True}
        )
        rows.append((username, Role(role).label, units[unit_code].name))
    return rows
