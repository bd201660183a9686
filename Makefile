# mlp-course: two commands for students, one for maintainers.
#   make lab    create .venv if needed, install the course into it (`pip install -e .`), open JupyterLab
#   make test   the same set-up plus the test tools (`pip install -e '.[test,cluster,grader]'`), then every test:
#               unit tests, nbval over the notebooks, grader tests, the browser suite
# Everything runs inside .venv; nothing is installed globally.

PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
# what students need (make lab) and, on top of it, the test tools (make test): one stamp each
STAMP      := $(VENV)/.mlp-course-installed
TEST_STAMP := $(VENV)/.mlp-course-test-installed
# the port JupyterLab tries first: PORT, else Jupyter's own JUPYTER_PORT, else 8888. When it is
# busy Jupyter moves on to the next free one and prints the URL it really listens on.
PORT       ?= $(or $(JUPYTER_PORT),8888)

# JupyterLab refuses to run as root without --allow-root (containers), and
# cannot open a browser on a machine without a display: it then prints the URL.
LAB_FLAGS := --notebook-dir=. --port=$(PORT)
ifeq ($(shell id -u 2>/dev/null),0)
LAB_FLAGS += --allow-root
endif
ifeq ($(strip $(DISPLAY)$(WAYLAND_DISPLAY)$(filter Darwin,$(shell uname -s 2>/dev/null))),)
LAB_FLAGS += --no-browser
endif

# -rs: every skipped test says why. pytest exits with 5 when it collected no test: that is a broken test set-up, not a pass.
define run_pytest
	@set +e; $(PY) -m pytest -rs $(1); rc=$$?; \
	if [ $$rc -eq 5 ]; then echo "ERROR: pytest collected no tests (exit code 5): treating as a failure"; exit 1; fi; \
	exit $$rc
endef

# a cell that hangs fails after 5 minutes (the slowest cell takes ~2.5 s) instead of stalling CI
NBVAL_FLAGS := --nbval --nbval-current-env --nbval-sanitize-with tests/nbval_sanitize.cfg \
               --nbval-cell-timeout=300

.PHONY: help venv venv-test lab test test-unit test-notebooks test-browser torch clean release outputs

help:
	@echo "make lab             set up .venv (the course only) and open it in JupyterLab (PORT=8888)"
	@echo "make test            set up .venv with the test tools too and run every test"
	@echo "make test-unit       unit and grader tests only (no notebooks)"
	@echo "make test-notebooks  nbval over notebooks/ and solutions/"
	@echo "make test-browser    every notebook in JupyterLab in headless Chromium (needs chromium)"
	@echo "make torch           add PyTorch (CPU) to .venv for the cross-checks"
	@echo "make clean           remove .venv and caches"
	@echo "make release OUT=dir the student release (no solutions, no grader) in a new folder"
	@echo "make outputs         re-run notebooks/ and solutions/ and save their outputs (NB=file to pick)"

# The first `make lab` should take well under a minute with a warm pip cache (README): pip is
# upgraded only when older than 23, and --no-compile leaves byte-compiling the ~100 packages'
# modules to their first import (pip's compile step is most of the CPU time of the install).
$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 10) else "mlp-course needs Python 3.10 or newer, found " + sys.version.split()[0])'
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet 'pip>=23'
	$(PY) -m pip install --no-compile -e .
	@touch $(STAMP)

$(TEST_STAMP): $(STAMP)
	$(PY) -m pip install -e '.[test,cluster,grader]'
	@touch $(TEST_STAMP)

venv: $(STAMP)

venv-test: $(TEST_STAMP)

# JupyterLab prints the URL to open (with its token, on the port it really got) itself.
lab: venv
	$(PY) -m jupyter lab $(LAB_FLAGS)

# A pinned CPU build: an unpinned `torch` can pull a CUDA build of several GB.
torch: venv
	$(PY) -m pip install 'torch==2.13.0'

# `make test` also runs the browser suite when Chromium is installed, and says so when it is not.
CHROMIUM ?= $(shell command -v chromium 2>/dev/null || command -v chromium-browser 2>/dev/null)

test: test-unit test-notebooks
ifeq ($(strip $(CHROMIUM)),)
	@echo ""
	@echo "************************************************************************"
	@echo "* test-browser SKIPPED: chromium not found, so the notebooks were not  *"
	@echo "* opened in JupyterLab. Install it (Debian/Ubuntu: apt-get install     *"
	@echo "* chromium) or set CHROMIUM=/path/to/chromium, then: make test-browser *"
	@echo "************************************************************************"
else
	@$(MAKE) --no-print-directory test-browser CHROMIUM=$(CHROMIUM)
endif

test-unit: venv-test
	$(call run_pytest,tests)

# nbval re-runs every committed notebook and compares its outputs with the stored ones.
NOTEBOOKS := $(sort $(wildcard notebooks/*.ipynb solutions/*.ipynb))
test-notebooks: venv-test
ifeq ($(NOTEBOOKS),)
	@echo "test-notebooks: no notebooks in notebooks/ or solutions/ yet: nothing for nbval to run"
else
	$(call run_pytest,$(NBVAL_FLAGS) $(NOTEBOOKS))
endif

# Every notebook in notebooks/ and solutions/ opened in JupyterLab in headless Chromium:
# run all, no error, every widget explorer renders and answers its slider (tests/browser/).
# Screenshots and the server log: artifacts/browser/.
test-browser: export MLP_BROWSER_TESTS = 1
test-browser: export CHROMIUM := $(CHROMIUM)
test-browser: venv-test
	@if [ -z "$(strip $(CHROMIUM))" ]; then \
	  echo "test-browser: chromium not found: install it (apt-get install chromium) or set CHROMIUM=/path/to/chromium"; \
	  exit 1; fi
	$(call run_pytest,tests/browser)

# What students get: notebooks, exercises, mlpkit with stored public checks; no solutions/,
# no grader, no instructor documents (mlpkit/release.py, docs/INSTRUCTORS.md section 2).
release: venv
	@if [ -z "$(OUT)" ]; then echo "usage: make release OUT=/path/to/new/folder [ARGS=--force]"; exit 2; fi
	$(VENV)/bin/mlpkit release $(OUT) $(ARGS)

# After a change to mlpkit: re-run the notebooks top to bottom and save their outputs (what nbval
# compares with). A notebook with a failing cell is left unchanged (mlpkit/execute.py).
NB ?= notebooks/*.ipynb solutions/*.ipynb
outputs: venv
	$(VENV)/bin/mlpkit execute $(NB)

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis build *.egg-info

# Training speed of mlpkit against PyTorch and scikit-learn (benchmarks/train_speed.py).
#   make bench                  full run (several minutes), writes benchmarks/RESULTS.md
#   make bench ARGS=--quick     or `make bench-quick`: under a minute, prints only
.PHONY: bench bench-quick
bench: venv
	$(PY) benchmarks/train_speed.py $(if $(filter --quick,$(ARGS)),,--markdown benchmarks/RESULTS.md) $(ARGS)

bench-quick: venv
	$(PY) benchmarks/train_speed.py --quick $(ARGS)
