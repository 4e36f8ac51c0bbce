"""Every rule for putting untrusted text (a submission's messages, tracebacks, file names, printed output) into a
report, in one place, so that every writer (terminal, JSON, Gradescope, JUnit, the markdown step summary, the
batch roster, and writers still to come) applies the same ones.

- ``cut``: at most ``MESSAGE_CHARS`` characters (a stated length), then "... (N more characters)" (the bound the
  wire already sets on an exception's message and traceback, applied to every text of a report).
- ``text``: control characters (but newline and tab), NUL, lone surrogates, Unicode non-characters and the
  bidirectional-override characters become visible escapes (``\\x00``, ``\\x1b``, ``\\ud800``, ``\\u202e``).
  The result is valid UTF-8, valid XML 1.0 character data, and cannot move a terminal's cursor or colour it.
- ``one_line``: ``text`` with newlines and tabs escaped too, for a cell or a heading.
- ``fenced`` and ``inline_code``: markdown code that the text cannot close (the fence is longer than any run of
  backticks inside); ``html``: text outside code, with ``& < >`` and quotes escaped; ``html_block``: the same
  on several lines, for an HTML ``<pre>``.
- ``csv_cell``: a cell on one line (tab and carriage return escaped) that a spreadsheet will not read as a
  formula (a leading ``= + - @`` gets a leading apostrophe).
"""

from __future__ import annotations

import html as html_module
import re

from nnspec.grade.wire import MESSAGE_CHARS, cut

__all__ = ["MESSAGE_CHARS", "csv_cell", "cut", "fenced", "html", "html_block", "inline_code", "message", "one_line",
           "text"]
UNSAFE = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f"  # C0 and C1 controls but \t and \n (ESC, CSI, NUL, CR, DEL, ...)
    "\ud800-\udfff"  # lone surrogates (not encodable as UTF-8)
    "\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"  # bidirectional controls: reorder what a reader sees
    "\ufffe\uffff]"  # non-characters (not allowed in XML)
)
LINE_BREAKS = re.compile("[\n\t]")
BACKTICKS = re.compile("`+")
FORMULA_START = ("=", "+", "-", "@")


def _visible(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"


def text(value: str) -> str:
    """``value`` with every character that could hide, forge or break output shown as an escape."""
    return UNSAFE.sub(_visible, value)


def one_line(value: str) -> str:
    """``text(value)`` with newlines and tabs escaped as well: fits a table cell, a heading or a CSV field."""
    return LINE_BREAKS.sub(_visible, text(value))


def message(value: str, limit: int = MESSAGE_CHARS) -> str:
    """An untrusted message for any report: cut, then cleaned."""
    return text(cut(value, limit))


def _longest_backticks(value: str) -> int:
    return max((len(run) for run in BACKTICKS.findall(value)), default=0)


def fenced(value: str) -> list[str]:
    """Markdown lines showing ``value`` verbatim in a code block that nothing in ``value`` can close."""
    fence = "`" * max(3, _longest_backticks(value) + 1)
    return [fence, text(value), fence]


def inline_code(value: str) -> str:
    """``value`` as markdown inline code on one line (delimited by more backticks than it holds)."""
    fence = "`" * (_longest_backticks(value) + 1)
    return f"{fence} {one_line(value)} {fence}"


def html(value: str) -> str:
    """``value`` as markdown or HTML text: tags and entities shown, not interpreted; on one line."""
    return html_module.escape(one_line(value), quote=True)


def html_block(value: str) -> str:
    """``value`` as the text of an HTML element (e.g. ``<pre>``): ``text(value)`` with ``& < >`` and quotes as
    entities; newlines and tabs kept."""
    return html_module.escape(text(value), quote=True)


def table_cell(value: str) -> str:
    """``value`` inside a markdown table cell or a <pre> line: ``html(value)`` with ``|`` and backticks as entities."""
    return html(value).replace("|", "&#124;").replace("`", "&#96;")


def csv_cell(value: object) -> object:
    """A roster cell: strings on one line and never read as a formula; numbers as they are."""
    if not isinstance(value, str):
        return value
    cleaned = one_line(cut(value))
    return "'" + cleaned if cleaned.startswith(FORMULA_START) else cleaned
