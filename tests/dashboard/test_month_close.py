"""Months labelled final (已结账, with the freeze time) or provisional (未结账) wherever a
month is picked, as ``marts.kpi_months`` states them (DOMAIN §13).

The tiny set is built as of 2026-11-27 17:30 with a close lag of 15 days: July to October
closed by 2026-11-16 00:00 and are final, frozen by that very build (frozen_at = its
as_of); November closes at 2026-12-16 00:00 and is provisional.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import duckdb
import pytest
from streamlit.testing.v1 import AppTest

from ingest.warehouse import prepare_build_copy, publish
from tests.dashboard.apptest import run_page

VIEWS = Path(__file__).resolve().parents[2] / "dashboard" / "views"
TIMEOUT_S = 60

FROZEN_BY_THE_BUILD = "2026-11-27 17:30"
EXPECTED_LABELS = [
    "2026年11月（未结账）",
    f"2026年10月（已结账 {FROZEN_BY_THE_BUILD}）",
    f"2026年9月（已结账 {FROZEN_BY_THE_BUILD}）",
    f"2026年8月（已结账 {FROZEN_BY_THE_BUILD}）",
    f"2026年7月（已结账 {FROZEN_BY_THE_BUILD}）",
]
# A monthly close tick that froze October on its own, before the build above.
CLOSE_TICK = "2026-11-16 06:00:00"


@pytest.fixture
def frozen_at_close_tick(tiny_warehouse: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the tiny warehouse whose October was frozen by the close tick of
    2026-11-16 06:00 (as the close schedule would have stored it), published and in use."""
    own = tmp_path / "warehouse.duckdb"
    build = prepare_build_copy(own)
    build.write_bytes(Path(tiny_warehouse).resolve().read_bytes())
    with duckdb.connect(str(build)) as con:
        con.execute(
            "update marts.kpi_months set frozen_at = cast(? as timestamp) where month = date '2026-10-01'",
            [CLOSE_TICK],
        )
    publish(build, own)
    monkeypatch.setenv("DANGAN_WAREHOUSE", str(own))
    return own


def run_view(name: str) -> AppTest:
    app = run_page(VIEWS / name, TIMEOUT_S)
    assert not app.exception, [error.value for error in app.exception]
    return app


def test_kpi_month_picker_labels_final_months_with_their_freeze_time(warehouse: Path) -> None:
    """GIVEN the tiny build (July–October final and frozen by it, November provisional)
    WHEN the KPI page opens THEN the picker reads 已结账 with the freeze time for each final
    month and 未结账 for November, newest first."""
    app = run_view("kpi.py")
    assert app.selectbox(key="kpi_month").options == EXPECTED_LABELS


def test_provisional_month_says_when_it_closes(warehouse: Path) -> None:
    """GIVEN November provisional, closing at 2026-12-16 00:00 WHEN it is shown THEN the
    caption says its figures may change until then; October says it is frozen."""
    app = run_view("kpi.py")
    app.selectbox(key="kpi_month").set_value(dt.date(2026, 11, 1)).run()
    captions = [caption.value for caption in app.caption]
    assert "本月未结账，数据仍可能变化；将于 2026-12-16 00:00 结账。" in captions
    app.selectbox(key="kpi_month").set_value(dt.date(2026, 10, 1)).run()
    captions = [caption.value for caption in app.caption]
    assert f"本月已结账（{FROZEN_BY_THE_BUILD} 冻结），数据不再变化。" in captions


def test_rankings_and_audit_pickers_label_months_like_the_kpi_page(warehouse: Path) -> None:
    assert run_view("rankings.py").selectbox(key="rank_month").options == EXPECTED_LABELS
    assert run_view("audit.py").selectbox(key="audit_month").options == EXPECTED_LABELS


def test_freeze_time_is_the_one_the_warehouse_stored(frozen_at_close_tick: Path) -> None:
    """GIVEN October frozen by the close tick at 2026-11-16 06:00 WHEN the pages open, in
    Chinese and in English THEN October shows that moment, not the build's as_of."""
    app = run_view("kpi.py")
    assert app.selectbox(key="kpi_month").options[1] == "2026年10月（已结账 2026-11-16 06:00）"
    app.session_state["lang"] = "en"
    app.run()
    assert app.selectbox(key="kpi_month").options[:2] == [
        "2026-11 · provisional",
        "2026-10 · final (closed 2026-11-16 06:00)",
    ]
    audit = run_view("audit.py")
    assert audit.selectbox(key="audit_month").options[1] == "2026年10月（已结账 2026-11-16 06:00）"


def test_trend_hover_says_which_points_are_final(warehouse: Path) -> None:
    """GIVEN the trend of July–November WHEN the KPI page draws it THEN each point carries
    its month's status: four final months frozen by the build, then November provisional."""
    app = run_view("kpi.py")
    app.selectbox(key="kpi_month").set_value(dt.date(2026, 11, 1)).run()
    figure = json.loads(app.get("plotly_chart")[-1].proto.spec)
    statuses = [row[0] for row in figure["data"][0]["customdata"]]
    assert statuses == [f"已结账 {FROZEN_BY_THE_BUILD}"] * 4 + ["未结账"]
