# Build, test and benchmark the Converge VM. Run ./configure first.

-include config.mk

NODE ?= node
BIN = node_modules/.bin

.PHONY: all build check typecheck unit regress regress-stress bench clean

all: build

config.mk:
	@echo "Run ./configure first." >&2; exit 1

build: config.mk
	@$(NODE) build.mjs

typecheck: build
	@git diff --quiet -- vm/rts/layout.ts 2>/dev/null || { echo "vm/rts/layout.ts is stale: commit the regenerated file" >&2; exit 1; }
	@$(BIN)/tsc --noEmit -p .

unit: build
	@$(NODE) build.mjs --tests
	@$(BIN)/ava

regress: config.mk
	@sh tools/phases.sh build '$(NODE) build.mjs' regress '$(NODE) build/tools/regress.mjs $(REGRESS_ARGS)'

regress-stress: build
	@$(NODE) build/tools/regress.mjs --gc-stress $(REGRESS_ARGS)

check: typecheck unit regress regress-stress

bench: build
	@$(NODE) build/tools/bench.mjs $(BENCH_ARGS)

clean:
	rm -rf build
	find . -name '*.cvb' -not -path './node_modules/*' -delete
	# Cached executables: extension-less files starting with the executable's #! line.
	find . -type f ! -name '*.*' -not -path './node_modules/*' -not -path './.git/*' -size -64M \
	  -exec grep -l -m1 -s '^#! /usr/bin/env converge$$' {} + | while read -r f; do \
	    head -c 40 "$$f" | grep -q CONVEXEC && rm -f "$$f"; done; true
