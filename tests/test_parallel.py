"""The Executor seam: in this process, a pool of worker processes, a Dask cluster — the same
packages whichever runs them.

The inbox (quý III năm 2022, the builders' small register):

    DB-T    Đảng bộ Công an tỉnh
    ├─ CB-A   2 members, one without "Dân tộc" (error at E3): its workbook comes back marked
    ├─ CB-B   nothing sent
    └─ DB-H
       ├─ CB-H1  nothing sent
       └─ CB-H2  1 member with an old 9-digit CMND (warning at G2)
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sys
from pathlib import Path

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from builders import member, write_register, write_roster, sample_config
from pdfcheck import page_texts
from pipeline import parallel
from pipeline.feedback import cache, packages
from pipeline.build import build_report
from pipeline.reading import load_inbox
from pipeline.errors import PipelineError
from pipeline.period import Period
from pipeline.register import read_register

CELLS = ["CB-A", "CB-B", "CB-H1", "CB-H2"]


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    root = tmp_path_factory.mktemp("parallel")
    inbox = root / "inbox"
    inbox.mkdir()
    register = read_register(write_register(root / "units.xlsx"))
    write_roster(inbox / "CB-A_2022-Q3.xlsx", "CB-A", [
        member("Nguyễn Văn An", 1990, n=1),
        member("Trần Thị Bình", 1992, "Nữ", n=2, **{"Dân tộc": None}),
    ])
    write_roster(inbox / "CB-H2_2022-Q3.xlsx", "CB-H2",
                 [member("Lê Văn Cường", 1988, n=3, **{"Số CCCD": "212345678"})])
    day = dt.date(2022, 10, 27)
    return build_report(register, load_inbox(inbox, register), Period(2022, 3),
                        sample_config(report_date=day), day)


@pytest.fixture(scope="module")
def in_process(report, tmp_path_factory):
    """The packages made in this process: what every other executor must reproduce."""
    out = tmp_path_factory.mktemp("in-process")
    return out, packages.write_feedback(report, out)


def _contents(out: Path, result: packages.FeedbackResult) -> list:
    """What a reader sees in each file: the PDF's text; each cell's value, note and fill."""
    seen = []
    for path in result.paths:
        name = path.relative_to(out).as_posix()
        if path.suffix == ".pdf":
            seen.append((name, page_texts(PdfReader(path))))
        else:
            wb = load_workbook(path)
            seen.append((name, wb.sheetnames, [
                (ws.title, c.coordinate, c.value, c.comment.text if c.comment else None,
                 c.fill.fgColor.rgb if c.fill.fill_type else None)
                for ws in wb.worksheets for row in ws.iter_rows() for c in row]))
    return seen


def _keys(out: Path) -> dict[str, str]:
    """unit → the key its package was recorded under."""
    return {p.parent.name: json.loads(p.read_text())["key"]
            for p in (out / "units").glob(f"*/{cache.KEY_FILE}")}


# --- the seam -------------------------------------------------------------------------------------

def test_one_worker_runs_each_task_here_as_it_is_submitted():
    with parallel.make_executor(1) as executor:
        assert isinstance(executor, parallel.InlineExecutor)
        future = executor.submit(os.getpid)
        assert future.done() and future.result() == os.getpid()


def test_fewer_than_one_worker_is_refused_in_words():
    with pytest.raises(PipelineError, match="--workers"):
        parallel.make_executor(0)


def test_no_worker_count_means_one_per_available_core(monkeypatch):
    monkeypatch.setattr(parallel, "available_cores", lambda: 3)
    with parallel.make_executor(None) as executor:
        assert executor._max_workers == 3  # no task submitted: no process started


def test_tasks_come_back_with_their_index_and_the_total_is_known_before_the_first():
    tasks = parallel.run_tasks(parallel.InlineExecutor(), pow, [(2, 3), (3, 2), (10, 0)])
    assert len(tasks) == 3
    assert list(tasks) == [(0, 8), (1, 9), (2, 1)]


def test_in_process_each_result_is_handed_on_before_the_next_task_runs():
    events = []

    def work(n):
        events.append(f"run {n}")
        return n

    for index, _ in parallel.run_tasks(parallel.InlineExecutor(), work, [(0,), (1,)]):
        events.append(f"got {index}")
    assert events == ["run 0", "got 0", "run 1", "got 1"]  # a progress bar moves with the work


def test_a_failing_task_raises_its_error_and_the_tasks_after_it_do_not_run():
    ran = []

    def work(n):
        ran.append(n)
        if n == 1:
            raise ValueError("hỏng")
        return n

    with pytest.raises(ValueError, match="hỏng"):
        list(parallel.run_tasks(parallel.InlineExecutor(), work, [(0,), (1,), (2,)]))
    assert ran == [0, 1]


# --- a pool of processes --------------------------------------------------------------------------

@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the forkserver is used on Linux")
def test_pool_workers_are_forked_from_a_server_that_loaded_weasyprint_and_no_numpy():
    context = parallel._process_context()
    assert context.get_start_method() == "forkserver"
    assert "weasyprint" in parallel.FORKSERVER_PRELOAD
    assert not {"numpy", "pandas", "openpyxl"} & set(parallel.FORKSERVER_PRELOAD)  # start threads


def test_a_pool_of_two_makes_the_same_packages_as_one_process(report, in_process, tmp_path):
    out = tmp_path / "pool"
    with parallel.make_executor(2) as executor:
        assert isinstance(executor, parallel.ProcessPoolExecutor)
        pids = {f.result() for f in [executor.submit(os.getpid) for _ in range(4)]}
        result = packages.write_feedback(report, out, executor=executor)
    assert os.getpid() not in pids
    expected_out, expected = in_process
    assert result.rendered == expected.rendered == CELLS
    assert _contents(out, result) == _contents(expected_out, expected)
    assert _keys(out) == _keys(expected_out) and sorted(_keys(out)) == CELLS


def test_after_a_pool_run_an_in_process_run_reuses_every_package(report, tmp_path):
    out = tmp_path / "pool"
    with parallel.make_executor(2) as executor:
        packages.write_feedback(report, out, executor=executor)
    mtimes = {p: p.stat().st_mtime_ns for p in out.rglob("*")}
    again = packages.write_feedback(report, out)
    assert again.rendered == [] and again.reused == CELLS
    assert {p: p.stat().st_mtime_ns for p in out.rglob("*")} == mtimes


def _font_folder(_=None):
    """The temporary folder where this process's WeasyPrint keeps the @font-face fonts."""
    from pipeline.render.pdf import shared_font_config as _font_config

    return _font_config()._folder  # WeasyPrint's own attribute: set once a PDF is rendered


def test_workers_render_with_one_font_setup_each_and_remove_its_temporary_folder(report, tmp_path):
    with parallel.make_executor(2) as executor:
        packages.write_feedback(report, tmp_path, executor=executor)
        folders = {f.result() for f in [executor.submit(_font_folder) for _ in range(6)]}
        assert folders and all(f is not None and f.is_dir() for f in folders)
    assert not any(f.exists() for f in folders)  # the workers ended with os._exit


def test_a_worker_that_dies_is_reported_in_words_not_as_a_traceback():
    with parallel.make_executor(2) as executor, pytest.raises(PipelineError, match="--workers 1"):
        list(parallel.run_tasks(executor, os._exit, [(1,)]))


def test_a_task_failing_in_a_worker_raises_its_own_error_here():
    with parallel.make_executor(2) as executor, pytest.raises(ValueError):
        list(parallel.run_tasks(executor, int, [("7",), ("bảy",)]))


# --- a Dask cluster -------------------------------------------------------------------------------

def test_without_dask_installed_the_message_says_what_to_install(monkeypatch):
    monkeypatch.setitem(sys.modules, "distributed", None)  # as if not installed
    with pytest.raises(PipelineError, match=r"pip install \.\[dask\]"):
        parallel.make_executor(2, dask_address="tcp://127.0.0.1:8786")


def test_a_scheduler_that_cannot_be_reached_is_reported_in_words():
    dask = pytest.importorskip("dask")
    pytest.importorskip("distributed")
    with (dask.config.set({"distributed.comm.timeouts.connect": "1s"}),
          pytest.raises(PipelineError, match="Dask scheduler tcp://127.0.0.1:9")):
        parallel.make_executor(dask_address="tcp://127.0.0.1:9")
    with pytest.raises(PipelineError, match="Dask scheduler 10.0.0.5 "):
        parallel.make_executor(dask_address="10.0.0.5")  # no port


def test_a_dask_cluster_makes_the_same_packages_as_one_process(report, in_process, tmp_path):
    distributed = pytest.importorskip("distributed")
    out = tmp_path / "dask"
    with (distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                   dashboard_address=None) as cluster,
          parallel.make_executor(dask_address=cluster.scheduler_address) as executor):
        assert isinstance(executor, parallel.DaskExecutor)
        result = packages.write_feedback(report, out, executor=executor)
    expected_out, expected = in_process
    assert result.rendered == CELLS
    assert _contents(out, result) == _contents(expected_out, expected)
    assert _keys(out) == _keys(expected_out)


# --- two outputs of one run at once (parallel.beside) ---------------------------------------------

def _write_pid(path: Path) -> None:
    path.write_text(str(os.getpid()), encoding="utf-8")


def _fail_in_words() -> None:
    raise PipelineError("Không ghi được tệp Excel: ổ đĩa đầy.")


def _fail_otherwise() -> None:
    raise ValueError("bad value")


def _die() -> None:
    os._exit(9)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="forked only on Linux")
def test_beside_runs_in_another_process_and_waiting_gives_its_result(tmp_path):
    wait = parallel.beside(_write_pid, tmp_path / "pid", workers=2)
    wait()
    assert int((tmp_path / "pid").read_text()) != os.getpid()
    parallel.beside(_write_pid, tmp_path / "here", workers=1)()
    assert int((tmp_path / "here").read_text()) == os.getpid()


@pytest.mark.parametrize("workers", [1, 2])
def test_a_failure_beside_is_raised_on_waiting_in_words(workers):
    with pytest.raises(PipelineError, match="ổ đĩa đầy"):
        parallel.beside(_fail_in_words, workers=workers)()
    with pytest.raises((PipelineError, ValueError), match="bad value"):
        parallel.beside(_fail_otherwise, workers=workers)()


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="forked only on Linux")
def test_a_process_beside_that_dies_is_said_in_words():
    with pytest.raises(PipelineError, match="bị dừng đột ngột"):
        parallel.beside(_die, workers=2)()
