/* Finding the host's Go processes without stopping them. */
#include <elf.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "buildinfo/provenance.h"
#include "inspect/memsrc.h"
#include "inspect/proc.h"
#include "inspect/proclist.h"
#include "symbols/elfimage.h"
#include "tui/procs.h"
#include "lib/xmalloc.h"
#include "lib/banned.h"

/* More goroutines than this in allglen is not believed. */
#define GOPROCS_MAX_G (1ll << 32)

static long long read_allglen(pid_t pid, const struct elfimage *im);
static int probe(pid_t pid, int all, struct goproc *gp, size_t *unreadable);

/* runtime.allglen in the live process, read without stopping it. */
static long long read_allglen(pid_t pid, const struct elfimage *im)
{
	uint64_t addr, base, bias = 0, v = 0;
	struct memsrc *mem;
	unsigned char eh[EI_NIDENT + 2];
	struct err e;
	int r;

	err_init(&e);
	if (elfimage_symbol(im, "runtime.allglen", &addr, NULL) < 0 ||
	    proc_exe_base(pid, &base, &e) < 0)
		return -1;
	mem = memsrc_live_new(pid);
	if (!mem)
		return -1;
	/* A position-independent executable is linked at 0. */
	r = memsrc_read_full(mem, base, eh, sizeof(eh), &e);
	if (r == 0 && !memcmp(eh, ELFMAG, SELFMAG) &&
	    (eh[EI_NIDENT] | eh[EI_NIDENT + 1] << 8) == ET_DYN)
		bias = base;
	if (r == 0)
		r = memsrc_read_full(mem, addr + bias, &v, sizeof(v), &e);
	memsrc_free(mem);
	if (r < 0 || v > (uint64_t)GOPROCS_MAX_G)
		return -1;
	return (long long)v;
}

/* Fills gp for pid; returns 1 when it is listed. */
static int probe(pid_t pid, int all, struct goproc *gp, size_t *unreadable)
{
	struct provenance prov;
	struct elfimage *im = NULL;
	char path[64], name[64], why[256];
	uint64_t addr, size;
	long long start;
	struct err e;
	int is_go;

	memset(gp, 0, sizeof(*gp));
	err_init(&e);
	snprintf(path, sizeof(path), "/proc/%d/exe", (int)pid);
	if (elfimage_open(path, &im, &e) < 0) {
		if (e.code == EACCES || e.code == EPERM)
			(*unreadable)++;
		if (!all)
			return 0;
	}
	is_go = im && elfimage_section(im, ".go.buildinfo", &addr,
				       &size) == 0;
	if (!is_go && !all) {
		elfimage_free(im);
		return 0;
	}
	gp->pid = pid;
	if (proc_status_field(pid, "Name", name, sizeof(name)) < 0)
		snprintf(name, sizeof(name), "?");
	gp->name = xstrdup(name);
	gp->goroutines = -1;
	if (is_go) {
		memset(&prov, 0, sizeof(prov));
		err_init(&e);
		if (provenance_from_file(path, &prov, &e) == 0 &&
		    prov.go.found && prov.go.go.version)
			gp->go_version = xstrdup(prov.go.go.version);
		else
			gp->go_version = xstrdup("go?");
		provenance_release(&prov);
		gp->goroutines = read_allglen(pid, im);
	}
	elfimage_free(im);
	gp->rss = proclist_rss(pid);
	start = proc_start_time(pid);
	gp->uptime = start > 0 ? (long long)time(NULL) - start : -1;
	gp->may_attach = proclist_may_attach(pid, why, sizeof(why));
	if (!gp->may_attach && why[0])
		gp->why = xstrdup(why);
	return 1;
}

int goprocs_list(int all, struct goproc **out, size_t *n, size_t *unreadable,
		 struct err *e)
{
	pid_t *pids, self = getpid();
	size_t np, i;
	int r;

	*out = NULL;
	*n = 0;
	*unreadable = 0;
	r = proclist_pids(&pids, &np, e);
	if (r < 0)
		return r;
	*out = xcalloc(np + 1, sizeof(**out));
	for (i = 0; i < np; i++)
		if (pids[i] != self &&
		    probe(pids[i], all, &(*out)[*n], unreadable))
			(*n)++;
	free(pids);
	return 0;
}

void goprocs_free(struct goproc *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(p[i].name);
		free(p[i].go_version);
		free(p[i].why);
	}
	free(p);
}

void goprocs_fmt_age(struct strbuf *sb, long long s)
{
	if (s < 0)
		strbuf_adds(sb, "-");
	else if (s < 60)
		strbuf_addf(sb, "%llds", s);
	else if (s < 3600)
		strbuf_addf(sb, "%lldm%llds", s / 60, s % 60);
	else if (s < 86400)
		strbuf_addf(sb, "%lldh%lldm", s / 3600, s / 60 % 60);
	else
		strbuf_addf(sb, "%lldd%lldh", s / 86400, s / 3600 % 24);
}

void goprocs_fmt_size(struct strbuf *sb, uint64_t b)
{
	if (b < (1u << 20))
		strbuf_addf(sb, "%lluK", (unsigned long long)(b >> 10));
	else if (b < (1ull << 30))
		strbuf_addf(sb, "%.1fM", (double)b / (1 << 20));
	else
		strbuf_addf(sb, "%.1fG", (double)b / (1ull << 30));
}

void goprocs_fmt_text(const struct goproc *p, size_t n, struct strbuf *out)
{
	struct strbuf a, b;
	size_t i;

	strbuf_init(&a);
	strbuf_init(&b);
	strbuf_addf(out, "%8s  %-16s %-10s %10s %8s %9s  %s\n", "PID", "NAME",
		    "GO", "GOROUTINES", "RSS", "UPTIME", "ATTACH");
	for (i = 0; i < n; i++) {
		char g[32];

		strbuf_reset(&a);
		strbuf_reset(&b);
		goprocs_fmt_size(&a, p[i].rss);
		goprocs_fmt_age(&b, p[i].uptime);
		if (p[i].goroutines >= 0)
			snprintf(g, sizeof(g), "%lld", p[i].goroutines);
		else
			snprintf(g, sizeof(g), "-");
		strbuf_addf(out, "%8d  %-16.16s %-10.10s %10s %8s %9s  %s%s%s\n",
			    (int)p[i].pid, p[i].name,
			    p[i].go_version ? p[i].go_version : "-", g, a.buf,
			    b.buf, p[i].may_attach ? "yes" : "no",
			    p[i].why ? ": " : "", p[i].why ? p[i].why : "");
	}
	strbuf_release(&a);
	strbuf_release(&b);
}
