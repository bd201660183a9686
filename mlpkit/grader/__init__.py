"""The instructor's grader: ``mlpkit grade NN SUBMISSIONS_DIR --out OUT_DIR``.

* :mod:`.harness`: calling functions and (de)serialising what they return (sent into kernels);
* :mod:`.hidden`: the hidden checks of each assignment (inputs, points, judges);
* :mod:`.kernel`: running one submission in a fresh, limited kernel (``worker``);
* :mod:`.runner`: the whole class in parallel, resuming, writing the reports.
"""
