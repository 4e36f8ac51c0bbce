"""Grading progress on stderr, drawn with rich (as the toolkit's training progress): a live line on a terminal,
plain lines (no control sequences) elsewhere. The report itself goes to stdout and is not changed by any of this.

- One submission (``GradeProgress``): a first line as soon as the grade starts (before the worker imports the
  submission), then one line per chapter as it finishes (passed, failed, not implemented, seconds); on a terminal a
  live line below shows the running chapter and the tests done.
- Batch mode (``BatchProgress``): one line per submission graded, with done/total and an ETA (the time so far per
  submission finished, times those left: parallel jobs are already in that measured rate).

A display that cannot write (stderr closed, a broken pipe) falls silent: progress never costs a grade its report.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable
from typing import Any, TextIO

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, TextColumn, TimeElapsedColumn
from rich.progress import Progress as Bar

from nnspec.grade import escape

SHOWN_STATUSES = ("passed", "failed", "not implemented", "not applicable", "skipped")  # a chapter line's counts
REFRESHES_PER_SECOND = 4  # the live line is also redrawn whenever a test finishes


class _Display:
    """A console on ``stream`` and, on a terminal, a live bar; every write is guarded (see the module)."""

    def __init__(self, stream: TextIO, tty: bool | None, *columns: Any) -> None:
        self.tty = stream.isatty() if tty is None else tty
        self.console = Console(file=stream, force_terminal=self.tty, highlight=False, markup=False, soft_wrap=True,
                               emoji=False)
        # no redirection of sys.stdout/sys.stderr: the grader captures pytest's output there itself
        self.bar = Bar(*columns, console=self.console, transient=True, disable=not self.tty,
                       refresh_per_second=REFRESHES_PER_SECOND, redirect_stdout=False, redirect_stderr=False)
        self.broken = False

    def guarded(self, write: Callable[[], object]) -> None:
        if self.broken:
            return
        try:
            write()
        except (OSError, ValueError):  # a closed or broken stderr: stop showing progress, keep grading
            self.broken = True

    def line(self, text: str) -> None:
        self.guarded(lambda: self.console.print(text))

    def close(self) -> None:
        self.guarded(self.bar.stop)


class GradeProgress:
    """Follows one grading: ``start``, then the runner's ``Listener`` calls, then ``close``."""

    def __init__(self, stream: TextIO, target: str, tty: bool | None = None) -> None:
        self.display = _Display(stream, tty, TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                                TextColumn("tests"), TimeElapsedColumn())
        self.target = escape.one_line(escape.cut(target))
        self.task = self.display.bar.add_task("starting", total=None)
        self.started = time.monotonic()

    def start(self) -> None:
        """The first line, printed before anything slow happens."""
        self.display.line(f"grading {self.target}: starting the isolated worker")

    def collected(self, tests: int) -> None:
        self.display.line(f"worker ready after {self._elapsed()}; running {tests} tests")
        self.display.bar.update(self.task, total=tests, description="running")
        self.display.guarded(self.display.bar.start)

    def test_finished(self, chapter: str) -> None:
        self.display.bar.update(self.task, advance=1, description=chapter)
        self.display.guarded(self.display.bar.refresh)

    def chapter_finished(self, chapter: str, statuses: Counter[str], seconds: float) -> None:
        counts = ", ".join(f"{statuses[status]} {status}" for status in SHOWN_STATUSES if statuses[status])
        self.display.line(f"  {chapter:<16} {counts or 'no requirements'}  ({seconds:.1f} s)")

    def close(self) -> None:
        self.display.close()
        self.display.line(f"graded in {self._elapsed()}; the report follows on stdout")

    def _elapsed(self) -> str:
        return duration(time.monotonic() - self.started)


class BatchProgress:
    """Follows a batch: ``finished`` per submission graded (in the order they finish), then ``close``."""

    def __init__(self, stream: TextIO, total: int, jobs: int, tty: bool | None = None) -> None:
        self.display = _Display(stream, tty, TextColumn("graded"), BarColumn(), MofNCompleteColumn(),
                                TextColumn("{task.fields[eta]}"), TimeElapsedColumn())
        self.total, self.done = total, 0
        self.task = self.display.bar.add_task("", total=total, eta="")
        self.started = time.monotonic()
        self.display.line(f"grading {total} submissions, {jobs} at a time")
        self.display.guarded(self.display.bar.start)

    def finished(self, row: dict[str, Any]) -> None:
        """``row``: the submission's roster row (batch.ROSTER_FIELDS)."""
        self.done += 1
        eta = f"ETA {duration(self.eta())}" if self.done < self.total else "all done"
        self.display.bar.update(self.task, completed=self.done, eta=eta)
        error = f"  ({escape.one_line(row['error'])})" if row["error"] else ""
        self.display.line(f"[{self.done}/{self.total}] {escape.one_line(row['submission'])}: {row['score']:g} / "
                          f"{row['max_score']:g}, exit {row['exit_code']}, {row['seconds']} s{error}; {eta}")

    def eta(self) -> float:
        """Seconds left, at the rate submissions have finished so far."""
        return (time.monotonic() - self.started) / self.done * (self.total - self.done)

    def close(self) -> None:
        self.display.close()


def duration(seconds: float) -> str:
    """``seconds`` for a person: ``42 s``, ``3 min 05 s``."""
    minutes, rest = divmod(round(seconds), 60)
    return f"{minutes} min {rest:02d} s" if minutes else f"{seconds:.1f} s"
