# The two commands: `make run` opens the editor, `make test` runs every test offscreen.
# `make release` builds the release folder and archive in dist/ (MODELS=/path bundles a models folder).
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

RELEASE_VENV := build/release-venv
RELEASE_PY := $(RELEASE_VENV)/bin/python
MODELS ?=
# Where torch comes from: empty = pip's configuration (here the local CPU wheel); elsewhere
# https://download.pytorch.org/whl/cpu for the CPU build, .../whl/cu128 for the CUDA build.
TORCH_INDEX ?=

.PHONY: run test lint setup bench clean release

run: $(STAMP)
	$(PY) main.py

test: $(STAMP)
	$(PY) -m ruff check glide_desktop tests packaging main.py
	$(VENV)/bin/lint-imports --no-cache
	QT_QPA_PLATFORM=offscreen $(PY) -m pytest -q -p no:cacheprovider

setup: $(STAMP)

$(STAMP): pyproject.toml
	@test -n "$(PYTHON)" || { echo "Python 3.11 is needed: install python3.11 and python3.11-venv"; exit 1; }
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	# torch first and pinned: anything else pulls several GB of CUDA packages on CPU machines.
	$(PY) -m pip install --quiet "torch==2.13.0"
	$(PY) -m pip install --quiet -e ".[test]"
	touch $(STAMP)

# A clean environment with the runtime dependencies only (and PyInstaller), so nothing from the test
# set-up lands in the bundle; then the one-folder build, then the release folder and archive.
release:
	@test -n "$(PYTHON)" || { echo "Python 3.11 is needed: install python3.11 and python3.11-venv"; exit 1; }
	rm -rf $(RELEASE_VENV) build/pyinstaller
	$(PYTHON) -m venv $(RELEASE_VENV)
	$(RELEASE_PY) -m pip install --quiet "torch==2.13.0" $(if $(TORCH_INDEX),--index-url $(TORCH_INDEX))
	$(RELEASE_PY) -m pip install --quiet ".[freeze]"
	$(RELEASE_PY) -m PyInstaller --noconfirm --log-level WARN --distpath build/pyinstaller/dist \
		--workpath build/pyinstaller/work packaging/glide_desktop.spec
	$(RELEASE_PY) packaging/release.py --app build/pyinstaller/dist/glide-desktop --models "$(MODELS)"

clean:
	rm -rf $(VENV) build dist *.egg-info
