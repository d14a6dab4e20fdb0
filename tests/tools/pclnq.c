/* pclnq: answers the symtest oracle's questions with symbols/pclntab. */
/*
 * pclnq frames BINARY < symtest-output
 *	Reads what tests/targets/symtest printed (the runtime's answers)
 *	and prints the same lines computed from BINARY's pclntab:
 *	  main, stack, end      copied
 *	  pc ...                for each raw PC, the innermost frame at
 *	                        PC-1 (runtime.CallersFrames)
 *	  x ...                 the same list rebuilt from the physical PCs
 *	                        alone by expanding inline trees (what
 *	                        runtime.Callers does), wrappers elided
 *	  forpc ...             the innermost frame at PC (FuncForPC)
 *	PCs are runtime addresses; the PIE bias is the "main" address minus
 *	main.main's entry.
 *
 * pclnq sp BINARY
 *	Checks pclntab_spdelta: 0 at every function's entry, and equal to
 *	the DWARF CFA offset minus the return address (.debug_frame, which
 *	the Go linker writes from the same data in another encoding) at
 *	every PC of main.* functions and around every pcsp change point.
 *	Prints "checked N entries M pcs K" and mismatches; exits 1 on any.
 */
#include <dwarf.h>
#include <elfutils/libdw.h>
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "symbols/elfimage.h"
#include "symbols/pclntab.h"
#include "lib/xmalloc.h"
#include "lib/banned.h"

#define MAX_FRAMES 64
#define MAX_PCS 1024

static struct pclntab *tab;
static int wrapper_id = -1;

static void short_name(const char *name, char *buf, size_t size)
{
	const char *i = strchr(name, '['), *j = strrchr(name, ']');

	if (!i || !j || j <= i) {
		snprintf(buf, size, "%s", name);
		return;
	}
	snprintf(buf, size, "%.*s[...]%s", (int)(i - name), name, j + 1);
}

static void print_frame(const char *tag, uint64_t pc,
			const struct pcln_frame *fr, uint64_t bias,
			int with_inl)
{
	char name[1024];

	short_name(fr->func, name, sizeof(name));
	printf("%s %#" PRIx64 " %s %s:%d entry=%#" PRIx64, tag, pc, name,
	       fr->file, fr->line, fr->entry + bias);
	if (with_inl)
		printf(" inl=%d", fr->inlined);
	printf("\n");
}

/* The innermost frame at q (link-time); 0 or -1. */
static int innermost(uint64_t q, struct pcln_frame *fr)
{
	struct pcln_frame frames[MAX_FRAMES];
	struct pcln_func f;
	int n;

	if (pclntab_find(tab, q, &f) < 0)
		return -1;
	n = pclntab_frames(tab, &f, q, frames, MAX_FRAMES);
	if (n <= 0)
		return -1;
	*fr = frames[0];
	return 0;
}

static void do_stack(const uint64_t *pcs, size_t n, uint64_t bias)
{
	struct pcln_frame frames[MAX_FRAMES], fr;
	struct pcln_func f;
	size_t i;
	int k, j, emitted;

	/* runtime.CallersFrames: each PC alone, looked up at PC-1. */
	for (i = 0; i < n; i++) {
		uint64_t q = pcs[i] - bias;

		if (pclntab_find(tab, q, &f) < 0) {
			printf("pc %#" PRIx64 " ?\n", pcs[i]);
			continue;
		}
		if (q > f.entry)
			q--;
		if (innermost(q, &fr) < 0) {
			printf("pc %#" PRIx64 " ?\n", q + bias);
			continue;
		}
		print_frame("pc", q + bias, &fr, bias, 1);
	}
	/* runtime.Callers rebuilt from the physical PCs. */
	for (i = 0; i < n;) {
		uint64_t q = pcs[i] - bias;

		if (pclntab_find(tab, q, &f) < 0) {
			printf("x %#" PRIx64 " ?\n", pcs[i]);
			i++;
			continue;
		}
		if (q > f.entry)
			q--;
		k = pclntab_frames(tab, &f, q, frames, MAX_FRAMES);
		if (k <= 0) {
			printf("x %#" PRIx64 " error %d\n", pcs[i], k);
			i++;
			continue;
		}
		emitted = 0;
		for (j = 0; j < k; j++) {
			if (frames[j].funcid == wrapper_id)
				continue;
			print_frame("x", frames[j].pc + bias, &frames[j], bias,
				    1);
			emitted++;
		}
		i += emitted ? (size_t)emitted : 1;
	}
	/* runtime.FuncForPC(pc): the innermost frame at pc itself. */
	for (i = 0; i < n; i++) {
		uint64_t q = pcs[i] - bias;

		if (innermost(q, &fr) < 0) {
			printf("forpc %#" PRIx64 " ?\n", pcs[i]);
			continue;
		}
		print_frame("forpc", pcs[i], &fr, bias, 0);
	}
}

static int cmd_frames(void)
{
	char line[65536];
	uint64_t pcs[MAX_PCS], bias = 0, mainpc;
	struct pcln_func f;
	size_t n = 0;

	while (fgets(line, sizeof(line), stdin)) {
		if (!strncmp(line, "main ", 5)) {
			mainpc = strtoull(line + 5, NULL, 0);
			if (pclntab_lookup(tab, "main.main", &f) < 0) {
				fprintf(stderr, "pclnq: no main.main\n");
				return 1;
			}
			bias = mainpc - f.entry;
			fputs(line, stdout);
		} else if (!strncmp(line, "stack ", 6)) {
			fputs(line, stdout);
			n = 0;
		} else if (!strncmp(line, "raw", 3)) {
			char *p = line + 3, *end;

			while (n < MAX_PCS) {
				uint64_t v = strtoull(p, &end, 0);

				if (end == p)
					break;
				pcs[n++] = v;
				p = end;
			}
		} else if (!strncmp(line, "end", 3)) {
			do_stack(pcs, n, bias);
			fputs(line, stdout);
		}
	}
	return 0;
}

/* The CFA offset from rsp at pc per .debug_frame; 0 or -1. */
static int cfa_offset(Dwarf_CFI *cfi, uint64_t pc, int64_t *off)
{
	Dwarf_Frame *frame;
	Dwarf_Op *ops;
	size_t nops;

	if (dwarf_cfi_addrframe(cfi, pc, &frame) != 0)
		return -1;
	if (dwarf_frame_cfa(frame, &ops, &nops) != 0 || nops != 1) {
		free(frame);
		return -1;
	}
	if (ops[0].atom == DW_OP_breg7) {
		*off = (int64_t)ops[0].number;
	} else if (ops[0].atom == DW_OP_bregx && ops[0].number == 7) {
		*off = (int64_t)ops[0].number2;
	} else {
		free(frame);
		return -1;
	}
	free(frame);
	return 0;
}

static int check_pc(Dwarf_CFI *cfi, const struct pcln_func *f, uint64_t pc,
		    unsigned long *checked, unsigned long *nocfi)
{
	int32_t d;
	int64_t cfa;

	if (pc < f->entry || pc >= f->end)
		return 0;
	if (pclntab_spdelta(tab, f, pc, &d) < 0)
		return 0;
	if (cfa_offset(cfi, pc, &cfa) < 0) {
		(*nocfi)++;
		return 0;
	}
	(*checked)++;
	if (cfa == (int64_t)d + 8)
		return 0;
	printf("mismatch %s+%#" PRIx64 ": spdelta %d, cfa offset %" PRId64
	       "\n", f->name, pc - f->entry, d, cfa);
	return 1;
}

static int cmd_sp(const char *path)
{
	unsigned long entries = 0, checked = 0, nocfi = 0, bad = 0;
	struct pcln_func f;
	Dwarf_CFI *cfi;
	Dwarf *dw;
	Elf *elf;
	size_t i;
	int fd;

	fd = open(path, O_RDONLY);
	elf_version(EV_CURRENT);
	elf = fd < 0 ? NULL : elf_begin(fd, ELF_C_READ_MMAP, NULL);
	dw = elf ? dwarf_begin_elf(elf, DWARF_C_READ, NULL) : NULL;
	cfi = dw ? dwarf_getcfi(dw) : NULL;
	if (!cfi) {
		printf("nocfi %s\n", dwarf_errmsg(-1));
		return 77;
	}
	for (i = 0; i < pclntab_nfunc(tab); i++) {
		int32_t d, prev = INT32_MIN;
		uint64_t p;
		int all;

		if (pclntab_func_at(tab, i, &f) < 0) {
			printf("bad function %zu\n", i);
			bad++;
			continue;
		}
		all = !strncmp(f.name, "main.", 5);
		if (pclntab_spdelta(tab, &f, f.entry, &d) == 0) {
			entries++;
			if (d != 0) {
				printf("mismatch %s: spdelta %d at entry\n",
				       f.name, d);
				bad++;
			}
		}
		for (p = f.entry; p < f.end; p++) {
			if (pclntab_spdelta(tab, &f, p, &d) < 0)
				break;
			if (all || d != prev) {
				bad += check_pc(cfi, &f, p, &checked, &nocfi);
				if (p > f.entry && !all)
					bad += check_pc(cfi, &f, p - 1,
							&checked, &nocfi);
			}
			prev = d;
		}
	}
	printf("checked entries %lu pcs %lu nocfi %lu mismatches %lu\n",
	       entries, checked, nocfi, bad);
	dwarf_end(dw);
	elf_end(elf);
	close(fd);
	return bad ? 1 : 0;
}

int main(int argc, char **argv)
{
	struct elfimage *im;
	struct pcln_func f;
	struct err e;
	int r;

	if (argc != 3) {
		fprintf(stderr, "usage: pclnq frames|sp BINARY\n");
		return 2;
	}
	err_init(&e);
	if (elfimage_open(argv[2], &im, &e) < 0) {
		fprintf(stderr, "pclnq: %s\n", e.msg);
		return 1;
	}
	r = elfimage_pclntab(im, &tab, &e);
	elfimage_free(im);	/* the table has its own copy */
	if (r < 0) {
		fprintf(stderr, "pclnq: %s\n", e.msg);
		return 1;
	}
	/* FuncIDWrapper follows FuncID_systemstack_switch in 1.18-1.27. */
	if (pclntab_lookup(tab, "runtime.systemstack_switch", &f) == 0)
		wrapper_id = f.funcid + 1;
	if (!strcmp(argv[1], "frames"))
		r = cmd_frames();
	else if (!strcmp(argv[1], "sp"))
		r = cmd_sp(argv[2]);
	else
		r = 2;
	pclntab_free(tab);
	return r;
}
