# The two commands of the README:
#   make demo   set up, build, and run the main job
#   make test   set up, build, and run the whole test suite
# Everything else is plumbing for those two.

BUILD ?= build
PREFIX ?= /usr/local
JOBS ?= $(shell nproc 2>/dev/null || echo 2)
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

# What the build and the tests need from Debian 12.
DEBIAN_PACKAGES := build-essential cmake pkg-config libconfig-dev libjansson-dev \
	libcmocka-dev libssl-dev libcurl4-openssl-dev libxml2-dev valgrind python3 python3-venv \
	man-db zsh

.PHONY: deps build test demo install clean

deps:
	@missing=""; \
	for p in $(DEBIAN_PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "installing Debian packages:$$missing"; \
	  $(SUDO) apt-get update -q && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -q --no-install-recommends $$missing; \
	fi

build: deps
	cmake -S . -B $(BUILD) -DSTACKHOST_WERROR=ON
	cmake --build $(BUILD) -j$(JOBS)

test: build
	ctest --test-dir $(BUILD) --output-on-failure -j$(JOBS)

# stackhost on PREFIX/bin, its plugins, the SDK, the manual page and the
# bash and zsh completions (make install PREFIX=$HOME/.local).
install: build
	cmake --install $(BUILD) --prefix $(PREFIX)

demo: build
	scripts/demo.sh $(BUILD)

clean:
	rm -rf $(BUILD) build-asan build-valgrind
