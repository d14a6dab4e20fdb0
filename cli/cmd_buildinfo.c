/* goscope buildinfo: build provenance of an ELF file or a running process. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buildinfo/format.h"
#include "buildinfo/provenance.h"
#include "cli/cmd.h"
#include "cli/opt.h"
#include "goruntime/layout.h"
#include "capture/load.h"
#include "lib/report.h"
#include "lib/strbuf.h"
#include "lib/banned.h"

enum fmt { FMT_TEXT, FMT_GO, FMT_JSON };

static int cmd_buildinfo_exec(int argc, char **argv);

const struct cmd_entry cmd_buildinfo_entry = {
	.name = "buildinfo",
	.summary = "Show the build provenance of a Go (or any ELF) program.",
	.usage = "goscope buildinfo [-v] [--format=text|go|json] [--from-memory] "
		 "FILE|PID|CORE [EXE]",
	.help =
	"  -f, --format=FMT  text (default): Go version, module, VCS, build\n"
	"                    settings and ELF facts for people;\n"
	"                    go: exactly what 'go version -m' prints;\n"
	"                    json: every field, schema goscope.buildinfo/1\n"
	"  -v, --verbose     list every dependency in the text format\n"
	"      --from-memory for a PID, read every fact from the process's\n"
	"                    memory and ignore /proc/PID/exe\n"
	"  -h, --help        show this help\n"
	"\n"
	"A number is taken as a PID (write ./123 for a file named 123).  For\n"
	"a PID the build info is read from the process's own memory, without\n"
	"stopping it, and the file on disk is compared with the running image.\n",
	.exec = cmd_buildinfo_exec,
};

static int cmd_buildinfo_exec(int argc, char **argv)
{
	static const struct option longopts[] = {
		OPT_FORMAT_LONGOPT,
		{ "verbose", no_argument, NULL, 'v' },
		{ "from-memory", no_argument, NULL, 'M' },
		OPT_END,
	};
	const struct cmd_entry *cmd = &cmd_buildinfo_entry;
	enum fmt fmt = FMT_TEXT;
	unsigned int flags = 0, pflags = 0;
	struct provenance prov = { 0 };
	char layout[600], exe[64];
	struct strbuf out;
	struct err e;
	char *core_exe = NULL;
	const char *exe_arg;
	struct opt_shared sh;
	pid_t pid;
	static const char *const formats[] = { "text", "go", "json", NULL };
	static const enum fmt format_of[] = { FMT_TEXT, FMT_GO, FMT_JSON };
	int c, r, k = 0, status = EXIT_OK;

	sh = (struct opt_shared){ .formats = formats, .format = &k };
	opt_begin();
	while ((c = opt_next_shared(cmd, argc, argv, "f:vh", longopts,
				    &sh)) != -1) {
		switch (c) {
		case 'v':
			flags |= BIFMT_VERBOSE;
			break;
		case 'M':
			pflags |= PROV_MEMORY_ONLY;
			break;
		}
	}
	fmt = format_of[k];
	r = opt_target_exe(cmd, &sh, argc, argv, "FILE or PID", &exe_arg);
	if (r != OPT_PARSED)
		return r;
	err_init(&e);
	if (!exe_arg && cmd_parse_target(argv[optind], &pid)) {
		r = provenance_from_pid(pid, pflags, &prov, &e);
	} else {
		r = load_core_exe(argv[optind], exe_arg, &core_exe, &e);
		if (r == 0 && core_exe)
			argv[optind] = core_exe;
		if (r == 0)
			r = provenance_from_file(argv[optind], &prov, &e);
	}
	if (r < 0) {
		error_msg("%s", e.msg);
		provenance_release(&prov);
		free(core_exe);
		return EXIT_RUNTIME;
	}
	/* Which runtime layout 'goscope dump' would use (not from memory). */
	if (fmt != FMT_GO && prov.go.found && !(pflags & PROV_MEMORY_ONLY)) {
		snprintf(exe, sizeof(exe), "/proc/%d/exe", (int)prov.pid);
		gort_layout_describe(prov.pid ? exe : argv[optind],
				     prov.go.go.version, layout,
				     sizeof(layout));
		prov.layout_source = layout;
	}
	strbuf_init(&out);
	switch (fmt) {
	case FMT_GO:
		if (bifmt_go(&prov, &out, &e) < 0) {
			fputs(e.msg, stderr);
			fputc('\n', stderr);
			status = EXIT_RUNTIME;
		}
		break;
	case FMT_JSON:
		bifmt_json(&prov, &out);
		break;
	case FMT_TEXT:
		bifmt_text(&prov, flags, &out);
		break;
	}
	cmd_write_out(&out);
	provenance_release(&prov);
	free(core_exe);
	return status;
}
