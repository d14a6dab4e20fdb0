/* Snapshot objects (channels, semaphores, descriptors) from the wait copy. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/hashmap.h"
#include "lib/jstr.h"
#include "lib/xmalloc.h"
#include "snapshot/blocked.h"
#include "lib/banned.h"

struct obj_ent {
	struct hashmap_entry ent;
	int kind, fd;
	uint64_t addr;
	size_t idx;
};

static int obj_cmp(const void *data, const struct hashmap_entry *a,
		   const struct hashmap_entry *b, const void *keydata);
static size_t object_for(struct snap *s, struct hashmap *m,
			 struct obj_ent **ents, size_t *nents,
			 const struct gort_waits *w, const struct gort_wait *x,
			 const struct elfimage *img, uint64_t bias);

static int obj_cmp(const void *data, const struct hashmap_entry *a,
		   const struct hashmap_entry *b, const void *keydata)
{
	const struct obj_ent *x = container_of(a, struct obj_ent, ent);
	const struct obj_ent *y = container_of(b, struct obj_ent, ent);

	(void)data;
	(void)keydata;
	return x->kind != y->kind || x->addr != y->addr || x->fd != y->fd;
}

static const int kinds[] = {
	[GORT_WAIT_CHAN] = SNAP_OBJ_CHAN, [GORT_WAIT_NILCHAN] = SNAP_OBJ_NILCHAN,
	[GORT_WAIT_SEMA] = SNAP_OBJ_SEMA, [GORT_WAIT_COND] = SNAP_OBJ_COND,
	[GORT_WAIT_FD] = SNAP_OBJ_FD,
};

static size_t object_for(struct snap *s, struct hashmap *m,
			 struct obj_ent **ents, size_t *nents,
			 const struct gort_waits *w, const struct gort_wait *x,
			 const struct elfimage *img, uint64_t bias)
{
	struct obj_ent probe, *e;
	struct hashmap_entry *he;
	struct snap_object *o;
	const char *name;
	uint64_t off;

	probe.kind = kinds[x->kind];
	probe.addr = x->addr;
	probe.fd = x->fd;
	hashmap_entry_init(&probe.ent,
			   hash_u64(x->addr ^ (uint64_t)x->kind << 56 ^
				    (uint64_t)(uint32_t)x->fd << 20));
	he = hashmap_get(m, &probe.ent, NULL);
	if (he)
		return container_of(he, struct obj_ent, ent)->idx;
	e = &(*ents)[(*nents)++];
	*e = probe;
	e->idx = s->nobjects;
	hashmap_add(m, &e->ent);
	o = &s->objects[s->nobjects++];
	memset(o, 0, sizeof(*o));
	o->kind = probe.kind;
	o->addr = x->addr;
	o->fd = x->kind == GORT_WAIT_FD ? x->fd : -1;
	o->len = o->cap = o->receivers = o->senders = -1;
	if (x->chan != SIZE_MAX && x->chan < w->nchans) {
		const struct gort_chan *c = &w->chans[x->chan];

		if (c->nrecv >= 0) {
			o->len = (int64_t)(c->qcount & INT64_MAX);
			o->cap = (int64_t)(c->dataqsiz & INT64_MAX);
			o->closed = c->closed != 0;
			o->receivers = c->nrecv;
			o->senders = c->nsend;
		}
		if (c->elem)
			o->type = snap_intern(s, c->elem);
	}
	if ((x->kind == GORT_WAIT_SEMA || x->kind == GORT_WAIT_COND) && img &&
	    x->addr > bias &&
	    elfimage_symbol_at(img, x->addr - bias, &name, &off) == 0) {
		char buf[512];

		snprintf(buf, sizeof(buf), "%s+%llu", name,
			 (unsigned long long)off);
		o->symbol = snap_intern(s, buf);
	}
	return e->idx;
}

uint64_t blocked_types_base(const struct elfimage *img,
			    const struct gort_layout *l, uint64_t bias)
{
	uint64_t a = l->types;

	if (!a && img && elfimage_section(img, ".go.type", &a, NULL) < 0 &&
	    elfimage_section(img, ".rodata", &a, NULL) < 0)
		a = 0;
	return a ? a + bias : 0;
}

void blocked_build(struct snap *s, const struct gort_waits *w,
		   const struct elfimage *img, uint64_t bias)
{
	struct hashmap m;
	struct obj_ent *ents;
	size_t i, nents = 0;

	if (!w->nw)
		return;
	ents = xcalloc(w->nw, sizeof(*ents));
	s->objects = xcalloc(w->nw, sizeof(*s->objects));
	hashmap_init(&m, obj_cmp, NULL, w->nw);
	for (i = 0; i < w->nw; i++) {
		const struct gort_wait *x = &w->w[i];
		struct snap_goroutine *g;
		struct snap_wait *sw;

		if (x->g >= s->ngs || x->kind <= GORT_WAIT_NONE ||
		    x->kind > GORT_WAIT_FD)
			continue;
		g = &s->gs[x->g];
		g->waits = xreallocarray(g->waits, g->nwaits + 1,
					 sizeof(*g->waits));
		sw = &g->waits[g->nwaits++];
		sw->obj = object_for(s, &m, &ents, &nents, w, x, img, bias);
		sw->dir = x->dir == GORT_DIR_RECV   ? SNAP_DIR_RECV
			  : x->dir == GORT_DIR_SEND ? SNAP_DIR_SEND
						    : SNAP_DIR_NONE;
	}
	hashmap_release(&m);
	free(ents);
}

struct obj_count {
	size_t obj, count, recv, send;
};

static int count_cmp(const void *a, const void *b)
{
	const struct obj_count *x = a, *y = b;

	if (x->count != y->count)
		return x->count > y->count ? -1 : 1;
	return (x->obj > y->obj) - (x->obj < y->obj);
}

void blocked_object_str(const struct snap_object *o, struct strbuf *out)
{
	strbuf_adds(out, snap_object_kind_name(o->kind));
	if (o->kind == SNAP_OBJ_CHAN)
		strbuf_addf(out, " %s", o->type ? o->type : "?");
	if (o->kind == SNAP_OBJ_FD) {
		if (o->fd >= 0)
			strbuf_addf(out, " %d", o->fd);
		else
			strbuf_adds(out, " ?");
	} else if (o->kind != SNAP_OBJ_NILCHAN) {
		if (o->addr)
			strbuf_addf(out, "  0x%llx",
				    (unsigned long long)o->addr);
		else
			strbuf_adds(out, "  address unknown");
		if (o->symbol)
			strbuf_addf(out, " %s", o->symbol);
	}
	if (o->kind == SNAP_OBJ_CHAN && o->len >= 0)
		strbuf_addf(out, "  len %lld cap %lld%s", (long long)o->len,
			    (long long)o->cap, o->closed ? " closed" : "");
	if (o->kind == SNAP_OBJ_CHAN && o->receivers >= 0)
		strbuf_addf(out, "  receivers %lld senders %lld",
			    (long long)o->receivers, (long long)o->senders);
}

void blocked_goroutine_str(const struct snap *s,
			   const struct snap_goroutine *g, struct strbuf *out)
{
	const struct snap_wait *w = g->nwaits ? &g->waits[0] : NULL;

	if (!w || w->obj >= s->nobjects)
		return;
	blocked_object_str(&s->objects[w->obj], out);
	if (w->dir == SNAP_DIR_RECV)
		strbuf_adds(out, s->objects[w->obj].kind == SNAP_OBJ_FD
					 ? " (reading)" : " (receiving)");
	else if (w->dir == SNAP_DIR_SEND)
		strbuf_adds(out, s->objects[w->obj].kind == SNAP_OBJ_FD
					 ? " (writing)" : " (sending)");
	if (g->nwaits > 1)
		strbuf_addf(out, " +%zu more", g->nwaits - 1);
}

void blocked_group_str(const struct snap *s, const size_t *idx, size_t n,
		       struct strbuf *out)
{
	size_t *count, i, best = SIZE_MAX, nobj = 0, waiting = 0;

	if (!s->nobjects)
		return;
	count = xcalloc(s->nobjects, sizeof(*count));
	for (i = 0; i < n; i++) {
		const struct snap_goroutine *g = &s->gs[idx[i]];
		size_t o;

		if (!g->nwaits || g->waits[0].obj >= s->nobjects)
			continue;
		o = g->waits[0].obj;
		waiting++;
		if (!count[o]++)
			nobj++;
		if (best == SIZE_MAX || count[o] > count[best])
			best = o;
	}
	if (best != SIZE_MAX) {
		blocked_object_str(&s->objects[best], out);
		if (count[best] == n)
			strbuf_addf(out, "  (all %zu)", n);
		else
			strbuf_addf(out, "  (%zu of %zu)", count[best], n);
		if (nobj > 1)
			strbuf_addf(out, "; %zu more on %zu other object%s",
				    waiting - count[best], nobj - 1,
				    nobj > 2 ? "s" : "");
	}
	free(count);
}

static void object_text(const struct snap_object *o,
			const struct obj_count *c, struct strbuf *out)
{
	strbuf_addf(out, "%zu  ", c->count);
	blocked_object_str(o, out);
	if (o->kind == SNAP_OBJ_NILCHAN)
		strbuf_addf(out, "  receivers %zu senders %zu", c->recv,
			    c->send);
	else if (o->kind == SNAP_OBJ_FD)
		strbuf_addf(out, "  readers %zu writers %zu", c->recv,
			    c->send);
	strbuf_addc(out, '\n');
}

static json_t *opt_count(int64_t v)
{
	return v >= 0 ? json_integer((json_int_t)v) : json_null();
}

void blocked_object_json(json_t *x, const struct snap_object *o)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "0x%llx", (unsigned long long)o->addr);
	json_object_set_new(x, "kind",
			    json_string(snap_object_kind_name(o->kind)));
	json_object_set_new(x, "addr", json_string(buf));
	json_object_set_new(x, "type", jstr(o->type));
	json_object_set_new(x, "symbol", jstr(o->symbol));
	json_object_set_new(x, "len", opt_count(o->len));
	json_object_set_new(x, "cap", opt_count(o->cap));
	json_object_set_new(x, "closed", json_boolean(o->closed));
	json_object_set_new(x, "receivers", opt_count(o->receivers));
	json_object_set_new(x, "senders", opt_count(o->senders));
	json_object_set_new(x, "fd", opt_count(o->fd));
}

void blocked_fmt_objects(const struct snap *s, int all, int json,
			 struct strbuf *out)
{
	struct obj_count *c = xcalloc(s->nobjects + 1, sizeof(*c));
	size_t i, j, n = 0;
	json_t *root = NULL, *arr = NULL;

	for (i = 0; i < s->nobjects; i++)
		c[i].obj = i;
	for (i = 0; i < s->ngs; i++) {
		const struct snap_goroutine *g = &s->gs[i];

		if (g->system && !all)
			continue;
		for (j = 0; j < g->nwaits; j++) {
			struct obj_count *x;

			if (g->waits[j].obj >= s->nobjects)
				continue;
			x = &c[g->waits[j].obj];
			x->count++;
			x->recv += g->waits[j].dir == SNAP_DIR_RECV;
			x->send += g->waits[j].dir == SNAP_DIR_SEND;
		}
	}
	qsort(c, s->nobjects, sizeof(*c), count_cmp);
	if (json) {
		root = json_object();
		arr = json_array();
		json_object_set_new(root, "schema",
				    json_string("goscope.objects/1"));
	}
	for (i = 0; i < s->nobjects && c[i].count; i++, n++) {
		const struct snap_object *o = &s->objects[c[i].obj];
		json_t *x;

		if (!json) {
			object_text(o, &c[i], out);
			continue;
		}
		x = json_object();
		json_object_set_new(x, "count", json_integer((json_int_t)
							     c[i].count));
		blocked_object_json(x, o);
		json_object_set_new(x, "waiting_recv",
				    json_integer((json_int_t)c[i].recv));
		json_object_set_new(x, "waiting_send",
				    json_integer((json_int_t)c[i].send));
		json_array_append_new(arr, x);
	}
	if (json) {
		char *text;

		json_object_set_new(root, "objects", arr);
		text = json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
		if (text) {
			strbuf_adds(out, text);
			strbuf_addc(out, '\n');
			free(text);
		}
		json_decref(root);
	} else if (!n) {
		strbuf_adds(out, "no goroutine waits on a known object\n");
	}
	free(c);
}
