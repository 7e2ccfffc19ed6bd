"""Every label the dashboard shows, in Chinese (default) and English.

One module so that a page never carries a literal label and the language switch in the
sidebar changes every page at once.
"""

from __future__ import annotations

import streamlit as st

LANGUAGES = {"zh": "中文", "en": "English"}
DEFAULT_LANGUAGE = "zh"

LABELS: dict[str, tuple[str, str]] = {
    # sections and pages
    "app_title": ("档案管控", "Archive control"),
    "section_performance": ("考核", "Performance"),
    "section_operations": ("日常管控", "Operations"),
    "section_archive": ("档案", "Archive"),
    "page_kpi": ("月度指标", "Monthly KPIs"),
    "page_rankings": ("三级排名", "Rankings"),
    "page_sla": ("时限监控", "Time-limit monitor"),
    "page_reminders": ("提醒催办", "Reminders"),
    "page_contracts": ("合同管理", "Contracts"),
    "page_audit": ("稽查抽样", "Audit sampling"),
    "page_customer": ("一户一档", "Customer archive"),
    "page_quality": ("数据质量", "Data quality"),
    "language": ("语言", "Language"),
    "warehouse": ("数据仓库", "Warehouse"),
    "version": ("版本", "Version"),
    "no_warehouse": (
        "尚未发布数据仓库：请先运行 `dangan build`。",
        "No published warehouse yet: run `dangan build` first.",
    ),
    "missing_mart": ("数据仓库中没有该表：", "The warehouse has no table "),
    "no_data": ("暂无数据", "No data"),
    "refresh": ("刷新数据", "Refresh"),
    "download_xlsx": ("下载 Excel", "Download Excel"),
    "page_size": ("每页行数", "Rows per page"),
    "pager": ("页码", "Page"),
    "rows_total": ("共 {n} 行", "{n} rows"),
    "all": ("全部", "All"),
    # common columns
    "month": ("月份", "Month"),
    "tier": ("层级", "Tier"),
    "entity_id": ("编号", "ID"),
    "entity_name": ("名称", "Name"),
    "indicator": ("指标", "Indicator"),
    "numerator": ("分子", "Numerator"),
    "denominator": ("分母", "Denominator"),
    "value": ("实际值", "Value"),
    "target": ("目标值", "Target"),
    "meets_target": ("达标", "Meets target"),
    "weight": ("权重", "Weight"),
    "score": ("得分", "Score"),
    "points_lost": ("扣分", "Points lost"),
    "provisional": ("未结账", "Provisional"),
    "provisional_mark": ("（未结账）", " (provisional)"),
    "total_score": ("总分", "Total score"),
    "rank": ("排名", "Rank"),
    "entities_ranked": ("参评数", "Ranked"),
    "rank_change": ("名次变化", "Rank change"),
    "score_change": ("分数变化", "Score change"),
    "unit_code": ("供电单位", "Supply unit"),
    "team_code": ("班组", "Team"),
    "person_id": ("人员", "Person"),
    "assignee_id": ("处理人", "Assignee"),
    "owner_id": ("流程负责人", "Process owner"),
    "manager_id": ("客户经理", "Customer manager"),
    "step_id": ("环节编号", "Step"),
    "proc_id": ("流程编号", "Process"),
    "proc_type": ("流程类型", "Process type"),
    "cust_no": ("户号", "Account"),
    "cust_name": ("户名", "Customer name"),
    "address": ("地址", "Address"),
    "node_code": ("环节", "Node"),
    "started_at": ("开始时间", "Started"),
    "limit_workdays": ("时限(工作日)", "Limit (working days)"),
    "elapsed_workdays": ("已用(工作日)", "Elapsed (working days)"),
    "remaining_workdays": ("剩余(工作日)", "Remaining (working days)"),
    "status": ("状态", "Status"),
    "category": ("类别", "Category"),
    "level": ("级别", "Level"),
    "object_id": ("对象", "Object"),
    "since": ("起始时间", "Since"),
    "due_at": ("期限", "Due"),
    "contract_id": ("合同编号", "Contract"),
    "expires_on": ("到期日", "Expires"),
    "auto_renew": ("自动续期", "Auto-renew"),
    "valid": ("有效", "Valid"),
    "alert_level": ("预警级别", "Alert level"),
    "sample_rank": ("抽样序号", "Sample rank"),
    "population": ("总体数", "Population"),
    "sample_size": ("样本量", "Sample size"),
    "audit_result": ("稽查结果", "Audit result"),
    "audit_findings": ("问题描述", "Findings"),
    "doc_type": ("文件类型", "Document type"),
    "doc_id": ("文件编号", "Document"),
    "barcode": ("条码", "Barcode"),
    "added_at": ("归档时间", "Filed"),
    "pages": ("页数", "Pages"),
    "scanned": ("已扫描", "Scanned"),
    "scan_file": ("扫描文件", "Scan file"),
    "blocking_step_id": ("未发送的前序环节", "Unsent earlier step"),
    "count": ("数量", "Count"),
    "person_name": ("姓名", "Name"),
    "total_count": ("待办总数", "Open items"),
    "overdue_count": ("超期", "Overdue"),
    "warning_count": ("预警", "Warning"),
    "reminder_count": ("提醒", "Reminder"),
    "violations": ("违规数", "Violations"),
    "steps_started": ("开始环节数", "Steps started"),
    "violation_rate": ("违规率", "Violation rate"),
    "borrowings": ("卷宗借阅", "Dossier borrowings"),
    "borrow_id": ("借阅编号", "Borrowing"),
    "dossier_id": ("卷宗编号", "Dossier"),
    "borrower_id": ("借阅人", "Borrower"),
    "due_on": ("应还日期", "Due"),
    "days_overdue": ("逾期天数", "Days overdue"),
    "requested_at": ("申请时间", "Requested"),
    "returned_at": ("归还时间", "Returned"),
    "gate_by_unit": ("按月、单位、班组统计", "By month, unit and team"),
    "decode_summary": ("扫描页识别情况", "Scanned pages by decode status"),
    # KPI page
    "kpi_title": ("月度考核指标", "Monthly indicators"),
    "pick_month": ("考核月份", "Month"),
    "headline": ("全公司主要指标", "Company headline figures"),
    "company": ("全公司", "Company"),
    "no_company_tier": (
        "数据仓库未提供全公司汇总行，以下为各供电单位中的最低值（及最高值）。",
        "The warehouse has no company-level rows; showing the lowest (and highest) unit value.",
    ),
    "unit_values": ("各供电单位指标（与目标对比）", "Supply units vs target"),
    "trend": ("近 12 个月趋势", "12-month trend"),
    "trend_entity": ("趋势对象", "Trend for"),
    "vs_target": ("目标 {target}", "target {target}"),
    "lowest_unit": ("（最低单位）", " (lowest unit)"),
    "highest_unit": ("最高 {high}", "highest {high}"),
    # rankings
    "rankings_title": ("三级排名", "Rankings"),
    "pick_tier": ("排名层级", "Tier"),
    "drill_hint": (
        "点击柱形可下钻：供电单位 → 班组 → 人员。",
        "Click a bar to drill down: supply unit → teams → people.",
    ),
    "drill_unit": ("供电单位", "Supply unit"),
    "drill_team": ("班组", "Team"),
    "drill_reset": ("返回全部", "Back to all"),
    "indicator_detail": ("指标明细", "Indicator detail"),
    "no_hierarchy": (
        "数据仓库未提供所属单位/班组列，无法下钻。",
        "The warehouse has no unit/team columns on the scorecard, so drill-down is off.",
    ),
    # sla
    "sla_title": ("业扩时限监控（红黄绿）", "Time-limit traffic light"),
    "as_of_counts": ("红黄绿数量", "Red / yellow / green"),
    "by_unit": ("按供电单位", "By supply unit"),
    "by_team": ("按班组", "By team"),
    "red_yellow_list": ("红灯、黄灯环节清单", "Red and yellow steps"),
    "group_by": ("分组", "Group by"),
    # reminders
    "reminders_title": ("提醒催办", "Reminders and urging"),
    "by_category": ("按类别与级别", "By category and level"),
    "my_list": ("个人待办（按工号）", "A person's list (by staff id)"),
    "staff_id": ("工号", "Staff id"),
    "digest": ("催办汇总（将发送的内容）", "Urge digest (as it will be sent)"),
    "digest_missing": (
        "数据仓库尚无催办汇总表 marts.reminder_digest。",
        "The warehouse has no marts.reminder_digest yet.",
    ),
    # contracts
    "contracts_title": ("供用电合同管理", "Supply contracts"),
    "expiring_month": ("一个月内到期", "Expiring within a month"),
    "expiring_week": ("7 天内到期", "Expiring within 7 days"),
    "expired": ("已过期", "Expired"),
    "no_contract": ("无有效合同客户", "Customers without a valid contract"),
    "validity_by_unit": ("各单位合同有效率", "Validity rate by unit"),
    "validity_rate": ("合同有效率", "Validity rate"),
    # audit
    "audit_title": ("稽查抽样", "Audit sampling"),
    "sample_list": ("本月抽样清单", "This month's sample"),
    "seed_string": ("抽样种子", "Sampling seed"),
    "audit_results": ("稽查结果", "Audit results"),
    "pass_rate": ("抽查合格率", "Pass rate"),
    "findings_by_person": ("扣分（按人员）", "Quality points by person"),
    # customer
    "customer_title": ("一户一档", "One customer, one archive"),
    "search": ("搜索（户号、户名、地址、条码）", "Search (account, name, address, barcode)"),
    "search_results": ("匹配客户", "Matching customers"),
    "pick_customer": ("选择客户", "Customer"),
    "documents": ("档案文件", "Documents"),
    "scan_preview": ("扫描页预览", "Scanned pages"),
    "scan_missing": ("扫描文件不存在：", "Scan file not found: "),
    "not_scanned": ("未扫描", "Not scanned"),
    "processes": ("业务流程", "Processes"),
    "contract": ("合同", "Contract"),
    "scan_quality": ("扫描质量", "Scan quality"),
    "full_view": ("查看原图", "Full view"),
    # quality
    "quality_title": ("数据质量", "Data quality"),
    "last_build": ("最近一次构建", "Last build"),
    "build_status": ("构建状态", "Build status"),
    "rows_loaded": ("各表装载与拒绝行数", "Rows loaded and rejected per table"),
    "rejects": ("拒绝原因", "Reject reasons"),
    "unmatched_barcodes": ("未匹配条码", "Unmatched barcodes"),
    "unreadable_scans": ("无法读取的扫描文件", "Unreadable scans"),
    "gate_violations": ("节点卡控违规", "Gate violations"),
    "calendar_coverage": ("工作日历覆盖", "Calendar coverage"),
    "calendar_warning": (
        "{years} 年没有官方节假日数据，按周一至周五计算工作日，请在覆盖表中补充。",
        "No official holiday data for {years}: Monday–Friday is assumed; add overrides.",
    ),
    "calendar_ok": ("工作日历已覆盖全部年份。", "The working-day calendar covers every year."),
    "table_name": ("表", "Table"),
    "system": ("系统", "System"),
    "source_rows": ("源行数", "Source rows"),
    "loaded_rows": ("装载行数", "Loaded"),
    "rejected_rows": ("拒绝行数", "Rejected"),
    "reason": ("原因", "Reason"),
    "column_name": ("列", "Column"),
    "row_key": ("行键", "Row key"),
    "finished_at": ("完成时间", "Finished"),
    "error": ("错误", "Error"),
    "file_path": ("文件", "File"),
    "page_no": ("页", "Page"),
    "decode_status": ("识别状态", "Decode status"),
    "dpi": ("DPI", "DPI"),
    "width_px": ("宽(像素)", "Width (px)"),
    "height_px": ("高(像素)", "Height (px)"),
    "barcodes": ("条码", "Barcodes"),
}

CODES: dict[str, dict[str, tuple[str, str]]] = {
    "tier": {
        "company": ("全公司", "Company"),
        "supply_unit": ("供电单位", "Supply units"),
        "team": ("班组", "Teams"),
        "staff": ("业务人员", "Business staff"),
        "collector": ("档案收集员", "Collectors"),
    },
    "indicator": {
        "completion_rate": ("环节完成率", "Completion rate"),
        "timely_filing_rate": ("归档及时率", "Timely filing rate"),
        "handover_timely_rate": ("纸质档案移交及时率", "Paper hand-over timeliness"),
        "sla_overdue_rate": ("业扩超时限流程比率", "Overdue process ratio"),
        "contract_valid_rate": ("非居合同有效率", "Contract validity rate"),
        "audit_pass_rate": ("抽查合格率", "Audit pass rate"),
        "collection_timely_rate": ("档案收集及时率", "Collection timeliness"),
        "completeness_rate": ("档案完整率", "Completeness rate"),
        "quality_points": ("质量扣分", "Quality points"),
    },
    "status": {"red": ("红", "Red"), "yellow": ("黄", "Yellow"), "green": ("绿", "Green")},
    "category": {
        "to_add": ("待添加信息", "To add"),
        "to_send": ("待发送信息", "To send"),
        "to_hand_over": ("待移交信息", "To hand over"),
        "dossier_to_transfer": ("待移交卷宗", "Dossier to transfer"),
        "contract": ("合同预警信息", "Contract"),
        "sla": ("业扩时限预警信息", "Time limit"),
    },
    "level": {
        "reminder": ("提醒", "Reminder"),
        "warning": ("预警", "Warning"),
        "overdue": ("超期催办", "Overdue"),
    },
    "doc_category": {
        "expansion": ("业扩档案", "Business expansion"),
        "inspection": ("用检档案", "Inspection"),
        "metering": ("计量档案", "Metering"),
        "billing": ("电费档案", "Billing"),
        "other": ("其它(影像)", "Other (images)"),
    },
    "node_code": {
        "ACCEPT": ("业务受理", "Acceptance"),
        "SURVEY": ("现场勘查", "Site survey"),
        "PLAN_REPLY": ("供电方案答复", "Supply plan reply"),
        "FEE": ("业务收费", "Fee"),
        "DESIGN_REVIEW": ("设计文件审核", "Design review"),
        "MID_CHECK": ("中间检查", "Intermediate check"),
        "COMPLETION_CHECK": ("竣工检验", "Completion check"),
        "CONTRACT": ("签订供用电合同", "Contract signing"),
        "METERING": ("装表接电", "Metering"),
        "INSPECTION": ("现场检查", "Inspection"),
        "FILING": ("资料归档", "Filing"),
    },
    "proc_type": {
        "LV_RES_NEW": ("低压居民新装", "LV residential new"),
        "LV_NONRES_NEW": ("低压非居民新装", "LV non-residential new"),
        "HV_NEW": ("高压新装", "HV new"),
        "CAP_INC": ("增容", "Capacity increase"),
        "CAP_DEC": ("减容", "Capacity decrease"),
        "SUSPEND": ("暂停", "Suspension"),
        "TRANSFER": ("过户", "Transfer"),
        "RENAME": ("更名", "Rename"),
        "CLOSE": ("销户", "Closure"),
        "METER_ROTATION": ("表计轮换", "Meter rotation"),
        "PERIODIC_INSPECTION": ("周期性用电检查", "Periodic inspection"),
    },
    "doc_type": {
        "APPLICATION": ("用电申请书", "Application"),
        "ID_PROOF": ("客户有效身份证明", "Proof of identity"),
        "PROPERTY_PROOF": ("产权证明", "Proof of property"),
        "SURVEY_SHEET": ("现场勘查单", "Survey sheet"),
        "SUPPLY_PLAN": ("供电方案答复单", "Supply plan reply"),
        "FEE_RECEIPT": ("业务收费凭证", "Fee receipt"),
        "DESIGN_APPROVAL": ("设计文件审核意见单", "Design approval"),
        "MID_CHECK_REPORT": ("中间检查意见单", "Intermediate check report"),
        "COMPLETION_REPORT": ("竣工检验意见单", "Completion report"),
        "CONTRACT": ("供用电合同", "Supply contract"),
        "METERING_ORDER": ("装表接电工作单", "Metering work order"),
        "INSPECTION_REPORT": ("用电检查结果通知书", "Inspection report"),
    },
    "decode_status": {
        "decoded": ("已识别", "Decoded"),
        "no_barcode": ("无条码", "No barcode"),
        "blank": ("空白页", "Blank"),
        "error": ("无法读取", "Unreadable"),
    },
    "bool": {"True": ("是", "Yes"), "False": ("否", "No")},
}


def language() -> str:
    """The language picked in the sidebar; pages run alone (tests) fall back to Chinese."""
    try:
        lang = st.session_state.get("lang", DEFAULT_LANGUAGE)
    except (AttributeError, RuntimeError):
        lang = DEFAULT_LANGUAGE
    return lang if lang in LANGUAGES else DEFAULT_LANGUAGE


def t(key: str, **kwargs: object) -> str:
    """The label for ``key`` in the current language, formatted with ``kwargs``."""
    zh, en = LABELS[key]
    text = zh if language() == "zh" else en
    return text.format(**kwargs) if kwargs else text


def code(kind: str, value: object) -> str:
    """The display name of a code (indicator, tier, node...); unknown codes show as is."""
    if value is None:
        return ""
    names = CODES[kind].get(str(value))
    if names is None:
        return str(value)
    return names[0] if language() == "zh" else names[1]
