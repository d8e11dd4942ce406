"""A feedback package per cell: a short PDF and its own workbook returned, annotated.

    <folder>/units/<unit code>/phan-hoi-<code>-<year>-Q<q>.pdf
    <folder>/units/<unit code>/<original file name> - da kiem tra.xlsx
    <folder>/units/<unit code>/.key          what the package was made from (cache.input_keys)

`write_feedback` keys every cell's package from its inputs (`cache.input_keys`), keeps the
packages whose key has not changed since the last run, builds the views (`views.unit_view`) of
the others alone and hands them to the executor; `render_unit_package` makes one package's files
from its view alone, so a process pool can run it. The original submissions are only read.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from concurrent.futures import Executor
from dataclasses import dataclass, field
from pathlib import Path

from pipeline.feedback.cache import KEY_FILE, input_keys, kept_package, record_package, renderer_digest
from pipeline.feedback.views import RETURNED_SUFFIX, files_by_unit, listed_issues, unit_folder, unit_view
from pipeline.parallel import InlineExecutor, run_tasks
from pipeline.render.annotate import annotate_workbook
from pipeline.render.unit_pdf import write_feedback_pdf
from pipeline.report import Report

Progress = Callable[[Iterable], Iterable]
# Up to this many packages to render, they are rendered in this process, not on the executor.
RENDER_HERE_UP_TO = 3


def render_unit_package(view: dict, out_dir: Path) -> list[Path]:
    """Write one cell's package into `out_dir`: returned workbooks first, then the PDF naming them.

    Top-level and plain-argument so a process pool can call it. Files a previous run left in
    `out_dir` under our names (a workbook since replaced, say) are removed.
    """
    out_dir = Path(out_dir)
    written: list[Path] = []
    returned: list[str] = []
    for entry in view["files"]:
        if not entry["returned"]:
            continue
        target = out_dir / entry["returned"]
        path = annotate_workbook(Path(entry["path"]), target, entry["issues"])
        if path is not None:
            written.append(path)
            returned.append(entry["returned"])
    written.append(write_feedback_pdf(dict(view, returned=returned), out_dir / view["pdf_name"]))
    _remove_stale(out_dir, written)
    return written


def _remove_stale(out_dir: Path, keep: list[Path]) -> None:
    keep_names = {p.name for p in keep}
    for path in out_dir.iterdir():
        ours = (path.name.startswith("phan-hoi-") and path.suffix == ".pdf") or \
               (RETURNED_SUFFIX in path.stem and path.suffix == ".xlsx")
        if ours and path.is_file() and path.name not in keep_names:
            path.unlink()


@dataclass(frozen=True)
class FeedbackResult:
    paths: list[Path] = field(default_factory=list)   # every package's files, in tree order
    rendered: list[str] = field(default_factory=list)  # unit codes made in this run
    reused: list[str] = field(default_factory=list)    # unit codes kept from an earlier run


def write_feedback(report: Report, folder: Path, progress: Progress = lambda it: it,
                   executor: Executor | None = None, reuse: bool = True,
                   digests: dict[str, str] | None = None) -> FeedbackResult:
    """Every cell's feedback package under `folder/units/<code>/`.

    A package whose key (input_keys; `digests`: the SHA-256 of the inbox's files by name, when
    the run has them) equals the one stored beside it, and whose files are still
    there as written, is reused; the others are rendered, one task per cell on `executor`
    (pipeline.parallel.make_executor; None: in this process); `progress` is handed the tasks as
    a sized iterable (len: the packages to render) that yields as each one finishes. Each cell's
    `.key` is written only once its package is complete, so an interrupted run resumes where it
    stopped. `reuse=False` renders every package (and records new keys).

    Every package shows the committee's totals, so a change in any cell's figures (a file sent
    again with one more member) re-renders every package; so does a run on another day when
    the report date is today's (no `report_date` in the configuration, no --date), as every
    package is dated. A file sent again with the same content, a setting the packages do not
    show, or a copied inbox re-renders none. A file sent again with new bytes re-renders its
    cell's package (the returned copy is made from it), and no other when the figures shown stay.
    """
    folder = Path(folder)
    keys = input_keys(report, renderer_digest(), digests)
    files: dict[str, list[Path]] = {}
    reused: list[str] = []
    todo: list[tuple[str, dict, Path, str]] = []
    listed = grouped = None
    for code, key in keys.items():
        out_dir = unit_folder(folder, code)
        kept = kept_package(out_dir, key) if reuse else None
        if kept is not None:
            files[code] = kept
            reused.append(code)
        else:
            (out_dir / KEY_FILE).unlink(missing_ok=True)
            if listed is None:   # made once, for the first package to render
                listed, grouped = listed_issues(report), files_by_unit(report.files)
            todo.append((code, unit_view(report, code, listed.get(code, []), grouped), out_dir, key))

    # A few packages (a re-run after one file) are rendered here: starting a pool's workers costs
    # more than they would save.
    if len(todo) <= RENDER_HERE_UP_TO:
        executor = None
    tasks = run_tasks(executor or InlineExecutor(), render_unit_package,
                      [(view, out_dir) for _, view, out_dir, _ in todo])
    for index, written in progress(tasks):
        code, _, out_dir, key = todo[index]
        record_package(out_dir, key, written)
        files[code] = written
    return FeedbackResult(paths=[p for code in keys for p in files[code]],
                          rendered=[code for code, *_ in todo], reused=reused)
