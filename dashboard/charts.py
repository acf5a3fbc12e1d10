"""Plotly figures for the dashboard (pure functions of DataFrames)."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go


def components_chart(components: pd.DataFrame) -> go.Figure:
    """The score's components stacked over time (they sum to the score)."""
    figure = go.Figure()
    for name in components.columns[2:]:
        if components[name].any():
            figure.add_trace(
                go.Scatter(
                    x=components["day"],
                    y=components[name],
                    name=name,
                    mode="lines",
                    stackgroup="score",
                    hovertemplate="%{x}<br>" + name + " %{y:.1f}<extra></extra>",
                )
            )
    figure.update_layout(
        title={"text": "Score components over time", "x": 0},
        xaxis={"title": {"text": "Day"}},
        yaxis={"title": {"text": "Points"}, "range": [0, 100]},
        legend={"orientation": "h", "x": 0, "xanchor": "left", "y": -0.2, "yanchor": "top"},
        margin={"l": 10, "r": 10, "t": 50, "b": 10},
        height=380,
    )
    return figure


# Lines and markers never share a colour: lines take the lighter, mid-tone colours of plotly's
# colour-blind-safe "Safe" palette; markers take a separate dark palette with a white outline.
LINE_COLORS = (
    "rgb(136, 204, 238)",
    "rgb(204, 102, 119)",
    "rgb(221, 204, 119)",
    "rgb(68, 170, 153)",
    "rgb(153, 153, 51)",
    "rgb(170, 68, 153)",
    "rgb(17, 119, 51)",
    "rgb(136, 136, 136)",
)
MARKER_COLORS = {
    "designated": "#111111",
    "removed": "#08306b",
    "proposed": "#7f2704",
    "withdrawn": "#3f007d",
}
OTHER_MARKER_COLOR = "#333333"
# The status is told by the shape, official vs news by the fill: official filled, news the '-open' variant.
MARKER_SYMBOLS = {
    "designated": "triangle-up",
    "removed": "triangle-down",
    "proposed": "diamond",
    "withdrawn": "x",
}
STATUS_ORDER = ("designated", "proposed", "removed", "withdrawn")
BAND_COLOR = "rgb(120, 140, 170)"  # neutral grey-blue, never red/green
MAX_ANNOTATED_BANDS = 6
MARKER_KEYS = ["entity", "day", "status", "list", "official"]


def _escape(value: object) -> str:
    """Text safe to put into plotly's pseudo-HTML hover labels."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    return str(value).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _symbol(status: str, official: bool) -> str:
    base = MARKER_SYMBOLS.get(status, "circle")
    return base if official else f"{base}-open"


def _as_timestamp(value: object) -> pd.Timestamp | None:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    return pd.Timestamp(value)


def _collapse(markers: pd.DataFrame) -> pd.DataFrame:
    """One row per (entity, day, status, list, official) with the number of documents reporting it."""
    rows = []
    for key, group in markers.groupby(MARKER_KEYS, sort=True, dropna=False):
        titles = [t for t in group["title"] if isinstance(t, str) and t] if "title" in group else []
        urls = [u for u in group["url"] if isinstance(u, str) and u] if "url" in group else []
        rows.append(
            {
                **dict(zip(MARKER_KEYS, key)),
                "documents": len(group),
                "title": titles[0] if titles else "",
                "more_titles": len(set(titles)) - 1 if titles else 0,
                "url": urls[0] if urls else "",
            }
        )
    return pd.DataFrame(rows, columns=[*MARKER_KEYS, "documents", "title", "more_titles", "url"])


def _marker_y(history: pd.DataFrame, entity: str, day: object) -> float:
    """The entity's score on that day, else on the nearest earlier scored day, else 0."""
    rows = history[history["entity"] == entity]
    when = _as_timestamp(day)
    if rows.empty or when is None:
        return 0.0
    days = pd.to_datetime(rows["day"])
    earlier = rows[days <= when]
    if earlier.empty:
        return 0.0
    return float(earlier.loc[pd.to_datetime(earlier["day"]).idxmax(), "score"])


def _hover(row) -> str:
    kind = "official" if bool(row.official) else "news"
    documents = int(row.documents)
    lines = [
        f"<b>{_escape(row.entity)}</b>",
        f"{pd.Timestamp(row.day):%Y-%m-%d}: {_escape(row.status)} on {_escape(row.list)} ({kind})",
        f"reported by {documents} document{'s' if documents != 1 else ''}",
    ]
    if row.title:
        more = f" (and {row.more_titles} more)" if row.more_titles else ""
        lines.append(f"Document: {_escape(row.title)}{more}")
    return "<br>".join(lines)


def _add_bands(figure: go.Figure, history: pd.DataFrame, intervals: pd.DataFrame) -> None:
    """Official listing periods as translucent bands behind the lines (open ends run to the last day)."""
    last = pd.to_datetime(history["day"]).max() if not history.empty else None
    # companies listed over the same period (a list edition) share one band and one label
    groups: dict[tuple, list[str]] = {}
    for row in intervals.itertuples(index=False):
        end_key = None if row.end is None or pd.isna(row.end) else row.end
        groups.setdefault((row.list, row.start, end_key), []).append(str(row.entity))
    annotate = len(groups) <= MAX_ANNOTATED_BANDS
    for (list_name, start_day, end_day), entities in groups.items():
        start = _as_timestamp(start_day)
        if start is None:
            continue
        end = _as_timestamp(end_day)
        if end is None:
            end = last if last is not None and last >= start else start
        label = f"{entities[0]} on {list_name}" if len(entities) == 1 else f"{len(entities)} companies on {list_name}"
        extra = {}
        if annotate:
            extra = {
                "annotation_text": _escape(label),
                "annotation_position": "top left",
                "annotation_font": {"size": 10, "color": "rgb(70, 80, 100)"},
            }
        figure.add_vrect(
            x0=start,
            x1=end,
            fillcolor=BAND_COLOR,
            opacity=0.15,
            line_width=0,
            layer="below",
            name=label,
            **extra,
        )


def exposure_chart(
    history: pd.DataFrame,
    markers: pd.DataFrame,
    intervals: pd.DataFrame | None = None,
    *,
    title: str = "Exposure score over time",
) -> go.Figure:
    """Exposure over time per entity (one line each), listing-event markers on the lines (shape: status;
    filled: official, open: news; duplicates collapsed) and official listing periods as shaded bands."""
    figure = go.Figure()
    if intervals is not None and not intervals.empty:
        _add_bands(figure, history, intervals)
    for index, (entity, rows) in enumerate(history.groupby("entity", sort=True)):
        rows = rows.sort_values("day")
        figure.add_trace(
            go.Scatter(
                x=rows["day"],
                y=rows["score"],
                mode="lines",
                name=entity,
                legendgroup="entities",
                line={"color": LINE_COLORS[index % len(LINE_COLORS)], "width": 2.5},
                hovertemplate=f"<b>{_escape(entity)}</b><br>%{{x|%Y-%m-%d}}<br>Exposure score %{{y:.1f}}<extra></extra>",
            )
        )
    if markers is not None and not markers.empty:
        collapsed = _collapse(markers)
        statuses = sorted(
            set(collapsed["status"]),
            key=lambda s: (STATUS_ORDER.index(s) if s in STATUS_ORDER else len(STATUS_ORDER), str(s)),
        )
        for official in (True, False):
            for status in statuses:
                rows = collapsed[(collapsed["status"] == status) & (collapsed["official"].astype(bool) == official)]
                if rows.empty:
                    continue
                kind = "official" if official else "news"
                color = MARKER_COLORS.get(status, OTHER_MARKER_COLOR)
                figure.add_trace(
                    go.Scatter(
                        x=rows["day"],
                        y=[_marker_y(history, row.entity, row.day) for row in rows.itertuples()],
                        mode="markers",
                        name=f"{str(status).capitalize()} ({kind})",
                        legendgroup=f"events-{kind}",
                        text=[_hover(row) for row in rows.itertuples()],
                        customdata=list(rows["url"]),
                        marker={
                            "symbol": _symbol(status, official),
                            "size": 13 if official else 11,
                            "color": color,
                            # filled: a white outline; open symbols are drawn with their line
                            "line": {"color": "white", "width": 1.5} if official else {"color": color, "width": 2},
                        },
                        hovertemplate="%{text}<extra></extra>",
                    )
                )
    figure.update_layout(
        title={"text": _escape(title), "x": 0},
        xaxis={"title": {"text": "Day"}},
        yaxis={"title": {"text": "Exposure score (0-100)"}, "range": [0, 100]},
        legend={"orientation": "h", "x": 0, "xanchor": "left", "y": -0.15, "yanchor": "top"},
        hovermode="closest",
        margin={"l": 10, "r": 10, "t": 50, "b": 10},
        height=480,
    )
    return figure
