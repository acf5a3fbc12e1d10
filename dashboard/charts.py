"""Plotly figures for the dashboard (pure functions of DataFrames)."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

MARKER_STYLE = {
    "designated": ("triangle-up", "#c0392b"),
    "removed": ("triangle-down", "#27ae60"),
    "proposed": ("diamond", "#e67e22"),
    "withdrawn": ("x", "#8e44ad"),
}


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
        yaxis={"title": "points", "range": [0, 100]},
        legend={"orientation": "h"},
        margin={"l": 10, "r": 10, "t": 30, "b": 10},
        height=360,
    )
    return figure


def exposure_chart(history: pd.DataFrame, markers: pd.DataFrame) -> go.Figure:
    """Exposure over time per entity, with listing-event markers on each line."""
    figure = go.Figure()
    for entity, rows in history.groupby("entity", sort=True):
        figure.add_trace(
            go.Scatter(
                x=rows["day"],
                y=rows["score"],
                mode="lines",
                name=entity,
                hovertemplate="%{x}<br>score %{y:.1f}<extra>" + entity.replace("<", "&lt;") + "</extra>",
            )
        )
    if not markers.empty and not history.empty:
        scores = history.set_index(["entity", "day"])["score"]
        for status, rows in markers.groupby("status"):
            symbol, color = MARKER_STYLE.get(status, ("circle", "#555"))
            y = [scores.get((row.entity, row.day), None) for row in rows.itertuples()]
            label = [
                f"{row.entity}: {row.status} ({row.list}, {'official' if row.official else 'news'})"
                for row in rows.itertuples()
            ]
            figure.add_trace(
                go.Scatter(
                    x=rows["day"],
                    y=y,
                    mode="markers",
                    name=status,
                    text=label,
                    marker={"symbol": symbol, "size": 11, "color": color},
                    hovertemplate="%{x}<br>%{text}<extra></extra>",
                )
            )
    figure.update_layout(
        yaxis={"title": "exposure score", "range": [0, 100]},
        xaxis={"title": None},
        legend={"orientation": "h"},
        margin={"l": 10, "r": 10, "t": 30, "b": 10},
        height=420,
    )
    return figure
