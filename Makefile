# mlp-course: two commands for students, one for maintainers.
#   make lab    create .venv if needed, install the course into it, open JupyterLab
#   make test   the same set-up, then every test: unit tests, nbval over the notebooks, grader tests
# Everything runs inside .venv; nothing is installed globally.

PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.mlp-course-installed
PORT   ?= 8888

# JupyterLab refuses to run as root without --allow-root (containers), and
# cannot open a browser on a machine without a display: it then prints the URL.
LAB_FLAGS := --notebook-dir=. --port=$(PORT)
ifeq ($(shell id -u 2>/dev/null),0)
LAB_FLAGS += --allow-root
endif
ifeq ($(strip $(DISPLAY)$(WAYLAND_DISPLAY)$(filter Darwin,$(shell uname -s 2>/dev/null))),)
LAB_FLAGS += --no-browser
endif

# pytest exits with 5 when it collected no test: that is a broken test set-up, not a pass.
define run_pytest
	@set +e; $(PY) -m pytest $(1); rc=$$?; \
	if [ $$rc -eq 5 ]; then echo "ERROR: pytest collected no tests (exit code 5): treating as a failure"; exit 1; fi; \
	exit $$rc
endef

# a cell that hangs fails after 5 minutes (the slowest cell takes ~15 s) instead of stalling CI
NBVAL_FLAGS := --nbval --nbval-current-env --nbval-sanitize-with tests/nbval_sanitize.cfg \
               --nbval-cell-timeout=300

.PHONY: help venv lab test test-unit test-notebooks test-browser torch clean

help:
	@echo "make lab             set up .venv and open the course in JupyterLab"
	@echo "make test            set up .venv and run every test"
	@echo "make test-unit       unit and grader tests only (no notebooks)"
	@echo "make test-notebooks  nbval over notebooks/ and solutions/"
	@echo "make test-browser    every notebook in JupyterLab in headless Chromium (needs chromium)"
	@echo "make torch           add PyTorch (CPU) to .venv for the cross-checks"
	@echo "make clean           remove .venv and caches"

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 10) else "mlp-course needs Python 3.10 or newer, found " + sys.version.split()[0])'
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --upgrade pip
	$(PY) -m pip install -e '.[test,cluster]'
	@touch $(STAMP)

venv: $(STAMP)

lab: venv
	@echo "Starting JupyterLab. Open the http://127.0.0.1:$(PORT)/lab?token=... URL it prints below in your browser."
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

test-unit: venv
	$(call run_pytest,tests)

# nbval re-runs every committed notebook and compares its outputs with the stored ones.
NOTEBOOKS := $(sort $(wildcard notebooks/*.ipynb solutions/*.ipynb))
test-notebooks: venv
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
test-browser: venv
	@if [ -z "$(strip $(CHROMIUM))" ]; then \
	  echo "test-browser: chromium not found: install it (apt-get install chromium) or set CHROMIUM=/path/to/chromium"; \
	  exit 1; fi
	$(call run_pytest,tests/browser -rs)

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
