"""Server-side SVG charts: the same chart on the page and in the PDF, with no script or CDN.

Every label is escaped; a value of None is a privacy-suppressed cell and gets no bar.
"""

from markupsafe import Markup, escape

PALETTE = ["#0f6e74", "#4292c6", "#c2410c", "#7c3aed", "#15803d", "#b45309"]
FONT = "system-ui, -apple-system, 'Segoe UI', 'DejaVu Sans', sans-serif"


def _fmt(value: float, unit: str) -> str:
    if unit == "%":
        return f"{value:,.0f}%"
    if isinstance(value, float) and not value.is_integer():
        return f"{value:,.1f}{unit}"
    return f"{value:,.0f}{unit}"


def _truncate(label: str, limit: int) -> str:
    return label if len(label) <= limit else label[: limit - 1].rstrip() + "…"


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
    max_label_chars: int = 36,
    maximum: float | None = None,
    width: int = 640,
    colour: str = PALETTE[0],
) -> Markup:
    """Horizontal bars with the value at the end of each; None draws no bar, only a note."""
    if not items:
        return empty_chart(title, width)
    row, label_width, pad = 28, 300, 8
    bar_space = width - label_width - 90
    top = max([v for _, v in items if v is not None] + [maximum or 0]) or 1
    parts = []
    for index, (label, value) in enumerate(items):
        y = pad + index * row
        short = escape(_truncate(label, max_label_chars))
        parts.append(
            f'<text x="{label_width - 8}" y="{y + 18}" text-anchor="end" font-size="13" '
            f'fill="#333"><title>{escape(label)}</title>{short}</text>'
        )
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


def stacked_bar_chart(
    rows: list[tuple[str, list[float]]],
    *,
    series: list[str],
    title: str,
    colours: list[str] | None = None,
    max_label_chars: int = 36,
    width: int = 640,
) -> Markup:
    """Horizontal 100% stacked bars with a legend (e.g. the importance mix per requirement)."""
    if not rows:
        return empty_chart(title, width)
    colours = colours or ["#9ecae1", "#4292c6", "#c2410c"]
    row, label_width, legend = 26, 300, 30
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
        parts.append(
            f'<text x="{label_width - 8}" y="{y + 16}" text-anchor="end" font-size="12" '
            f'fill="#333"><title>{escape(label)}</title>'
            f"{escape(_truncate(label, max_label_chars))}</text>"
        )
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
    top = max(v for _, v in points if v is not None) or 1
    step = plot_w / max(len(points) - 1, 1)
    parts = [
        f'<line x1="{left}" y1="{top_pad + plot_h}" x2="{width - right}" y2="{top_pad + plot_h}" '
        'stroke="#bbb"/>'
    ]
    for tick in range(5):
        tick_value = top * tick / 4
        y = top_pad + plot_h - plot_h * tick / 4
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
