# imeval - build, test, install.  `make help` lists the targets.
#
# Dependencies (Debian 12): liblua5.4-dev libluajit-5.1-dev libcjson-dev libcsv-dev libglpk-dev check pkg-config.
# libcsv and GLPK ship no .pc file, so they are linked by name.

CC       ?= cc
PREFIX   ?= /usr/local
BUILD    ?= build
PKG_CONFIG ?= pkg-config

# Deferred (=, not :=) so that they are read after `deps` has installed
# pkg-config and the libraries on a fresh machine.
LUA_CFLAGS   = $(shell $(PKG_CONFIG) --cflags lua5.4 2>/dev/null)
LUA_LIBS     = $(shell $(PKG_CONFIG) --libs lua5.4 2>/dev/null)
CJSON_CFLAGS = $(shell $(PKG_CONFIG) --cflags libcjson 2>/dev/null)
CJSON_LIBS   = $(shell $(PKG_CONFIG) --libs libcjson 2>/dev/null)
CHECK_CFLAGS = $(shell $(PKG_CONFIG) --cflags check 2>/dev/null)
CHECK_LIBS   = $(shell $(PKG_CONFIG) --libs check 2>/dev/null)
# The assessment register (register/): SQLite by default, PostgreSQL by URL.
REG_CFLAGS   = $(shell $(PKG_CONFIG) --cflags sqlite3 libpq 2>/dev/null)
REG_LIBS     = $(shell $(PKG_CONFIG) --libs sqlite3 2>/dev/null)
# libpq is loaded by register/pg.c when a PostgreSQL register is opened
# (linked, it cost every start ~3 ms); only tests that call it link it.
PQ_LIBS      = $(shell $(PKG_CONFIG) --libs libpq 2>/dev/null)

WARN     := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
            -Wformat=2 -Wvla
OPT      ?= -O2 -g
CFLAGS   ?=
SAN      ?=
BASE_CFLAGS = -std=c11 -D_GNU_SOURCE $(WARN) $(OPT) $(SAN) -fvisibility=hidden \
               -Icore -Iplugins -Iregister $(REG_CFLAGS) $(LUA_CFLAGS) $(CJSON_CFLAGS) $(CFLAGS)
LIBS     = $(REG_LIBS) $(LUA_LIBS) $(CJSON_LIBS) -lcsv -lglpk -ldl -lm -lpthread

CORE_SRC := $(wildcard core/*.c) plugins/native.c $(wildcard plugins/lua/*.c) plugins/isolate.c plugins/hosts.c plugins/jit.c \
            $(wildcard register/*.c)
# The report module (report/): charts and the HTML report.
BASE_CFLAGS += -Ireport
CORE_SRC += $(wildcard report/*.c)
# The what-if server (serve/): libmicrohttpd; its page is compiled in
# (build/gen/assets.c, written by tools/embed.c from serve/page/).
MHD_CFLAGS = $(shell $(PKG_CONFIG) --cflags libmicrohttpd 2>/dev/null)
BASE_CFLAGS += -Iserve $(MHD_CFLAGS)
# libmicrohttpd is not linked: serve/http.c loads it when the server
# starts (linked, it cost every start of imeval ~1.4 ms).
CORE_SRC += $(wildcard serve/*.c)
CORE_OBJ := $(CORE_SRC:%.c=$(BUILD)/obj/%.o) $(BUILD)/obj/gen/assets.o
CLI_SRC  := $(wildcard cli/*.c)
CLI_OBJ  := $(CLI_SRC:%.c=$(BUILD)/obj/%.o)

# The LuaJIT worker (build/imeval-luajit, plugins/jit_main.c): the engine
# objects a worker process needs, with the Lua host compiled again against
# LuaJIT 2.1 (plugins/lua/compat.h) in an object dir of its own, so that
# no link has both hosts to choose from.
LUAJIT_CFLAGS = $(shell $(PKG_CONFIG) --cflags luajit 2>/dev/null)
LUAJIT_LIBS   = $(shell $(PKG_CONFIG) --libs luajit 2>/dev/null)
JIT_CFLAGS    = $(filter-out $(LUA_CFLAGS),$(BASE_CFLAGS)) $(LUAJIT_CFLAGS) -DIMV_LUAJIT
LUA_HOST_SRC := $(wildcard plugins/lua/*.c)
JIT_HOST_OBJ := $(LUA_HOST_SRC:%.c=$(BUILD)/obj-jit/%.o)
JIT_WORKER_OBJ := $(patsubst %.c,$(BUILD)/obj/%.o,$(wildcard core/*.c) plugins/native.c \
                    plugins/isolate.c plugins/hosts.c plugins/jit.c) $(JIT_HOST_OBJ) $(BUILD)/obj-jit/plugins/jit_main.o

MODEL_C   := $(wildcard models/*.c)
MODEL_LUA := $(wildcard models/*.lua)
MODELS    := $(MODEL_C:models/%.c=$(BUILD)/models/%.so) $(MODEL_LUA:models/%=$(BUILD)/models/%)

# check_luajit is the LuaJIT host's suite: linked with the JIT objects (below).
TEST_SRC  := $(filter-out tests/check_luajit.c,$(wildcard tests/check_*.c))
TEST_BIN  := $(TEST_SRC:tests/%.c=$(BUILD)/tests/%)
FIXTURE_C := $(wildcard tests/plugins/*.c)
FIXTURES  := $(FIXTURE_C:tests/plugins/%.c=$(BUILD)/tests/plugins/%.so)

# `make V=1` shows the full commands.
Q := $(if $(V),,@)

.PHONY: all check test clean install uninstall help deps bench fuzz asan valgrind
.PHONY: FORCE

all: $(BUILD)/imeval $(BUILD)/imeval-luajit $(MODELS)

help:
	@echo "make            build build/imeval, build/libimeval.a and build/models/"
	@echo "make check      build and run the whole test suite (Check), check-symbols, checksrc, format-check"
	@echo "make checksrc   banned functions and names, public-header rule (tools/checksrc.sh)"
	@echo "make format     reformat the C sources (.clang-format); format-check lists them"
	@echo "make asan       run the test suite under AddressSanitizer + UBSan"
	@echo "make valgrind   run the end-to-end tests under valgrind memcheck"
	@echo "make fuzz       fuzz the readers (FUZZ_SECONDS=N, clang + libFuzzer)"
	@echo "make robust-1g  stream 1 GB of profiles through validate in flat memory"
	@echo "make bench      print throughput and latency figures"
	@echo "make install    install to PREFIX (default /usr/local; DESTDIR for staging)"
	@echo "make uninstall  remove what make install put in PREFIX"
	@echo "make deps       install the Debian packages it needs (as root)"

# Every build step waits for this (order-only), so a fresh Debian machine
# with only make and a compiler gets its libraries first.  A no-op when
# everything is installed.
deps:
	@sh tests/install-deps.sh

$(BUILD)/obj/%.o: %.c $(wildcard core/*.h cli/*.h plugins/lua/*.h report/*.h serve/*.h) plugins/imeval_plugin.h plugins/imeval_aux.h | deps
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	$(Q)$(CC) $(BASE_CFLAGS) -c $< -o $@
# The page's files become C arrays: no file is opened to serve a request.
PAGE_FILES := $(sort $(wildcard serve/page/*.html serve/page/*.js serve/page/*.css serve/page/*.svg serve/page/*.png serve/page/*.ico))
$(BUILD)/tools/embed: tools/embed.c | deps
	@mkdir -p $(dir $@)
	@echo "  TOOL    $@"
	$(Q)$(CC) -std=c11 -D_GNU_SOURCE $(WARN) -O2 $< -o $@

$(BUILD)/gen/assets.c: $(BUILD)/tools/embed $(PAGE_FILES) Makefile
	@mkdir -p $(dir $@)
	@echo "  EMBED   $@"
	$(Q)$(BUILD)/tools/embed $@ $(PAGE_FILES)

$(BUILD)/obj/gen/assets.o: $(BUILD)/gen/assets.c
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	$(Q)$(CC) $(BASE_CFLAGS) -c $< -o $@

# Everything that may include the register's headers is rebuilt when they change.
$(CORE_OBJ) $(CLI_OBJ): $(wildcard register/*.h)

# The git commit the binary is built from goes into the provenance of every
# result (core/provenance.c); the stamp file changes only when the commit
# does, so provenance.o is rebuilt then and only then.
GIT_COMMIT = $(shell git rev-parse --short=12 HEAD 2>/dev/null)$(shell git diff --quiet HEAD -- 2>/dev/null || echo -modified)
$(BUILD)/commit.stamp: FORCE
	@mkdir -p $(dir $@)
	@c='$(or $(GIT_COMMIT),unknown)'; [ "$$(cat $@ 2>/dev/null)" = "$$c" ] || echo "$$c" >$@

$(BUILD)/obj/core/provenance.o: $(BUILD)/commit.stamp
$(BUILD)/obj/core/provenance.o: BASE_CFLAGS += -DIMV_BUILD_COMMIT='"$(shell cat $(BUILD)/commit.stamp 2>/dev/null)"'

$(BUILD)/libimeval.a: $(CORE_OBJ)
	@mkdir -p $(dir $@)
	$(Q)rm -f $@
	@echo "  AR      $@"
	$(Q)ar rcs $@ $^

$(BUILD)/imeval: $(CLI_OBJ) $(BUILD)/libimeval.a
	@echo "  LINK    $@"
	$(Q)$(CC) $(OPT) $(SAN) -o $@ $(CLI_OBJ) $(BUILD)/libimeval.a $(LIBS)

$(BUILD)/obj-jit/%.o: %.c $(wildcard core/*.h plugins/*.h plugins/lua/*.h) | deps
	@mkdir -p $(dir $@)
	@echo "  CC JIT  $<"
	$(Q)$(CC) $(JIT_CFLAGS) -c $< -o $@

$(BUILD)/imeval-luajit: $(JIT_WORKER_OBJ)
	@echo "  LINK    $@"
	$(Q)$(CC) $(OPT) $(SAN) -o $@ $(JIT_WORKER_OBJ) $(CJSON_LIBS) $(LUAJIT_LIBS) -lcsv -lglpk -ldl -lm -lpthread

# The same score-only draws through either host (tests/e2e/luajit_identity.sh).
$(BUILD)/tests/tools/lua_scores: tests/tools/lua_scores.c $(BUILD)/libimeval.a | deps
	@mkdir -p $(dir $@)
	@echo "  TOOL    $@"
	$(Q)$(CC) $(BASE_CFLAGS) $< -o $@ $(BUILD)/libimeval.a $(LIBS)

$(BUILD)/tests/tools/lua_scores_jit: $(BUILD)/obj-jit/tests/tools/lua_scores.o $(filter-out %/jit_main.o,$(JIT_WORKER_OBJ))
	@mkdir -p $(dir $@)
	@echo "  TOOL    $@"
	$(Q)$(CC) $(OPT) $(SAN) -o $@ $^ $(CJSON_LIBS) $(LUAJIT_LIBS) -lcsv -lglpk -ldl -lm -lpthread

$(BUILD)/tests/check_luajit: $(BUILD)/obj-jit/tests/check_luajit.o $(filter-out %/jit_main.o,$(JIT_WORKER_OBJ))
	@mkdir -p $(dir $@)
	@echo "  TEST    $@"
	$(Q)$(CC) $(OPT) $(SAN) -o $@ $^ $(CHECK_LIBS) $(CJSON_LIBS) $(LUAJIT_LIBS) -lcsv -lglpk -ldl -lm -lpthread

$(BUILD)/obj-jit/tests/check_luajit.o: tests/check_luajit.c tests/testutil.h $(wildcard core/*.h plugins/*.h plugins/lua/*.h) | deps
	@mkdir -p $(dir $@)
	@echo "  CC JIT  $<"
	$(Q)$(CC) $(JIT_CFLAGS) $(CHECK_CFLAGS) -Itests -c $< -o $@

# Model plugins use nothing but the SDK header: the path a researcher's takes.
PLUGIN_CFLAGS := -std=c11 $(WARN) $(OPT) $(SAN) -fPIC -shared -fvisibility=hidden -Iplugins

$(BUILD)/models/%.so: models/%.c plugins/imeval_plugin.h plugins/imeval_aux.h models/model_common.h | deps
	@mkdir -p $(dir $@)
	@echo "  PLUGIN  $@"
	$(Q)$(CC) $(PLUGIN_CFLAGS) $< -o $@ -lm

$(BUILD)/models/%.lua: models/%.lua
	@mkdir -p $(dir $@)
	$(Q)cp $< $@
	$(Q)chmod 644 $@

# The crashing fixtures stand for third-party code, which is not built
# with our sanitizers: UBSan would catch their deliberate faults in-process
# and change how they die.
$(BUILD)/tests/plugins/iso_%.so: tests/plugins/iso_%.c tests/plugins/iso_common.h plugins/imeval_plugin.h
	@mkdir -p $(dir $@)
	@echo "  FIXTURE $@"
	$(Q)$(CC) $(filter-out $(SAN),$(PLUGIN_CFLAGS)) $< -o $@ -lm

# Fixtures include the SDK headers, and the batch_* wrappers a bundled
# model's source (batch_wrap.h): a changed model must rebuild them.
$(BUILD)/tests/plugins/%.so: tests/plugins/%.c $(wildcard plugins/*.h tests/plugins/*.h models/*.h) \
                              $(MODEL_C)
	@mkdir -p $(dir $@)
	@echo "  FIXTURE $@"
	$(Q)$(CC) $(PLUGIN_CFLAGS) -Wno-unused-parameter $< -o $@ -lm

$(BUILD)/tests/%: tests/%.c tests/testutil.h $(BUILD)/libimeval.a | deps
	@mkdir -p $(dir $@)
	@echo "  TEST    $@"
	$(Q)$(CC) $(BASE_CFLAGS) $(CHECK_CFLAGS) -Itests $< -o $@ $(BUILD)/libimeval.a $(CHECK_LIBS) $(LIBS) $(PQ_LIBS)

check test: all $(TEST_BIN) $(FIXTURES) $(BUILD)/tests/tools/lua_scores $(BUILD)/tests/tools/lua_scores_jit \
           $(BUILD)/tests/check_luajit \
           check-symbols checksrc format-check
	@sh tests/install-deps.sh test
	@sh tests/run.sh $(BUILD)

# The boundaries, kept by machine: only imv_ symbols leave the engine
# library; no banned function, no name in Lua's namespace, and the command
# and bench include only the public imeval.h (tools/checksrc.sh says why).
.PHONY: check-symbols checksrc format format-check

check-symbols: $(BUILD)/libimeval.a
	@sh tools/check-symbols.sh $(BUILD)/libimeval.a

checksrc:
	@sh tools/checksrc.sh

# `make format` rewrites the C sources with .clang-format; `make
# format-check` lists the files it would change and fails if there are any.
FORMAT_SRC = $(filter-out bench/limit.c,$(sort $(wildcard core/*.[ch] cli/*.[ch] plugins/*.[ch] plugins/lua/*.[ch] \
                               register/*.[ch] report/*.[ch] serve/*.[ch] tools/*.c \
                               models/*.[ch] bench/*.c tests/*.[ch] tests/plugins/*.[ch] \
                               tests/fuzz/*.[ch] tests/tools/*.c docs/examples/*.c)))
CLANG_FORMAT ?= clang-format

format:
	$(CLANG_FORMAT) -i $(FORMAT_SRC)

format-check:
	@command -v $(CLANG_FORMAT) >/dev/null 2>&1 || sh tests/install-deps.sh test
	@bad=0; for f in $(FORMAT_SRC); do \
	    $(CLANG_FORMAT) $$f | cmp -s - $$f || { echo "format-check: $$f"; bad=1; }; \
	done; [ $$bad -eq 0 ] && echo "format-check: ok"

clean:
	rm -rf $(BUILD)

# ---- install, uninstall (docs/packaging.md) --------------------------------
# The plugin SDK is header only: imeval-plugin.pc gives its -I.  In the
# build tree, build/pkgconfig/imeval-plugin-uninstalled.pc points at the
# source tree's headers; pkg-config prefers a NAME-uninstalled.pc it finds
# on PKG_CONFIG_PATH, so one PKG_CONFIG_PATH=build/pkgconfig builds a plugin
# against this tree before anything is installed.
VERSION   = $(shell sed -n 's/^\#define IMV_VERSION "\(.*\)"/\1/p' core/imeval.h)
PLUGIN_ABI = $(shell sed -n 's/^\#define IMV_PLUGIN_ABI \([0-9]*\).*/\1/p' plugins/imeval_plugin.h)
SDK_HEADERS := plugins/imeval_plugin.h $(wildcard plugins/imeval_aux.h)
MAN1 := $(wildcard docs/man/*.1)
MAN3 := $(wildcard docs/man/*.3)
EXAMPLES := $(wildcard docs/examples/*.c docs/examples/*.lua)
CASES := $(wildcard datasets/cases/*.json) datasets/cases/expected.tsv datasets/cases/README.md
TEMPLATE_DIRS := c lua common
TEMPLATES := $(foreach d,$(TEMPLATE_DIRS),$(wildcard templates/$(d)/*))
PC_SUBST = -e 's|@VERSION@|$(VERSION)|' -e 's|@ABI@|$(PLUGIN_ABI)|'

all: $(BUILD)/pkgconfig/imeval-plugin-uninstalled.pc $(BUILD)/source-tree

# The source tree, for a build directory anywhere (BUILD=/elsewhere): the
# program finds its templates and the shipped case outcomes through it
# (core/paths.c), as the uninstalled .pc finds the SDK headers.
$(BUILD)/source-tree:
	@mkdir -p $(dir $@)
	$(Q)ln -sfn $(CURDIR) $@

$(BUILD)/pkgconfig/imeval-plugin-uninstalled.pc: plugins/imeval-plugin.pc.in core/imeval.h plugins/imeval_plugin.h
	@mkdir -p $(dir $@)
	$(Q)sed -e 's|@PREFIX@|$(CURDIR)|' -e 's|^includedir=.*|includedir=$${prefix}/plugins|' \
	    $(PC_SUBST) $< > $@

BINDIR  = $(DESTDIR)$(PREFIX)/bin
LIBEXECDIR = $(DESTDIR)$(PREFIX)/libexec/imeval
MODDIR  = $(DESTDIR)$(PREFIX)/lib/imeval/models
INCDIR  = $(DESTDIR)$(PREFIX)/include/imeval
PCDIR   = $(DESTDIR)$(PREFIX)/lib/pkgconfig
DOCDIR  = $(DESTDIR)$(PREFIX)/share/doc/imeval
DATADIR = $(DESTDIR)$(PREFIX)/share/imeval
MANDIR  = $(DESTDIR)$(PREFIX)/share/man
COMPDIR = $(DESTDIR)$(PREFIX)/share/bash-completion/completions

# The bash completion script is written by the program from its option
# table (imeval completion bash): built, never committed.
$(BUILD)/imeval.bash: $(BUILD)/imeval
	$(Q)$(BUILD)/imeval completion bash > $@

install: all $(BUILD)/imeval.bash
	install -d $(BINDIR) $(MODDIR) $(INCDIR) $(PCDIR) $(DOCDIR)/examples $(COMPDIR) \
	           $(DATADIR)/datasets/cases $(MANDIR)/man1 $(MANDIR)/man3 \
	           $(addprefix $(DATADIR)/templates/,$(TEMPLATE_DIRS))
	install -m 755 $(BUILD)/imeval $(BINDIR)/imeval
	install -d $(LIBEXECDIR)
	install -m 755 $(BUILD)/imeval-luajit $(LIBEXECDIR)/imeval-luajit
	install -m 644 $(MODELS) $(MODDIR)/
	install -m 644 $(SDK_HEADERS) $(INCDIR)/
	sed -e 's|@PREFIX@|$(PREFIX)|' $(PC_SUBST) plugins/imeval-plugin.pc.in > $(PCDIR)/imeval-plugin.pc
	chmod 644 $(PCDIR)/imeval-plugin.pc
	install -m 644 README.md docs/*.md $(DOCDIR)/
	install -m 644 $(EXAMPLES) $(DOCDIR)/examples/
	install -m 644 $(CASES) $(DATADIR)/datasets/cases/
	for d in $(TEMPLATE_DIRS); do install -m 644 templates/$$d/* $(DATADIR)/templates/$$d/; done
	install -m 644 $(MAN1) $(MANDIR)/man1/
	install -m 644 $(MAN3) $(MANDIR)/man3/
	install -m 644 $(BUILD)/imeval.bash $(COMPDIR)/imeval

# Removes exactly what install put there, then the directories that are
# imeval's own; the shared ones (bin, lib/pkgconfig, share/man/man1) stay.
uninstall:
	rm -f $(BINDIR)/imeval $(PCDIR)/imeval-plugin.pc $(COMPDIR)/imeval
	rm -f $(LIBEXECDIR)/imeval-luajit
	-rmdir $(LIBEXECDIR) 2>/dev/null
	rm -f $(addprefix $(MODDIR)/,$(notdir $(MODELS)))
	rm -f $(addprefix $(INCDIR)/,$(notdir $(SDK_HEADERS)))
	rm -f $(addprefix $(DOCDIR)/,README.md $(notdir $(wildcard docs/*.md)))
	rm -f $(addprefix $(DOCDIR)/examples/,$(notdir $(EXAMPLES)))
	rm -f $(addprefix $(DATADIR)/datasets/cases/,$(notdir $(CASES)))
	rm -f $(addprefix $(MANDIR)/man1/,$(notdir $(MAN1))) $(addprefix $(MANDIR)/man3/,$(notdir $(MAN3)))
	rm -f $(addprefix $(DATADIR)/,$(TEMPLATES))
	-rmdir $(MODDIR) $(DESTDIR)$(PREFIX)/lib/imeval $(INCDIR) $(DOCDIR)/examples $(DOCDIR) \
	       $(DATADIR)/datasets/cases $(DATADIR)/datasets \
	       $(addprefix $(DATADIR)/templates/,$(TEMPLATE_DIRS)) $(DATADIR)/templates $(DATADIR) 2>/dev/null

# `make bench`: throughput and latency figures on this machine (bench/bench.sh;
# docs/performance.md has the last recorded ones).  Prints; asserts nothing.
BENCH_FIXTURES := $(patsubst tests/plugins/%.c,$(BUILD)/tests/plugins/%.so,$(wildcard tests/plugins/batch_*.c))

$(BUILD)/bench/bench: bench/bench.c $(BUILD)/libimeval.a
	@mkdir -p $(dir $@)
	@echo "  BENCH   $@"
	$(Q)$(CC) $(BASE_CFLAGS) $< -o $@ $(BUILD)/libimeval.a $(LIBS)

$(BUILD)/bench/register-bench: bench/register.c $(BUILD)/libimeval.a
	@mkdir -p $(dir $@)
	@echo "  BENCH   $@"
	$(Q)$(CC) $(BASE_CFLAGS) $< -o $@ $(BUILD)/libimeval.a $(LIBS)

# The floor of issue 16 (bench/limit.c, copied from ../shared/bench/limit.c):
# foreign reference code, built as given, without the project's warnings.
$(BUILD)/bench/limit: bench/limit.c
	@mkdir -p $(dir $@)
	@echo "  BENCH   $@"
	$(Q)$(CC) -std=c11 -D_GNU_SOURCE -O2 $< -o $@ -lm

bench: all $(BUILD)/bench/bench $(BUILD)/bench/register-bench $(BUILD)/bench/limit $(BENCH_FIXTURES)
	@sh bench/bench.sh $(BUILD)

# ---- robustness: sanitizers, valgrind, fuzzing (docs/robustness.md) ---------
# `make asan`: build everything (plugins too) with AddressSanitizer and
# UBSan in build-asan and run the whole suite; any report fails it.  The
# streaming test runs smaller there, and its memory bound allows for the
# sanitizer's shadow memory, and every test's time limit is ten times longer
# (ASan and UBSan run the code 2-20 times slower, more on a busy machine).
ASAN_SAN := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer

asan:
	IMEVAL_STREAM_BYTES=20000000 IMEVAL_STREAM_EVAL_BYTES=1000000 IMEVAL_STREAM_RSS_MB=1024 \
	CK_TIMEOUT_MULTIPLIER=10 IMEVAL_TEST_TIMEOUT=1200 \
	ASAN_OPTIONS=detect_leaks=1:strict_string_checks=1:detect_stack_use_after_return=1:allow_user_segv_handler=1 \
	UBSAN_OPTIONS=print_stacktrace=1 \
	$(MAKE) BUILD=build-asan SAN="$(ASAN_SAN)" OPT="-O1 -g" check

# `make valgrind`: the end-to-end runs under memcheck: the cases in every
# format, explain, validate, draws, and the robustness scripts (bad input,
# plugins, output); zero errors and zero definite or indirect leaks.
valgrind: all $(FIXTURES)
	@sh tests/valgrind.sh $(BUILD)

# `make robust-1g`: the streaming test on a full gigabyte (about 20 s here).
robust-1g: all
	IMEVAL_BIN=$(CURDIR)/$(BUILD)/imeval IMEVAL_ROOT=$(CURDIR) IMEVAL_STREAM_BYTES=1000000000 \
	IMEVAL_STREAM_RSS_MB=96 sh tests/e2e/robust_stream.sh

# `make fuzz FUZZ_SECONDS=N`: libFuzzer harnesses (clang) for the JSON and
# CSV readers and Lua result marshalling, built with ASan and UBSan in
# build-fuzz, each run N seconds from its seed corpus in tests/fuzz/corpus/;
# new inputs go to tests/fuzz/corpus-out/ (not committed), crashes to
# build-fuzz/.  Any crash, leak or sanitizer report fails it.
FUZZ_SECONDS ?= 60
FUZZ_BUILD ?= build-fuzz
FUZZ_SAN := -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=all \
            -fno-omit-frame-pointer
FUZZERS := fuzz_json fuzz_csv fuzz_lua_result fuzz_serve fuzz_model_def fuzz_csv_header

fuzz:
	@command -v clang >/dev/null || { echo "make fuzz needs clang (apt-get install clang)"; exit 1; }
	$(MAKE) BUILD=$(FUZZ_BUILD) CC=clang SAN="$(FUZZ_SAN)" OPT="-O1 -g" fuzz-build
	@sh tests/fuzz/run.sh $(FUZZ_BUILD) $(FUZZ_SECONDS) $(FUZZERS)

fuzz-build: $(FUZZERS:%=$(BUILD)/fuzz/%) $(MODELS)

$(BUILD)/fuzz/%: tests/fuzz/%.c $(BUILD)/libimeval.a | deps
	@mkdir -p $(dir $@)
	@echo "  FUZZER  $@"
	$(Q)$(CC) $(BASE_CFLAGS) -fsanitize=fuzzer $< -o $@ $(BUILD)/libimeval.a $(LIBS)

.PHONY: robust-1g fuzz-build
