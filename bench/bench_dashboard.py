"""Page render times of the dashboard on a published warehouse, through Streamlit's AppTest.

Cold = caches cleared (connection opened, every query run); warm = the same page again
with the query cache filled, which is what a user sees after the first visit. The
customer page is timed with a search for the customer who has the most documents.

    .venv/bin/python bench/bench_dashboard.py --warehouse tiny=W1 --warehouse jiaxing=W2 --repeat 3
"""

from __future__ import annotations

import argparse
import datetime as dt
import logging
import os
import platform
import secrets
import statistics
import tempfile
import time
from pathlib import Path

import streamlit as st
from streamlit.testing.v1 import AppTest

from dashboard.auth.session import SESSION_KEY
from dashboard.auth.store import ENV_USERS, UserStore
from ingest.warehouse import connect_published, published_file

logger = logging.getLogger(__name__)

VIEWS = Path(__file__).resolve().parents[1] / "dashboard" / "views"
BENCH_USER = "bench_leader"
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
    """One page rendered for a logged-in leader (whole company, as before logins existed)."""
    started = time.perf_counter()
    app = AppTest.from_file(str(VIEWS / f"{page}.py"), default_timeout=600)
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    app.session_state[SESSION_KEY] = {"username": BENCH_USER, "since": now, "seen": now, "how": "bench"}
    app.run()
    if page == "customer" and customer:
        app.text_input(key="cust_search").input(customer).run()
    elapsed = time.perf_counter() - started
    if app.exception:
        raise RuntimeError(f"page {page} raised: {[error.value for error in app.exception]}")
    return elapsed


def _measure(warehouse: Path, repeat: int) -> tuple[dict[str, int], float, dict[str, tuple[float, float]]]:
    """Row counts, file size (MB) and median cold/warm seconds per page for one warehouse."""
    os.environ["DANGAN_WAREHOUSE"] = str(warehouse.resolve())
    con = connect_published(warehouse)
    try:
        counts = {name: con.execute(f"select count(*) from {name}").fetchone()[0] for name in COUNTED}
        row = con.execute(
            "select cust_no from marts.customer_documents group by cust_no order by count(*) desc limit 1"
        ).fetchone()
        customer = row[0] if row else None
    finally:
        con.close()
    size_mb = published_file(warehouse).stat().st_size / 1e6
    medians: dict[str, tuple[float, float]] = {}
    for page in PAGES:
        cold, warm = [], []
        for _ in range(repeat):
            st.cache_data.clear()
            st.cache_resource.clear()
            cold.append(_render(page, customer))
            warm.append(_render(page, customer))
        medians[page] = (statistics.median(cold), statistics.median(warm))
        logger.info("%s %s cold %.2fs warm %.2fs", warehouse, page, *medians[page])
    return counts, size_mb, medians


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--warehouse",
        action="append",
        required=True,
        help="LABEL=PATH of a published warehouse; repeat to compare scales side by side",
    )
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--out", default=str(Path(__file__).parent / "results" / "dashboard.md"))
    args = parser.parse_args()
    runs = {}
    users = Path(tempfile.mkdtemp(prefix="bench-users-")) / "users.sqlite"
    UserStore(users).add(BENCH_USER, secrets.token_urlsafe(16), "leader")
    os.environ[ENV_USERS] = str(users)
    # One untimed render first, so the first timed page does not pay for imports.
    first = Path(args.warehouse[0].partition("=")[2])
    os.environ["DANGAN_WAREHOUSE"] = str(first.resolve())
    _render("kpi", None)
    for spec in args.warehouse:
        label, _, path = spec.partition("=")
        runs[label] = _measure(Path(path), args.repeat)
    labels = list(runs)

    lines = [
        "# Dashboard page render times",
        "",
        f"Machine: {platform.machine()}, {os.cpu_count()} cores shared with the rest of the team, "
        f"Python {platform.python_version()}, Streamlit {st.__version__}. "
        f"Measured in one run with `bench/bench_dashboard.py` (Streamlit AppTest: the page script and "
        f"its queries, no browser paint), median of {args.repeat} runs per page.",
        "",
        "| mart | " + " | ".join(labels) + " |",
        "| --- | " + " | ".join("---:" for _ in labels) + " |",
    ]
    for name in COUNTED:
        lines.append(f"| {name} | " + " | ".join(f"{runs[label][0][name]:,}" for label in labels) + " |")
    lines.append("| file size (MB) | " + " | ".join(f"{runs[label][1]:.1f}" for label in labels) + " |")
    lines += [
        "",
        "| page | " + " | ".join(f"{label} cold (s) | {label} warm (s)" for label in labels) + " |",
        "| --- | " + " | ".join("---: | ---:" for _ in labels) + " |",
    ]
    for page in PAGES:
        cells = " | ".join(
            f"{runs[label][2][page][0]:.2f} | {runs[label][2][page][1]:.2f}" for label in labels
        )
        lines.append(f"| {page} | {cells} |")
    if len(labels) > 1:
        base = labels[0]
        lines += ["", f"Cold-render ratio to {base}:", ""]
        lines.append("| page | " + " | ".join(f"{label} / {base}" for label in labels[1:]) + " |")
        lines.append("| --- | " + " | ".join("---:" for _ in labels[1:]) + " |")
        for page in PAGES:
            ratios = " | ".join(
                f"{runs[label][2][page][0] / runs[base][2][page][0]:.1f}×" for label in labels[1:]
            )
            lines.append(f"| {page} | {ratios} |")
    lines += [
        "",
        "Cold: Streamlit caches cleared, so the read-only connection is opened and every query "
        "runs; warm: the same page rendered again with the per-version query cache filled (what a "
        "user sees on a second visit until the next publish or the TTL).",
        "",
    ]
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text("\n".join(lines), encoding="utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO)
    main()
