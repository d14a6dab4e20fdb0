/* Goroutine profiles in pprof's profile.proto, built with protobuf-c. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "goruntime/traceback.h"
#include "format/fmt_pprof.h"
#include "format/gen/profile.pb-c.h"
#include "lib/hashmap.h"
#include "lib/intern.h"
#include "lib/xmalloc.h"
#include "lib/banned.h"

typedef Goscope__Pprof__Profile Profile;
typedef Goscope__Pprof__ValueType ValueType;
typedef Goscope__Pprof__Sample Sample;
typedef Goscope__Pprof__Label Label;
typedef Goscope__Pprof__Mapping Mapping;
typedef Goscope__Pprof__Location Location;
typedef Goscope__Pprof__Line Line;
typedef Goscope__Pprof__Function Function;

/*
 * Entries identified by their index in one of the builder's arrays,
 * found again by a lib/hashmap; a lookup passes its own equality test.
 */
struct htab {
	struct hashmap map;
	struct arena ents;	/* struct hent */
};

struct hent {
	struct hashmap_entry ent;
	size_t idx;
};

struct hkey {
	void *ctx;
	int (*eq)(void *ctx, size_t idx, const void *key);
	const void *key;
};

struct loc {
	const struct snap_frame *f;	/* first frame of the group */
	size_t n;			/* frames (inlined ones first) */
};

struct smp {
	const struct snap_goroutine *g;	/* first member */
	uint64_t *locs;
	size_t nlocs;
	int64_t count;
	int64_t wait;			/* longest, -1 unknown */
};

struct builder {
	const struct snap *s;
	struct snap *strs;	/* interns string table entries */
	const char **str;	/* string table */
	size_t nstr, astr;
	struct htab strtab, funtab, loctab, smptab;
	const char **fun;	/* name, file pairs */
	size_t nfun, afun;
	struct loc *loc;
	size_t nloc, aloc;
	struct smp *smp;
	size_t nsmp, asmp;
	struct strbuf tmp;
};

static uint64_t mix(uint64_t h, uint64_t v);
static void htab_init(struct htab *t);
static void htab_release(struct htab *t);
static int hent_cmp(const void *data, const struct hashmap_entry *a,
		    const struct hashmap_entry *b, const void *keydata);
static int htab_find(struct htab *t, uint64_t h, void *ctx,
		     int (*eq)(void *ctx, size_t idx, const void *key),
		     const void *key, size_t *idx);
static void htab_add(struct htab *t, uint64_t h, size_t idx);
static int str_eq(void *ctx, size_t idx, const void *key);
static int64_t str_id(struct builder *b, const char *s);
static int fun_eq(void *ctx, size_t idx, const void *key);
static uint64_t fun_id(struct builder *b, const char *name,
		       const char *file);
static int loc_eq(void *ctx, size_t idx, const void *key);
static uint64_t loc_id(struct builder *b, const struct snap_frame *f,
		       size_t n);
static int smp_eq(void *ctx, size_t idx, const void *key);
static void add_goroutine(struct builder *b, const struct snap_goroutine *g,
			  uint64_t **locs, size_t *alocs);
static Label *label(int64_t key, int64_t str, int64_t num, int64_t unit);
static int gzip_append(const uint8_t *data, size_t len, struct strbuf *out,
		       struct err *e);
static void build(struct builder *b, Profile *p);
static void free_profile(Profile *p);

static uint64_t mix(uint64_t h, uint64_t v)
{
	h ^= v;
	h *= 0x9e3779b97f4a7c15ull;
	return h ^ (h >> 31);
}

static int hent_cmp(const void *data, const struct hashmap_entry *a,
		    const struct hashmap_entry *b, const void *keydata)
{
	const struct hkey *k = keydata;

	(void)data;
	(void)b;
	return !k->eq(k->ctx, container_of(a, struct hent, ent)->idx, k->key);
}

static void htab_init(struct htab *t)
{
	hashmap_init(&t->map, hent_cmp, NULL, 1024);
	arena_init(&t->ents);
}

static void htab_release(struct htab *t)
{
	hashmap_release(&t->map);
	arena_release(&t->ents);
}

/* Finds key (hash h, equal by eq): returns 1 with *idx, or 0. */
static int htab_find(struct htab *t, uint64_t h, void *ctx,
		     int (*eq)(void *ctx, size_t idx, const void *key),
		     const void *key, size_t *idx)
{
	struct hkey k = { ctx, eq, key };
	struct hent probe;
	struct hashmap_entry *e;

	hashmap_entry_init(&probe.ent, (uint32_t)(h ^ h >> 32));
	e = hashmap_get(&t->map, &probe.ent, &k);
	if (!e)
		return 0;
	*idx = container_of(e, struct hent, ent)->idx;
	return 1;
}

static void htab_add(struct htab *t, uint64_t h, size_t idx)
{
	struct hent *e = arena_alloc(&t->ents, sizeof(*e));

	hashmap_entry_init(&e->ent, (uint32_t)(h ^ h >> 32));
	e->idx = idx;
	hashmap_add(&t->map, &e->ent);
}

static int str_eq(void *ctx, size_t idx, const void *key)
{
	struct builder *b = ctx;

	return b->str[idx] == key;
}

/* Index of s in the string table ("" for NULL). */
static int64_t str_id(struct builder *b, const char *s)
{
	const char *in = snap_intern(b->strs, s ? s : "");
	uint64_t h = mix(0, (uintptr_t)in);
	size_t idx;

	if (htab_find(&b->strtab, h, b, str_eq, in, &idx))
		return (int64_t)idx;
	if (b->nstr == b->astr) {
		b->astr = b->astr ? b->astr * 2 : 256;
		b->str = xreallocarray(b->str, b->astr, sizeof(*b->str));
	}
	b->str[b->nstr] = in;
	htab_add(&b->strtab, h, b->nstr);
	return (int64_t)b->nstr++;
}

static int fun_eq(void *ctx, size_t idx, const void *key)
{
	struct builder *b = ctx;
	const char *const *k = key;

	return b->fun[2 * idx] == k[0] && b->fun[2 * idx + 1] == k[1];
}

/* Function id (1-based) for a printed name and file. */
static uint64_t fun_id(struct builder *b, const char *name,
		       const char *file)
{
	const char *k[2];
	uint64_t h;
	size_t idx;

	k[0] = snap_intern(b->strs, name);
	k[1] = snap_intern(b->strs, file ? file : "");
	h = mix(mix(1, (uintptr_t)k[0]), (uintptr_t)k[1]);
	if (htab_find(&b->funtab, h, b, fun_eq, k, &idx))
		return idx + 1;
	if (b->nfun == b->afun) {
		b->afun = b->afun ? b->afun * 2 : 256;
		b->fun = xreallocarray(b->fun, b->afun, 2 * sizeof(*b->fun));
	}
	b->fun[2 * b->nfun] = k[0];
	b->fun[2 * b->nfun + 1] = k[1];
	htab_add(&b->funtab, h, b->nfun);
	return ++b->nfun;
}

struct loc_key {
	const struct snap_frame *f;
	size_t n;
};

static int loc_eq(void *ctx, size_t idx, const void *key)
{
	struct builder *b = ctx;
	const struct loc_key *k = key;
	const struct loc *l = &b->loc[idx];
	size_t i;

	if (l->n != k->n)
		return 0;
	for (i = 0; i < k->n; i++) {
		const struct snap_frame *x = &l->f[i], *y = &k->f[i];

		if (x->pc != y->pc || x->entry != y->entry ||
		    x->func != y->func || x->file != y->file ||
		    x->line != y->line)
			return 0;
	}
	return 1;
}

/* Location id (1-based) for the n frames of one physical frame. */
static uint64_t loc_id(struct builder *b, const struct snap_frame *f,
		       size_t n)
{
	struct loc_key k = { f, n };
	uint64_t h = mix(2, n);
	size_t idx, i;

	for (i = 0; i < n; i++) {
		h = mix(h, f[i].pc);
		h = mix(h, (uintptr_t)f[i].func);
		h = mix(h, (uint64_t)f[i].line);
	}
	if (htab_find(&b->loctab, h, b, loc_eq, &k, &idx))
		return idx + 1;
	if (b->nloc == b->aloc) {
		b->aloc = b->aloc ? b->aloc * 2 : 256;
		b->loc = xreallocarray(b->loc, b->aloc, sizeof(*b->loc));
	}
	b->loc[b->nloc].f = f;
	b->loc[b->nloc].n = n;
	htab_add(&b->loctab, h, b->nloc);
	return ++b->nloc;
}

static int smp_eq(void *ctx, size_t idx, const void *key)
{
	struct builder *b = ctx;
	const struct smp *x = &b->smp[idx], *y = key;
	size_t i;

	if (x->nlocs != y->nlocs || x->g->status != y->g->status ||
	    x->g->status_str != y->g->status_str ||
	    !x->g->waitreason != !y->g->waitreason ||
	    x->g->nlabels != y->g->nlabels ||
	    (x->nlocs && memcmp(x->locs, y->locs,
				x->nlocs * sizeof(*x->locs))))
		return 0;
	for (i = 0; i < x->g->nlabels; i++)
		if (x->g->labels[i].key != y->g->labels[i].key ||
		    x->g->labels[i].value != y->g->labels[i].value)
			return 0;
	return 1;
}

static void add_goroutine(struct builder *b, const struct snap_goroutine *g,
			  uint64_t **locs, size_t *alocs)
{
	struct smp key;
	uint64_t h = 3;
	size_t i, j, n = 0, idx;
	int callee_ok = 1;

	for (i = 0; i < g->nframes; i = j) {
		/* A physical frame: its inlined frames, then itself. */
		for (j = i; j < g->nframes && g->frames[j].inlined; j++)
			;
		if (j < g->nframes)
			j++;
		if ((g->frames[j - 1].flags & SNAP_FRAME_WRAPPER) &&
		    callee_ok && j - i == 1) {
			callee_ok = 1;
			continue;
		}
		callee_ok = strcmp(g->frames[j - 1].func, "runtime.gopanic") &&
			    strcmp(g->frames[j - 1].func,
				   "runtime.sigpanic") &&
			    strcmp(g->frames[j - 1].func,
				   "runtime.panicwrap");
		if (n == *alocs) {
			*alocs = *alocs ? *alocs * 2 : 64;
			*locs = xreallocarray(*locs, *alocs, sizeof(**locs));
		}
		(*locs)[n] = loc_id(b, &g->frames[i], j - i);
		h = mix(h, (*locs)[n++]);
	}
	h = mix(h, g->status);
	h = mix(h, (uintptr_t)g->status_str);
	for (i = 0; i < g->nlabels; i++)
		h = mix(mix(h, (uintptr_t)g->labels[i].key),
			(uintptr_t)g->labels[i].value);
	key.g = g;
	key.locs = *locs;
	key.nlocs = n;
	if (htab_find(&b->smptab, h, b, smp_eq, &key, &idx)) {
		struct smp *sm = &b->smp[idx];

		sm->count += snap_g_weight(g);
		if (g->wait_ns > sm->wait)
			sm->wait = g->wait_ns;
		return;
	}
	if (b->nsmp == b->asmp) {
		b->asmp = b->asmp ? b->asmp * 2 : 256;
		b->smp = xreallocarray(b->smp, b->asmp, sizeof(*b->smp));
	}
	key.locs = xcalloc(n + 1, sizeof(*key.locs));
	if (n)
		memcpy(key.locs, *locs, n * sizeof(*key.locs));
	key.count = snap_g_weight(g);
	key.wait = g->wait_ns;
	b->smp[b->nsmp] = key;
	htab_add(&b->smptab, h, b->nsmp++);
}

static Label *label(int64_t key, int64_t str, int64_t num, int64_t unit)
{
	Label *l = xcalloc(1, sizeof(*l));

	goscope__pprof__label__init(l);
	l->key = key;
	l->str = str;
	l->num = num;
	l->num_unit = unit;
	return l;
}

static void build(struct builder *b, Profile *p)
{
	const struct snap *s = b->s;
	ValueType *vt;
	uint64_t lo = UINT64_MAX, hi = 0;
	size_t i, k;

	goscope__pprof__profile__init(p);
	str_id(b, "");
	vt = xcalloc(1, sizeof(*vt));
	goscope__pprof__value_type__init(vt);
	vt->type = str_id(b, "goroutine");
	vt->unit = str_id(b, "count");
	p->n_sample_type = 1;
	p->sample_type = xcalloc(1, sizeof(*p->sample_type));
	p->sample_type[0] = vt;
	vt = xcalloc(1, sizeof(*vt));
	goscope__pprof__value_type__init(vt);
	vt->type = str_id(b, "goroutine");
	vt->unit = str_id(b, "count");
	p->period_type = vt;
	p->period = 1;
	p->time_nanos = s->time_unix_ns;

	p->n_sample = b->nsmp;
	p->sample = xcalloc(b->nsmp + 1, sizeof(*p->sample));
	for (i = 0; i < b->nsmp; i++) {
		const struct smp *sm = &b->smp[i];
		const struct snap_goroutine *g = sm->g;
		Sample *x = xcalloc(1, sizeof(*x));

		goscope__pprof__sample__init(x);
		x->n_location_id = sm->nlocs;
		x->location_id = xcalloc(sm->nlocs + 1, sizeof(uint64_t));
		memcpy(x->location_id, sm->locs, sm->nlocs * sizeof(uint64_t));
		x->n_value = 1;
		x->value = xcalloc(1, sizeof(int64_t));
		x->value[0] = sm->count;
		x->label = xcalloc(g->nlabels + 3, sizeof(*x->label));
		for (k = 0; k < g->nlabels; k++)
			x->label[x->n_label++] = label(
				str_id(b, g->labels[k].key),
				str_id(b, g->labels[k].value), 0, 0);
		x->label[x->n_label++] = label(str_id(b, "state"), str_id(b,
			g->status == UINT32_MAX ? "unknown"
						: gort_status_name(g->status)),
			0, 0);
		if (g->waitreason)
			x->label[x->n_label++] = label(
				str_id(b, "wait_reason"),
				str_id(b, g->status_str), 0, 0);
		if (sm->wait >= 0)
			x->label[x->n_label++] = label(
				str_id(b, "wait_seconds"), 0,
				sm->wait / 1000000000, str_id(b, "seconds"));
		p->sample[i] = x;
	}

	p->n_location = b->nloc;
	p->location = xcalloc(b->nloc + 1, sizeof(*p->location));
	for (i = 0; i < b->nloc; i++) {
		const struct loc *l = &b->loc[i];
		const struct snap_frame *phys = &l->f[l->n - 1];
		Location *x = xcalloc(1, sizeof(*x));

		goscope__pprof__location__init(x);
		x->id = i + 1;
		if (phys->entry) {
			x->address = phys->pc;
			x->mapping_id = 1;
			if (phys->pc < lo)
				lo = phys->pc;
			if (phys->pc > hi)
				hi = phys->pc;
		}
		x->line = xcalloc(l->n + 1, sizeof(*x->line));
		for (k = 0; k < l->n; k++) {
			const struct snap_frame *f = &l->f[k];
			Line *ln;

			if (f->flags & SNAP_FRAME_UNKNOWN)
				continue;
			ln = xcalloc(1, sizeof(*ln));
			goscope__pprof__line__init(ln);
			strbuf_reset(&b->tmp);
			if (strcmp(f->func, "runtime.gopanic"))
				gort_print_func_name(&b->tmp, f->func);
			else
				strbuf_adds(&b->tmp, f->func);
			ln->function_id = fun_id(b, b->tmp.buf, f->file);
			ln->line = f->line;
			x->line[x->n_line++] = ln;
		}
		p->location[i] = x;
	}
	if (hi >= lo) {
		Mapping *m = xcalloc(1, sizeof(*m));

		goscope__pprof__mapping__init(m);
		m->id = 1;
		m->memory_start = lo;
		m->memory_limit = hi + 1;
		m->filename = str_id(b, s->exe ? s->exe : "");
		m->has_functions = 1;
		m->has_filenames = 1;
		m->has_line_numbers = 1;
		m->has_inline_frames = 1;
		p->n_mapping = 1;
		p->mapping = xcalloc(1, sizeof(*p->mapping));
		p->mapping[0] = m;
	} else {
		/* No addresses: drop the mapping ids. */
		for (i = 0; i < b->nloc; i++)
			p->location[i]->mapping_id = 0;
	}

	p->n_function = b->nfun;
	p->function = xcalloc(b->nfun + 1, sizeof(*p->function));
	for (i = 0; i < b->nfun; i++) {
		Function *f = xcalloc(1, sizeof(*f));

		goscope__pprof__function__init(f);
		f->id = i + 1;
		f->name = str_id(b, b->fun[2 * i]);
		f->system_name = f->name;
		f->filename = str_id(b, b->fun[2 * i + 1]);
		p->function[i] = f;
	}
	/* Last: every string is in the table by now. */
	p->n_string_table = b->nstr;
	p->string_table = (char **)b->str;
}

static void free_profile(Profile *p)
{
	size_t i, k;

	for (i = 0; i < p->n_sample; i++) {
		for (k = 0; k < p->sample[i]->n_label; k++)
			free(p->sample[i]->label[k]);
		free(p->sample[i]->label);
		free(p->sample[i]->location_id);
		free(p->sample[i]->value);
		free(p->sample[i]);
	}
	free(p->sample);
	for (i = 0; i < p->n_location; i++) {
		for (k = 0; k < p->location[i]->n_line; k++)
			free(p->location[i]->line[k]);
		free(p->location[i]->line);
		free(p->location[i]);
	}
	free(p->location);
	for (i = 0; i < p->n_function; i++)
		free(p->function[i]);
	free(p->function);
	for (i = 0; i < p->n_mapping; i++)
		free(p->mapping[i]);
	free(p->mapping);
	free(p->sample_type[0]);
	free(p->sample_type);
	free(p->period_type);
}

static int gzip_append(const uint8_t *data, size_t len, struct strbuf *out,
		       struct err *e)
{
	z_stream z;
	int r;

	memset(&z, 0, sizeof(z));
	if (deflateInit2(&z, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8,
			 Z_DEFAULT_STRATEGY) != Z_OK)
		return err_set(e, EIO, "cannot start gzip compression");
	z.next_in = (Bytef *)data;
	z.avail_in = (uInt)len;
	do {
		strbuf_grow(out, 1 << 16);
		z.next_out = (Bytef *)out->buf + out->len;
		z.avail_out = (uInt)(out->alloc - out->len - 1);
		r = deflate(&z, Z_FINISH);
		out->len = (size_t)((char *)z.next_out - out->buf);
		out->buf[out->len] = '\0';
	} while (r == Z_OK || (r == Z_BUF_ERROR && z.avail_out == 0));
	deflateEnd(&z);
	if (r != Z_STREAM_END)
		return err_set(e, EIO, "gzip compression failed (%d)", r);
	return 0;
}

int fmt_pprof(const struct snap *s, struct strbuf *out, struct err *e)
{
	struct builder b;
	Profile p;
	uint64_t *locs = NULL;
	size_t alocs = 0, i, len;
	uint8_t *buf;
	int r;

	memset(&b, 0, sizeof(b));
	b.s = s;
	b.strs = snap_new();
	strbuf_init(&b.tmp);
	htab_init(&b.strtab);
	htab_init(&b.funtab);
	htab_init(&b.loctab);
	htab_init(&b.smptab);
	for (i = 0; i < s->ngs; i++)
		if (!s->gs[i].system)
			add_goroutine(&b, &s->gs[i], &locs, &alocs);
	free(locs);
	build(&b, &p);
	len = goscope__pprof__profile__get_packed_size(&p);
	buf = xmalloc(len + 1);
	goscope__pprof__profile__pack(&p, buf);
	r = gzip_append(buf, len, out, e);
	free(buf);
	free_profile(&p);
	for (i = 0; i < b.nsmp; i++)
		free(b.smp[i].locs);
	free(b.smp);
	free(b.loc);
	free(b.fun);
	free(b.str);
	htab_release(&b.strtab);
	htab_release(&b.funtab);
	htab_release(&b.loctab);
	htab_release(&b.smptab);
	strbuf_release(&b.tmp);
	snap_free(b.strs);
	return r;
}
