"""The committee report's one chart: admissions per quarter, and since 1 January by unit vs target.

Drawn with matplotlib's object API (no pyplot, no global backend switch) into SVG whose text
stays text, in the report's Liberation Serif: WeasyPrint sets it with the embedded font (words
searchable in the PDF; glyphs drawn as paths cost WeasyPrint ~0.7 s a report). The output is
deterministic: same report, same bytes.
"""

from __future__ import annotations

import io
import re
import textwrap
from functools import lru_cache

import pandas as pd

from pipeline.render.vn import number
from pipeline.resources import TEMPLATES_DIR
from pipeline.status import UnitStatus

FONTS_DIR = TEMPLATES_DIR / "fonts"
FONT_FAMILY = "Liberation Serif"

CM = 1 / 2.54  # matplotlib measures in inches
WIDTH_CM = 16.0
# Units shown in the right panel; past this only the units with the most admissions are drawn
# (a national roll-up has too many for one page) and the caption says so.
MAX_UNITS_IN_CHART = 36
# Tallest chart: the text block is 257 mm high; leave room for the caption.
MAX_HEIGHT_CM = 22.5
ROW_CM = 0.45
ROW_TWO_LINES_CM = 0.65

COLOR_EARLIER = "#9dc3e6"   # quarters before the report's quarter
COLOR_CURRENT = "#c00000"   # the report's quarter
COLOR_DONE = "#1f4e79"      # admissions since 1 January, by unit
COLOR_TARGET = "#d9d9d9"
COLOR_EDGE = "#a6a6a6"


@lru_cache(maxsize=1)
def _register_fonts() -> None:
    from matplotlib import font_manager  # matplotlib is imported when a chart is drawn (start-up time)

    for ttf in sorted(FONTS_DIR.glob("LiberationSerif-*.ttf")):
        font_manager.fontManager.addfont(str(ttf))


def _rc() -> dict:
    return {
        "svg.fonttype": "none",  # text stays text (in the report font): glyphs as paths cost WeasyPrint ~0.7 s
        "svg.hashsalt": "committee-report",
        "font.family": "serif",
        "font.serif": [FONT_FAMILY],
        "font.size": 9,
        "axes.titlesize": 10,
        "axes.labelsize": 9,
        "hatch.linewidth": 0.6,
        "axes.spines.top": False,
        "axes.spines.right": False,
    }


def _wrap_unit_name(name: str, width: int = 54) -> str:
    """A unit name on one line, or two balanced lines, cut with an ellipsis past that."""
    if len(name) <= width:
        return name
    half = max(len(name) // 2 + 1, max(len(w) for w in name.split()))
    lines = textwrap.wrap(name, half)
    while len(lines) > 2 and half < width:
        half += 1
        lines = textwrap.wrap(name, half)
    if len(lines) > 2:
        lines = lines[:2]
        lines[-1] = lines[-1][: width - 1].rstrip() + "…"
    return "\n".join(lines)


def chart_units(units: pd.DataFrame) -> tuple[pd.DataFrame, bool]:
    """The root's direct children to draw, in tree order; and whether some were left out."""
    root = units.index[0]
    children = units[units["parent"] == root]
    if len(children) <= MAX_UNITS_IN_CHART:
        return children, False
    keep = children["admitted_ytd"].sort_values(ascending=False, kind="stable").index[:MAX_UNITS_IN_CHART]
    return children[children.index.isin(keep)], True


def _partial_note(row: pd.Series) -> str:
    if row["is_cell"] or row["cells_accepted"] >= row["cells_expected"]:
        return ""
    return f"  (số liệu {int(row['cells_accepted'])}/{int(row['cells_expected'])} chi bộ)"


PNG_DPI = 200   # the Word copy's picture (Word cannot show SVG everywhere): sharp when printed


def admissions_chart_svg(units: pd.DataFrame, quarter: int, year: int) -> str:
    """SVG text (no XML prologue) of the admissions chart (`admissions_chart`)."""
    return admissions_chart(units, quarter, year)[0]


def admissions_chart(units: pd.DataFrame, quarter: int, year: int, *, png: bool = False) -> tuple[str, bytes | None]:
    """The admissions chart as (SVG text without XML prologue, PNG bytes when `png`): one
    drawing, so the PDF's and the Word copy's are the same picture. Both are the same bytes for
    the same figures (no date, no program version written into them).

    Top: admissions decided in each quarter of `year` for the whole committee (quarters after
    `quarter` are empty outlined slots, marked as not reached), with the legend beside it. Below, across the full width
    so long unit names fit: admissions since 1 January per direct child of the root, each with
    its annual target as a grey ghost bar behind it.
    """
    from matplotlib import rc_context  # as in _register_fonts: when a chart is drawn
    from matplotlib.figure import Figure
    from matplotlib.patches import Patch

    _register_fonts()
    totals = units.iloc[0]
    shown, _ = chart_units(units)
    names = [_wrap_unit_name(str(name)) for name in shown["name"]]

    # Layout in centimetres, top down: quarter panel (+ legend), gap, unit panel, x label.
    # The unit panel's data unit is the centimetre too: a row is 0.45 cm, 0.65 cm for a name on
    # two lines, squeezed evenly if the whole chart would not fit on one page with its caption.
    top_cm, quarter_cm, gap_cm, bottom_cm = 0.7, 4.0, 2.0, 1.2
    rows_cm = [ROW_TWO_LINES_CM if "\n" in name else ROW_CM for name in names] or [ROW_CM]
    budget = MAX_HEIGHT_CM - (top_cm + quarter_cm + gap_cm + bottom_cm)
    squeeze = min(1.0, budget / sum(rows_cm))
    rows_cm = [r * squeeze for r in rows_cm]
    units_cm = sum(rows_cm)
    centres = [sum(rows_cm[:i]) + rows_cm[i] / 2 for i in range(len(rows_cm))][: len(shown)]
    bar_cm = ROW_CM * squeeze
    height_cm = top_cm + quarter_cm + gap_cm + units_cm + bottom_cm

    def axes(fig, x_cm, width_cm, top_offset_cm, h_cm):
        return fig.add_axes((x_cm / WIDTH_CM, 1 - (top_offset_cm + h_cm) / height_cm,
                             width_cm / WIDTH_CM, h_cm / height_cm))

    with rc_context(_rc()):
        fig = Figure(figsize=(WIDTH_CM * CM, height_cm * CM))

        # Quarter panel, for the whole committee.
        ax = axes(fig, 1.4, 6.0, top_cm, quarter_cm)
        values = [int(totals[f"admitted_q{q}"]) for q in range(1, 5)]
        peak = max(values + [1])
        for i, value in enumerate(values, start=1):
            if i > quarter:  # not reached yet: an empty slot, outlined over the whole panel and said so
                ax.bar(i, peak * 1.1, width=0.6, fill=False, edgecolor=COLOR_EDGE, linestyle="--",
                       linewidth=0.6)
                ax.text(i, peak * 0.55, "chưa\nđến kỳ", ha="center", va="center", fontsize=7.5,
                        color=COLOR_EDGE, linespacing=1.1)
                continue
            ax.bar(i, value, width=0.6, color=COLOR_CURRENT if i == quarter else COLOR_EARLIER)
            ax.text(i, value + peak * 0.02, number(value), ha="center", va="bottom", fontsize=8.5)
        ax.set_xticks(range(1, 5), [f"Quý {r}" for r in ("I", "II", "III", "IV")])
        ax.set_xlim(0.4, 4.6)
        ax.set_ylim(0, peak * 1.15)
        ax.yaxis.get_major_locator().set_params(integer=True)
        ax.set_ylabel("Số đảng viên")
        ax.set_title(f"Kết nạp theo quý năm {year}", loc="left", fontweight="bold")
        ax.tick_params(axis="x", length=0)

        handles = [Patch(color=COLOR_EARLIER, label="Kết nạp trong các quý trước"),
                   Patch(color=COLOR_CURRENT, label="Kết nạp trong quý báo cáo")]
        if quarter < 4:
            handles.append(Patch(fill=False, edgecolor=COLOR_EDGE, linestyle="--", label="Quý chưa đến kỳ"))
        handles += [Patch(color=COLOR_DONE, label="Kết nạp từ đầu năm (theo đơn vị)"),
                    Patch(facecolor=COLOR_TARGET, edgecolor=COLOR_EDGE, label="Chỉ tiêu kết nạp năm")]
        fig.legend(handles=handles, loc="upper left",
                   bbox_to_anchor=(9.2 / WIDTH_CM, 1 - (top_cm + 0.3) / height_cm),
                   frameon=False, fontsize=8.5, handlelength=1.6, labelspacing=0.6)

        # Unit panel: since 1 January, per direct child of the root, against the annual target.
        ax = axes(fig, 6.9, 8.6, top_cm + quarter_cm + gap_cm, units_cm)
        ytd = [int(v) for v in shown["admitted_ytd"]]
        targets = [None if pd.isna(t) else int(t) for t in shown["target_year"]]
        positions = centres
        ax.barh(positions, [t or 0 for t in targets], height=bar_cm * 0.8, color=COLOR_TARGET,
                edgecolor=COLOR_EDGE, linewidth=0.5)
        ax.barh(positions, ytd, height=bar_cm * 0.42, color=COLOR_DONE)
        limit = max(ytd + [t or 0 for t in targets] + [1])
        for i, (y, (_, row)) in enumerate(zip(positions, shown.iterrows())):
            note = UnitStatus(row["status"]).note
            if note:
                ax.text(limit * 0.01, y, note, va="center", fontsize=7.5, style="italic",
                        color=COLOR_CURRENT)
                continue
            value, target = ytd[i], targets[i]
            text = number(value) if target is None else f"{number(value)}/{number(target)}"
            ax.text(max(value, target or 0) + limit * 0.015, y, text + _partial_note(row),
                    va="center", fontsize=7.5)
        ax.set_yticks(positions, names, fontsize=8, linespacing=1.0, multialignment="right")
        ax.set_ylim(units_cm, 0)
        # Room right of the longest bar for its label (longer when a "số liệu a/b chi bộ" note shows).
        notes = any(_partial_note(row) for _, row in shown.iterrows())
        ax.set_xlim(0, limit * (1.65 if notes else 1.25))
        ax.xaxis.get_major_locator().set_params(integer=True)
        ax.set_xlabel("Số đảng viên được kết nạp từ 01/01, so với chỉ tiêu năm")
        ax.tick_params(axis="y", length=0)
        fig.text(0.4 / WIDTH_CM, 1 - (top_cm + quarter_cm + gap_cm - 0.25) / height_cm,
                 "Kết nạp từ đầu năm theo đơn vị, so với chỉ tiêu năm",
                 fontweight="bold", fontsize=10, va="bottom")

        buffer = io.StringIO()
        fig.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None})
        picture = None
        if png:
            raster = io.BytesIO()
            fig.savefig(raster, format="png", dpi=PNG_DPI, metadata={"Software": None})
            picture = raster.getvalue()
    svg = buffer.getvalue()
    # Drop the XML prologue and DOCTYPE so the text can be inlined or wrapped in a data URI.
    return re.sub(r"^\s*<\?xml[^>]*>\s*(<!DOCTYPE[^>]*>\s*)?", "", svg), picture
