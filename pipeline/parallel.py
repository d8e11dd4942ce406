"""Where heavy, independent tasks run: one `concurrent.futures.Executor` seam.

    make_executor(1)                  in this process, one task after another (tests, small runs)
    make_executor(4)                  a pool of 4 worker processes on this machine
    make_executor(None)               a pool with one worker per core available to this process
    make_executor(dask_address=...)   the workers of a Dask cluster (`pip install .[dask]`)

The feedback packages (`pipeline.feedback.packages.write_feedback`) only submit plain, picklable
calls and collect their results with `run_tasks`; they never know which of the four runs them.
Reading the inbox (`pipeline.reading`) has its own forked pool, `make_reader_executor`.

Why a forkserver, not fork: forking a process that has already rendered with WeasyPrint copies
its Pango/fontconfig state and whatever threads held locks at that moment (the progress bar's
refresh thread, the pool's own manager thread, OpenBLAS's threads that numpy starts on import),
which can deadlock a child. The forkserver is a fresh, single-threaded interpreter that imports
WeasyPrint (which starts no thread and renders nothing on import) once; every worker is forked
from it, so each starts with WeasyPrint loaded instead of paying its import. Modules that start
threads on import (numpy, hence pandas and openpyxl) are imported after the fork, in the worker.
Only on Linux: on macOS, forking after the system's text libraries are loaded crashes workers
(WeasyPrint issues #167, #684), so there and on Windows the workers are spawned: each starts a
fresh interpreter and imports everything itself (slower to start), and nothing is inherited.
"""

from __future__ import annotations

import gc
import importlib
import multiprocessing
import os
import signal
import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import BrokenExecutor, Executor, Future, ProcessPoolExecutor, as_completed

from pipeline.errors import PipelineError

# Imported by the forkserver before any worker is forked. Only modules that start no thread and
# touch no font or display state on import belong here (numpy does start threads: not here).
FORKSERVER_PRELOAD = ["weasyprint", "jinja2"]
# Imported by each worker as it starts, before its first task.
WORKER_IMPORTS = ("pipeline.feedback.packages", "weasyprint", "openpyxl")


def available_cores() -> int:
    """Cores this process may run on (a container's or `taskset`'s limit, not the machine's)."""
    if hasattr(os, "process_cpu_count"):  # Python 3.13+
        return os.process_cpu_count() or 1
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0)) or 1
    return os.cpu_count() or 1


def make_executor(workers: int | None = None, dask_address: str | None = None) -> Executor:
    """The Executor the heavy tasks run on; use it in a `with` block so it is shut down.

    `workers`: None → one per available core; 1 → in this process (no pool, nothing to start);
    more → a process pool of that size, whose workers start on demand (a run with nothing to
    render starts none). `dask_address` (e.g. "tcp://10.0.0.5:8786") wins over `workers`: the
    tasks go to that Dask scheduler's workers, which must import the same `pipeline` version and
    see the inbox and the output folder at the same paths (a shared file system).
    """
    if dask_address:
        return DaskExecutor(dask_address)
    if workers is None:
        workers = available_cores()
    if workers < 1:
        raise PipelineError(f"Số tiến trình (--workers) phải từ 1 trở lên (đang là {workers}).")
    if workers == 1:
        return InlineExecutor()
    return ProcessPoolExecutor(max_workers=workers, mp_context=_process_context(),
                               initializer=_start_worker)


def _process_context():
    if sys.platform.startswith("linux"):
        context = multiprocessing.get_context("forkserver")
        # Takes effect when the (one, per-process) forkserver starts: at the first pool's first
        # worker; later pools reuse the same server.
        context.set_forkserver_preload(FORKSERVER_PRELOAD)
        return context
    return multiprocessing.get_context("spawn")


# Reading: below this many files a pool costs more to start than it saves.
PARALLEL_READ_FROM = 150


def reader_count(workers: int | None, files: int) -> int:
    """How many processes read the inbox: `workers` (None: one per core) when there are many
    files, on Linux; else 1 (this process)."""
    if workers is None:
        workers = available_cores()
    if files < PARALLEL_READ_FROM or not sys.platform.startswith("linux"):
        return 1
    return max(1, workers)


def make_reader_executor(readers: int) -> Executor:
    """Where the inbox's files are read (`readers` from `reader_count`): forked workers, or this
    process for one.

    Fork, not the forkserver: a reader needs nothing WeasyPrint set up, and a forked worker
    starts in milliseconds with the pipeline already imported, where a forkserver's worker
    would import pandas again (longer than reading a few hundred files). Every worker is forked
    at once, here, before the caller starts any thread of its own (a progress bar's), so no
    worker inherits a lock some other thread held.
    """
    if readers <= 1:
        return InlineExecutor()
    pool = ProcessPoolExecutor(max_workers=readers, mp_context=multiprocessing.get_context("fork"),
                               initializer=_ignore_interrupt)
    pool.submit(int).result()  # forks every worker now
    return pool


def _ignore_interrupt() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _start_worker() -> None:
    """Each pool worker, once: leave Ctrl-C to the main process (it cancels what has not started
    and waits for the running tasks), then import what the tasks need."""
    _ignore_interrupt()
    for name in WORKER_IMPORTS:
        importlib.import_module(name)


class InlineExecutor(Executor):
    """Runs each task in this process as it is submitted; returns an already finished Future.

    No pool, no pickling: tests and small runs pay nothing, and a traceback points at the task.
    """

    def submit(self, fn, /, *args, **kwargs) -> Future:
        future: Future = Future()
        future.set_running_or_notify_cancel()
        try:
            result = fn(*args, **kwargs)
        # Any error is the task's result, as in a pool; BaseException (Ctrl-C) propagates.
        except Exception as exc:  # noqa: BLE001
            future.set_exception(exc)
        else:
            future.set_result(result)
        return future


class DaskExecutor(Executor):
    """A Dask cluster's workers behind the same seam (`Client.get_executor`); closes its client
    on shutdown. Tested with one thread per worker process (`dask worker ADDRESS --nthreads 1
    --nworkers N`), the way the local pool runs; WeasyPrint does not promise thread safety."""

    def __init__(self, address: str):
        try:
            from distributed import Client
        except ImportError:
            raise PipelineError(
                "Chạy trên cụm Dask (--dask) cần cài thêm: pip install .[dask]") from None
        failure = None
        try:
            self._client = Client(address)
        except (OSError, TimeoutError, ValueError) as exc:  # ValueError: a malformed address
            failure = str(exc)
        if failure is not None:
            # The Client that failed to connect is left to garbage collection, and its __del__
            # closes its event loop: run at an arbitrary later moment, inside another Dask call
            # (a LocalCluster starting), that deadlocks. Finalised here, now that nothing holds it.
            gc.collect()
            raise PipelineError(
                f"Không kết nối được tới Dask scheduler {address} ({failure}). Kiểm tra địa chỉ và "
                "cụm Dask đang chạy, hoặc bỏ --dask để chạy trên máy này.")
        # pure=False: a task writes files, so Dask must run it even when it has seen its arguments.
        self._executor = self._client.get_executor(pure=False)

    def submit(self, fn, /, *args, **kwargs) -> Future:
        return self._executor.submit(fn, *args, **kwargs)

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        self._executor.shutdown(wait=wait and not cancel_futures)
        self._client.close()


class Tasks:
    """`fn(*args)` for each `args`, handed to `executor`; iterating gives `(index, result)` as each
    call finishes (so a progress bar moves with the work), in whatever order they finish.

    Sized: a progress bar knows the total before the first result. Each call is submitted when
    iteration starts; a call that has finished by then (every call, with InlineExecutor) is
    yielded at once, so in-process runs advance the bar too. A failing call raises its exception
    from the iteration; the calls not yet started are then cancelled.
    """

    def __init__(self, executor: Executor, fn: Callable, arguments: Iterable[Sequence]):
        self.executor = executor
        self.fn = fn
        self.arguments = list(arguments)

    def __len__(self) -> int:
        return len(self.arguments)

    def __iter__(self) -> Iterator[tuple[int, object]]:
        pending: dict[Future, int] = {}
        try:
            for index, args in enumerate(self.arguments):
                future = self.executor.submit(self.fn, *args)
                if future.done():
                    yield index, _result(future)
                else:
                    pending[future] = index
            for future in as_completed(list(pending)):
                yield pending.pop(future), _result(future)
        finally:
            for future in pending:  # a failure or Ctrl-C: do not start what is left
                future.cancel()


def _result(future: Future):
    try:
        return future.result()
    except BrokenExecutor as exc:  # a worker killed (out of memory, say): not the task's fault
        raise PipelineError(
            "Một tiến trình phụ bị dừng đột ngột (có thể do thiếu bộ nhớ). Chạy lại với ít tiến "
            "trình hơn, ví dụ --workers 1; các gói phản hồi đã làm xong sẽ được dùng lại.") from exc


def beside(fn: Callable, *args, workers: int | None = None) -> Callable[[], None]:
    """Start `fn(*args)` in a forked process while this one goes on with other work (two outputs
    of one run written at once, each single-threaded); → `wait()`, which waits for it and raises
    its failure here (a PipelineError as itself; anything else, or the process killed, as a
    PipelineError saying so).

    Forked, so `fn` and its arguments need no pickling and the child starts in milliseconds with
    everything loaded. The child must only write files: call this before starting any thread
    (a progress bar's), as for the readers. In this process instead, when `workers` is 1 (no
    parallel work asked for), with one core, or off Linux: `wait()` then only raises what `fn` raised.
    """
    if workers is None:
        workers = available_cores()
    if workers <= 1 or not sys.platform.startswith("linux"):
        failure: list[BaseException] = []
        try:
            fn(*args)
        except Exception as exc:  # noqa: BLE001 - raised by wait(), as from a child
            failure.append(exc)

        def done() -> None:
            if failure:
                raise failure[0]
        return done
    context = multiprocessing.get_context("fork")
    receive, send = context.Pipe(duplex=False)
    child = context.Process(target=_beside_child, args=(send, fn, args), daemon=True)
    child.start()
    send.close()

    def wait() -> None:
        try:
            outcome = receive.recv() if receive.poll(None) else None
        except EOFError:
            outcome = None
        finally:
            receive.close()
        child.join()
        if outcome is None:
            raise PipelineError(f"Tiến trình phụ ghi kết quả bị dừng đột ngột (mã {child.exitcode}; có thể do thiếu "
                                "bộ nhớ). Chạy lại, hoặc với --workers 1.")
        kind, text = outcome
        if kind == "ok":
            return
        if kind == "PipelineError":
            raise PipelineError(text)
        raise PipelineError(f"Lỗi khi ghi kết quả ở tiến trình phụ: {kind}: {text}")
    return wait


def _beside_child(send, fn: Callable, args: tuple) -> None:
    _ignore_interrupt()
    try:
        fn(*args)
        send.send(("ok", ""))
    except BaseException as exc:  # noqa: BLE001 - everything goes back to the parent
        send.send((type(exc).__name__, str(exc)))
    finally:
        send.close()


def run_tasks(executor: Executor, fn: Callable, arguments: Iterable[Sequence]) -> Tasks:
    """See Tasks: `for index, result in run_tasks(executor, render, [(a, b), ...]): ...`."""
    return Tasks(executor, fn, arguments)
