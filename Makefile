# goscope: one non-recursive Makefile for the whole tree.
#
#   make                 build ./goscope
#   make check           install test dependencies, build, run every test
#   make check T=NAME    ... or only the named tests (T="dump-oracle t_lib")
#   make SANITIZE=address,undefined check
#   make demo            run goscope on the bundled demo program
#   make deps            install the Debian packages needed (as root)
#   make fuzz            build and briefly run the libFuzzer harnesses
#   make install PREFIX=/usr/local DESTDIR=
#   make bench           benchmarks (speed and memory targets)

PROG := goscope
PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin
MANDIR ?= $(PREFIX)/share/man
CC ?= cc
PKG_CONFIG ?= pkg-config
CFLAGS ?= -O2 -g
WERROR ?=
SANITIZE ?=
VERSION := $(shell git describe --tags --always --dirty 2>/dev/null || echo 0.1.0)

# Packages needed to build and test on Debian (see README).
DEB_BUILD := gcc make pkg-config libelf-dev libdw-dev libjansson-dev
DEB_BUILD += libprotobuf-c-dev protobuf-c-compiler zlib1g-dev
DEB_BUILD += libiberty-dev
DEB_BUILD += libcapstone-dev
DEB_BUILD += libncurses-dev
DEB_BUILD += libunwind-dev
DEB_BUILD += libzstd-dev liblzma-dev liblz4-dev
DEB_TEST := libcmocka-dev golang-go git binutils clang file ca-certificates jq time \
	    xz-utils
DEB_TEST += gdb g++ elfutils
DEB_TEST += rustc
DEB_TEST += tmux
DEB_TEST += strace
DEB_TEST += prometheus prometheus-node-exporter curl iproute2
DEB_PACKAGES := $(DEB_BUILD) $(DEB_TEST)

PKGS := libdw libelf jansson
PKGS += libprotobuf-c zlib
PKGS += capstone
PKGS += ncursesw
# Compressed cores (systemd-coredump, or by hand).
PKGS += libzstd liblzma liblz4
# Recursive (=) so that pkg-config runs after "make deps" installed them.
PKG_CFLAGS = $(shell $(PKG_CONFIG) --cflags $(PKGS) 2>/dev/null)
PKG_LIBS = $(shell $(PKG_CONFIG) --libs $(PKGS) 2>/dev/null || echo -ldw -lelf -ljansson -lprotobuf-c -lz -lcapstone \
	-lncursesw -ltinfo -lzstd -llzma -llz4)
# libiberty (the demangler) has no pkg-config file.
PKG_LIBS += -liberty $(UNW_LIBS)
CMOCKA_LIBS = $(shell $(PKG_CONFIG) --libs cmocka 2>/dev/null || echo -lcmocka)

WARNINGS := -Wall -Wextra -Wformat=2 -Wshadow -Wpointer-arith \
	    -Wmissing-prototypes -Wstrict-prototypes -Wvla
ifneq ($(WERROR),)
WARNINGS += -Werror
endif
ifneq ($(SANITIZE),)
SAN_FLAGS := -fsanitize=$(SANITIZE) -fno-sanitize-recover=all \
	     -fno-omit-frame-pointer
endif

ALL_CPPFLAGS = -I. -D_GNU_SOURCE -DGOSCOPE_VERSION='"$(VERSION)"' $(UNW_DEFS) \
	       $(CPPFLAGS)
ALL_CFLAGS = -std=gnu11 $(WARNINGS) $(CFLAGS) $(SAN_FLAGS) $(PKG_CFLAGS) \
	     -MMD -MP
ALL_LDFLAGS = $(LDFLAGS) $(SAN_FLAGS)

# Objects per stage; the order follows the data flow.
LIB_SRCS := lib/xmalloc.c lib/err.c lib/strbuf.c lib/report.c \
	    lib/hashmap.c lib/intern.c
LIB_SRCS += lib/atomicfile.c lib/bigmem.c
LIB_SRCS += lib/readfile.c lib/utf8.c lib/jstr.c lib/parse.c
INSPECT_SRCS := inspect/memsrc.c inspect/proc.c inspect/ptstop.c inspect/core.c
INSPECT_SRCS += inspect/taskinfo.c inspect/stackcopy.c inspect/sysnames.c
INSPECT_SRCS += inspect/proclist.c
INSPECT_SRCS += inspect/unpack.c
BUILDINFO_SRCS := buildinfo/elfnote.c buildinfo/gobuildinfo.c \
		  buildinfo/modinfo.c buildinfo/elfinfo.c \
		  buildinfo/provenance.c buildinfo/format.c
SYMBOLS_SRCS := symbols/pclntab.c symbols/elfimage.c symbols/pccache.c
# The native stack unwinders built in (symbols/unw_NAME.c), the first one
# the default: any of libdw and libunwind, or none ("none" is always
# there: only the innermost frame).  goscope threads --unwinder=NAME.
UNWINDER ?= libdw libunwind
UNWINDERS := $(filter libdw libunwind,$(UNWINDER))
SYMBOLS_SRCS += symbols/demangle.c symbols/dwproc.c symbols/unwinder.c \
		symbols/unw_none.c $(UNWINDERS:%=symbols/unw_%.c)
UNW_DEFS := $(foreach u,$(UNWINDERS),-DGOSCOPE_UNW_$(shell echo $(u) | tr a-z A-Z))
UNW_DEFS += -DGOSCOPE_UNW_DEFAULT='"$(firstword $(UNWINDERS) none)"'
ifneq ($(filter libunwind,$(UNWINDERS)),)
UNW_LIBS := -lunwind-x86_64 -lunwind
endif
GORUNTIME_SRCS := goruntime/layout.c goruntime/registry.c \
		  goruntime/traceback.c goruntime/unwind.c goruntime/labels.c \
		  goruntime/args.c
GORUNTIME_SRCS += goruntime/layout_tables.c goruntime/layout_fallback.c \
		  goruntime/stripped_amd64.c
# The snapshot model and its analyses (no I/O).
SNAPSHOT_SRCS := snapshot/snap.c snapshot/frames.c snapshot/group.c \
		 snapshot/rules.c snapshot/diff.c snapshot/watch.c
# What parked goroutines wait on.
INSPECT_SRCS += inspect/epoll.c
GORUNTIME_SRCS += goruntime/waitobj.c
SNAPSHOT_SRCS += snapshot/blocked.c
# The leak rule shared by watch, the view, groups and diff.
SNAPSHOT_SRCS += snapshot/leak.c
# goscope's first sight of each goroutine, across snapshots.
SNAPSHOT_SRCS += snapshot/ages.c
# Bytes <-> snapshot: the output formats and the readers of saved ones.
FORMAT_SRCS := format/fmt_go.c format/fmt_json.c format/fmt_go1.c \
	       format/fmt_metrics.c format/fmt_pprof.c \
	       format/gen/profile.pb-c.c format/fmt_threads.c
FORMAT_SRCS += format/parse_json.c format/parse_go.c
FORMAT_SRCS += format/fmt_watch.c
# A live process, a core or a file -> snapshot.
CAPTURE_SRCS := capture/capture.c capture/threads.c capture/load.c
CLI_SRCS := cli/main.c cli/cmd.c cli/opt.c cli/cmd_buildinfo.c cli/cmd_dump.c
CLI_SRCS += cli/cmd_groups.c cli/cmd_diff.c cli/cmd_watch.c
CLI_SRCS += cli/cmd_threads.c cli/cmd_ps.c
# The interactive view (goscope top).
TUI_SRCS := tui/model.c tui/feed.c tui/source.c tui/export.c tui/procs.c \
	    tui/scr_groups.c tui/scr_goroutines.c tui/scr_stack.c \
	    tui/scr_threads.c tui/scr_text.c tui/scr_diff.c \
	    tui/app.c tui/nav.c \
	    tui/keys.c tui/draw.c tui/picker.c tui/tui.c
CLI_SRCS += cli/cmd_top.c

CORE_SRCS := $(LIB_SRCS) $(INSPECT_SRCS) $(BUILDINFO_SRCS) \
	     $(SYMBOLS_SRCS) $(GORUNTIME_SRCS) $(SNAPSHOT_SRCS) \
	     $(FORMAT_SRCS) $(CAPTURE_SRCS)
CORE_OBJS := $(CORE_SRCS:.c=.o)
CLI_OBJS := $(CLI_SRCS:.c=.o)
TUI_OBJS := $(TUI_SRCS:.c=.o)

# One test a line, so that additions do not touch each other.
UNIT_TESTS := tests/unit/t_lib
UNIT_TESTS += tests/unit/t_atomicfile
UNIT_TESTS += tests/unit/t_libtext
UNIT_TESTS += tests/unit/t_layout
UNIT_TESTS += tests/unit/t_elfnote tests/unit/t_gobuildinfo \
	      tests/unit/t_modinfo tests/unit/t_pclntab
UNIT_TESTS += tests/unit/t_group tests/unit/t_diff tests/unit/t_rules \
	      tests/unit/t_parse_go tests/unit/t_snapjson \
	      tests/unit/t_watch tests/unit/t_leak
UNIT_TESTS += tests/unit/t_native
UNIT_TESTS += tests/unit/t_stripped
UNIT_TESTS += tests/unit/t_tuimodel tests/unit/t_tuiapp
# Drivers that the live tests run.
TEST_TOOLS := tests/tools/pclnq
TEST_TOOLS += tests/tools/snapbench
TEST_TOOLS += tests/tools/genlayouts
TEST_TOOLS += tests/tools/tuibench
FUZZERS := tests/fuzz/fuzz_elfnote tests/fuzz/fuzz_gobuildinfo \
	   tests/fuzz/fuzz_elffile \
	   tests/fuzz/fuzz_modinfo tests/fuzz/fuzz_pclntab \
	   tests/fuzz/fuzz_registry
FUZZERS += tests/fuzz/fuzz_snapjson tests/fuzz/fuzz_gotext
FUZZERS += tests/fuzz/fuzz_stripped tests/fuzz/fuzz_core
FUZZERS += tests/fuzz/fuzz_waitobj
FUZZERS += tests/fuzz/fuzz_unpack
FUZZ_TIME ?= 20

.PHONY: all check check-all check-unit check-live check-offline \
	check-layers deps \
	demo install uninstall clean fuzz bench toolchains

all: $(PROG)

$(PROG): $(CORE_OBJS) $(TUI_OBJS) $(CLI_OBJS)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(PKG_LIBS) -lpthread

%.o: %.c
	$(CC) $(ALL_CPPFLAGS) $(ALL_CFLAGS) -c -o $@ $<

# The pprof writer's message code, generated from the checked-in
# format/proto/profile.proto by protoc-c (protobuf-c-compiler).
format/gen/profile.pb-c.c format/gen/profile.pb-c.h: \
		format/proto/profile.proto
	@mkdir -p format/gen
	protoc-c --c_out=format/gen --proto_path=format/proto \
		format/proto/profile.proto
format/fmt_pprof.o: format/gen/profile.pb-c.h

# The version string is baked into main.o.
cli/main.o: .version
.version: FORCE
	@echo '$(VERSION)' | cmp -s - $@ || echo '$(VERSION)' > $@
FORCE:

tests/tools/%: tests/tools/%.o $(CORE_OBJS)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(PKG_LIBS) -lpthread

tests/unit/%: tests/unit/%.o $(CORE_OBJS)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(PKG_LIBS) $(CMOCKA_LIBS) -lpthread

# Drivers of the interactive view's model, state and drawing.
tests/unit/t_tuimodel: tui/model.o
tests/unit/t_tuiapp: $(TUI_OBJS)
tests/tools/tuibench: $(TUI_OBJS)

deps:
	@sh tests/deps.sh $(DEB_PACKAGES)

# The README's test command: install what is needed, then run it all.
check:
	@$(MAKE) --no-print-directory deps
	@bash tests/go-toolchains.sh fetch
	@$(MAKE) --no-print-directory check-all

# T="NAME..." selects tests by name: a unit test (t_lib) or a live script
# (dump-oracle or dump-oracle.sh).  GOSCOPE_TEST_TIMEOUT (seconds, default
# 900) bounds each one.
ALL_TESTS = $(UNIT_TESTS) $(sort $(wildcard tests/offline/*.sh)) \
	    $(sort $(wildcard tests/live/*.sh))
ifneq ($(T),)
TESTS = $(foreach t,$(T),$(or $(filter %/$(t) %/$(t).sh,$(ALL_TESTS)),\
	$(error T: no test named '$(t)')))
else
TESTS = $(ALL_TESTS)
endif

check-all: $(PROG) $(UNIT_TESTS) $(TEST_TOOLS) check-layers
	@GOSCOPE=$(CURDIR)/$(PROG) PCLNQ=$(CURDIR)/tests/tools/pclnq \
		sh tests/run-tests.sh $(TESTS)

check-unit: $(UNIT_TESTS)
	@sh tests/run-tests.sh $(filter tests/unit/%,$(TESTS))

# Checked-in cores of real processes: no ptrace, no Go toolchain.
check-offline: $(PROG)
	@GOSCOPE=$(CURDIR)/$(PROG) sh tests/run-tests.sh tests/offline/*.sh

check-live: $(PROG) $(TEST_TOOLS)
	@GOSCOPE=$(CURDIR)/$(PROG) PCLNQ=$(CURDIR)/tests/tools/pclnq \
		sh tests/run-tests.sh $(filter tests/live/%,$(TESTS))

# Layering is one-way: lib <- inspect <- buildinfo/symbols <- goruntime
# <- snapshot <- format <- capture <- tui <- cli.  No lower stage includes
# a higher one.
check-layers:
	@sh tests/check-layers.sh

toolchains:
	@bash tests/go-toolchains.sh list

# The reliability campaign (minutes; not part of check): attach cycles
# against a changing target, goscope killed at random points, targets
# exiting.  STRESS_TIME=SECONDS (default 180).
.PHONY: stress
stress: $(PROG)
	@GOSCOPE=$(CURDIR)/$(PROG) bash tests/stress/stress.sh

# Regenerates goruntime/layout_tables.c from the DWARF of every toolchain
# in the test matrix (tests/live/layouts.sh checks the checked-in copy).
.PHONY: layouts
layouts: tests/tools/genlayouts
	@bash tests/tools/genlayouts.sh tests/tools/genlayouts \
		>goruntime/layout_tables.c.new
	@mv goruntime/layout_tables.c.new goruntime/layout_tables.c
	@echo "layouts: wrote goruntime/layout_tables.c"

demo:
	@$(MAKE) --no-print-directory deps
	@$(MAKE) --no-print-directory $(PROG)
	@bash tests/targets/demo/run-demo.sh $(CURDIR)/$(PROG)

fuzz: $(FUZZERS)
	@for f in $(FUZZERS); do \
		name=$$(basename $$f); \
		mkdir -p tests/fuzz/corpus/$$name; \
		echo "fuzz: $$name for $(FUZZ_TIME)s"; \
		./$$f -max_total_time=$(FUZZ_TIME) -rss_limit_mb=2048 \
			-max_len=1048576 \
			tests/fuzz/corpus/$$name tests/fuzz/seeds/$$name \
			2>&1 | tail -n 3 || exit 1; \
	done

FUZZ_CFLAGS := -g -O1 -fsanitize=fuzzer,address,undefined \
	       -fno-sanitize-recover=all
# The library is compiled once for every harness (in .fuzz/), not once
# per harness.
FUZZ_OBJS := $(CORE_SRCS:%.c=.fuzz/%.o)
.SECONDARY: $(FUZZ_OBJS)
.fuzz/%.o: %.c format/gen/profile.pb-c.h
	@mkdir -p $(dir $@)
	clang -I. -D_GNU_SOURCE $(UNW_DEFS) $(FUZZ_CFLAGS) $(PKG_CFLAGS) \
		-MMD -MP -c -o $@ $<
tests/fuzz/fuzz_%: tests/fuzz/fuzz_%.c $(FUZZ_OBJS)
	clang -I. -D_GNU_SOURCE $(UNW_DEFS) $(FUZZ_CFLAGS) $(PKG_CFLAGS) -o $@ $^ \
		$(PKG_LIBS) -lpthread

bench: $(PROG) tests/tools/snapbench tests/tools/tuibench
	@sh tests/bench/run.sh $(CURDIR)/$(PROG)

install: $(PROG)
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1
	install -m 0755 $(PROG) $(DESTDIR)$(BINDIR)/$(PROG)
	install -m 0644 man/goscope.1 $(DESTDIR)$(MANDIR)/man1/goscope.1

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/$(PROG) $(DESTDIR)$(MANDIR)/man1/goscope.1

clean:
	rm -f $(PROG) $(CORE_OBJS) $(CLI_OBJS) $(UNIT_TESTS) $(FUZZERS) \
		$(TUI_OBJS) \
		$(TEST_TOOLS) tests/unit/*.o tests/tools/*.o .version
	rm -rf format/gen .fuzz
	find . -name '*.d' -delete

-include $(FUZZ_OBJS:.o=.d)
-include $(CORE_SRCS:.c=.d) $(CLI_SRCS:.c=.d) $(UNIT_TESTS:=.d) \
	$(TUI_SRCS:.c=.d) \
	$(TEST_TOOLS:=.d)
