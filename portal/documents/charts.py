"""Server-side SVG charts: the same chart on the page and in the PDF, with no script or CDN.

Every label is escaped; a value of None is a privacy-suppressed cell and gets no bar.
"""

import math
import unicodedata

from markupsafe import Markup, escape

PALETTE = ["#0f6e74", "#4292c6", "#c2410c", "#7c3aed", "#15803d", "#b45309"]
LABEL_GAP = 8  # between a label's end and its bar
FONT = "system-ui, -apple-system, 'Segoe UI', 'DejaVu Sans', sans-serif"


def _fmt(value: float, unit: str) -> str:
    if unit == "%":
        return f"{value:,.0f}%"
    if isinstance(value, float) and not value.is_integer():
        return f"{value:,.1f}{unit}"
    return f"{value:,.0f}{unit}"


# Advance widths of ASCII 32-126 in DejaVu Sans (the PDF's font and one of the widest sans
# fonts), in em: labels are measured with these, so one that fits here fits in narrower fonts.
_ASCII_EM = (
    "318 401 460 838 636 950 780 275 390 390 500 838 318 361 318 337 636 636 636 636 636 636 "
    "636 636 636 636 337 337 838 838 838 531 1000 684 686 698 770 632 575 775 752 295 295 656 "
    "557 863 748 787 603 787 695 635 611 732 684 989 685 611 685 390 337 390 838 500 500 613 "
    "635 550 635 615 352 635 634 278 278 579 278 974 634 612 635 635 411 521 392 634 592 818 "
    "592 592 525 636 337 636 838"
)
_WIDTHS = {chr(32 + i): int(w) / 1000 for i, w in enumerate(_ASCII_EM.split())}
ELLIPSIS = "…"


def _char_em(char: str) -> float:
    if char in _WIDTHS:
        return _WIDTHS[char]
    base = unicodedata.normalize("NFD", char)[:1]  # é is as wide as e
    return _WIDTHS.get(base, 1.0)  # anything else: a full em, never less than it takes


def text_width(text: str, font_size: float) -> float:
    """The width `text` takes at `font_size` px, measured in DejaVu Sans (rounded up)."""
    return sum(_char_em(c) for c in text) * font_size


def fit_label(label: str, room: float, font_size: float) -> str:
    """`label`, or as much of it as fits in `room` px followed by an ellipsis."""
    if text_width(label, font_size) <= room:
        return label
    budget = room - text_width(ELLIPSIS, font_size)
    used, end = 0.0, 0
    for end, char in enumerate(label):  # noqa: B007 - `end` is read after the loop
        used += _char_em(char) * font_size
        if used > budget:
            break
    return label[:end].rstrip() + ELLIPSIS


def _label_room(labels: list[str], font_size: float, width: int) -> int:
    """Room for the labels left of the bars: as wide as the longest, at most 40% of the chart."""
    longest = max((text_width(label, font_size) for label in labels), default=0)
    return int(min(max(longest, 40), width * 0.4)) + LABEL_GAP + 4


def nice_ticks(top: float, integer: bool, intervals: int = 5) -> list[float]:
    """Axis ticks from 0 to at least `top` in round steps (1, 2, 2.5 or 5 × 10ⁿ), at most
    `intervals` of them; whole-number steps when the data are counts."""
    if top <= 0:
        return [0, 1]
    magnitude = 10 ** math.floor(math.log10(top / intervals))
    for step in (m * magnitude * f for f in (1, 10) for m in (1, 2, 2.5, 5)):
        if (integer and not float(step).is_integer()) or math.ceil(top / step - 1e-9) > intervals:
            continue
        ticks = [round(i * step, 10) for i in range(math.ceil(top / step - 1e-9) + 1)]
        return [int(t) for t in ticks] if integer else ticks
    return [0, top]  # not reached: 10 × magnitude always fits


def _frame(width: int, height: int, title: str, body: str) -> Markup:
    return Markup(  # noqa: S704  # nosec B704 - every interpolated text below is escaped
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="100%" role="img" aria-label="{escape(title)}" class="chart" '
        f'style="max-width:{width}px;font-family:{FONT}">'
        f"<title>{escape(title)}</title>{body}</svg>"
    )


def empty_chart(title: str, width: int = 640) -> Markup:
    body = (
        f'<rect x="0" y="0" width="{width}" height="60" fill="#f7f7f7" rx="6"/>'
        f'<text x="{width / 2}" y="35" text-anchor="middle" font-size="14" fill="#666">'
        "No data yet</text>"
    )
    return _frame(width, 60, title, body)


def bar_chart(
    items: list[tuple[str, float | int | None]],
    *,
    title: str,
    unit: str = "",
    suppressed_label: str = "suppressed",
    maximum: float | None = None,
    width: int = 640,
    colour: str = PALETTE[0],
) -> Markup:
    """Horizontal bars with the value at the end of each; None draws no bar, only a note."""
    if not items:
        return empty_chart(title, width)
    row, pad, size = 28, 8, 13
    label_width = _label_room([label for label, _ in items], size, width)
    bar_space = width - label_width - 90
    top = max([v for _, v in items if v is not None] + [maximum or 0]) or 1
    parts = []
    for index, (label, value) in enumerate(items):
        y = pad + index * row
        parts.append(_label(label, label_width, y + 18, size))
        if value is None:
            parts.append(
                f'<text x="{label_width + 4}" y="{y + 18}" font-size="12" font-style="italic" '
                f'fill="#888">{escape(suppressed_label)}</text>'
            )
            continue
        length = max(bar_space * float(value) / float(top), 1 if value else 0)
        parts.append(
            f'<rect class="bar" x="{label_width}" y="{y + 5}" width="{length:.1f}" height="18" '
            f'rx="3" fill="{colour}"/>'
            f'<text x="{label_width + length + 6:.1f}" y="{y + 18}" font-size="12" '
            f'fill="#222">{escape(_fmt(value, unit))}</text>'
        )
    height = pad * 2 + row * len(items)
    return _frame(width, height, title, "".join(parts))


def _label(label: str, label_width: int, y: int, size: int) -> str:
    """A bar's label, right-aligned before it, cut with an ellipsis to fit from x=2; the full
    label is its tooltip."""
    right = label_width - LABEL_GAP
    short = fit_label(label, right - 2, size)
    return (
        f'<text x="{right}" y="{y}" text-anchor="end" font-size="{size}" fill="#333">'
        f"<title>{escape(label)}</title>{escape(short)}</text>"
    )


def stacked_bar_chart(
    rows: list[tuple[str, list[float]]],
    *,
    series: list[str],
    title: str,
    colours: list[str] | None = None,
    width: int = 640,
) -> Markup:
    """Horizontal 100% stacked bars with a legend (e.g. the importance mix per requirement)."""
    if not rows:
        return empty_chart(title, width)
    colours = colours or ["#9ecae1", "#4292c6", "#c2410c"]
    row, legend, size = 26, 30, 12
    label_width = _label_room([label for label, _ in rows], size, width)
    bar_space = width - label_width - 20
    parts = []
    for index, name in enumerate(series):
        key_x = label_width + index * 110
        parts.append(
            f'<rect x="{key_x}" y="6" width="12" height="12" '
            f'fill="{colours[index % len(colours)]}"/>'
            f'<text x="{key_x + 18}" y="16" font-size="12" fill="#333">{escape(name)}</text>'
        )
    for index, (label, values) in enumerate(rows):
        y = legend + index * row
        parts.append(_label(label, label_width, y + 16, size))
        total = sum(values) or 1
        x = float(label_width)
        for position, value in enumerate(values):
            length = bar_space * value / total
            if length:
                parts.append(
                    f'<rect class="bar" x="{x:.1f}" y="{y + 4}" width="{length:.1f}" height="16" '
                    f'fill="{colours[position % len(colours)]}"><title>{escape(series[position])}: '
                    f"{value:,.0f}</title></rect>"
                )
            x += length
    return _frame(width, legend + row * len(rows) + 8, title, "".join(parts))


def line_chart(
    points: list[tuple[str, float | None]],
    *,
    title: str,
    width: int = 640,
    height: int = 220,
    colour: str = PALETTE[0],
) -> Markup:
    """A line over labelled points (e.g. months), with gaps where a value is None."""
    if not points or all(v is None for _, v in points):
        return empty_chart(title, width)
    left, right, top_pad, bottom = 50, 20, 16, 40
    plot_w, plot_h = width - left - right, height - top_pad - bottom
    values = [v for _, v in points if v is not None]
    ticks = nice_ticks(max(values), integer=all(float(v).is_integer() for v in values))
    top = ticks[-1]
    step = plot_w / max(len(points) - 1, 1)
    parts = [
        f'<line x1="{left}" y1="{top_pad + plot_h}" x2="{width - right}" y2="{top_pad + plot_h}" '
        'stroke="#bbb"/>'
    ]
    for tick_value in ticks:
        y = top_pad + plot_h - plot_h * tick_value / top
        parts.append(
            f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end" font-size="11" fill="#666">'
            f"{escape(_fmt(tick_value, ''))}</text>"
            f'<line x1="{left}" y1="{y:.1f}" x2="{width - right}" y2="{y:.1f}" stroke="#eee"/>'
        )
    segment: list[str] = []
    for index, (label, value) in enumerate(points):
        x = left + index * step
        if index % max(1, len(points) // 8) == 0 or index == len(points) - 1:
            parts.append(
                f'<text x="{x:.1f}" y="{height - 18}" text-anchor="middle" font-size="11" '
                f'fill="#666">{escape(label)}</text>'
            )
        if value is None:
            if len(segment) > 1:
                parts.append(_polyline(segment, colour))
            segment = []
            continue
        y = top_pad + plot_h - plot_h * float(value) / float(top)
        segment.append(f"{x:.1f},{y:.1f}")
        parts.append(
            f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="{colour}"><title>{escape(label)}: '
            f"{escape(_fmt(value, ''))}</title></circle>"
        )
    if len(segment) > 1:
        parts.append(_polyline(segment, colour))
    return _frame(width, height, title, "".join(parts))


def _polyline(points: list[str], colour: str) -> str:
    return f'<polyline fill="none" stroke="{colour}" stroke-width="2" points="{" ".join(points)}"/>'
