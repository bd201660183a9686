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

NBVAL_FLAGS := --nbval --nbval-current-env --nbval-sanitize-with tests/nbval_sanitize.cfg

.PHONY: help venv lab test test-unit test-notebooks torch clean

help:
	@echo "make lab             set up .venv and open the course in JupyterLab"
	@echo "make test            set up .venv and run every test"
	@echo "make test-unit       unit and grader tests only (no notebooks)"
	@echo "make test-notebooks  nbval over notebooks/ and solutions/"
	@echo "make torch           add PyTorch (CPU) to .venv for the cross-checks"
	@echo "make clean           remove .venv and caches"

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 10) else "mlp-course needs Python 3.10 or newer, found " + sys.version.split()[0])'
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --upgrade pip
	$(PY) -m pip install -e '.[test]'
	@touch $(STAMP)

venv: $(STAMP)

lab: venv
	@echo "Starting JupyterLab. Open the http://127.0.0.1:$(PORT)/lab?token=... URL it prints below in your browser."
	$(PY) -m jupyter lab $(LAB_FLAGS)

torch: venv
	$(PY) -m pip install 'torch==2.13.0' || $(PY) -m pip install --index-url https://download.pytorch.org/whl/cpu torch

test: test-unit test-notebooks

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

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis build *.egg-info
