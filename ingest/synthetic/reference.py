"""Reference data of the synthetic marketing system: process types, nodes, documents.

Mirrors DOMAIN.md sections 3, 4 and 7 as lookup arrays indexed by a process *variant*
(CAP_INC exists as an HV and an LV variant with different node lists), so that a whole
chunk of processes can be expanded into steps and documents with numpy indexing.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

NODES = (
    "ACCEPT",
    "SURVEY",
    "PLAN_REPLY",
    "FEE",
    "DESIGN_REVIEW",
    "MID_CHECK",
    "COMPLETION_CHECK",
    "CONTRACT",
    "METERING",
    "INSPECTION",
    "FILING",
)
N = {code: i for i, code in enumerate(NODES)}

LV_RES = ("ACCEPT", "SURVEY", "CONTRACT", "METERING", "FILING")
LV_NONRES = ("ACCEPT", "SURVEY", "PLAN_REPLY", "CONTRACT", "METERING", "FILING")
HV = (
    "ACCEPT",
    "SURVEY",
    "PLAN_REPLY",
    "FEE",
    "DESIGN_REVIEW",
    "MID_CHECK",
    "COMPLETION_CHECK",
    "CONTRACT",
    "METERING",
    "FILING",
)

# Customer segments of the customer pool: residential, LV non-residential, high voltage.
RES, LV_NR, HV_SEG = 0, 1, 2
# Customer classes of the time-limit table.
CLASSES = ("res", "lv_nonres", "hv_single", "hv_dual")
# Where a process's customer comes from.
EXISTING, NEW, CLOSING = 0, 1, 2


@dataclass(frozen=True)
class Variant:
    proc_type: str
    nodes: tuple[str, ...]
    weight: float
    kind: int
    segments: tuple[float, float, float]  # probability of res / lv non-res / hv customer
    business_expansion: bool
    category: str


VARIANTS: tuple[Variant, ...] = (
    Variant(
        "METER_ROTATION",
        ("ACCEPT", "METERING", "FILING"),
        0.40,
        EXISTING,
        (0.85, 0.12, 0.03),
        False,
        "metering",
    ),
    Variant("LV_RES_NEW", LV_RES, 0.22, NEW, (1.0, 0.0, 0.0), True, "expansion"),
    Variant(
        "PERIODIC_INSPECTION",
        ("ACCEPT", "INSPECTION", "FILING"),
        0.08,
        EXISTING,
        (0.0, 0.55, 0.45),
        False,
        "inspection",
    ),
    Variant("LV_NONRES_NEW", LV_NONRES, 0.06, NEW, (0.0, 1.0, 0.0), True, "expansion"),
    Variant(
        "TRANSFER", ("ACCEPT", "CONTRACT", "FILING"), 0.06, EXISTING, (0.7, 0.25, 0.05), False, "expansion"
    ),
    Variant(
        "RENAME", ("ACCEPT", "CONTRACT", "FILING"), 0.05, EXISTING, (0.7, 0.25, 0.05), False, "expansion"
    ),
    Variant(
        "CLOSE",
        ("ACCEPT", "SURVEY", "METERING", "FILING"),
        0.04,
        CLOSING,
        (0.8, 0.18, 0.02),
        False,
        "expansion",
    ),
    Variant("CAP_INC", LV_NONRES, 0.03, EXISTING, (0.0, 1.0, 0.0), True, "expansion"),
    Variant(
        "SUSPEND",
        ("ACCEPT", "SURVEY", "METERING", "FILING"),
        0.02,
        EXISTING,
        (0.0, 0.5, 0.5),
        False,
        "expansion",
    ),
    Variant(
        "CAP_DEC",
        ("ACCEPT", "SURVEY", "CONTRACT", "METERING", "FILING"),
        0.015,
        EXISTING,
        (0.0, 0.6, 0.4),
        True,
        "expansion",
    ),
    Variant("HV_NEW", HV, 0.007, NEW, (0.0, 0.0, 1.0), True, "expansion"),
    Variant("CAP_INC", HV, 0.005, EXISTING, (0.0, 0.0, 1.0), True, "expansion"),
)

VAR_TYPE = np.array([v.proc_type for v in VARIANTS])
VAR_WEIGHT = np.array([v.weight for v in VARIANTS]) / sum(v.weight for v in VARIANTS)
VAR_LEN = np.array([len(v.nodes) for v in VARIANTS])
VAR_KIND = np.array([v.kind for v in VARIANTS])
VAR_SEG_CUM = np.cumsum(np.array([v.segments for v in VARIANTS]), axis=1)
VAR_BE = np.array([v.business_expansion for v in VARIANTS])
VAR_HV = np.array([v.nodes == HV for v in VARIANTS])
VAR_CATEGORY = np.array([v.category for v in VARIANTS])
VAR_NODES = np.full((len(VARIANTS), max(VAR_LEN)), -1, dtype=np.int64)
for _i, _v in enumerate(VARIANTS):
    VAR_NODES[_i, : len(_v.nodes)] = [N[node] for node in _v.nodes]

# Time limits in working days, node x class (DOMAIN.md section 7); -1 = no limit.
TIME_LIMITS = np.full((len(NODES), len(CLASSES)), -1, dtype=np.int64)
TIME_LIMITS[N["PLAN_REPLY"]] = (3, 7, 15, 30)
TIME_LIMITS[N["DESIGN_REVIEW"]] = (-1, -1, 20, 20)
TIME_LIMITS[N["MID_CHECK"]] = (-1, -1, 5, 5)
TIME_LIMITS[N["COMPLETION_CHECK"]] = (5, 5, 5, 5)
TIME_LIMITS[N["METERING"]] = (3, 5, 5, 5)

# Untimed step durations in working minutes (low, high) per node.
DURATION_WM = np.array(
    [
        (10, 120),  # ACCEPT
        (120, 1600),  # SURVEY
        (240, 2000),  # PLAN_REPLY (when untimed)
        (120, 1600),  # FEE
        (1000, 5000),  # DESIGN_REVIEW
        (300, 1500),  # MID_CHECK
        (300, 1500),  # COMPLETION_CHECK
        (60, 1600),  # CONTRACT
        (60, 1100),  # METERING
        (60, 540),  # INSPECTION
        (20, 400),  # FILING
    ]
)
# Customer-side waiting before a node starts (working days, low/high): design, building works.
GAP_DAYS = np.zeros((len(NODES), 2))
GAP_DAYS[N["FEE"]] = (1, 8)
GAP_DAYS[N["DESIGN_REVIEW"]] = (5, 30)
GAP_DAYS[N["MID_CHECK"]] = (10, 40)
GAP_DAYS[N["COMPLETION_CHECK"]] = (5, 30)
GAP_DAYS[N["CONTRACT"]] = (0, 3)
GAP_DAYS[N["METERING"]] = (0, 2)


@dataclass(frozen=True)
class DocType:
    code: str
    name: str
    pages: tuple[int, int]


DOC_TYPES: tuple[DocType, ...] = (
    DocType("APPLICATION", "用电申请书", (1, 2)),
    DocType("ID_PROOF", "客户有效身份证明", (1, 2)),
    DocType("PROPERTY_PROOF", "产权证明", (1, 4)),
    DocType("SURVEY_SHEET", "现场勘查单", (1, 3)),
    DocType("SUPPLY_PLAN", "供电方案答复单", (2, 6)),
    DocType("FEE_RECEIPT", "业务收费凭证", (1, 1)),
    DocType("DESIGN_APPROVAL", "设计文件审核意见单", (1, 3)),
    DocType("MID_CHECK_REPORT", "中间检查意见单", (1, 3)),
    DocType("COMPLETION_REPORT", "竣工检验意见单", (1, 4)),
    DocType("CONTRACT", "供用电合同", (4, 16)),
    DocType("METERING_ORDER", "装表接电工作单", (1, 2)),
    DocType("INSPECTION_REPORT", "用电检查结果通知书", (1, 3)),
    DocType("AUTHORIZATION", "授权委托书", (1, 1)),
    DocType("SITE_PHOTO", "现场照片", (1, 4)),
    DocType("METER_PHOTO", "装表接电照片", (1, 2)),
    DocType("BUSINESS_LICENSE", "营业执照", (1, 1)),
    DocType("ELEC_SETTLEMENT", "电费结算协议", (2, 4)),
    DocType("DEBIT_AUTH", "银行代扣电费授权书", (1, 1)),
    DocType("OTHER_IMAGE", "其它影像资料", (1, 3)),
)
D = {doc.code: i for i, doc in enumerate(DOC_TYPES)}
DOC_CODE = np.array([d.code for d in DOC_TYPES])
DOC_NAME = np.array([d.name for d in DOC_TYPES])
DOC_PAGES = np.array([d.pages for d in DOC_TYPES])

MANDATORY: dict[str, tuple[str, ...]] = {
    "ACCEPT": ("APPLICATION", "ID_PROOF"),
    "SURVEY": ("SURVEY_SHEET",),
    "PLAN_REPLY": ("SUPPLY_PLAN",),
    "FEE": ("FEE_RECEIPT",),
    "DESIGN_REVIEW": ("DESIGN_APPROVAL",),
    "MID_CHECK": ("MID_CHECK_REPORT",),
    "COMPLETION_CHECK": ("COMPLETION_REPORT",),
    "CONTRACT": ("CONTRACT",),
    "METERING": ("METERING_ORDER",),
    "INSPECTION": ("INSPECTION_REPORT",),
}
PROPERTY_PROOF_TYPES = ("LV_RES_NEW", "LV_NONRES_NEW", "HV_NEW")
OPTIONAL: dict[str, tuple[str, ...]] = {
    "ACCEPT": ("AUTHORIZATION", "BUSINESS_LICENSE"),
    "SURVEY": ("SITE_PHOTO",),
    "INSPECTION": ("SITE_PHOTO",),
    "METERING": ("METER_PHOTO",),
}
OPTIONAL_SHARE = 0.3


def _slots(variant: Variant, node: str) -> list[tuple[int, bool]]:
    if node == "FILING":
        return []
    mandatory = list(MANDATORY[node])
    if node == "ACCEPT" and variant.proc_type in PROPERTY_PROOF_TYPES:
        mandatory.append("PROPERTY_PROOF")
    return [(D[c], True) for c in mandatory] + [(D[c], False) for c in OPTIONAL.get(node, ())]


_MAX_SLOTS = 5
SLOT_COUNT = np.zeros(VAR_NODES.shape, dtype=np.int64)
SLOT_TYPE = np.full((*VAR_NODES.shape, _MAX_SLOTS), -1, dtype=np.int64)
SLOT_MANDATORY = np.zeros((*VAR_NODES.shape, _MAX_SLOTS), dtype=bool)
for _i, _v in enumerate(VARIANTS):
    for _k, _node in enumerate(_v.nodes):
        _s = _slots(_v, _node)
        SLOT_COUNT[_i, _k] = len(_s)
        for _j, (_t, _m) in enumerate(_s):
            SLOT_TYPE[_i, _k, _j] = _t
            SLOT_MANDATORY[_i, _k, _j] = _m

PROBLEM_TYPES = np.array(
    [
        "缺少必备资料",
        "签字盖章不全",
        "扫描影像不清晰",
        "资料信息与系统不一致",
        "归档不及时",
        "纸质资料未按时移交",
        "合同条款填写不规范",
        "勘查单内容不完整",
    ]
)
BORROW_REASONS = np.array(["法律纠纷举证", "电费争议核查", "审计调阅", "业务核查", "客户查询", "上级检查"])
