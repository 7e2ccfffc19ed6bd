"""Page render times of the dashboard on a published warehouse, through Streamlit's AppTest.

Cold = caches cleared (connection opened, every query run); warm = the same page again
with the query cache filled, which is what a user sees after the first visit. The
customer page is timed with a search for the customer who has the most documents.

    .venv/bin/python bench/bench_dashboard.py --warehouse data/warehouse.duckdb --repeat 3
"""

from __future__ import annotations

import argparse
import logging
import os
import platform
import statistics
import time
from pathlib import Path

import streamlit as st
from streamlit.testing.v1 import AppTest

from ingest.warehouse import connect_published, published_file

logger = logging.getLogger(__name__)

VIEWS = Path(__file__).resolve().parents[1] / "dashboard" / "views"
PAGES = ("kpi", "rankings", "sla", "reminders", "contracts", "audit", "customer", "quality")
COUNTED = (
    "marts.kpi_monthly",
    "marts.scorecard_monthly",
    "marts.sla_monitor",
    "marts.reminders",
    "marts.contract_status",
    "marts.audit_sample",
    "marts.customer_documents",
    "marts.scan_pages",
)


def _render(page: str, customer: str | None) -> float:
    started = time.perf_counter()
    app = AppTest.from_file(str(VIEWS / f"{page}.py"), default_timeout=600).run()
    if page == "customer" and customer:
        app.text_input(key="cust_search").input(customer).run()
    elapsed = time.perf_counter() - started
    if app.exception:
        raise RuntimeError(f"page {page} raised: {[error.value for error in app.exception]}")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--warehouse", required=True)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--label", default="", help="e.g. jiaxing / tiny")
    parser.add_argument("--out", default=str(Path(__file__).parent / "results" / "dashboard.md"))
    args = parser.parse_args()
    os.environ["DANGAN_WAREHOUSE"] = str(Path(args.warehouse).resolve())

    con = connect_published(Path(args.warehouse))
    try:
        counts = {name: con.execute(f"select count(*) from {name}").fetchone()[0] for name in COUNTED}
        row = con.execute(
            "select cust_no from marts.customer_documents group by cust_no order by count(*) desc limit 1"
        ).fetchone()
        customer = row[0] if row else None
    finally:
        con.close()
    size_mb = published_file(Path(args.warehouse)).stat().st_size / 1e6

    results: dict[str, tuple[list[float], list[float]]] = {}
    for page in PAGES:
        cold, warm = [], []
        for _ in range(args.repeat):
            st.cache_data.clear()
            st.cache_resource.clear()
            cold.append(_render(page, customer))
            warm.append(_render(page, customer))
        results[page] = (cold, warm)
        logger.info("%s cold %.2fs warm %.2fs", page, statistics.median(cold), statistics.median(warm))

    lines = [
        "# Dashboard page render times",
        "",
        f"Warehouse: {args.label or Path(args.warehouse).name}, {size_mb:.1f} MB; "
        f"machine: {platform.machine()}, {os.cpu_count()} cores (shared with the team), "
        f"Python {platform.python_version()}, Streamlit {st.__version__}.",
        f"Measured with `bench/bench_dashboard.py` (Streamlit AppTest, script run only — no browser "
        f"paint), median of {args.repeat} runs per page.",
        "",
        "| mart | rows |",
        "| --- | ---: |",
        *(f"| {name} | {count:,} |" for name, count in counts.items()),
        "",
        "| page | cold (s) | warm (s) | cold / warm |",
        "| --- | ---: | ---: | ---: |",
    ]
    for page, (cold, warm) in results.items():
        cold_s, warm_s = statistics.median(cold), statistics.median(warm)
        lines.append(f"| {page} | {cold_s:.2f} | {warm_s:.2f} | {cold_s / warm_s:.1f}× |")
    lines += [
        "",
        "Cold: Streamlit caches cleared, so the read-only connection is opened and every query "
        "runs; warm: the same page rendered again with the per-version query cache filled.",
        "",
    ]
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text("\n".join(lines), encoding="utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO)
    main()
