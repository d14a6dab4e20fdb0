/* The capture pipeline: prepare, stop, copy, resume, then unwind and name. */
#include <dirent.h>
#include <elf.h>
#include <errno.h>
#include <limits.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "buildinfo/elfinfo.h"
#include "goruntime/args.h"
#include "goruntime/labels.h"
#include "goruntime/layout.h"
#include "goruntime/registry.h"
#include "goruntime/traceback.h"
#include "goruntime/unwind.h"
#include "inspect/core.h"
#include "goruntime/waitobj.h"
#include "inspect/memsrc.h"
#include "lib/bigmem.h"
#include "inspect/proc.h"
#include "inspect/ptstop.h"
#include "snapshot/blocked.h"
#include "capture/capture.h"
#include "symbols/elfimage.h"
#include "symbols/pccache.h"
#include "symbols/pclntab.h"
#include "lib/hashmap.h"
#include "lib/intern.h"
#include "lib/strbuf.h"
#include "lib/xmalloc.h"
#include "lib/banned.h"

#define MAX_PHYS_FRAMES 1000000u
#define MAX_INLINE 64
/* Stack copies dropped before their memory is given back. */
#define TRIM_BYTES (4u << 20)

struct prep {
	char link[64];
	char *exe;
	char *version;
	struct gort_layout layout;
	struct elfimage *img;
	struct pclntab *pcl;
	struct pccache *cache;
	struct memsrc *mem;
	uint64_t bias;
	int no_dwarf;
};

static uint64_t now_ns(clockid_t c);
static size_t core_threads(const struct core *core, struct gort_thread **out);
static uint64_t core_nanotime(const struct gort_registry *r);
static size_t count_threads(pid_t pid);
static int load_bias(struct memsrc *mem, uint64_t base, uint64_t *bias,
		     struct err *e);
static int prepare_exe(struct prep *p, const char *file, const char *who,
		       const char *hint, struct err *e);
static int verify_layout(struct prep *p, const char *who, struct err *e);
static int prepare(pid_t pid, struct prep *p, struct err *e);
static void prep_release(struct prep *p);
struct labtab;
struct symcache;
static void build_goroutine(struct snap *s, const struct prep *p,
			    const struct gort_registry *r,
			    const struct labtab *lt, struct symcache *sc,
			    const struct gort_g *g, struct gort_pframe *buf,
			    struct snap_goroutine *out);
static void labtab_read(struct labtab *lt, const struct prep *p,
			const struct gort_registry *r);
static const struct gort_labelset *labtab_get(const struct labtab *lt,
					      const struct gort_registry *r,
					      const struct gort_g *g);
static void labtab_release(struct labtab *lt);
static void symcache_init(struct symcache *sc, size_t maxpf);
static void symcache_release(struct symcache *sc);
static int pcent_cmp(const void *data, const struct hashmap_entry *a,
		     const struct hashmap_entry *b, const void *key);
static struct pcent *pcent_get(struct symcache *sc, struct snap *s,
			       const struct prep *p,
			       const struct gort_pframe *pf);
static void add_frames(struct snap *s, const struct prep *p,
		       struct symcache *sc, const struct gort_g *g,
		       const struct gort_pframe *pf, size_t npf,
		       struct snap_goroutine *out);
static const char *status_string(struct snap *s, const struct prep *p,
				 const struct gort_registry *r,
				 const struct gort_g *g);

static uint64_t now_ns(clockid_t c)
{
	struct timespec ts;

	clock_gettime(c, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/*
 * The target's clock when the core was written is not in the core: the
 * latest moment it records, the most recent start of a wait, stands for
 * it, so wait times are at least the ones shown and do not depend on
 * when or where the core is read.
 */
static uint64_t core_nanotime(const struct gort_registry *r)
{
	uint64_t t = 0;
	size_t i;

	for (i = 0; i < r->ngs; i++)
		if (r->gs[i].waitsince > 0 && (uint64_t)r->gs[i].waitsince > t)
			t = (uint64_t)r->gs[i].waitsince;
	return t;
}

/* The registers the core saved, as a stop would have copied them. */
static size_t core_threads(const struct core *core, struct gort_thread **out)
{
	struct gort_thread *th = xcalloc(core->nthreads + 1, sizeof(*th));
	size_t i;

	for (i = 0; i < core->nthreads; i++) {
		th[i].tid = core->threads[i].tid;
		th[i].pc = core->threads[i].regs.pc;
		th[i].sp = core->threads[i].regs.sp;
		th[i].bp = core->threads[i].regs.bp;
		th[i].fs_base = core->threads[i].regs.fs_base;
	}
	*out = th;
	return core->nthreads;
}

static size_t count_threads(pid_t pid)
{
	char path[64];
	struct dirent *d;
	size_t n = 0;
	DIR *dir;

	snprintf(path, sizeof(path), "/proc/%d/task", (int)pid);
	dir = opendir(path);
	if (!dir)
		return 0;
	while ((d = readdir(dir)) != NULL)
		if (d->d_name[0] != '.')
			n++;
	closedir(dir);
	return n;
}

static int load_bias(struct memsrc *mem, uint64_t base, uint64_t *bias,
		     struct err *e)
{
	Elf64_Ehdr eh;
	Elf64_Phdr ph;
	uint64_t lowest = UINT64_MAX;
	unsigned int i;

	if (memsrc_read_full(mem, base, &eh, sizeof(eh), e) < 0)
		return err_prefix(e, "cannot read the ELF header in memory");
	if (memcmp(eh.e_ident, ELFMAG, SELFMAG) ||
	    eh.e_phentsize != sizeof(ph) || eh.e_phnum > 512)
		return err_set(e, EINVAL, "no valid ELF header in memory");
	if (eh.e_type == ET_EXEC) {
		*bias = 0;
		return 0;
	}
	for (i = 0; i < eh.e_phnum; i++) {
		if (memsrc_read_full(mem, base + eh.e_phoff + i * sizeof(ph),
				     &ph, sizeof(ph), e) < 0)
			return -EFAULT;
		if (ph.p_type == PT_LOAD && ph.p_vaddr < lowest)
			lowest = ph.p_vaddr;
	}
	if (lowest == UINT64_MAX)
		return err_set(e, EINVAL, "no loadable segment in memory");
	*bias = base - (lowest & ~(uint64_t)0xfff);
	return 0;
}

/*
 * Reads the executable at file: Go version, layouts, symbol table.  who
 * names the target in messages ("process 12", "core 'x'").
 */
static int prepare_exe(struct prep *p, const char *file, const char *who,
		       const char *hint, struct err *e)
{
	struct elfinfo info;
	struct elfgo go;
	int r;

	r = elfinfo_read_file(file, &info, &go, e);
	if (r < 0)
		return r;
	elfinfo_release(&info);
	if (!go.found) {
		elfgo_release(&go);
		return err_set(e, ENOEXEC, "%s is not a Go program%s", who,
			       hint);
	}
	p->version = xstrdup(go.go.version);
	elfgo_release(&go);
	/* DWARF first; without it, a per-version table (see layout.h). */
	r = gort_layout_from_dwarf(file, &p->layout, e);
	if (r < 0 && r != -ENODATA)
		return r;
	p->no_dwarf = r == -ENODATA;
	p->layout.go_minor = gort_go_minor(p->version);
	r = elfimage_open(file, &p->img, e);
	if (r == 0)
		r = elfimage_pclntab(p->img, &p->pcl, e);
	if (r < 0)
		return err_prefix(e, "cannot read the Go symbol table");
	if (p->no_dwarf) {
		r = gort_layout_from_table(p->img, p->pcl, p->version,
					   &p->layout, e);
		if (r < 0)
			return err_prefix(e, "%s (%s): binary without DWARF",
					  who, p->exe);
	}
	p->cache = pccache_new(p->pcl);
	return 0;
}

/* Checks a table layout against the memory it describes. */
static int verify_layout(struct prep *p, const char *who, struct err *e)
{
	int r;

	if (!p->no_dwarf)
		return 0;
	r = gort_layout_verify(p->mem, &p->layout, p->bias, e);
	if (r < 0)
		return err_prefix(e, "%s (%s): %s", who, p->exe,
				  p->layout.source);
	return 0;
}

static int prepare(pid_t pid, struct prep *p, struct err *e)
{
	char who[32], hint[96];
	uint64_t base;
	int r, deleted;

	r = proc_check(pid, e);
	if (r < 0)
		return r;
	snprintf(p->link, sizeof(p->link), "/proc/%d/exe", (int)pid);
	if (proc_exe(pid, &p->exe, &deleted, NULL) < 0)
		p->exe = xstrdup(p->link);
	snprintf(who, sizeof(who), "process %d", (int)pid);
	snprintf(hint, sizeof(hint), " (%zu threads); try 'goscope "
		 "buildinfo %d'", count_threads(pid), (int)pid);
	r = prepare_exe(p, p->link, who, hint, e);
	if (r < 0) {
		if (e && (e->code == EACCES || e->code == EPERM)) {
			char why[400];

			proc_explain_eperm(pid, why, sizeof(why));
			return err_set(e, e->code,
				       "cannot read process %d: %s%s%s",
				       (int)pid, "permission denied",
				       why[0] ? "; " : "", why);
		}
		return r;
	}
	p->mem = memsrc_live_new(pid);
	r = proc_exe_base(pid, &base, e);
	if (r == 0)
		r = load_bias(p->mem, base, &p->bias, e);
	if (r == 0)
		r = verify_layout(p, who, e);
	return r;
}

static void prep_release(struct prep *p)
{
	free(p->version);
	free(p->exe);
	pccache_free(p->cache);
	pclntab_free(p->pcl);
	elfimage_free(p->img);
	memsrc_free(p->mem);
	memset(p, 0, sizeof(*p));
}

static const char *status_string(struct snap *s, const struct prep *p,
				 const struct gort_registry *r,
				 const struct gort_g *g)
{
	const struct gort_layout *l = &p->layout;
	uint32_t st = gort_status(l, g);

	if (((int)st == l->st_waiting || (int)st == l->st_leaked) &&
	    g->waitreason != 0) {
		if (g->waitreason < r->nwaitreasons)
			return snap_intern(s, r->waitreasons[g->waitreason]);
		return snap_intern(s, "unknown wait reason");
	}
	return snap_intern(s, gort_status_name(st));
}

/*
 * What every frame at one PC shares, worked out once per capture however
 * many goroutines stand there: its logical frames (named, interned and
 * flagged) and the layout of its arguments.
 */
struct pcent {
	struct hashmap_entry ent;
	uint64_t pc, lookup_pc;		/* the key, with known */
	int known;
	int n;				/* logical frames */
	struct snap_frame *frames;	/* templates: args not set */
	int nops;			/* argument ops; <0: malformed */
	struct gort_argop *ops;
};

struct symcache {
	struct hashmap map;		/* struct pcent by pc */
	struct arena arena;		/* the entries and their arrays */
	struct pcent **ents;		/* one goroutine's, per frame */
	struct strbuf tmp;		/* one frame's argument text */
	const char *noargs;		/* "" (interned) */
};

static void symcache_init(struct symcache *sc, size_t maxpf)
{
	memset(sc, 0, sizeof(*sc));
	hashmap_init(&sc->map, pcent_cmp, NULL, 1024);
	arena_init(&sc->arena);
	sc->ents = xcalloc(maxpf + 1, sizeof(*sc->ents));
	strbuf_init(&sc->tmp);
}

static void symcache_release(struct symcache *sc)
{
	hashmap_release(&sc->map);
	arena_release(&sc->arena);
	free(sc->ents);
	strbuf_release(&sc->tmp);
}

static int pcent_cmp(const void *data, const struct hashmap_entry *a,
		     const struct hashmap_entry *b, const void *key)
{
	const struct pcent *x = container_of(a, struct pcent, ent);
	const struct pcent *y = container_of(b, struct pcent, ent);

	(void)data;
	(void)key;
	return x->pc != y->pc || x->lookup_pc != y->lookup_pc ||
	       x->known != y->known;
}

static struct pcent *pcent_get(struct symcache *sc, struct snap *s,
			       const struct prep *p,
			       const struct gort_pframe *pf)
{
	struct gort_argop ops[GORT_ARGS_MAX_OPS];
	const struct pcln_frame *lf;
	struct pcln_frame unknown;
	struct hashmap_entry *he;
	struct pcent key, *e;
	int k, n = 0;

	key.pc = pf->pc;
	key.lookup_pc = pf->lookup_pc;
	key.known = pf->known;
	hashmap_entry_init(&key.ent, hash_u64(pf->pc * 31 + pf->lookup_pc +
					      (uint64_t)pf->known));
	he = hashmap_get(&sc->map, &key.ent, NULL);
	if (he)
		return container_of(he, struct pcent, ent);
	e = arena_alloc(&sc->arena, sizeof(*e));
	*e = key;
	if (pf->known)
		n = pccache_frames(p->cache, &pf->fn, pf->lookup_pc - p->bias,
				   &lf);
	if (n <= 0) {
		/* Unknown code, or a function without tables. */
		unknown.func = pf->known ? pf->fn.name : "?";
		unknown.file = "?";
		unknown.line = 0;
		unknown.inlined = 0;
		unknown.pc = pf->lookup_pc - p->bias;
		lf = &unknown;
		n = 1;
	}
	e->n = n;
	e->frames = arena_alloc(&sc->arena, (size_t)n * sizeof(*e->frames));
	for (k = 0; k < n; k++) {
		struct snap_frame *f = &e->frames[k];

		memset(f, 0, sizeof(*f));
		f->func = snap_intern(s, lf[k].func);
		f->file = snap_intern(s, lf[k].file);
		f->line = lf[k].line;
		f->inlined = k < n - 1;
		f->pc = pf->pc;
		f->entry = pf->entry;
		f->lpc = lf[k].pc + p->bias;
		if (!pf->known)
			f->flags |= SNAP_FRAME_UNKNOWN;
		else if (gort_frame_hidden(f->func, 1))
			f->flags |= SNAP_FRAME_RUNTIME;
		if (pf->known && !f->inlined &&
		    gort_funcid_is_wrapper(p->layout.go_minor, pf->fn.funcid))
			f->flags |= SNAP_FRAME_WRAPPER;
	}
	e->nops = 0;
	if (pf->known)
		e->nops = gort_args_prepare(elfimage_mem(p->img), p->pcl,
					    &pf->fn, pf->lookup_pc - p->bias,
					    ops);
	if (e->nops > 0) {
		e->ops = arena_alloc(&sc->arena,
				     (size_t)e->nops * sizeof(*e->ops));
		memcpy(e->ops, ops, (size_t)e->nops * sizeof(*e->ops));
	}
	hashmap_add(&sc->map, &e->ent);
	return e;
}

/*
 * The logical frames of one goroutine, copied from the per-PC templates
 * into one exact array of the snapshot's arena; only the argument text
 * is the goroutine's own.
 */
static void add_frames(struct snap *s, const struct prep *p,
		       struct symcache *sc, const struct gort_g *g,
		       const struct gort_pframe *pf, size_t npf,
		       struct snap_goroutine *out)
{
	size_t i, total = 0;
	struct snap_frame *f;

	for (i = 0; i < npf; i++) {
		sc->ents[i] = pcent_get(sc, s, p, &pf[i]);
		total += (size_t)sc->ents[i]->n;
	}
	if (!sc->noargs)
		sc->noargs = snap_intern(s, "");
	f = snap_alloc(s, (total ? total : 1) * sizeof(*f));
	out->frames = f;
	out->nframes = total;
	for (i = 0; i < npf; i++) {
		const struct pcent *e = sc->ents[i];
		struct snap_frame *last;

		memcpy(f, e->frames, (size_t)e->n * sizeof(*f));
		for (int k = 0; k < e->n; k++)
			f[k].phys = (unsigned int)i;
		last = &f[e->n - 1];
		f += e->n;
		if (!pf[i].known || !pf[i].argp || e->nops < 0)
			continue;
		if (e->nops == 0) {
			last->args = sc->noargs;
			continue;
		}
		strbuf_reset(&sc->tmp);
		if (gort_args_format(e->ops, e->nops, g, pf[i].argp,
				     &sc->tmp) == 0)
			last->args = snap_strdup(s, sc->tmp.buf, sc->tmp.len);
	}
}

/*
 * The pprof label sets of a capture, each read once however many
 * goroutines share it.  They are read after the resume, in batches
 * (gort_read_labelsets), and kept only for goroutines whose g.labels,
 * read once more afterwards, still names the same set: a set is never
 * changed once a goroutine uses it, so a set still in use was not freed
 * or reused while it was read.
 */
struct labset {
	struct hashmap_entry ent;
	size_t idx;			/* into sets */
};

struct labtab {
	struct hashmap map;		/* struct labset by g.labels */
	struct labset *ents;
	struct gort_labelset *sets;
	size_t nsets;
	unsigned char *changed;		/* per g: labels changed meanwhile */
};

static int labset_cmp(const void *data, const struct hashmap_entry *a,
		      const struct hashmap_entry *b, const void *key)
{
	const struct gort_labelset *sets = data;
	const struct labset *x = container_of(a, struct labset, ent);
	const struct labset *y = container_of(b, struct labset, ent);

	if (key)
		return sets[x->idx].addr != *(const uint64_t *)key;
	return sets[x->idx].addr != sets[y->idx].addr;
}

static void labtab_read(struct labtab *lt, const struct prep *p,
			const struct gort_registry *r)
{
	struct memsrc_iov *iov;
	uint64_t *now;
	size_t i, n = 0;

	memset(lt, 0, sizeof(*lt));
	for (i = 0; i < r->ngs; i++)
		n += r->gs[i].labels != 0;
	if (!n)
		return;
	lt->sets = xcalloc(n, sizeof(*lt->sets));
	lt->ents = xcalloc(n, sizeof(*lt->ents));
	hashmap_init(&lt->map, labset_cmp, lt->sets, n);
	for (i = 0; i < r->ngs; i++) {
		struct labset *e = &lt->ents[lt->nsets];

		if (!r->gs[i].labels)
			continue;
		lt->sets[lt->nsets].addr = r->gs[i].labels;
		e->idx = lt->nsets;
		hashmap_entry_init(&e->ent, hash_u64(r->gs[i].labels));
		if (hashmap_get(&lt->map, &e->ent, NULL))
			continue;
		hashmap_add(&lt->map, &e->ent);
		lt->nsets++;
	}
	gort_read_labelsets(p->mem, p->layout.go_minor, lt->sets, lt->nsets);
	/* Validate: g.labels of every labelled goroutine, once more. */
	iov = xcalloc(n, sizeof(*iov));
	now = xcalloc(n, sizeof(*now));
	for (i = n = 0; i < r->ngs; i++) {
		if (!r->gs[i].labels)
			continue;
		iov[n].addr = r->gs[i].addr + (uint64_t)p->layout.g_labels;
		iov[n].buf = &now[n];
		iov[n].len = sizeof(*now);
		n++;
	}
	memsrc_readv(p->mem, iov, n);
	lt->changed = xcalloc(r->ngs, 1);
	for (i = n = 0; i < r->ngs; i++) {
		if (!r->gs[i].labels)
			continue;
		lt->changed[i] = !iov[n].ok || now[n] != r->gs[i].labels;
		n++;
	}
	free(iov);
	free(now);
}

static const struct gort_labelset *labtab_get(const struct labtab *lt,
					      const struct gort_registry *r,
					      const struct gort_g *g)
{
	struct labset key;
	struct hashmap_entry *e;

	if (!g->labels || !lt->nsets || lt->changed[g - r->gs])
		return NULL;
	hashmap_entry_init(&key.ent, hash_u64(g->labels));
	e = hashmap_get(&lt->map, &key.ent, &g->labels);
	if (!e)
		return NULL;
	return &lt->sets[container_of(e, struct labset, ent)->idx];
}

static void labtab_release(struct labtab *lt)
{
	if (!lt->sets)
		return;
	gort_labelsets_release(lt->sets, lt->nsets);
	hashmap_release(&lt->map);
	free(lt->sets);
	free(lt->ents);
	free(lt->changed);
	memset(lt, 0, sizeof(*lt));
}

static void build_goroutine(struct snap *s, const struct prep *p,
			    const struct gort_registry *r,
			    const struct labtab *lt, struct symcache *sc,
			    const struct gort_g *g, struct gort_pframe *buf,
			    struct snap_goroutine *out)
{
	const struct gort_layout *l = &p->layout;
	struct pcln_func fn;
	struct pcln_frame cf[MAX_INLINE];
	const struct gort_labelset *ls;
	const char *why = NULL;
	size_t npf, max;
	uint32_t st = gort_status(l, g);

	memset(out, 0, sizeof(*out));
	out->goid = g->goid;
	out->gaddr = g->addr;
	out->status = st;
	out->scan = (g->status & (uint32_t)l->st_scan) != 0;
	out->status_str = status_string(s, p, r, g);
	out->waitreason = g->waitreason;
	out->waitsince = g->waitsince;
	out->wait_ns = g->waitsince > 0 && (uint64_t)g->waitsince <= r->nanotime
			       ? (int64_t)(r->nanotime - (uint64_t)g->waitsince)
			       : -1;
	out->parent_goid = g->parent_goid;
	out->locked = g->lockedm != 0;
	out->tid = g->tid;
	out->gopc = g->gopc;
	out->startpc = g->startpc;
	if (g->startpc > p->bias &&
	    pclntab_find(p->pcl, g->startpc - p->bias, &fn) == 0)
		out->start_func = snap_intern(s, fn.name);
	out->system = gort_is_system(out->start_func,
				     (int)st == l->st_waiting);
	ls = labtab_get(lt, r, g);
	if (ls && ls->n > 0) {
		out->labels = snap_alloc(s, (size_t)ls->n *
					    sizeof(*out->labels));
		for (int k = 0; k < ls->n; k++) {
			/* Interned: groups and formats compare them by
			 * pointer. */
			out->labels[k].key = snap_intern(s, ls->labels[k].key);
			out->labels[k].value =
				snap_intern(s, ls->labels[k].value);
		}
		out->nlabels = (size_t)ls->n;
	}
	if (g->stack) {
		max = g->copy_len / 8 + 2;
		if (max > MAX_PHYS_FRAMES)
			max = MAX_PHYS_FRAMES;
		npf = gort_unwind(p->cache, p->bias, g, buf, max, &why);
		out->nphys = npf;
		add_frames(s, p, sc, g, buf, npf, out);
		if (why)
			out->unwind_error = snap_intern(s, why);
	} else if (g->stack_error) {
		out->unwind_error = snap_intern(s, "stack not readable");
	}
	if (g->gopc > p->bias &&
	    pclntab_find(p->pcl, g->gopc - p->bias, &fn) == 0) {
		uint64_t entry = fn.entry + p->bias;
		uint64_t tpc = g->gopc > entry ? g->gopc - 1 : g->gopc;
		int n = pclntab_frames(p->pcl, &fn, tpc - p->bias, cf,
				       MAX_INLINE);

		out->has_creator = 1;
		out->creator.func = snap_intern(s, fn.name);
		out->creator.file = snap_intern(s, n > 0 ? cf[0].file : "?");
		out->creator.line = n > 0 ? cf[0].line : 0;
		out->creator.pc = g->gopc;
		out->creator.entry = entry;
	}
}

struct capture {
	pid_t pid;
	int64_t start_time;		/* of the process, 0 unknown */
	struct core *core;		/* post-mortem: the core, else NULL */
	struct prep p;
	struct capture_opts opts;
	capture_hook_fn hook;
	void *hook_arg;
	/* The last take's problems, for the snapshot (struct snap). */
	size_t nunstopped;
	char unstopped[160];
	char resume_error[sizeof(((struct err *)0)->msg)];
};

/* One stop: the threads' registers, for the registry copy. */
struct stop1 {
	struct ptstop *stop;
	struct gort_thread *th;
	size_t nth;
	/* CLOCK_MONOTONIC ns: registry copied; waits copied; other
	 * copies done. */
	uint64_t t_copied, t_waits, t_other;
	/* goscope's own usage and reads: before the stop, after resume. */
	struct rusage ru0, ru1;
	struct memsrc_counts mc0, mc1;
};

static void test_delay(const struct capture *c);
static int stop_target(pid_t pid, struct memsrc *mem, struct stop1 *st,
		       struct err *e);
static void stop_problems(struct capture *c, const struct stop1 *st);
static void resume_target(struct capture *c, struct memsrc *mem,
			  struct stop1 *st);
static uint64_t ru_cpu_ns(const struct rusage *ru);
static void stop_release(struct stop1 *st);
static void record_stop(struct snap *s, const struct stop1 *st,
			const struct gort_registry *r, size_t stacks0,
			size_t bytes0, size_t ngs);
static int second_phase(struct capture *c, struct gort_registry *reg,
			struct snap *s, struct err *e);
static size_t copy_budget(const struct capture_opts *o);
static int too_big(pid_t pid, struct err *e);
static void heap_prewarm(size_t ngs);
/* What the heap takes per goroutine after the stop, generously. */
#define HEAP_PER_G 2048
static struct snap *build_snap(struct capture *c, struct gort_registry *reg,
			       const struct stop1 *st, const struct labtab *lt);

void capture_opts_init(struct capture_opts *o)
{
	const char *v;

	memset(o, 0, sizeof(*o));
	o->retry_max = CAPTURE_RETRY_MAX;
	v = getenv("GOSCOPE_TEST_PHASE_DELAY_MS");
	if (v && *v)
		o->phase_delay_ms = (unsigned int)strtoul(v, NULL, 10) % 60000;
	v = getenv("GOSCOPE_TEST_RETRY_MAX");
	if (v && *v)
		o->retry_max = strtol(v, NULL, 10);
	v = getenv("GOSCOPE_TEST_FINISH_BATCH");
	if (v && *v)
		o->finish_batch = strtoul(v, NULL, 10) % 1000000;
}

void capture_set_opts(struct capture *c, const struct capture_opts *o)
{
	c->opts = *o;
}

const struct capture_opts *capture_get_opts(const struct capture *c)
{
	return &c->opts;
}

void capture_set_hook(struct capture *c, capture_hook_fn fn, void *arg)
{
	c->hook = fn;
	c->hook_arg = arg;
}

int capture_go_frames(const struct capture *c, uint64_t pc,
		      const struct pcln_frame **frames, unsigned int *flag)
{
	const struct pcln_func *fn;
	int32_t delta;
	int n;

	if (pc <= c->p.bias ||
	    pccache_func(c->p.cache, pc - c->p.bias, &fn, &delta) < 0)
		return 0;
	n = pccache_frames(c->p.cache, fn, pc - c->p.bias, frames);
	if (n <= 0)
		return 0;
	*flag = fn->flag;
	return n;
}

uint64_t capture_bias(const struct capture *c)
{
	return c->p.bias;
}

int capture_open(pid_t pid, struct capture **out, struct err *e)
{
	struct capture *c = xcalloc(1, sizeof(*c));
	int r;

	c->pid = pid;
	c->start_time = proc_start_time(pid);
	capture_opts_init(&c->opts);
	/* After the first look (proc_check), a failure may be its exit. */
	r = proc_check(pid, e);
	if (r == 0)
		r = proc_explain_exit(pid, prepare(pid, &c->p, e), e);
	if (r < 0) {
		prep_release(&c->p);
		free(c);
		return r;
	}
	*out = c;
	return 0;
}

int capture_open_core(struct core *core, const char *exe,
		      struct capture **out, struct err *e)
{
	struct capture *c = xcalloc(1, sizeof(*c));
	struct prep *p = &c->p;
	char who[PATH_MAX + 16];
	int r;

	c->pid = core->pid;
	c->core = core;
	capture_opts_init(&c->opts);
	c->opts.full_stop = 1;	/* nothing runs: one copy */
	snprintf(who, sizeof(who), "core '%s'", core->path);
	p->exe = xstrdup(exe);
	r = prepare_exe(p, exe, who, "", e);
	if (r == 0)
		r = core_exe_bias(core, exe, &p->bias, e);
	if (r == 0)
		r = core_add_exe(core, exe, p->bias, e);
	if (r == 0) {
		p->mem = memsrc_core_new(core);
		r = verify_layout(p, who, e);
	}
	if (r < 0) {
		prep_release(p);
		free(c);
		return r;
	}
	*out = c;
	return 0;
}

void capture_close(struct capture *c)
{
	if (!c)
		return;
	prep_release(&c->p);
	free(c);
}

static int stop_target(pid_t pid, struct memsrc *mem, struct stop1 *st,
		       struct err *e)
{
	size_t i;
	int r;

	memset(st, 0, sizeof(*st));
	getrusage(RUSAGE_SELF, &st->ru0);
	r = ptstop_stop(pid, &st->stop, e);
	if (r < 0)
		return r;
	memsrc_counts(mem, &st->mc0);
	st->th = xcalloc(st->stop->nthreads + 1, sizeof(*st->th));
	for (i = 0; i < st->stop->nthreads; i++) {
		const struct ptstop_thread *t = &st->stop->threads[i];
		struct gort_thread *g = &st->th[st->nth];

		if (!t->stopped)
			continue;
		g->tid = t->tid;
		g->pc = t->regs.pc;
		g->sp = t->regs.sp;
		g->bp = t->regs.bp;
		g->fs_base = t->regs.fs_base;
		st->nth++;
	}
	return 0;
}

/* The tests' pause between the phases (GOSCOPE_TEST_PHASE_DELAY_MS). */
static void test_delay(const struct capture *c)
{
	struct timespec ts = {
		.tv_sec = c->opts.phase_delay_ms / 1000,
		.tv_nsec = (long)(c->opts.phase_delay_ms % 1000) * 1000000L,
	};

	if (c->opts.phase_delay_ms)
		nanosleep(&ts, NULL);
}

/* Keeps the threads a stop missed, for the snapshot. */
static void stop_problems(struct capture *c, const struct stop1 *st)
{
	char why[sizeof(c->unstopped)];
	size_t n = ptstop_unstopped(st->stop, why, sizeof(why));

	if (n > c->nunstopped) {
		c->nunstopped = n;
		memcpy(c->unstopped, why, sizeof(why));
	}
}

/*
 * Resumes the stopped target and notes what the stop cost; keeps what a
 * failed resume says, for the snapshot.
 */
static void resume_target(struct capture *c, struct memsrc *mem,
			  struct stop1 *st)
{
	struct err e;

	memsrc_counts(mem, &st->mc1);
	err_init(&e);
	if (ptstop_resume(st->stop, &e) < 0 && !c->resume_error[0])
		snprintf(c->resume_error, sizeof(c->resume_error), "%s",
			 e.msg);
	getrusage(RUSAGE_SELF, &st->ru1);
}

static uint64_t ru_cpu_ns(const struct rusage *ru)
{
	return ((uint64_t)ru->ru_utime.tv_sec + (uint64_t)ru->ru_stime.tv_sec) *
		       1000000000ull +
	       ((uint64_t)ru->ru_utime.tv_usec +
		(uint64_t)ru->ru_stime.tv_usec) * 1000ull;
}

static void stop_release(struct stop1 *st)
{
	free(st->th);
	ptstop_free(st->stop);
	memset(st, 0, sizeof(*st));
}

static void record_stop(struct snap *s, const struct stop1 *st,
			const struct gort_registry *r, size_t stacks0,
			size_t bytes0, size_t ngs)
{
	const struct ptstop *stop = st->stop;
	struct snap_stop *ss;
	uint64_t ns = stop->t_resumed - stop->t_stop_begin;

	if (s->nstops >= SNAP_MAX_STOPS)
		return;
	ss = &s->stops[s->nstops++];
	ss->pause_ns = ns;
	ss->threads_ns = stop->t_all_stopped - stop->t_stop_begin;
	ss->registry_ns = st->t_copied - stop->t_all_stopped;
	ss->other_ns = st->t_other - st->t_copied;
	ss->goroutines = ngs;
	ss->stacks = r->stacks_copied - stacks0;
	ss->bytes = r->bytes_copied - bytes0;
	/* The registry's own times belong to this stop (not a recopy's). */
	if (r->t_allgs >= stop->t_all_stopped && r->nanotime <= st->t_copied) {
		ss->allgs_ns = r->t_allgs - stop->t_all_stopped;
		ss->gs_ns = r->t_gs - r->t_allgs;
		ss->ms_ns = r->t_ms - r->t_gs;
		ss->decode_ns = r->t_decoded - r->t_ms;
		ss->stacks_ns = r->nanotime - r->t_decoded;
	}
	ss->waits_ns = st->t_waits - st->t_copied;
	ss->hook_ns = st->t_other - st->t_waits;
	ss->resume_ns = stop->t_resumed - st->t_other;
	ss->cpu_ns = ru_cpu_ns(&st->ru1) - ru_cpu_ns(&st->ru0);
	ss->faults = (uint64_t)(st->ru1.ru_minflt - st->ru0.ru_minflt) +
		     (uint64_t)(st->ru1.ru_majflt - st->ru0.ru_majflt);
	ss->ranges = st->mc1.ranges - st->mc0.ranges;
	ss->read_calls = st->mc1.calls - st->mc0.calls;
	if (ns > s->pause_ns)
		s->pause_ns = ns;
}

/*
 * One stop (--full-stop) also reads what every parked goroutine waits
 * on, and that code allocates as it goes (sudogs, waits, channel
 * tables): about 700 bytes per goroutine.  malloc keeps its heap
 * (bigmem_heap_reserve, called first), which is grown by that much now
 * and touched by goscope and by the kernel (memsrc_prefault), so that
 * those allocations take no page fault while the target is stopped.
 */
static void heap_prewarm(size_t ngs)
{
	size_t want = ngs * 768 + (4u << 20), chunk = 16u << 20, k, n;
	void **blocks;

	n = (want + chunk - 1) / chunk;
	blocks = xcalloc(n, sizeof(*blocks));
	for (k = 0; k < n; k++) {
		blocks[k] = xmalloc(chunk);
		memsrc_prefault(blocks[k], chunk,
				MEMSRC_TOUCH_USER | MEMSRC_TOUCH_KERNEL);
	}
	for (k = n; k > 0; k--)
		free(blocks[k - 1]);
	free(blocks);
}

/* The one-line error of a target over the memory budget. */
static int too_big(pid_t pid, struct err *e)
{
	char msg[sizeof(e->msg)];

	if (!e)
		return -E2BIG;
	snprintf(msg, sizeof(msg), "%s", e->msg);
	return err_set(e, E2BIG, "process %d: %s (see --max-memory)",
		       (int)pid, msg);
}

/* The memory a copy may take: the option, else half of MemAvailable. */
static size_t copy_budget(const struct capture_opts *o)
{
	uint64_t avail;

	if (o->max_memory)
		return o->max_memory;
	avail = proc_mem_available() / 2;
	return avail > SIZE_MAX ? SIZE_MAX : (size_t)avail;
}

/*
 * After the resume: the parked goroutines' stacks, checked against a
 * second read of their g structs; those that ran are copied again in a
 * second, short stop (at most retry_max of them), else marked changed.
 */
static int second_phase(struct capture *c, struct gort_registry *reg,
			struct snap *s, struct err *e)
{
	const struct prep *pp = &c->p;
	struct stop1 st;
	size_t stacks0 = reg->stacks_copied, bytes0;
	long n;

	test_delay(c);
	n = gort_registry_finish(pp->mem, &pp->layout, reg, e);
	if (n < 0)
		return (int)n;
	s->stacks_after = reg->stacks_copied - stacks0;
	if (n == 0 || n > c->opts.retry_max)
		return 0;
	/* A failed second stop (the target exiting) leaves the marks. */
	if (stop_target(c->pid, pp->mem, &st, NULL) < 0)
		return 0;
	stop_problems(c, &st);
	stacks0 = reg->stacks_copied;
	bytes0 = reg->bytes_copied;
	n = gort_registry_recopy(pp->mem, &pp->layout, pp->bias, st.th,
				 st.nth, reg, e);
	st.t_copied = st.t_waits = st.t_other = now_ns(CLOCK_MONOTONIC);
	resume_target(c, pp->mem, &st);
	record_stop(s, &st, reg, stacks0, bytes0,
		    n > 0 ? (size_t)n : 0);
	stop_release(&st);
	if (n < 0)
		return (int)n;
	s->nretried = (size_t)n;
	return 0;
}

/* The snapshot of a copied registry: threads, then every goroutine. */
/* A thread's current goroutine (m.curg) and the thread's index. */
struct curg {
	uint64_t addr;
	size_t idx;
};

static int cmp_curg(const void *a, const void *b)
{
	uint64_t x = ((const struct curg *)a)->addr;
	uint64_t y = ((const struct curg *)b)->addr;

	return x < y ? -1 : x > y;
}

static struct snap *build_snap(struct capture *c, struct gort_registry *reg,
			       const struct stop1 *st, const struct labtab *lt)
{
	const struct prep *pp = &c->p;
	struct gort_pframe *buf;
	struct symcache sc;
	struct snap *s = snap_new();
	size_t i, k = st->nth, maxlen = 0, ncur = 0;
	struct curg *cur;

	s->pid = c->pid;
	s->start_time = c->start_time;
	s->exe = xstrdup(pp->exe);
	s->go_version = xstrdup(pp->version);
	s->go_minor = pp->layout.go_minor;
	s->layout_source = xstrdup(pp->layout.source);
	s->time_unix_ns = (int64_t)now_ns(CLOCK_REALTIME);
	s->threads = xcalloc(k + 1, sizeof(*s->threads));
	s->nthreads = k;
	/* Thread ids are distinct: an m matches one thread at most. */
	cur = xcalloc(reg->nms + 1, sizeof(*cur));
	for (i = 0; i < k; i++) {
		struct snap_thread *t = &s->threads[i];
		size_t j;

		t->tid = st->th[i].tid;
		t->stopped = 1;
		t->pc = st->th[i].pc;
		t->sp = st->th[i].sp;
		t->m_id = -1;
		for (j = 0; j < reg->nms; j++) {
			if (reg->ms[j].procid != (uint64_t)t->tid)
				continue;
			t->m_id = reg->ms[j].id;
			if (reg->ms[j].curg && ncur < reg->nms) {
				cur[ncur].addr = reg->ms[j].curg;
				cur[ncur++].idx = i;
			}
		}
	}
	/* Each thread's current goroutine: one pass over the goroutines,
	 * not one per thread. */
	qsort(cur, ncur, sizeof(*cur), cmp_curg);
	for (i = 0; ncur && i < reg->ngs; i++) {
		struct curg key = { reg->gs[i].addr, 0 }, *hit;

		hit = bsearch(&key, cur, ncur, sizeof(*cur), cmp_curg);
		/* Equal addresses sit together: every thread with it. */
		while (hit && hit > cur && hit[-1].addr == key.addr)
			hit--;
		for (; hit && hit < cur + ncur && hit->addr == key.addr; hit++)
			s->threads[hit->idx].curg_goid = reg->gs[i].goid;
	}
	free(cur);
	for (i = 0; i < reg->ngs; i++)
		if (reg->gs[i].copy_len > maxlen)
			maxlen = reg->gs[i].copy_len;
	maxlen = maxlen / 8 + 2;
	if (maxlen > MAX_PHYS_FRAMES)
		maxlen = MAX_PHYS_FRAMES;
	buf = xcalloc(maxlen, sizeof(*buf));
	symcache_init(&sc, maxlen);
	s->gs = xcalloc(reg->ngs + 1, sizeof(*s->gs));
	s->gs_in_arena = 1;
	/* The copies of g structs are decoded: their memory goes back. */
	gort_registry_trim(reg);
	for (i = 0; i < reg->ngs; i++) {
		build_goroutine(s, pp, reg, lt, &sc, &reg->gs[i], buf,
				&s->gs[i]);
		/* Unwound: its stack copy is not needed any more. */
		gort_registry_drop_stack(reg, &reg->gs[i]);
		if (gort_registry_dead(reg) >= TRIM_BYTES)
			gort_registry_trim(reg);
		if (reg->gs[i].changed) {
			s->gs[i].changed = 1;
			s->gs[i].unwind_error =
				snap_intern(s, SNAP_CHANGED_DURING_CAPTURE);
			s->nchanged++;
		}
	}
	s->ngs = reg->ngs;
	symcache_release(&sc);
	free(buf);
	return s;
}

/* The steps of one capture, for --stats (struct snap_phase). */
struct phases {
	struct snap_phase p[SNAP_MAX_PHASES];
	size_t n;
	uint64_t t, cpu, faults;
};

static struct rusage phase_now(uint64_t *t, uint64_t *cpu,
			       uint64_t *faults)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	*t = now_ns(CLOCK_MONOTONIC);
	*cpu = ru_cpu_ns(&ru);
	*faults = (uint64_t)ru.ru_minflt + (uint64_t)ru.ru_majflt;
	return ru;
}

/* Ends the step that began at the last mark: it was name. */
static void phase_mark(struct phases *ph, const char *name)
{
	uint64_t t, cpu, faults;
	struct snap_phase *p;
	struct rusage ru = phase_now(&t, &cpu, &faults);

	if (ph->n < SNAP_MAX_PHASES) {
		p = &ph->p[ph->n++];
		p->name = name;
		p->wall_ns = t - ph->t;
		p->cpu_ns = cpu - ph->cpu;
		p->faults = faults - ph->faults;
		p->maxrss_kb = (uint64_t)ru.ru_maxrss;
	}
	ph->t = t;
	ph->cpu = cpu;
	ph->faults = faults;
}

int capture_take(struct capture *c, struct snap **out, struct err *e)
{
	const struct prep *pp = &c->p;
	struct gort_registry reg;
	struct gort_waits waits;
	struct labtab lt;
	struct stop1 st;
	struct snap *s = NULL, fig;
	uint64_t t0 = now_ns(CLOCK_MONOTONIC);
	size_t i, budget = copy_budget(&c->opts);
	unsigned int flags = c->opts.full_stop ? 0 : GORT_COPY_DEFER_PARKED;
	pid_t pid = c->pid;
	struct phases ph;
	int r;

	memset(&ph, 0, sizeof(ph));
	phase_now(&ph.t, &ph.cpu, &ph.faults);
	memset(&reg, 0, sizeof(reg));
	memset(&st, 0, sizeof(st));
	memset(&waits, 0, sizeof(waits));
	c->nunstopped = 0;
	c->unstopped[0] = c->resume_error[0] = '\0';
	r = c->core ? 0 : proc_check(pid, e);
	/* capture_open saw it: a process missing now has exited. */
	if (r == -ESRCH)
		return proc_gone(pid, e);
	if (r < 0)
		return r;
	/* Allocate and touch the copy's memory before stopping anything. */
	r = gort_registry_reserve(pp->mem, &pp->layout, pp->bias, budget,
				  c->core ? 0 : flags, &reg, e);
	if (r == -E2BIG)
		return too_big(pid, e);
	reg.max_stack_bytes = budget;
	reg.finish_batch = c->opts.finish_batch;
	if (gort_registry_waitreasons(pp->mem, &pp->layout, pp->bias, &reg,
				      NULL) < 0 &&
	    pp->layout.waitreason_names) {
		/* Not found in the binary: the version's table. */
		reg.nwaitreasons = pp->layout.nwaitreason_names;
		reg.waitreasons = xcalloc(reg.nwaitreasons + 1, sizeof(char *));
		for (i = 0; i < reg.nwaitreasons; i++)
			reg.waitreasons[i] =
				xstrdup(pp->layout.waitreason_names[i]);
	}

	/* Room on huge pages for the waits, labels and tables to come. */
	bigmem_heap_reserve(reg.nallg * HEAP_PER_G);
	if (c->core) {
		/* No descriptors to list, nothing to stop: the core's threads. */
		waits.types = blocked_types_base(pp->img, &pp->layout,
						 pp->bias);
		st.nth = core_threads(c->core, &st.th);
		flags = 0;
		goto copy;
	}
	/* What parked goroutines wait on: the epoll registrations now. */
	gort_waits_prepare(pid, blocked_types_base(pp->img, &pp->layout,
						   pp->bias), &waits);
	if (c->opts.full_stop)
		heap_prewarm(reg.nallg);
	phase_mark(&ph, "preparing");
	r = stop_target(pid, pp->mem, &st, e);
	if (r < 0)
		goto fail;
	stop_problems(c, &st);
copy:
	{
		char **wr = reg.waitreasons;
		size_t nwr = reg.nwaitreasons;

		reg.waitreasons = NULL;
		reg.nwaitreasons = 0;
		r = gort_registry_copy(pp->mem, &pp->layout, pp->bias, st.th,
				       st.nth, flags, &reg, e);
		reg.waitreasons = wr;
		reg.nwaitreasons = nwr;
	}
	st.t_copied = now_ns(CLOCK_MONOTONIC);
	if (c->core)
		reg.nanotime = core_nanotime(&reg);
	/* One stop (and a core): what the parked goroutines wait on, too. */
	if (r == 0 && c->opts.full_stop)
		gort_waits_copy(pp->mem, &pp->layout, pp->bias, &reg,
				reg.waitreasons, reg.nwaitreasons, &waits);
	st.t_waits = now_ns(CLOCK_MONOTONIC);
	/* Copy-only hooks for other views of the stopped process go here. */
	if (c->hook && st.stop)
		c->hook(st.stop, c->hook_arg);
	st.t_other = now_ns(CLOCK_MONOTONIC);
	/* One stop: the tests' pause is spent with the target stopped. */
	if (st.stop && c->opts.full_stop)
		test_delay(c);
	if (st.stop)
		resume_target(c, pp->mem, &st);
	phase_mark(&ph, st.stop ? "stop" : "copying");
	if (r == -E2BIG)
		too_big(pid, e);
	if (r < 0)
		goto fail;
	/* The parked goroutines' g structs, left raw while stopped. */
	gort_registry_decode(&pp->layout, &reg);
	/*
	 * Two phases: a parked goroutine's sudogs stay as they are until it
	 * runs, which the second read of its g struct (second_phase) tells;
	 * the waits of those that ran are dropped below.
	 */
	if (!c->opts.full_stop)
		gort_waits_copy(pp->mem, &pp->layout, pp->bias, &reg,
				reg.waitreasons, reg.nwaitreasons, &waits);
	gort_waits_decode(pp->mem, &pp->layout, &waits);
	phase_mark(&ph, "waits");

	/* The capture's figures, gathered before the snapshot is built. */
	memset(&fig, 0, sizeof(fig));
	if (st.stop)
		record_stop(&fig, &st, &reg, 0, 0, reg.ngs);
	fig.two_phase = !c->opts.full_stop && !c->core;
	if (reg.ndeferred) {
		r = second_phase(c, &reg, &fig, e);
		/* Its reads of a process that died failed: not a snapshot. */
		if (r == 0 && !c->core && proc_exited(pid))
			r = proc_gone(pid, e);
		if (r < 0)
			goto fail;
		phase_mark(&ph, "parked stacks");
	}
	/* Labels last: read and checked after every g struct was. */
	labtab_read(&lt, pp, &reg);
	phase_mark(&ph, "labels");
	s = build_snap(c, &reg, &st, &lt);
	labtab_release(&lt);
	phase_mark(&ph, "unwinding");
	if (c->core)
		s->time_unix_ns = c->core->time_unix_ns;
	s->two_phase = fig.two_phase;
	memcpy(s->stops, fig.stops, sizeof(s->stops));
	s->nstops = fig.nstops;
	s->pause_ns = fig.pause_ns;
	s->stacks_after = fig.stacks_after;
	s->nretried = fig.nretried;
	s->nallg = reg.nallg;
	s->bytes_copied = reg.bytes_copied;
	s->nunstopped = c->nunstopped;
	if (c->nunstopped)
		s->unstopped = snap_intern(s, c->unstopped);
	if (c->resume_error[0])
		s->resume_error = snap_intern(s, c->resume_error);
	blocked_build(s, &waits, pp->img, pp->bias);
	gort_waits_release(&waits);
	/* Waits read before a goroutine ran (or was copied again). */
	for (i = 0; i < reg.ngs; i++)
		if (reg.gs[i].recopied || reg.gs[i].changed) {
			free(s->gs[i].waits);
			s->gs[i].waits = NULL;
			s->gs[i].nwaits = 0;
		}
	phase_mark(&ph, "blocked on");
	stop_release(&st);
	gort_registry_release(&reg);
	bigmem_heap_release();
	phase_mark(&ph, "freeing");
	memcpy(s->phases, ph.p, sizeof(s->phases));
	s->nphases = ph.n;
	s->capture_ns = now_ns(CLOCK_MONOTONIC) - t0;
	*out = s;
	return 0;
fail:
	gort_waits_release(&waits);
	stop_release(&st);
	gort_registry_release(&reg);
	bigmem_heap_release();
	/* Whatever step failed, a target that died is said to have. */
	return c->core ? r : proc_explain_exit(pid, r, e);
}
