"""The dashboard's Plotly figures, as pure functions of DataFrames (no Streamlit)."""

from datetime import date

import pandas as pd

from dashboard import charts

MARKER_COLUMNS = ["entity", "day", "status", "list", "official", "title", "url"]
INTERVAL_COLUMNS = ["entity", "list", "start", "end"]


def _history() -> pd.DataFrame:
    days = [date(2026, 1, d) for d in range(1, 11)]
    return pd.DataFrame(
        [("BYD Company Limited", day, 10.0 + i * 5) for i, day in enumerate(days)]
        + [("Baidu, Inc.", day, 20.0) for day in days],
        columns=["entity", "day", "score"],
    )


def _markers() -> pd.DataFrame:
    return pd.DataFrame(
        [
            ("BYD Company Limited", date(2026, 1, 3), "designated", "1260H", True, "Notice", "https://fr/1"),
            ("BYD Company Limited", date(2026, 1, 3), "designated", "1260H", True, "Notice (PDF)", "https://dod/1"),
            ("BYD Company Limited", date(2026, 1, 2), "proposed", "1260H", False, "News one", "https://n/1"),
            ("BYD Company Limited", date(2026, 1, 2), "proposed", "1260H", False, "News two", "https://n/2"),
            ("BYD Company Limited", date(2026, 1, 2), "proposed", "1260H", False, "News three", "https://n/3"),
            ("Baidu, Inc.", date(2026, 1, 8), "removed", "1260H", True, "Removal", "https://fr/2"),
        ],
        columns=MARKER_COLUMNS,
    )


def _intervals() -> pd.DataFrame:
    return pd.DataFrame(
        [
            ("BYD Company Limited", "1260H", date(2026, 1, 3), None),
            ("Baidu, Inc.", "1260H", date(2026, 1, 1), date(2026, 1, 8)),
        ],
        columns=INTERVAL_COLUMNS,
    )


def _lines(figure):
    return [t for t in figure.data if t.mode == "lines"]


def _marker_traces(figure):
    return [t for t in figure.data if t.mode == "markers"]


def _by_name(figure, name):
    (trace,) = [t for t in figure.data if t.name == name]
    return trace


def test_official_and_news_markers_differ_in_shape():
    figure = charts.exposure_chart(_history(), _markers(), _intervals())
    official = _by_name(figure, "Designated (official)").marker.symbol
    news = _by_name(figure, "Proposed (news)").marker.symbol
    assert official != news and news.endswith("-open") and not official.endswith("-open")
    news_only = _markers().assign(official=False)
    news_designated = _by_name(charts.exposure_chart(_history(), news_only), "Designated (news)").marker.symbol
    assert news_designated != official  # same status, different source: a different shape


def test_marker_colours_never_collide_with_line_colours():
    figure = charts.exposure_chart(_history(), _markers(), _intervals())
    line_colours = {t.line.color for t in _lines(figure)}
    marker_colours = {t.marker.color for t in _marker_traces(figure)}
    assert line_colours and marker_colours
    assert not line_colours & marker_colours
    assert not set(charts.LINE_COLORS) & set(charts.MARKER_COLORS.values())
    for trace in _marker_traces(figure):
        if not trace.marker.symbol.endswith("-open"):
            assert trace.marker.line.color == "white"


def test_lines_named_by_entity_and_markers_by_status_and_source():
    figure = charts.exposure_chart(_history(), _markers())
    assert {t.name for t in _lines(figure)} == {"BYD Company Limited", "Baidu, Inc."}
    assert {t.name for t in _marker_traces(figure)} == {
        "Designated (official)",
        "Removed (official)",
        "Proposed (news)",
    }
    assert all(t.legendgroup for t in _marker_traces(figure))


def test_one_band_per_interval_open_end_runs_to_last_day():
    figure = charts.exposure_chart(_history(), _markers(), _intervals())
    bands = figure.layout.shapes
    assert len(bands) == len(_intervals())
    assert all(band.layer == "below" for band in bands)
    assert all(band.fillcolor == charts.BAND_COLOR for band in bands)
    open_band = [b for b in bands if pd.Timestamp(b.x0) == pd.Timestamp(2026, 1, 3)][0]
    assert pd.Timestamp(open_band.x1) == pd.Timestamp(2026, 1, 10)
    labels = {a.text for a in figure.layout.annotations}
    assert labels == {"BYD Company Limited on 1260H", "Baidu, Inc. on 1260H"}


def test_many_bands_have_no_annotations():
    many = pd.DataFrame(
        [("BYD Company Limited", "1260H", date(2026, 1, d), date(2026, 1, d)) for d in range(1, 9)],
        columns=INTERVAL_COLUMNS,
    )
    figure = charts.exposure_chart(_history(), _markers(), many)
    assert len(figure.layout.shapes) == 8
    assert not figure.layout.annotations


def test_duplicate_markers_are_collapsed_with_document_count():
    figure = charts.exposure_chart(_history(), _markers())
    designated = _by_name(figure, "Designated (official)")
    assert len(designated.x) == 1 and "reported by 2 documents" in designated.text[0]
    proposed = _by_name(figure, "Proposed (news)")
    assert len(proposed.x) == 1 and "reported by 3 documents" in proposed.text[0]
    removed = _by_name(figure, "Removed (official)")
    assert "reported by 1 document" in removed.text[0]


def test_hover_names_entity_status_list_source_and_document():
    figure = charts.exposure_chart(_history(), _markers())
    text = _by_name(figure, "Designated (official)").text[0]
    for part in ("BYD Company Limited", "designated", "1260H", "official", "Notice"):
        assert part in text
    assert "news" in _by_name(figure, "Proposed (news)").text[0]


def test_markers_sit_on_the_line():
    history = _history()
    history = history[history["day"] != date(2026, 1, 3)]  # no score on the designation day
    markers = pd.concat(
        [
            _markers(),
            pd.DataFrame(
                [("Unscored Co", date(2026, 1, 5), "designated", "1260H", True, "Notice", "https://fr/9")],
                columns=MARKER_COLUMNS,
            ),
        ]
    )
    figure = charts.exposure_chart(history, markers)
    designated = _by_name(figure, "Designated (official)")
    y = dict(zip(designated.text, designated.y))
    byd = next(v for k, v in y.items() if "BYD" in k)
    assert byd == 15.0  # the nearest earlier scored day, 2026-01-02
    assert next(v for k, v in y.items() if "Unscored Co" in k) == 0
    assert _by_name(figure, "Removed (official)").y[0] == 20.0  # exact day


def test_axis_titles_and_title():
    figure = charts.exposure_chart(_history(), _markers())
    assert figure.layout.title.text == "Exposure score over time"
    assert figure.layout.xaxis.title.text == "Day"
    assert figure.layout.yaxis.title.text == "Exposure score (0-100)"
    assert figure.layout.legend.orientation == "h" and figure.layout.legend.y < 0
    custom = charts.exposure_chart(_history(), _markers(), title="BYD exposure")
    assert custom.layout.title.text == "BYD exposure"


def test_empty_markers_and_intervals():
    empty_markers = pd.DataFrame(columns=MARKER_COLUMNS)
    empty_intervals = pd.DataFrame(columns=INTERVAL_COLUMNS)
    figure = charts.exposure_chart(_history(), empty_markers, empty_intervals)
    assert len(_lines(figure)) == 2 and not _marker_traces(figure) and not figure.layout.shapes
    assert charts.exposure_chart(_history(), empty_markers).data  # the two-argument call
    nothing = charts.exposure_chart(pd.DataFrame(columns=["entity", "day", "score"]), empty_markers, empty_intervals)
    assert not nothing.data
    # markers but no history: placed at 0
    lonely = charts.exposure_chart(pd.DataFrame(columns=["entity", "day", "score"]), _markers(), _intervals())
    assert all(y == 0 for t in _marker_traces(lonely) for y in t.y)
    assert len(lonely.layout.shapes) == 2


def test_script_in_title_is_escaped_in_hover():
    markers = _markers()
    markers.loc[0, "title"] = "<script>alert(1)</script> Notice"
    markers.loc[2, "entity"] = "<b>Evil</b> Co"
    figure = charts.exposure_chart(_history(), markers)
    hovers = [text for t in _marker_traces(figure) for text in t.text]
    hovers += [t.hovertemplate for t in figure.data]
    assert not any("<script" in h for h in hovers)
    assert any("&lt;script&gt;" in h for h in hovers)
    assert not any("<b>Evil" in h for h in hovers)


def test_components_chart_has_titles():
    components = pd.DataFrame(
        {
            "entity": ["BYD Company Limited"] * 3,
            "day": [date(2026, 1, d) for d in (1, 2, 3)],
            "official": [0.0, 40.0, 40.0],
            "news": [10.0, 10.0, 0.0],
            "unused": [0.0, 0.0, 0.0],
        }
    )
    figure = charts.components_chart(components)
    assert {t.name for t in figure.data} == {"official", "news"}
    assert figure.layout.title.text == "Score components over time"
    assert figure.layout.yaxis.title.text == "Points"
    assert figure.layout.xaxis.title.text == "Day"


def test_companies_listed_over_the_same_period_share_one_band():
    from datetime import date

    history = pd.DataFrame({"entity": ["A", "B"], "day": [date(2026, 6, 8), date(2026, 6, 8)], "score": [60.0, 60.0]})
    markers = pd.DataFrame(columns=["entity", "day", "status", "list", "official", "title", "url"])
    periods = pd.DataFrame(
        [("A", "1260H", date(2026, 6, 8), None), ("B", "1260H", date(2026, 6, 8), None)],
        columns=["entity", "list", "start", "end"],
    )
    figure = charts.exposure_chart(history, markers, periods)
    assert len(figure.layout.shapes) == 1
    assert [a.text for a in figure.layout.annotations] == ["2 companies on 1260H"]
