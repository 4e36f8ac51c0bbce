"""The worked-example fixtures: reading them, their tolerances, and the errata page generated from them.

``fixtures/worked_examples/<document>.json`` holds every numeric worked example of one course document (format:
``fixtures/worked_examples/schema.json``). Printed numbers are stored as strings, so their printed precision is
kept and gives the tolerance. ``python -m spec.errata`` writes ``docs/errata.md`` from the fixtures' errata.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
FIXTURE_DIR = ROOT / "fixtures" / "worked_examples"
SCHEMA_PATH = FIXTURE_DIR / "schema.json"
ERRATA_PATH = ROOT / "docs" / "errata.md"
EXACT_DECIMAL_RTOL = 1e-9  # numbers the document got by exact decimal arithmetic (0.6 - 0.2 - 0.1 = 0.3)
COMPUTED_RTOL = 1e-9  # default for numbers the document did not print, stored to 12 significant digits
GENERATOR = "python -m spec.errata"


def document_paths() -> list[Path]:
    """The fixture files, one per document, in document order."""
    return sorted(path for path in FIXTURE_DIR.glob("*.json") if path != SCHEMA_PATH)


def load_document(path: Path) -> dict[str, Any]:
    """One fixture file as a dict."""
    with path.open(encoding="utf-8") as handle:
        data: dict[str, Any] = json.load(handle)
    return data


def load_documents() -> list[dict[str, Any]]:
    """Every fixture file, in document order."""
    return [load_document(path) for path in document_paths()]


def iter_examples() -> Iterator[tuple[dict[str, Any], dict[str, Any]]]:
    """(document, example) for every example of every document."""
    for document in load_documents():
        for example in document["examples"]:
            yield document, example


def stored(example: Mapping[str, Any], name: str) -> Any:
    """The value of ``name``: what the document printed (``expected``), else what nnspec computed."""
    if name in example["expected"]:
        return example["expected"][name]
    return example["computed"][name]


def to_array(value: Any) -> np.ndarray:
    """A stored value (string or nested lists of strings) as a float64 array of the same nesting."""
    return np.asarray(_to_floats(value), dtype=np.float64)


def _to_floats(value: Any) -> Any:
    if isinstance(value, list):
        return [_to_floats(item) for item in value]
    return float(value)


def flat_strings(value: Any) -> list[str]:
    """Every printed number in a stored value, in order."""
    if isinstance(value, list):
        return [text for item in value for text in flat_strings(item)]
    return [value]


def half_unit(text: str) -> float:
    """Half a unit of the last printed decimal: "0.2689" -> 5e-5, "10" -> 0.5."""
    mantissa = text.lower().split("e")[0]
    decimals = len(mantissa.split(".")[1]) if "." in mantissa else 0
    exponent = int(text.lower().split("e")[1]) if "e" in text.lower() else 0
    return 0.5 * 10.0 ** (exponent - decimals)


def is_exact(example: Mapping[str, Any], name: str) -> bool:
    """Whether ``name`` is compared exactly (labels, shapes, counts)."""
    return name in example["tolerance"].get("exact", [])


def tolerance(example: Mapping[str, Any], name: str) -> float:
    """The absolute tolerance for ``name`` in ``example`` (0 for exact values), as the fixture derives it.

    Printed numbers: half a unit of the last printed decimal (the smallest over the elements of an array), or the
    widened tolerance the fixture gives with its reason. Exact decimal arithmetic and computed numbers: a relative
    tolerance, taken relative to max(1, largest magnitude).
    """
    rules = example["tolerance"]
    if is_exact(example, name):
        return 0.0
    widened = rules.get("widened", {})
    if name in widened:
        return float(widened[name]["abs"])
    value = stored(example, name)
    if name in rules.get("exact_decimal", []):
        rtol = EXACT_DECIMAL_RTOL
    elif name in example["expected"]:
        return min(half_unit(text) for text in flat_strings(value))
    else:
        rtol = float(rules.get("computed_rtol", COMPUTED_RTOL))
    return rtol * max(1.0, float(np.max(np.abs(to_array(value)))))


def source(document: Mapping[str, Any], example: Mapping[str, Any]) -> str:
    """The requirement source of an example: document file name and section title."""
    return f"{document['document']}, \"{example['section']}\""


def errata_entries(document: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    """(section, example id or "", erratum) for every erratum and wrong claim of a document."""
    entries = [(example["section"], example["id"], erratum)
               for example in document["examples"] for erratum in example["errata"]]
    entries += [(claim["section"], "", claim) for claim in document.get("claims", [])]
    return entries


def render() -> str:
    """docs/errata.md: every erratum recorded in the fixtures, by document and section."""
    documents = load_documents()
    count = sum(len(errata_entries(document)) for document in documents)
    lines = [
        "# Errata in the course documents",
        "",
        f"Generated by `{GENERATOR}` from `fixtures/worked_examples/*.json`; do not edit by hand.",
        "",
        f"{count} errata. Each numeric one is proved by the independent recomputation in "
        "`tests/test_worked_example_fixtures.py`; the spec (`spec/test_worked_examples.py`) tests the true values, "
        "never the printed ones.",
    ]
    for document in documents:
        entries = errata_entries(document)
        if not entries:
            continue
        flag = " (marked \"Unverified — AI-generated content\")" if document["unverified"] else ""
        lines += ["", f"## {document['document']} — {document['title']}{flag}"]
        previous = None
        for section, example_id, erratum in entries:
            if (section, example_id) != previous:
                where = f" ({example_id})" if example_id else ""
                lines += ["", f"### {section}{where}"]
                previous = (section, example_id)
            lines += [
                "",
                f"- **Says:** {erratum['says']}",
                f"- **True:** {erratum['true']}",
                f"- **Why:** {erratum['why']}",
            ]
    return "\n".join(lines) + "\n"


def main() -> int:
    """Write docs/errata.md."""
    ERRATA_PATH.parent.mkdir(parents=True, exist_ok=True)
    ERRATA_PATH.write_text(render(), encoding="utf-8")
    print(f"wrote {ERRATA_PATH.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
