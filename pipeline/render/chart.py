"""The committee report's one chart: admissions per quarter, and since 1 January by unit vs target.

Drawn with matplotlib's object API (no pyplot, no global backend switch) into SVG with the text
turned into paths, so the PDF needs no font for it and Vietnamese diacritics always render.
The output is deterministic: same report, same bytes.
"""

from __future__ import annotations

import io
import re
from functools import lru_cache
from pathlib import Path

import pandas as pd

from pipeline.render.vn import number, padded

FONTS_DIR = Path(__file__).resolve().parents[2] / "templates" / "fonts"
FONT_FAMILY = "Liberation Serif"

CM = 1 / 2.54  # matplotlib measures in inches
WIDTH_CM = 16.0
# Units shown in the right panel; past this only the units with the most admissions are drawn
# (a national roll-up has too many for one page) and the caption says so.
MAX_UNITS_IN_CHART = 40

COLOR_DONE = "#1f4e79"
COLOR_CURRENT = "#c00000"
COLOR_TARGET = "#d9d9d9"
COLOR_TEXT = "#000000"


@lru_cache(maxsize=1)
def _register_fonts() -> None:
    from matplotlib import font_manager

    for ttf in sorted(FONTS_DIR.glob("LiberationSerif-*.ttf")):
        font_manager.fontManager.addfont(str(ttf))


def _rc() -> dict:
    return {
        "svg.fonttype": "path",
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


def _short_unit_name(name: str, limit: int = 42) -> str:
    return name if len(name) <= limit else name[: limit - 1].rstrip() + "…"


def chart_units(units: pd.DataFrame) -> tuple[pd.DataFrame, bool]:
    """The root's direct children to draw, in tree order; and whether some were left out."""
    root = units.index[0]
    children = units[units["parent"] == root]
    if len(children) <= MAX_UNITS_IN_CHART:
        return children, False
    keep = children["admitted_ytd"].sort_values(ascending=False, kind="stable").index[:MAX_UNITS_IN_CHART]
    return children[children.index.isin(keep)], True


def admissions_chart_svg(units: pd.DataFrame, quarter: int, year: int) -> str:
    """SVG text (no XML prologue) of the two-panel admissions chart.

    Left: admissions decided in each quarter of `year` for the whole committee (quarters after
    `quarter` are drawn as hatched empty slots). Right: admissions since 1 January per direct
    child of the root, with the unit's annual target as a grey ghost bar behind it.
    """
    from matplotlib import rc_context
    from matplotlib.figure import Figure
    from matplotlib.patches import Patch

    _register_fonts()
    totals = units.iloc[0]
    shown, _ = chart_units(units)
    n = max(len(shown), 1)
    height_cm = max(7.0, 2.6 + 0.55 * n)

    with rc_context(_rc()):
        fig = Figure(figsize=(WIDTH_CM * CM, height_cm * CM))
        top_cm, bottom_cm = 1.0, 1.6
        top = 1 - top_cm / height_cm
        bottom = bottom_cm / height_cm
        grid = fig.add_gridspec(
            2, 2, width_ratios=[1, 2.3], height_ratios=[5.4, max(height_cm - top_cm - bottom_cm - 5.4, 0.01)],
            left=0.07, right=0.97, top=top, bottom=bottom, wspace=0.95, hspace=0,
        )

        # Left: per quarter.
        ax = fig.add_subplot(grid[0, 0])
        labels = ["I", "II", "III", "IV"]
        values = [int(totals[f"admitted_q{q}"]) for q in range(1, 5)]
        peak = max(values + [1])
        for i, (label, value) in enumerate(zip(labels, values), start=1):
            if i > quarter:
                ax.bar(i, peak * 0.25, width=0.6, color="white", edgecolor="#a6a6a6",
                       hatch="///", linewidth=0.6)
                continue
            color = COLOR_CURRENT if i == quarter else COLOR_DONE
            ax.bar(i, value, width=0.6, color=color)
            ax.text(i, value + peak * 0.02, padded(value), ha="center", va="bottom", fontsize=9)
        ax.set_xticks(range(1, 5), [f"Quý {label}" for label in labels])
        ax.set_ylim(0, peak * 1.18)
        ax.yaxis.get_major_locator().set_params(integer=True)
        ax.set_ylabel("Số đảng viên được kết nạp")
        ax.set_title(f"Kết nạp theo quý năm {year}", loc="left", fontweight="bold")
        ax.tick_params(axis="x", length=0)
        if quarter < 4:
            ax.text(0.5, -0.2, "Ô gạch chéo: quý chưa đến kỳ", transform=ax.transAxes,
                    ha="center", va="top", fontsize=7.5, style="italic", color="#595959")

        # Right: by unit, since 1 January, against the annual target.
        ax = fig.add_subplot(grid[:, 1])
        names = [_short_unit_name(str(name)) for name in shown["name"]]
        ytd = [int(v) for v in shown["admitted_ytd"]]
        targets = [None if pd.isna(t) else int(t) for t in shown["target_year"]]
        positions = list(range(len(shown)))
        ax.barh(positions, [t or 0 for t in targets], height=0.75, color=COLOR_TARGET,
                edgecolor="#a6a6a6", linewidth=0.5)
        ax.barh(positions, ytd, height=0.42, color=COLOR_DONE)
        limit = max([v for v in ytd] + [t or 0 for t in targets] + [1])
        for y, value, target, status in zip(positions, ytd, targets, shown["status"]):
            if status in ("missing", "rejected"):
                note = "chưa gửi" if status == "missing" else "tệp không dùng được"
                ax.text(limit * 0.01, y, note, va="center", fontsize=7.5, style="italic", color="#c00000")
                continue
            text = number(value) if target is None else f"{number(value)}/{number(target)}"
            ax.text(max(value, target or 0) + limit * 0.015, y, text, va="center", fontsize=7.5)
        ax.set_yticks(positions, names, fontsize=8)
        ax.set_ylim(len(shown) - 0.5, -0.5)
        ax.set_xlim(0, limit * 1.15)
        ax.xaxis.get_major_locator().set_params(integer=True)
        ax.set_xlabel("Số đảng viên được kết nạp từ 01/01")
        ax.set_title("Kết nạp từ đầu năm theo đơn vị", loc="left", fontweight="bold")
        ax.tick_params(axis="y", length=0)
        ax.legend(
            handles=[Patch(color=COLOR_DONE, label="Đã kết nạp từ đầu năm"),
                     Patch(facecolor=COLOR_TARGET, edgecolor="#a6a6a6", label="Chỉ tiêu năm")],
            loc="upper center", bbox_to_anchor=(0.5, -0.9 / (height_cm - top_cm - bottom_cm) - 0.02),
            ncol=2, frameon=False, fontsize=8,
        )

        buffer = io.StringIO()
        fig.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None})
    svg = buffer.getvalue()
    # Drop the XML prologue and DOCTYPE so the text can be inlined or wrapped in a data URI.
    return re.sub(r"^\s*<\?xml[^>]*>\s*(<!DOCTYPE[^>]*>\s*)?", "", svg)
