"""Plotly figures: Chinese (or English) labels, hover details, one colour scheme.

Builders take ready DataFrames and return figures; they never query or compute indicators.
"""

from __future__ import annotations

import html
from collections.abc import Iterable

import pandas as pd
import plotly.graph_objects as go

from dashboard.i18n import t
from dashboard.ui import code

STATUS_COLOURS = {"red": "#d62728", "yellow": "#f2b701", "green": "#2ca02c"}
LEVEL_COLOURS = {"reminder": "#1f77b4", "warning": "#f2b701", "overdue": "#d62728"}
MEETS_COLOURS = {True: "#2ca02c", False: "#d62728"}
LAYOUT = {"margin": {"l": 10, "r": 10, "t": 40, "b": 10}, "height": 360, "legend_title_text": ""}


def plain(values: Iterable[object]) -> list[str]:
    """Names from the data as Plotly must show them: Plotly reads ``<a href=…>``, ``<img>``-like
    tags and entities in labels, so ``<``, ``>`` and ``&`` are escaped (shown, never followed)."""
    return [html.escape(str(value), quote=False) for value in values]


def _percent_axis(figure: go.Figure, axis: str = "y") -> None:
    figure.update_layout({f"{axis}axis": {"tickformat": ".0%"}})


def _value_range(values: Iterable[object], floor: float = 1.0) -> list[float]:
    """An axis from 0 to a little above the largest value (and at least to ``floor``):
    all-zero data sits on the axis's base, never centred on a −1..1 (−100%..100%) axis."""
    numbers = [float(value) for value in values if value is not None and not pd.isna(value)]
    top = max([*numbers, 0.0])
    return [0.0, top * 1.1 if top > 0 else floor]


def count_axis(figure: go.Figure, totals: Iterable[object], axis: str = "y") -> None:
    """A count axis in whole numbers: from 0, a tick per unit while counts are small, never
    0.2, 0.4 …; all-zero counts on a 0..1 axis."""
    top = max([float(value) for value in totals] + [0.0])
    settings: dict[str, object] = {"range": [0, max(top * 1.1, 1)], "tickformat": ",d", "rangemode": "tozero"}
    if top <= 10:
        settings["dtick"] = 1
    figure.update_layout({f"{axis}axis": settings})


def month_axis(figure: go.Figure, months: Iterable[object]) -> None:
    """One tick per month, on the month, labelled YYYY-MM."""
    stamps = sorted({pd.Timestamp(value) for value in months})
    if stamps:
        figure.update_xaxes(
            tickmode="array",
            tickvals=stamps,
            ticktext=[stamp.strftime("%Y-%m") for stamp in stamps],
            range=[stamps[0] - pd.Timedelta(days=10), stamps[-1] + pd.Timedelta(days=10)],
        )


def indicator_vs_target(frame: pd.DataFrame, indicator: str, rate: bool) -> go.Figure:
    """Each entity's value of one indicator, green when it meets its target, red when not;
    named by ``short_name`` when the frame has one (full unit names crowd the axis)."""
    colours = ["#7f7f7f" if pd.isna(value) else MEETS_COLOURS[bool(value)] for value in frame["meets_target"]]
    value_format = ".1%" if rate else ".2f"
    figure = go.Figure(
        go.Bar(
            x=plain(frame["short_name"] if "short_name" in frame.columns else frame["entity_name"]),
            y=frame["value"],
            marker_color=colours,
            customdata=frame[["numerator", "denominator", "target"]].to_numpy(),
            hovertemplate=(
                f"%{{x}}<br>{t('value')}: %{{y:{value_format}}}<br>{t('numerator')}: %{{customdata[0]}}"
                f"<br>{t('denominator')}: %{{customdata[1]}}<br>{t('target')}: %{{customdata[2]:{value_format}}}"
                "<extra></extra>"
            ),
        )
    )
    if len(frame):
        target = frame["target"].iloc[0]
        figure.add_hline(
            y=target, line_dash="dash", line_color="#555", annotation_text=t("vs_target", target="")
        )
    figure.update_layout(title=code("indicator", indicator), **LAYOUT)
    targets = frame["target"].tolist() if len(frame) else []
    figure.update_yaxes(range=_value_range([*frame["value"], *targets]))
    if rate:
        _percent_axis(figure)
    return figure


def trend(frame: pd.DataFrame, indicator: str, rate: bool) -> go.Figure:
    """Twelve months of one indicator, one line per entity, target dashed; a ``month_status``
    column, when the frame has one, is shown beside each point's month (已结账 … / 未结账)."""
    figure = go.Figure()
    value_format = ".1%" if rate else ".2f"
    status = "month_status" in frame.columns
    for entity, rows in frame.groupby("entity_name", sort=True):
        figure.add_trace(
            go.Scatter(
                x=rows["month"],
                y=rows["value"],
                mode="lines+markers",
                name=plain([entity])[0],
                customdata=rows[["month_status"]].to_numpy() if status else None,
                hovertemplate=(
                    f"{plain([entity])[0]}<br>%{{x|%Y-%m}}{' %{customdata[0]}' if status else ''}"
                    f"<br>{t('value')}: %{{y:{value_format}}}<extra></extra>"
                ),
            )
        )
    if len(frame):
        figure.add_hline(y=frame["target"].iloc[-1], line_dash="dash", line_color="#555")
    figure.update_layout(title=code("indicator", indicator), **LAYOUT)
    month_axis(figure, frame["month"])
    if not (frame["value"].fillna(0) != 0).any():
        targets = frame["target"].tolist() if len(frame) else []
        figure.update_yaxes(range=_value_range(targets))
    if rate:
        _percent_axis(figure)
    return figure


def score_bars(frame: pd.DataFrame, title: str) -> go.Figure:
    """Total scores, best first, selectable (a click drills down)."""
    ordered = frame.sort_values(["rank", "entity_id"], ascending=[False, True])
    figure = go.Figure(
        go.Bar(
            x=ordered["total_score"],
            y=plain(ordered["entity_name"]),
            orientation="h",
            customdata=ordered[["entity_id", "rank"]].to_numpy(),
            marker_color="#1f77b4",
            hovertemplate=(
                f"%{{y}}<br>{t('total_score')}: %{{x:.2f}}<br>{t('rank')}: %{{customdata[1]}}<extra></extra>"
            ),
        )
    )
    figure.update_layout(
        title=title,
        clickmode="event+select",
        **{**LAYOUT, "height": max(260, 24 * len(ordered) + 80)},
    )
    return figure


def traffic_light(counts: pd.DataFrame, group_label: str, statuses: tuple[str, ...]) -> go.Figure:
    """Horizontal stacked red / yellow / green bars per group, most red first, counts printed
    on the bars: long unit names stay readable and the red groups stand out at a glance."""
    wide = counts.pivot_table(
        index="group_name", columns="status", values="count", aggfunc="sum", fill_value=0
    )
    for status in ("red", "yellow", "green"):
        if status not in wide.columns:
            wide[status] = 0
    wide = wide.sort_values(["red", "yellow", "green"], ascending=True)
    figure = go.Figure()
    for status in statuses:
        values = wide[status]
        figure.add_trace(
            go.Bar(
                y=plain(wide.index),
                x=values,
                orientation="h",
                name=code("sla_status", status),
                marker_color=STATUS_COLOURS[status],
                text=[str(int(value)) if value else "" for value in values],
                textposition="inside",
                insidetextanchor="middle",
                hovertemplate=f"%{{y}}<br>{code('sla_status', status)}: %{{x}}<extra></extra>",
            )
        )
    figure.update_layout(
        barmode="stack",
        yaxis_title=group_label,
        xaxis_title=t("count"),
        **{**LAYOUT, "height": max(260, 28 * len(wide) + 90)},
    )
    count_axis(figure, wide[list(statuses)].sum(axis=1).tolist() if len(wide) else [], axis="x")
    return figure


def reminder_levels(counts: pd.DataFrame, categories: list[str]) -> go.Figure:
    """Reminders per category (all of ``categories``, empty ones at 0), stacked by level."""
    figure = go.Figure()
    for level in ("reminder", "warning", "overdue"):
        rows = counts[counts["level"] == level].set_index("category")["count"]
        figure.add_trace(
            go.Bar(
                x=[code("reminder_category", value) for value in categories],
                y=[int(rows.get(value, 0)) for value in categories],
                name=code("level", level),
                marker_color=LEVEL_COLOURS[level],
                hovertemplate=f"%{{x}}<br>{code('level', level)}: %{{y}}<extra></extra>",
            )
        )
    figure.update_layout(barmode="stack", yaxis_title=t("count"), **LAYOUT)
    totals = counts.groupby("category")["count"].sum().tolist() if len(counts) else []
    count_axis(figure, totals)
    return figure
