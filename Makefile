# Quire: `make run` starts the app, `make test` runs every test. Both set up .venv first.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: install run test test-unit bench lint lock clean

install: $(STAMP)

# Re-runs only when the pins or the project metadata change, so a second `make` is instant.
$(STAMP): requirements.lock pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade "pip>=24" setuptools wheel
	$(BIN)/python -m pip install --quiet -r requirements.lock
	$(BIN)/python -m pip install --quiet --no-deps --no-build-isolation -e .
	$(BIN)/python -m assistant.prepare
	touch $(STAMP)

run: install
	$(BIN)/quire-desktop

test: install
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m pytest -q -p no:cacheprovider; \
	status=$$?; if [ $$status -eq 5 ]; then echo "no tests were collected"; exit 1; fi; exit $$status

test-unit: install
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m pytest -q tests/unit

bench: install
	$(BIN)/python -m bench

lint: install
	$(BIN)/ruff check assistant ui tests bench
	$(BIN)/ruff format --check assistant ui tests bench
	$(BIN)/mypy

lock:
	{ sed -n '/^#/p' requirements.lock; $(BIN)/pip freeze --exclude-editable | grep -v '^quire' \
	  | sed -e 's/^torch==2.13.0+cpu/torch==2.13.0/' -e 's/^llama_cpp_python @ .*/llama-cpp-python==0.3.36/'; } > requirements.lock.new
	mv requirements.lock.new requirements.lock

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .mypy_cache .ruff_cache

# PNGs of the main screens (real models, samples indexed) into docs/, under Xvfb; prints start-up times.
# Needs Debian's xvfb and the xcb libraries: apt-get install -y xvfb libxcb-cursor0 libxcb-icccm4
# libxcb-image0 libxcb-keysyms1 libxcb-render-util0 libxcb-xkb1 libxkbcommon-x11-0 libxcb-shape0
.PHONY: screenshots
screenshots: install
	mkdir -p docs
	QT_QPA_PLATFORM=xcb xvfb-run -a -s "-screen 0 1600x1000x24" $(BIN)/python -m ui.screenshots docs/
