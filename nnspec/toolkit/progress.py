"""Training progress, drawn with rich: a live bar on a terminal, one plain line per checkpoint elsewhere.

The grader's progress uses the same library, so both look alike and neither draws terminal control by hand.
"""

from __future__ import annotations

import time
from typing import TextIO

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, TextColumn, TimeElapsedColumn
from rich.progress import Progress as Bar

from nnspec.toolkit.training import Checkpoint


class Progress:
    """``start_epoch``, then ``batch`` per mini-batch and ``checkpoint`` per evaluation; a context manager."""

    def __init__(self, stream: TextIO, epochs: int, tty: bool | None = None) -> None:
        self.epochs = epochs
        self.tty = stream.isatty() if tty is None else tty
        self.console = Console(file=stream, force_terminal=self.tty, highlight=False, soft_wrap=True)
        self.bar = Bar(
            TextColumn("epoch {task.fields[epoch]}"), BarColumn(), MofNCompleteColumn(),
            TextColumn("loss {task.fields[loss]:.4f}"), TimeElapsedColumn(),
            console=self.console, transient=True, disable=not self.tty,
        )
        self.task = self.bar.add_task("", total=1, epoch="", loss=0.0)
        self.done, self.loss_sum, self.batches = 0, 0.0, 0
        self.started = time.perf_counter()
        self.epoch = 0

    def start_epoch(self, epoch: int, total: int) -> None:
        """Called before an epoch over ``total`` samples."""
        self.epoch, self.done, self.loss_sum, self.batches = epoch, 0, 0.0, 0
        self.started = time.perf_counter()
        self.bar.reset(self.task, total=total, epoch=self._epoch_label(), loss=0.0)
        self.bar.start()

    def batch(self, size: int, loss: float) -> None:
        """Called after each batch of ``size`` samples whose loss was ``loss``."""
        self.done += size
        self.loss_sum += loss
        self.batches += 1
        self.bar.update(self.task, completed=self.done, loss=self.loss_sum / self.batches)

    def checkpoint(self, checkpoint: Checkpoint) -> None:
        """The line that stays: the epoch's samples, loss, throughput, time and test accuracy."""
        seconds = max(time.perf_counter() - self.started, 1e-9)
        self.console.print(
            f"epoch {self._epoch_label()}  {self.done} samples  loss {checkpoint.loss:.4f}  "
            f"{self.done / seconds:>8.0f} samples/s  {seconds:5.2f} s  test acc {100 * checkpoint.test_accuracy:6.2f}%"
        )

    def __enter__(self) -> Progress:
        return self

    def __exit__(self, *exc: object) -> None:
        """Remove the live bar (training ended, diverged or failed)."""
        self.bar.stop()

    def _epoch_label(self) -> str:
        return f"{self.epoch + 1:>{len(str(self.epochs))}}/{self.epochs}"
