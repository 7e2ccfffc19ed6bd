"""The synthetic organisation: supply units, teams and staff, plus name and address pools.

Jiaxing's seven supply units and 33 business offices are the article's organisation; the
Zhejiang scale adds the other ten prefectures with invented office lists. Everything is
drawn from a seeded generator so a seed always yields the same people.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ingest.synthetic.writers import SystemSinks

# Jiaxing: (unit_code, unit_name, short name, address prefix, business-office towns)
JIAXING_UNITS: tuple[tuple[str, str, str, str, tuple[str, ...]], ...] = (
    ("330402", "国网嘉兴供电公司南湖供电分公司", "南湖", "嘉兴市南湖区", ("城南", "大桥", "新丰", "凤桥")),
    (
        "330411",
        "国网嘉兴供电公司秀洲供电分公司",
        "秀洲",
        "嘉兴市秀洲区",
        ("新塍", "王江泾", "油车港", "洪合"),
    ),
    (
        "330481",
        "国网浙江海宁市供电有限公司",
        "海宁",
        "嘉兴市海宁市",
        ("硖石", "许村", "长安", "盐官", "袁花", "斜桥"),
    ),
    (
        "330482",
        "国网浙江平湖市供电有限公司",
        "平湖",
        "嘉兴市平湖市",
        ("当湖", "乍浦", "新埭", "独山港", "新仓"),
    ),
    (
        "330483",
        "国网浙江桐乡市供电有限公司",
        "桐乡",
        "嘉兴市桐乡市",
        ("梧桐", "濮院", "乌镇", "崇福", "洲泉", "石门"),
    ),
    ("330421", "国网浙江嘉善县供电有限公司", "嘉善", "嘉兴市嘉善县", ("魏塘", "西塘", "姚庄", "陶庄")),
    ("330424", "国网浙江海盐县供电有限公司", "海盐", "嘉兴市海盐县", ("武原", "沈荡", "澉浦", "秦山")),
)

# The other prefectures of Zhejiang for the province scale: (city code, city, districts/counties).
ZHEJIANG_CITIES: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    (
        "3301",
        "杭州",
        (
            "上城",
            "拱墅",
            "西湖",
            "滨江",
            "萧山",
            "余杭",
            "临平",
            "钱塘",
            "富阳",
            "临安",
            "桐庐",
            "淳安",
            "建德",
        ),
    ),
    ("3302", "宁波", ("海曙", "江北", "北仑", "镇海", "鄞州", "奉化", "余姚", "慈溪", "象山", "宁海")),
    (
        "3303",
        "温州",
        ("鹿城", "龙湾", "瓯海", "洞头", "瑞安", "乐清", "龙港", "永嘉", "平阳", "苍南", "文成", "泰顺"),
    ),
    ("3305", "湖州", ("吴兴", "南浔", "德清", "长兴", "安吉")),
    ("3306", "绍兴", ("越城", "柯桥", "上虞", "诸暨", "嵊州", "新昌")),
    ("3307", "金华", ("婺城", "金东", "兰溪", "义乌", "东阳", "永康", "武义", "浦江", "磐安")),
    ("3308", "衢州", ("柯城", "衢江", "江山", "常山", "开化", "龙游")),
    ("3309", "舟山", ("定海", "普陀", "岱山", "嵊泗")),
    ("3310", "台州", ("椒江", "黄岩", "路桥", "温岭", "临海", "玉环", "三门", "天台", "仙居")),
    ("3311", "丽水", ("莲都", "龙泉", "青田", "云和", "庆元", "缙云", "遂昌", "松阳", "景宁")),
)

SURNAMES = tuple(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)
GIVEN_CHARS = tuple(
    "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华建国文辉鹏飞宇浩然晨阳欣怡佳琪子涵雨婷思远志红梅玲燕海波兵斌峰晓东亮俊倩颖琳慧莉婧凯健博文杰嘉宁诚晖"
)
COMPANY_WORDS = tuple(
    "华达宏盛鑫源恒泰永康金茂天成瑞丰嘉禾富润锦江新星东方卓越万通隆兴博远正大信和振华中盈宏图汇丰"
)
INDUSTRIES = (
    "纺织有限公司",
    "经编有限公司",
    "皮革制品有限公司",
    "机械制造有限公司",
    "五金制品有限公司",
    "电子科技有限公司",
    "新材料有限公司",
    "服饰有限公司",
    "食品有限公司",
    "物流有限公司",
    "塑业有限公司",
    "家具有限公司",
    "印染有限公司",
    "化纤有限公司",
    "农业开发有限公司",
    "超市有限公司",
    "餐饮管理有限公司",
    "酒店有限公司",
    "建材有限公司",
    "包装有限公司",
)
HV_INDUSTRIES = (
    "化纤股份有限公司",
    "钢铁有限公司",
    "热电有限公司",
    "新能源科技股份有限公司",
    "半导体有限公司",
    "水务集团有限公司",
    "印染集团有限公司",
    "医院",
    "港务有限公司",
    "数据中心有限公司",
)
ROADS = (
    "中山路",
    "人民路",
    "解放路",
    "建设路",
    "文昌路",
    "东升路",
    "南湖路",
    "长水路",
    "禾兴路",
    "凌公塘路",
    "秀洲路",
    "常秀街",
    "由拳路",
    "洪兴路",
    "海昌路",
    "文苑路",
    "庆丰路",
    "工业大道",
    "开发区路",
    "滨海大道",
    "振兴路",
    "新华路",
    "胜利路",
    "朝阳路",
    "环城北路",
    "环城西路",
    "体育路",
    "学院路",
)

BUSINESS, COLLECTOR, AUDITOR, LEADER = "business", "collector", "auditor", "leader"
# Business staff per team, drawn between these bounds.
STAFF_RANGE = {"tiny": (2, 4), "jiaxing": (7, 15), "zhejiang": (7, 15)}


@dataclass
class Org:
    """The organisation as parallel numpy arrays (index = position)."""

    unit_code: np.ndarray
    unit_name: np.ndarray
    unit_short: np.ndarray
    unit_addr: np.ndarray
    unit_city: np.ndarray
    unit_weight: np.ndarray  # share of the business volume
    unit_factor: np.ndarray  # archive-discipline multiplier (1 = average, higher = worse)
    team_code: np.ndarray
    team_name: np.ndarray
    team_unit: np.ndarray
    team_is_center: np.ndarray
    team_factor: np.ndarray
    staff_id: np.ndarray
    staff_name: np.ndarray
    staff_team: np.ndarray
    staff_post: np.ndarray
    staff_mobile: np.ndarray
    staff_email: np.ndarray
    staff_active: np.ndarray
    staff_factor: np.ndarray
    staff_is_manager: np.ndarray

    # lookup tables: for each team, the positions (into staff arrays) of its active business
    # staff, collectors; for each unit its auditors, leaders and customer managers.
    def __post_init__(self) -> None:
        self.staff_unit = self.team_unit[self.staff_team]
        active = self.staff_active
        self.team_business = _group(
            self.staff_team, (self.staff_post == BUSINESS) & active, len(self.team_code)
        )
        self.team_collectors = _group(
            self.staff_team, (self.staff_post == COLLECTOR) & active, len(self.team_code)
        )
        self.unit_auditors = _group(
            self.staff_unit, (self.staff_post == AUDITOR) & active, len(self.unit_code)
        )
        self.unit_leaders = _group(self.staff_unit, (self.staff_post == LEADER) & active, len(self.unit_code))
        self.unit_managers = _group(self.staff_unit, self.staff_is_manager & active, len(self.unit_code))
        self.unit_collectors = _group(
            self.staff_unit, (self.staff_post == COLLECTOR) & active, len(self.unit_code)
        )
        self.unit_business = _group(
            self.staff_unit, (self.staff_post == BUSINESS) & active, len(self.unit_code)
        )
        self.unit_teams = _group(
            self.team_unit, np.ones(len(self.team_code), dtype=bool), len(self.unit_code)
        )
        self.unit_offices = _group(self.team_unit, ~self.team_is_center, len(self.unit_code))
        self.unit_center = np.array(
            [
                np.flatnonzero((self.team_unit == u) & self.team_is_center)[0]
                for u in range(len(self.unit_code))
            ]
        )


@dataclass
class Group:
    """Members of each group as one sorted array with offsets, for vectorised random picks."""

    members: np.ndarray
    offset: np.ndarray
    count: np.ndarray

    def pick(self, rng: np.random.Generator, group: np.ndarray) -> np.ndarray:
        """One uniformly chosen member of each given group (groups must be non-empty)."""
        count = self.count[group]
        if np.any(count == 0):
            raise ValueError("cannot pick a member of an empty group")
        return self.members[self.offset[group] + (rng.random(len(group)) * count).astype(np.int64)]


def _group(keys: np.ndarray, mask: np.ndarray, n_groups: int) -> Group:
    positions = np.flatnonzero(mask)
    order = np.argsort(keys[positions], kind="stable")
    members = positions[order]
    count = np.bincount(keys[members], minlength=n_groups)
    offset = np.concatenate([[0], np.cumsum(count)[:-1]])
    return Group(members, offset, count)


def person_names(rng: np.random.Generator, n: int) -> np.ndarray:
    surnames = np.array(SURNAMES)
    given = np.array(GIVEN_CHARS)
    first = surnames[rng.integers(0, len(surnames), n)]
    g1 = given[rng.integers(0, len(given), n)]
    g2 = np.where(rng.random(n) < 0.7, given[rng.integers(0, len(given), n)], "")
    return np.char.add(np.char.add(first, g1), g2)


def mobiles(rng: np.random.Generator, n: int) -> np.ndarray:
    prefixes = np.array(["133", "135", "136", "137", "138", "139", "150", "151", "158", "180", "187", "189"])
    head = prefixes[rng.integers(0, len(prefixes), n)]
    tail = np.char.zfill(rng.integers(0, 10**8, n).astype(str), 8)
    return np.char.add(head, tail)


def build_org(scale: str, rng: np.random.Generator) -> Org:
    """The supply units, teams and staff of a scale, with per-seed discipline factors."""
    units = _units(scale)
    n_units = len(units)
    unit_code = np.array([u[0] for u in units])
    unit_weight = np.array([len(u[4]) + 1.0 for u in units]) * rng.uniform(0.8, 1.2, n_units)
    unit_weight /= unit_weight.sum()
    # A spread of discipline: most units near average, one clearly weaker, one exemplary.
    unit_factor = rng.permutation(np.linspace(0.55, 1.35, n_units))
    unit_factor[np.argmax(unit_factor)] = 2.6
    team_code, team_name, team_unit, team_center = _teams(units)
    team_factor = np.exp(rng.normal(0.0, 0.3, len(team_code)))
    staff_team, staff_post, staff_manager = _staff_posts(rng, team_center, STAFF_RANGE[scale])
    staff_id = _staff_ids(unit_code, team_unit[staff_team])
    staff_factor, staff_active = _staff_discipline(rng, staff_team, staff_post)
    mobile, email = _contacts(rng, staff_id)
    return Org(
        unit_code=unit_code,
        unit_name=np.array([u[1] for u in units]),
        unit_short=np.array([u[2] for u in units]),
        unit_addr=np.array([u[3] for u in units]),
        unit_city=np.array([u[3][:3] for u in units]),
        unit_weight=unit_weight,
        unit_factor=unit_factor,
        team_code=team_code,
        team_name=team_name,
        team_unit=team_unit,
        team_is_center=team_center,
        team_factor=team_factor,
        staff_id=staff_id,
        staff_name=person_names(rng, len(staff_id)),
        staff_team=staff_team,
        staff_post=staff_post,
        staff_mobile=mobile,
        staff_email=email,
        staff_active=staff_active,
        staff_factor=staff_factor,
        staff_is_manager=staff_manager,
    )


def _units(scale: str) -> list[tuple[str, str, str, str, tuple[str, ...]]]:
    """Jiaxing's units; for the province, each district of the other cities with four offices."""
    units = list(JIAXING_UNITS)
    if scale == "zhejiang":
        for city_code, city, districts in ZHEJIANG_CITIES:
            for i, district in enumerate(districts):
                offices = tuple(f"{district}{n}" for n in ("第一", "第二", "第三", "第四"))
                units.append(
                    (
                        f"{city_code}{i + 1:02d}",
                        f"国网{city}供电公司{district}供电分公司",
                        district,
                        f"{city}市{district}",
                        offices,
                    )
                )
    return units


def _teams(
    units: list[tuple[str, str, str, str, tuple[str, ...]]],
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Each unit's service centre (team 01) and business offices: codes, names, unit, is-centre."""
    team_code, team_name, team_unit, team_center = [], [], [], []
    for u, (code, _name, short, _addr, offices) in enumerate(units):
        team_code.append(f"{code}01")
        team_name.append(f"{short}供电服务中心")
        team_unit.append(u)
        team_center.append(True)
        for i, town in enumerate(offices):
            team_code.append(f"{code}{i + 2:02d}")
            team_name.append(f"{town}供电营业所")
            team_unit.append(u)
            team_center.append(False)
    return np.array(team_code), np.array(team_name), np.array(team_unit), np.array(team_center)


def _staff_posts(
    rng: np.random.Generator, team_center: np.ndarray, staff_range: tuple[int, int]
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Team, post and manager flag of every person.

    Each team has business staff (a quarter of them customer managers), one collector (two
    in large teams) and a leader; service centres also hold the unit's two auditors.
    """
    s_team, s_post, s_manager = [], [], []
    for t in range(len(team_center)):
        n_business = int(rng.integers(staff_range[0], staff_range[1] + 1))
        n_managers = max(1, n_business // 4)
        posts = [BUSINESS] * n_business + [COLLECTOR] * (1 if n_business < 10 else 2) + [LEADER]
        if team_center[t]:
            posts += [AUDITOR] * 2
        s_team += [t] * len(posts)
        s_post += posts
        s_manager += [j < n_managers for j in range(n_business)] + [False] * (len(posts) - n_business)
    return np.array(s_team), np.array(s_post), np.array(s_manager)


def _staff_ids(unit_code: np.ndarray, staff_unit: np.ndarray) -> np.ndarray:
    """Unit code + 4 digits, numbered within the unit."""
    within = np.zeros(len(staff_unit), dtype=np.int64)
    for u in range(len(unit_code)):
        idx = np.flatnonzero(staff_unit == u)
        within[idx] = np.arange(1, len(idx) + 1)
    return np.char.add(unit_code[staff_unit], np.char.zfill(within.astype(str), 4))


def _staff_discipline(
    rng: np.random.Generator, staff_team: np.ndarray, staff_post: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Each person's archive-discipline factor (a few sloppy ones) and whether they still work."""
    n_staff = len(staff_team)
    staff_factor = np.exp(rng.normal(0.0, 0.45, n_staff))
    sloppy = rng.random(n_staff) < 0.05
    staff_factor[sloppy] *= 3.0
    # A few people have left; they keep their rows (history) but get no new work.
    staff_active = rng.random(n_staff) >= 0.03
    staff_active[staff_post != BUSINESS] = True
    # Never leave a team without active business staff.
    for t in range(int(staff_team.max()) + 1):
        members = np.flatnonzero((staff_team == t) & (staff_post == BUSINESS))
        if not staff_active[members].any():
            staff_active[members[0]] = True
    return staff_factor, staff_active


def _contacts(rng: np.random.Generator, staff_id: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Mobile numbers and e-mail addresses, a few of them left empty."""
    n_staff = len(staff_id)
    mobile = mobiles(rng, n_staff)
    mobile = np.where(rng.random(n_staff) < 0.05, "", mobile)
    email = np.char.add(staff_id, "@zj.sgcc.com.cn")
    email = np.where(rng.random(n_staff) < 0.2, "", email)
    return mobile, email


def write_organisation(org: Org, sinks: SystemSinks) -> None:
    """The marketing system's supply units, teams and staff."""
    sinks.write("supply_units", {"unit_code": org.unit_code, "unit_name": org.unit_name})
    sinks.write(
        "teams",
        {
            "team_code": org.team_code,
            "team_name": org.team_name,
            "unit_code": org.unit_code[org.team_unit],
        },
    )
    sinks.write(
        "staff",
        {
            "staff_id": org.staff_id,
            "staff_name": org.staff_name,
            "team_code": org.team_code[org.staff_team],
            "post": org.staff_post,
            "mobile": org.staff_mobile,
            "email": org.staff_email,
            "active": org.staff_active,
        },
    )
