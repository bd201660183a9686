"""The instructor's grader: ``mlpkit grade NN SUBMISSIONS_DIR --out OUT_DIR``. One job per module:

* :mod:`.spec` and :mod:`.assignments`: what the hidden checks of each assignment are
  (call groups, inputs, points, judges);
* :mod:`.submission`: reading a submitted file without trusting it;
* :mod:`.sandbox`: the bubblewrap sandbox every kernel runs in;
* :mod:`.execute`: running code in a fresh, limited kernel (nbclient);
* :mod:`.treewatch`: the memory and process limits of a kernel's whole process tree;
* :mod:`.cells`: the code the grader sends into a kernel (setup, harness, calls);
* :mod:`.grade`: one submission from file to row (the restart policy);
* :mod:`.judge`: decoding what came back and judging it, in the grader's process;
* :mod:`.rows`: the row of one submission (dataclasses);
* :mod:`.worker`: the worker process (``python -m mlpkit.grader.worker``, job on stdin, row on
  stdout);
* :mod:`.report`: ``grades.csv``, ``grades.json``, feedback files;
* :mod:`.runner`: the whole class in parallel, resuming.

The safe-call harness sent into kernels is :mod:`mlpkit.safecall` (below both this package and
``mlpkit.checks``).
"""
