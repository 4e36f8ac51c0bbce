"""``nnspec grade``: run the spec against untrusted submissions, each isolated in a worker process.

Design, in one paragraph per decision:

- The checks run in the grader's own (trusted) process: ``pytest.main`` on spec/ with the nnspec plugin and a
  collector plugin (``runner``), so results are Python objects, not parsed text. Only the submission's code runs
  in the worker; batch mode runs one grader process per submission.
- Only data crosses (``wire``): arrays, numbers, strings and containers of them, and exceptions rendered as text.
  The grader reads the worker's messages with ``unpickle``: the pickle may only name inert recipes, from which
  the grader builds the arrays itself, within the message size, and an exception's text is cut to 10,000
  characters on both sides. Anything else a submission returns (a cache object, an optimizer state of its own
  class) stays in the worker behind a ``Handle`` and is passed back by reference. Functions the spec passes in
  (``numerical_gradient``'s ``f``) stay in the grader: the worker gets a stub that calls back through the same
  channel, so the spec needs no change.
- In-place changes the submission makes to its arguments are mirrored back onto the grader's objects (and a
  ``np.random.Generator`` argument advances), and read-only arrays stay read-only, so purity checks see what
  they would see in process.
- Every call has a time limit (per chapter, configurable) and the worker has memory, CPU, file-size and core
  limits; a timeout, crash, exit or broken channel fails the running requirement, the worker is restarted (the
  submission re-imported) and the requirement's remaining calls fail at once instead of waiting again.
- An audit hook in the worker refuses writes outside its temporary folder, reads of the fixtures, of MNIST test
  labels and of other processes' /proc entries, new processes, network and signals. It is defence in depth
  against mistakes and casual cheating, not a sandbox against ctypes: run untrusted code in a container as well.
- A report never carries the submission's text raw: ``reports.build`` cuts and escapes it once with ``escape``'s
  rules (controls, NUL, lone surrogates), and each writer adds its format's escaping from ``escape`` (markdown
  fences, XML, CSV formulas). Each report is written even when another writer fails.

Modules: ``wire``, ``unpickle`` (reading the worker's messages), ``worker``, ``limits``, ``proxy`` (the grader's side
of a worker), ``runner``, ``config``, ``frameworks`` (the "only NumPy" rule), ``escape``, ``reports``, ``progress``
(what a grade shows on stderr while it runs), ``batch``, ``cli``.
"""

from nnspec.grade.cli import register

__all__ = ["register"]
