"""The SVG charts: round axis ticks, and labels that fit inside the chart."""

import re
from pathlib import Path

import pytest

from portal.documents import charts

DEJAVU = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")


def tick_labels(svg: str) -> list[str]:
    return re.findall(r'<text x="44" [^>]*text-anchor="end"[^>]*>([^<]+)</text>', svg)


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ([0, 1, 2], ["0", "1", "2"]),  # never 0.5 or 1.5 votes
        ([3, 202, 150], ["0", "50", "100", "150", "200", "250"]),  # never 50.5
        ([0, 7, 1], ["0", "2", "4", "6", "8"]),
        ([1, 2, 37], ["0", "10", "20", "30", "40"]),
    ],
)
def test_counts_get_whole_round_ticks(values, expected):
    points = [(f"2026-{i + 1:02d}", v) for i, v in enumerate(values)]
    assert tick_labels(charts.line_chart(points, title="Votes")) == expected


def test_fractional_data_get_round_fractional_ticks():
    points = [("a", 0.3), ("b", 2.5)]
    assert tick_labels(charts.line_chart(points, title="Average")) == [
        "0",
        "0.5",
        "1",
        "1.5",
        "2",
        "2.5",
    ]


def label_texts(svg: str) -> list[tuple[float, int, str, str]]:
    """(x, font size, full label, printed label) of every right-aligned bar label."""
    return [
        (float(x), int(size), full, shown)
        for x, size, full, shown in re.findall(
            r'<text x="([\d.]+)" y="[\d.]+" text-anchor="end" font-size="(\d+)" fill="#333">'
            r"<title>([^<]*)</title>([^<]*)</text>",
            svg,
        )
    ]


LONG = [
    ("W" * 80, 3),  # the widest letters
    ("Consolidated invoice for CRM Online and BPOS, with every partner's own brand on it", 2),
    ("Cóndor Mayorista — facturación por el socio para todos los servicios en línea", None),
    ("Short", 1),
]


@pytest.mark.parametrize("chart", ["bar", "stacked"])
def test_long_labels_are_cut_with_an_ellipsis_and_fit_inside_the_chart(chart):
    fonttools = pytest.importorskip("fontTools.ttLib")
    if not DEJAVU.exists():
        pytest.skip("DejaVu Sans is not installed")
    if chart == "bar":
        svg = charts.bar_chart(LONG, title="Score")
    else:
        svg = charts.stacked_bar_chart(
            [(label, [1, 2, 3]) for label, _ in LONG], series=["a", "b", "c"], title="Mix"
        )
    font = fonttools.TTFont(DEJAVU)
    cmap, metrics, em = font.getBestCmap(), font["hmtx"], font["head"].unitsPerEm
    labels = label_texts(str(svg))
    assert len(labels) == len(LONG)
    for x, size, full, shown in labels:
        shown = shown.replace("&#39;", "'")
        width = sum(metrics[cmap[ord(c)]][0] for c in shown) * size / em
        assert x - width >= 0, f"{shown!r} starts at {x - width:.1f}, outside the chart"
        full = full.replace("&#39;", "'")
        if len(full) > 40:
            assert shown.endswith("…") and full.startswith(shown[:-1])
        else:
            assert shown == full
