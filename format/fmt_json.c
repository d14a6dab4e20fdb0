/* JSON rendering of a snapshot, with stacks interned into a table. */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "format/fmt_json.h"
#include "snapshot/blocked.h"
#include "lib/compiler.h"
#include "lib/hashmap.h"
#include "lib/intern.h"
#include "lib/xmalloc.h"
#include "lib/jstr.h"
#include "lib/banned.h"

/*
 * Numbering of equal objects (stacks, frames by value, goroutine shapes):
 * the first of each is its representative, found again through a
 * lib/hashmap.
 */
struct idtab {
	struct hashmap map;
	struct arena ents;		/* struct ident */
	const void **rep;		/* representative per id */
	size_t n, alloc;
	int (*eq)(const void *a, const void *b);
};

struct ident {
	struct hashmap_entry ent;
	size_t id;
};

struct shape_key {
	const struct snap_goroutine *g;
	size_t sid;
};

static uint64_t stack_hash(const struct snap_goroutine *g);
static int stack_equal(const struct snap_goroutine *a,
		       const struct snap_goroutine *b);
static uint64_t mix(uint64_t h, uint64_t v);
static uint64_t frame_hash(const struct snap_frame *f);
static int frame_equal(const struct snap_frame *x, const struct snap_frame *y);
static uint64_t shape_hash(const struct shape_key *k);
static int shape_equal(const struct shape_key *a, const struct shape_key *b);
static int ident_cmp(const void *data, const struct hashmap_entry *a,
		     const struct hashmap_entry *b, const void *key);
static void idtab_init(struct idtab *t, size_t expect,
		       int (*eq)(const void *, const void *));
static void idtab_release(struct idtab *t);
static size_t idtab_put(struct idtab *t, const void *obj, uint64_t h);
static int stack_eq_cb(const void *a, const void *b);
static int frame_eq_cb(const void *a, const void *b);
static int shape_eq_cb(const void *a, const void *b);
static void put_json(struct strbuf *out, const char *key, json_t *v);
static int put_cb(const char *buf, size_t len, void *data);
static json_t *hex(uint64_t v);
static json_t *frame_json(const struct snap_frame *f);
static json_t *shape_json(const struct snap_goroutine *g, size_t sid);
static json_t *goroutine_json(const struct snap *s,
			      const struct snap_goroutine *g, size_t shape);
static json_t *capture_json(const struct snap *s);
static void stop_parts_json(json_t *x, const struct snap_stop *st);
static void capture_stops_json(json_t *o, const struct snap *s);
static json_t *nframe_json(const struct snap_nframe *f);
static void thread_native_json(const struct snap *s,
			       const struct snap_thread *t, json_t *o);

static uint64_t stack_hash(const struct snap_goroutine *g)
{
	uint64_t h = 1469598103934665603ull;
	size_t i;

	for (i = 0; i < g->nframes; i++) {
		const struct snap_frame *f = &g->frames[i];

		h = (h ^ f->pc) * 1099511628211ull;
		h = (h ^ (uintptr_t)f->func) * 1099511628211ull;
		h = (h ^ (uint64_t)f->line) * 1099511628211ull;
	}
	return h ^ g->nframes;
}

static int stack_equal(const struct snap_goroutine *a,
		       const struct snap_goroutine *b)
{
	size_t i;

	if (a->nframes != b->nframes)
		return 0;
	for (i = 0; i < a->nframes; i++) {
		const struct snap_frame *x = &a->frames[i], *y = &b->frames[i];

		if (!frame_equal(x, y))
			return 0;
	}
	return 1;
}

static uint64_t mix(uint64_t h, uint64_t v)
{
	return (h ^ v) * 1099511628211ull;
}

static uint64_t frame_hash(const struct snap_frame *f)
{
	uint64_t h = 1469598103934665603ull;

	h = mix(h, f->pc);
	h = mix(h, (uintptr_t)f->func);
	h = mix(h, (uintptr_t)f->file);
	h = mix(h, (uint64_t)f->line);
	h = mix(h, f->lpc);
	return mix(h, f->entry);
}

static int frame_equal(const struct snap_frame *x, const struct snap_frame *y)
{
	return x->pc == y->pc && x->func == y->func && x->file == y->file &&
	       x->line == y->line && x->inlined == y->inlined &&
	       x->flags == y->flags && x->entry == y->entry &&
	       x->lpc == y->lpc;
}

/* Everything a goroutine row does not carry: id, wait_ns and parent. */
static uint64_t shape_hash(const struct shape_key *k)
{
	const struct snap_goroutine *g = k->g;
	uint64_t h = 1469598103934665603ull;
	size_t i;

	h = mix(h, k->sid);
	h = mix(h, g->status);
	h = mix(h, (uintptr_t)g->status_str);
	h = mix(h, (uintptr_t)g->start_func);
	h = mix(h, (uint64_t)g->tid);
	h = mix(h, (uint64_t)(g->locked | g->system << 1 | g->scan << 2 |
			      (g->waitreason != 0) << 3 |
			      (g->waitsince != 0) << 4 | g->has_creator << 5 |
			      (g->frames_elided != 0) << 6));
	if (g->has_creator) {
		h = mix(h, (uintptr_t)g->creator.func);
		h = mix(h, g->creator.pc);
	}
	for (i = 0; i < g->nlabels; i++) {
		h = mix(h, (uintptr_t)g->labels[i].key);
		h = mix(h, (uintptr_t)g->labels[i].value);
	}
	for (i = 0; i < g->nwaits; i++)
		h = mix(h, g->waits[i].obj << 2 | (size_t)g->waits[i].dir);
	return mix(h, (uintptr_t)g->unwind_error);
}

static int shape_equal(const struct shape_key *a, const struct shape_key *b)
{
	const struct snap_goroutine *x = a->g, *y = b->g;
	size_t i;

	if (a->sid != b->sid || x->status != y->status ||
	    x->status_str != y->status_str || x->start_func != y->start_func ||
	    x->tid != y->tid || x->locked != y->locked ||
	    x->system != y->system || x->scan != y->scan ||
	    !x->frames_elided != !y->frames_elided ||
	    !x->waitreason != !y->waitreason ||
	    !x->waitsince != !y->waitsince ||
	    x->has_creator != y->has_creator ||
	    x->unwind_error != y->unwind_error || x->nlabels != y->nlabels)
		return 0;
	if (x->has_creator &&
	    (x->creator.func != y->creator.func ||
	     x->creator.file != y->creator.file ||
	     x->creator.line != y->creator.line ||
	     x->creator.pc != y->creator.pc ||
	     x->creator.entry != y->creator.entry))
		return 0;
	for (i = 0; i < x->nlabels; i++)
		if (x->labels[i].key != y->labels[i].key ||
		    x->labels[i].value != y->labels[i].value)
			return 0;
	if (x->nwaits != y->nwaits)
		return 0;
	for (i = 0; i < x->nwaits; i++)
		if (x->waits[i].obj != y->waits[i].obj ||
		    x->waits[i].dir != y->waits[i].dir)
			return 0;
	return 1;
}

static int ident_cmp(const void *data, const struct hashmap_entry *a,
		     const struct hashmap_entry *b, const void *key)
{
	const struct idtab *t = data;
	const struct ident *x = container_of(a, struct ident, ent);
	const struct ident *y = container_of(b, struct ident, ent);

	return !t->eq(t->rep[x->id], key ? key : t->rep[y->id]);
}

static void idtab_init(struct idtab *t, size_t expect,
		       int (*eq)(const void *, const void *))
{
	memset(t, 0, sizeof(*t));
	t->eq = eq;
	arena_init(&t->ents);
	hashmap_init(&t->map, ident_cmp, t, expect);
}

static void idtab_release(struct idtab *t)
{
	hashmap_release(&t->map);
	arena_release(&t->ents);
	free(t->rep);
}

/* Returns the id of obj's equal (hash h), adding obj when new. */
static size_t idtab_put(struct idtab *t, const void *obj, uint64_t h)
{
	struct ident key, *e;
	struct hashmap_entry *he;

	hashmap_entry_init(&key.ent, (uint32_t)(h ^ h >> 32));
	he = hashmap_get(&t->map, &key.ent, obj);
	if (he)
		return container_of(he, struct ident, ent)->id;
	if (t->n == t->alloc) {
		t->alloc = t->alloc ? t->alloc * 2 : 64;
		t->rep = xreallocarray(t->rep, t->alloc, sizeof(*t->rep));
	}
	t->rep[t->n] = obj;
	e = arena_alloc(&t->ents, sizeof(*e));
	hashmap_entry_init(&e->ent, key.ent.hash);
	e->id = t->n++;
	hashmap_add(&t->map, &e->ent);
	return e->id;
}

static int stack_eq_cb(const void *a, const void *b)
{
	return stack_equal(a, b);
}

static int frame_eq_cb(const void *a, const void *b)
{
	return frame_equal(a, b);
}

static int shape_eq_cb(const void *a, const void *b)
{
	return shape_equal(a, b);
}

static json_t *hex(uint64_t v)
{
	char buf[24];

	snprintf(buf, sizeof(buf), "0x%llx", (unsigned long long)v);
	return json_string(buf);
}

static json_t *frame_json(const struct snap_frame *f)
{
	json_t *o = json_object();

	json_object_set_new(o, "func", jstr(f->func));
	json_object_set_new(o, "file", jstr(f->file));
	json_object_set_new(o, "line", json_integer(f->line));
	json_object_set_new(o, "pc", hex(f->pc));
	json_object_set_new(o, "entry", hex(f->entry));
	if (f->lpc)
		json_object_set_new(o, "line_pc", hex(f->lpc));
	if (f->inlined)
		json_object_set_new(o, "inlined", json_true());
	if (f->flags & SNAP_FRAME_RUNTIME)
		json_object_set_new(o, "runtime", json_true());
	if (f->flags & SNAP_FRAME_WRAPPER)
		json_object_set_new(o, "wrapper", json_true());
	if (f->flags & SNAP_FRAME_UNKNOWN)
		json_object_set_new(o, "unknown", json_true());
	return o;
}

static json_t *nframe_json(const struct snap_nframe *f)
{
	json_t *o = json_object();

	json_object_set_new(o, "pc", hex(f->pc));
	json_object_set_new(o, "func", jstr(f->func));
	if (!f->inlined && f->func)
		json_object_set_new(o, "offset", hex(f->offset));
	json_object_set_new(o, "file", jstr(f->file));
	json_object_set_new(o, "line", f->file ? json_integer(f->line)
					      : json_null());
	json_object_set_new(o, "module", jstr(f->module));
	if (f->inlined)
		json_object_set_new(o, "inlined", json_true());
	return o;
}

/* The native view of a thread (goscope threads, snapshots of processes). */
static void thread_native_json(const struct snap *s,
			       const struct snap_thread *t, json_t *o)
{
	static const char *const roles[] = {
		NULL, "no_m", "idle", "running", "syscall", "cgo",
	};
	json_t *fr, *sc, *args;
	size_t i;

	json_object_set_new(o, "name", jstr(t->name));
	json_object_set_new(o, "state", t->state
			    ? json_stringn(&t->state, 1) : json_null());
	if (t->syscall >= 0) {
		sc = json_object();
		args = json_array();
		json_object_set_new(sc, "nr", json_integer(t->syscall));
		json_object_set_new(sc, "name", jstr(t->syscall_name));
		for (i = 0; i < 6; i++)
			json_array_append_new(args, hex(t->syscall_args[i]));
		json_object_set_new(sc, "args", args);
		json_object_set_new(o, "syscall", sc);
	} else {
		json_object_set_new(o, "syscall", json_null());
	}
	json_object_set_new(o, "cpu_user_ns",
			    json_integer((json_int_t)t->utime_ns));
	json_object_set_new(o, "cpu_system_ns",
			    json_integer((json_int_t)t->stime_ns));
	if (t->go_role > 0 &&
	    (size_t)t->go_role < sizeof(roles) / sizeof(roles[0]))
		json_object_set_new(o, "go_state",
				    json_string(roles[t->go_role]));
	fr = json_array();
	for (i = 0; i < t->nnframes; i++)
		json_array_append_new(fr, nframe_json(&t->nframes[i]));
	if (t->go_nframes && t->go_g < s->ngs) {
		const struct snap_goroutine *g = &s->gs[t->go_g];

		for (i = 0; i < t->go_nframes && i < g->nframes; i++) {
			json_t *f = frame_json(&g->frames[i]);

			json_object_set_new(f, "module", jstr(s->exe));
			json_object_set_new(f, "go", json_true());
			json_array_append_new(fr, f);
		}
	}
	json_object_set_new(o, "frames", fr);
	if (t->truncated)
		json_object_set_new(o, "truncated", json_true());
	json_object_set_new(o, "unwind_error", jstr(t->unwind_error));
}

static json_t *shape_json(const struct snap_goroutine *g, size_t sid)
{
	static const char *const names[] = {
		"idle", "runnable", "running", "syscall", "waiting",
		"moribund", "dead", "enqueue", "copystack", "preempted",
		"leaked",
	};
	json_t *o = json_object(), *lab;
	size_t i;

	json_object_set_new(o, "status", json_string(
		g->status < sizeof(names) / sizeof(names[0])
			? names[g->status] : "unknown"));
	json_object_set_new(o, "state", jstr(g->status_str));
	if (g->waitreason)
		json_object_set_new(o, "wait_reason", jstr(g->status_str));
	json_object_set_new(o, "wait_stamped", json_boolean(g->waitsince));
	/* The GC stamps waitsince at the first cycle after the goroutine
	 * blocked: the wait is at least that old, not exactly. */
	if (g->waitsince)
		json_object_set_new(o, "wait_approximate", json_true());
	json_object_set_new(o, "start_func", jstr(g->start_func));
	if (g->has_creator) {
		json_t *c = json_object();

		json_object_set_new(c, "func", jstr(g->creator.func));
		json_object_set_new(c, "file", jstr(g->creator.file));
		json_object_set_new(c, "line", json_integer(g->creator.line));
		json_object_set_new(c, "pc", hex(g->creator.pc));
		json_object_set_new(c, "entry", hex(g->creator.entry));
		json_object_set_new(o, "created_by", c);
	}
	json_object_set_new(o, "locked_to_thread", json_boolean(g->locked));
	json_object_set_new(o, "tid", g->tid ? json_integer(g->tid)
					     : json_null());
	json_object_set_new(o, "system", json_boolean(g->system));
	if (g->scan)
		json_object_set_new(o, "scan", json_true());
	if (g->frames_elided)
		json_object_set_new(o, "frames_elided", json_true());
	lab = json_object();
	for (i = 0; i < g->nlabels; i++)
		jstr_set(lab, g->labels[i].key,
			 jstr(g->labels[i].value));
	json_object_set_new(o, "labels", lab);
	json_object_set_new(o, "stack", json_integer((json_int_t)sid));
	if (g->nwaits) {
		/* [object index, "recv" | "send" | null] per object. */
		json_t *b = json_array();

		for (i = 0; i < g->nwaits; i++) {
			json_t *w = json_array();
			int d = g->waits[i].dir;

			json_array_append_new(w, json_integer(
				(json_int_t)g->waits[i].obj));
			json_array_append_new(w, d == SNAP_DIR_RECV
				? json_string("recv") : d == SNAP_DIR_SEND
				? json_string("send") : json_null());
			json_array_append_new(b, w);
		}
		json_object_set_new(o, "blocked_on", b);
	}
	if (g->unwind_error)
		json_object_set_new(o, "unwind_error", jstr(g->unwind_error));
	return o;
}

/*
 * [id, shape, wait_ns or null, parent or null(, weight when > 1)], and
 * when any frame has argument text, one more cell: [args of each frame,
 * string or null] (arguments are per goroutine, so they are not part of
 * the shared frames), and last, when goscope saw the goroutine before
 * this capture, {"first_seen": unix ns, "born_after": unix ns} (the
 * honest age: at least time - first_seen old; born_after, when known,
 * is the last capture before, which did not have it).
 */
static json_t *goroutine_json(const struct snap *s,
			      const struct snap_goroutine *g, size_t shape)
{
	json_t *a = json_array(), *args, *age;
	size_t i;

	json_array_append_new(a, json_integer((json_int_t)g->goid));
	json_array_append_new(a, json_integer((json_int_t)shape));
	json_array_append_new(a, g->wait_ns >= 0 ? json_integer(g->wait_ns)
						 : json_null());
	json_array_append_new(a, g->parent_goid
			      ? json_integer((json_int_t)g->parent_goid)
			      : json_null());
	if (snap_g_weight(g) > 1)
		json_array_append_new(a,
				      json_integer((json_int_t)g->weight));
	for (i = 0; i < g->nframes && !g->frames[i].args; i++)
		;
	if (i < g->nframes) {
		args = json_array();
		for (i = 0; i < g->nframes; i++)
			json_array_append_new(args, jstr(g->frames[i].args));
		json_array_append_new(a, args);
	}
	if ((!g->first_seen_ns || g->first_seen_ns >= s->time_unix_ns) &&
	    !g->born_after_ns)
		return a;
	age = json_object();
	if (g->first_seen_ns)
		json_object_set_new(age, "first_seen",
				    json_integer(g->first_seen_ns));
	if (g->born_after_ns)
		json_object_set_new(age, "born_after",
				    json_integer(g->born_after_ns));
	json_array_append_new(a, age);
	return a;
}

/* A stop's parts and what it cost goscope (see struct snap_stop). */
static void stop_parts_json(json_t *x, const struct snap_stop *st)
{
	const struct {
		const char *key;
		uint64_t v;
	} f[] = {
		{ "allgs_ns", st->allgs_ns },	{ "gs_ns", st->gs_ns },
		{ "ms_ns", st->ms_ns },		{ "decode_ns", st->decode_ns },
		{ "stacks_ns", st->stacks_ns },	{ "waits_ns", st->waits_ns },
		{ "hook_ns", st->hook_ns },	{ "resume_ns", st->resume_ns },
		{ "cpu_ns", st->cpu_ns },	{ "faults", st->faults },
		{ "ranges", st->ranges },	{ "read_calls", st->read_calls },
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(f); i++)
		json_object_set_new(x, f[i].key,
				    json_integer((json_int_t)f[i].v));
}

/* How the capture stopped the target (live captures only). */
static void capture_stops_json(json_t *o, const struct snap *s)
{
	json_t *a = json_array();
	size_t i;

	json_object_set_new(o, "mode", json_string(s->two_phase
						   ? "two-phase"
						   : "full-stop"));
	for (i = 0; i < s->nstops; i++) {
		json_t *x = json_object();

		json_object_set_new(x, "pause_ns", json_integer(
			(json_int_t)s->stops[i].pause_ns));
		json_object_set_new(x, "threads_ns", json_integer(
			(json_int_t)s->stops[i].threads_ns));
		json_object_set_new(x, "registry_ns", json_integer(
			(json_int_t)s->stops[i].registry_ns));
		json_object_set_new(x, "other_ns", json_integer(
			(json_int_t)s->stops[i].other_ns));
		json_object_set_new(x, "goroutines", json_integer(
			(json_int_t)s->stops[i].goroutines));
		json_object_set_new(x, "stacks", json_integer(
			(json_int_t)s->stops[i].stacks));
		json_object_set_new(x, "bytes", json_integer(
			(json_int_t)s->stops[i].bytes));
		stop_parts_json(x, &s->stops[i]);
		json_array_append_new(a, x);
	}
	json_object_set_new(o, "stops", a);
	json_object_set_new(o, "stacks_after_resume",
			    json_integer((json_int_t)s->stacks_after));
	json_object_set_new(o, "retried",
			    json_integer((json_int_t)s->nretried));
	json_object_set_new(o, "changed_during_capture",
			    json_integer((json_int_t)s->nchanged));
}

static json_t *object_json(const struct snap_object *ob)
{
	json_t *o = json_object();

	blocked_object_json(o, ob);
	return o;
}

static json_t *capture_json(const struct snap *s)
{
	json_t *o = json_object();
	time_t t = (time_t)(s->time_unix_ns / 1000000000);
	struct tm tm;
	char ts[64], full[96];

	gmtime_r(&t, &tm);
	strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(full, sizeof(full), "%s.%09lldZ", ts,
		 (long long)(s->time_unix_ns % 1000000000));
	json_object_set_new(o, "pid", json_integer(s->pid));
	json_object_set_new(o, "start_time", s->start_time
			    ? json_integer((json_int_t)s->start_time)
			    : json_null());
	json_object_set_new(o, "exe", jstr(s->exe));
	json_object_set_new(o, "go_version", jstr(s->go_version));
	json_object_set_new(o, "main_module", jstr(s->main_module));
	json_object_set_new(o, "layout", jstr(s->layout_source));
	json_object_set_new(o, "time", s->time_unix_ns ? json_string(full)
						       : json_null());
	json_object_set_new(o, "time_unix_ns", json_integer(s->time_unix_ns));
	json_object_set_new(o, "pause_ns",
			    json_integer((json_int_t)s->pause_ns));
	json_object_set_new(o, "capture_ns",
			    json_integer((json_int_t)s->capture_ns));
	json_object_set_new(o, "threads",
			    json_integer((json_int_t)s->nthreads));
	json_object_set_new(o, "goroutines",
			    json_integer((json_int_t)snap_total(s)));
	json_object_set_new(o, "allglen", json_integer((json_int_t)s->nallg));
	json_object_set_new(o, "bytes_copied",
			    json_integer((json_int_t)s->bytes_copied));
	/* A partial capture, a failed resume: only when they happened. */
	if (s->nunstopped) {
		json_object_set_new(o, "unstopped_threads", json_integer(
			(json_int_t)s->nunstopped));
		json_object_set_new(o, "unstopped", jstr(s->unstopped));
	}
	if (s->resume_error)
		json_object_set_new(o, "resume_error", jstr(s->resume_error));
	if (s->nstops)
		capture_stops_json(o, s);
	return o;
}

static int put_cb(const char *buf, size_t len, void *data)
{
	strbuf_add(data, buf, len);
	return 0;
}

/* Appends "key":v (v alone when key is NULL) and frees v. */
static void put_json(struct strbuf *out, const char *key, json_t *v)
{
	if (key) {
		strbuf_addc(out, '"');
		strbuf_adds(out, key);
		strbuf_adds(out, "\":");
	}
	json_dump_callback(v, put_cb, out, JSON_COMPACT | JSON_PRESERVE_ORDER |
			   JSON_ENCODE_ANY);
	json_decref(v);
}

/*
 * Written as it goes, one element at a time, in the layout a json_dumps()
 * of the whole tree would have: only the tables of distinct stacks,
 * frames and shapes are held, never the document.
 */
void fmt_json_snapshot(const struct snap *s, struct strbuf *out)
{
	struct idtab stacks, frames, shapes;
	struct shape_key *keys;
	json_t *arr;
	size_t i, j, *sid, *shape, *fid, nfid = 0, *fstart;

	sid = xcalloc(s->ngs + 1, sizeof(*sid));
	idtab_init(&stacks, 0, stack_eq_cb);
	for (i = 0; i < s->ngs; i++)
		sid[i] = idtab_put(&stacks, &s->gs[i], stack_hash(&s->gs[i]));

	strbuf_addc(out, '{');
	put_json(out, "schema", json_string(FMT_JSON_SCHEMA));
	strbuf_addc(out, ',');
	put_json(out, "capture", capture_json(s));
	strbuf_adds(out, ",\"threads\":[");
	for (i = 0; i < s->nthreads; i++) {
		const struct snap_thread *t = &s->threads[i];
		json_t *o = json_object();

		json_object_set_new(o, "tid", json_integer(t->tid));
		json_object_set_new(o, "pc", hex(t->pc));
		json_object_set_new(o, "sp", hex(t->sp));
		json_object_set_new(o, "m", t->m_id >= 0
				    ? json_integer(t->m_id) : json_null());
		json_object_set_new(o, "goroutine", t->curg_goid
				    ? json_integer((json_int_t)t->curg_goid)
				    : json_null());
		if (t->native)
			thread_native_json(s, t, o);
		if (i)
			strbuf_addc(out, ',');
		put_json(out, NULL, o);
		strbuf_flush_point(out);
	}
	strbuf_addc(out, ']');
	/* Frames by value, stacks as lists of frame indexes. */
	idtab_init(&frames, 256, frame_eq_cb);
	fstart = xcalloc(stacks.n + 1, sizeof(*fstart));
	for (i = 0; i < stacks.n; i++)
		nfid += ((const struct snap_goroutine *)stacks.rep[i])->nframes;
	fid = xcalloc(nfid + 1, sizeof(*fid));
	for (i = nfid = 0; i < stacks.n; i++) {
		const struct snap_goroutine *g = stacks.rep[i];

		fstart[i] = nfid;
		for (j = 0; j < g->nframes; j++)
			fid[nfid++] = idtab_put(&frames, &g->frames[j],
						frame_hash(&g->frames[j]));
	}
	fstart[stacks.n] = nfid;
	strbuf_adds(out, ",\"frames\":[");
	for (i = 0; i < frames.n; i++) {
		if (i)
			strbuf_addc(out, ',');
		put_json(out, NULL, frame_json(frames.rep[i]));
		strbuf_flush_point(out);
	}
	strbuf_adds(out, "],\"stacks\":[");
	for (i = 0; i < stacks.n; i++) {
		strbuf_adds(out, i ? ",[" : "[");
		for (j = fstart[i]; j < fstart[i + 1]; j++) {
			if (j > fstart[i])
				strbuf_addc(out, ',');
			strbuf_addu64(out, fid[j]);
		}
		strbuf_addc(out, ']');
		strbuf_flush_point(out);
	}
	strbuf_addc(out, ']');
	free(fid);
	free(fstart);
	idtab_release(&frames);
	/* Shapes: everything but id, wait time and parent. */
	keys = xcalloc(s->ngs + 1, sizeof(*keys));
	shape = xcalloc(s->ngs + 1, sizeof(*shape));
	idtab_init(&shapes, 0, shape_eq_cb);
	for (i = 0; i < s->ngs; i++) {
		keys[i].g = &s->gs[i];
		keys[i].sid = sid[i];
		shape[i] = idtab_put(&shapes, &keys[i], shape_hash(&keys[i]));
	}
	strbuf_adds(out, ",\"shapes\":[");
	for (i = 0; i < shapes.n; i++) {
		const struct shape_key *k = shapes.rep[i];

		if (i)
			strbuf_addc(out, ',');
		put_json(out, NULL, shape_json(k->g, k->sid));
		strbuf_flush_point(out);
	}
	strbuf_addc(out, ']');
	idtab_release(&shapes);
	arr = json_array();
	for (i = 0; i < s->nobjects; i++)
		json_array_append_new(arr, object_json(&s->objects[i]));
	strbuf_addc(out, ',');
	put_json(out, "objects", arr);
	strbuf_adds(out, ",\"goroutines\":[");
	for (i = 0; i < s->ngs; i++) {
		if (i)
			strbuf_addc(out, ',');
		put_json(out, NULL, goroutine_json(s, &s->gs[i], shape[i]));
		strbuf_flush_point(out);
	}
	strbuf_adds(out, "]}\n");
	idtab_release(&stacks);
	free(keys);
	free(shape);
	free(sid);
}
