# The two entry points of the README: `make demo` and `make test`.
# Both install missing Debian packages first, then build.

BUILD_DIR ?= build
JOBS ?= 2
CONTENT ?=
CTEST_ARGS ?=

.PHONY: all deps build demo test test-unit test-system clean

all: build

deps:
	./deploy/install-deps.sh

build: deps
	cmake -S . -B $(BUILD_DIR) -DCMAKE_BUILD_TYPE=RelWithDebInfo
	cmake --build $(BUILD_DIR) -j $(JOBS)

demo: build
	python3 deploy/demo.py --build-dir $(BUILD_DIR) $(if $(CONTENT),--content $(CONTENT))

test: build
	cd $(BUILD_DIR) && ctest --output-on-failure -j $(JOBS) $(CTEST_ARGS)

test-unit: build
	cd $(BUILD_DIR) && ctest --output-on-failure -j $(JOBS) -LE system

test-system: build
	cd $(BUILD_DIR) && ctest --output-on-failure -L system

clean:
	rm -rf $(BUILD_DIR)
