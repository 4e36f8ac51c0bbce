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
- A loop of many small calls that decides nothing may run in the worker (``drivers``): the MNIST gate's training
  loop (spec/mnist_loop.py, contract calls only) is one call there instead of three round trips per mini-batch,
  and hands each epoch's output back to the spec, which scores it in the grader (the test labels never cross); the
  XOR recipe's loop (spec/xor_loop.py) hands back its last output and parameters, which the spec compares with the
  fixture's values (unreadable in the worker) and runs ``forward`` on itself. The submission can replace a loop like
  anything in its process; it gains nothing, since only the output counts and an independent oracle judges it. A
  loop whose results are judged only by their properties (the experiments) stays in the grader. A driver's calls
  are not observed one by one: a failure names the loop's inputs, and the submission's traceback the function.
- Calls the spec knows in advance go to the worker in one message: independent ones (``impl.batch``) and chains
  (``impl.chain``: gradient descent with the submission's own functions, spec/descent.py), where an argument may be
  an earlier call's result (``Earlier``), which the worker passes as it sent it (a fresh copy; a carrier as the
  submission's own object). Each call is packed on its own (no object is shared between two calls' arguments, as
  none is in process), made in order, answered by the worker as it returns, read by the grader within that call's
  own time limit and observed, checked and reported as a call of its own, so nothing is decided in the worker;
  after a call that raised, the worker makes none of the later ones (in process they are never made either) and
  the grader drops their replies. A call passing a function (a call-back), a profile's call (its scope is decided
  per call), a function not called again in this grade and a call made inside a call-back go one by one.
- In-place changes the submission makes to its arguments are mirrored back onto the grader's objects (and a
  ``np.random.Generator`` argument advances), and read-only arrays stay read-only, so purity checks see what
  they would see in process.
- Every call has a time limit (per chapter, configurable), every requirement a budget shared by all its cases,
  and the worker has memory, CPU, file-size and core limits; a timeout, crash, exit or broken channel fails the
  running requirement, the worker is restarted (the submission re-imported) and the requirement's remaining calls,
  in all its cases, fail at once instead of waiting again. A function that timed out, or crashed the worker twice,
  is not called again in the grade: later calls fail at once, naming the earlier failure.
- What the worker sees is built, not inherited (``sandbox.prepare``): the standard library (``python -I -S``: no
  site-packages, no environment variables), the folders of the libraries the configuration allows (``[worker]
  libraries``, import names, NumPy and SciPy by default; each library's folder and its ``NAME.libs``, never the
  site-packages around them, which holds nnspec's editable-install finder for ``reference`` and ``spec``), the
  files and folders ``[worker] paths`` adds (an instructor's adapter module), the worker runtime (``worker``,
  ``wire``, ``limits``, ``loader``, ``mapping``, ``layout``, ``values``, the built-in ``adapters``: copied on their
  own as a package ``nnspec.grade`` whose ``__path__`` is emptied before the submission loads) and a private copy of
  the one submission (a .py file alone; a package folder with no link that leaves it). To let a submission use
  PyTorch, list ``torch`` and the libraries it imports (a profile's ``libraries`` does it). This holds in both
  isolations: hiding the answer key is a matter of paths, not of namespaces.
- The operating system confines the worker (``sandbox``): bubblewrap with new user, PID, mount, network, IPC and
  UTS namespaces, a read-only view in which only the worker's temporary folder is writable, hard rlimits (soft =
  hard, set by the worker before the submission loads) including a process limit. A grader running as root
  starts bubblewrap as ``nobody`` through ``setpriv`` (a first, privileged bubblewrap only re-mounts the view's
  sources where ``nobody`` can reach them): RLIMIT_NPROC does not hold for uid 0 (even as a mapped uid inside a
  user namespace), and a root-mapped worker could still open root's files. A pids cgroup would need cgroup
  delegation, which containers rarely give. Killing bubblewrap ends the namespace's first process and so every
  process in it (``--die-with-parent``, PID namespace). Without namespaces (or with ``--sandbox off``), the
  fallback keeps the view, the hard limits and the process-group kill, and every report says so.
- An audit hook in the worker is a second layer in both isolations: it refuses reads outside the view, writes
  outside the temporary folder, reads of MNIST test labels and of other processes' /proc entries, native
  libraries other than the offered libraries' own (PyTorch loads its own with ctypes), new processes, network,
  signals and limits on other processes, and walks of the garbage collector's objects;
  its rules are captured in a closure at install time. It is best effort against pure Python; ctypes gets
  around it, and the boundary is the operating system's.
- A worker that fails before it says "started" (before the submission is touched) failed for the grader's own
  reasons: the report says so, names the cause (bubblewrap's or Python's own message) and exits 2.
- A report never carries the submission's text raw: ``reports.build`` cuts and escapes it once with ``escape``'s
  rules (controls, NUL, lone surrogates), and each writer adds its format's escaping from ``escape`` (markdown
  fences, XML, CSV formulas). Each report is written even when another writer fails.

- An assignment profile (``nnspec.profiles``) crosses as data only: its mapping goes to the worker with the
  settings, and ``mapping`` (runtime) makes the learner's functions into contract functions there, after the
  submission is imported (an adapter module too: a built-in one, ``adapters``, or the instructor's); ``values``
  (runtime) hands the top-level values a profile names (a notebook's tensors) to the grader as numbers. What is not
  applicable is decided in the grader (``scope``, before each call; ``nnspec.profiles.applicability``, before the
  run), never by the worker.

Modules: ``wire``, ``unpickle`` (reading the worker's messages), ``worker``, ``drivers`` (spec loops run in the
worker), ``limits``, ``loader``, ``mapping``, ``layout`` (a row-major assignment's arrays in the contract's layout),
``values`` (a notebook's values as data), ``adapters`` (the built-in adapters, run in the worker), ``sandbox``,
``proxy`` (the grader's side of a worker), ``scope`` (what a profile can call; name collisions), ``runner``,
``config``, ``frameworks`` (the "only NumPy" rule), ``escape``, ``reports``, ``progress`` (what a grade shows on
stderr while it runs), ``batch``, ``cli``.
"""

from nnspec.grade.cli import register

__all__ = ["register"]
