"""ipywidgets explorers used by the notebooks, one module per notebook topic.

Each explorer draws one static figure when called (so a notebook's stored
output is deterministic) and returns the interactive widget.
"""
