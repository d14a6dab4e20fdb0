/* JSON rendering of a snapshot, with stacks interned into a table. */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "snapshot/fmt_json.h"
#include "lib/compiler.h"
#include "lib/xmalloc.h"
#include "lib/jstr.h"
#include "lib/banned.h"

struct stack_tab {
	const struct snap_goroutine **rep;	/* representative per id */
	size_t n, alloc;
	size_t *slots;		/* open addressing: id + 1, 0 empty */
	size_t nslots;
};

/* Interning of frames (by value) and goroutine shapes, for schema 2. */
struct intern_tab {
	const void **rep;	/* representative per index */
	size_t n, alloc;
	size_t *slots;		/* open addressing: index + 1, 0 empty */
	size_t nslots;
};

struct shape_key {
	const struct snap_goroutine *g;
	size_t sid;
};

static uint64_t stack_hash(const struct snap_goroutine *g);
static int stack_equal(const struct snap_goroutine *a,
		       const struct snap_goroutine *b);
static size_t stack_id(struct stack_tab *t, const struct snap_goroutine *g);
static uint64_t mix(uint64_t h, uint64_t v);
static uint64_t frame_hash(const struct snap_frame *f);
static int frame_equal(const struct snap_frame *x, const struct snap_frame *y);
static uint64_t shape_hash(const struct shape_key *k);
static int shape_equal(const struct shape_key *a, const struct shape_key *b);
static void intern_init(struct intern_tab *t, size_t expect);
static void intern_release(struct intern_tab *t);
static size_t intern_put(struct intern_tab *t, const void *obj, uint64_t h,
			 int (*eq)(const void *, const void *));
static int frame_eq_cb(const void *a, const void *b);
static int shape_eq_cb(const void *a, const void *b);
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

static size_t stack_id(struct stack_tab *t, const struct snap_goroutine *g)
{
	size_t i = (size_t)(stack_hash(g) % t->nslots);

	while (t->slots[i]) {
		size_t id = t->slots[i] - 1;

		if (stack_equal(t->rep[id], g))
			return id;
		i = (i + 1) % t->nslots;
	}
	if (t->n == t->alloc) {
		t->alloc = t->alloc ? t->alloc * 2 : 64;
		t->rep = xreallocarray(t->rep, t->alloc, sizeof(*t->rep));
	}
	t->rep[t->n] = g;
	t->slots[i] = ++t->n;
	return t->n - 1;
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

static void intern_init(struct intern_tab *t, size_t expect)
{
	memset(t, 0, sizeof(*t));
	t->nslots = expect * 2 + 17;
	t->slots = xcalloc(t->nslots, sizeof(*t->slots));
}

static void intern_release(struct intern_tab *t)
{
	free(t->slots);
	free(t->rep);
}

/* Returns the index of obj's equal, adding obj when new. */
static size_t intern_put(struct intern_tab *t, const void *obj, uint64_t h,
			 int (*eq)(const void *, const void *))
{
	size_t i = (size_t)(h % t->nslots);

	while (t->slots[i]) {
		if (eq(t->rep[t->slots[i] - 1], obj))
			return t->slots[i] - 1;
		i = (i + 1) % t->nslots;
	}
	if (t->n == t->alloc) {
		t->alloc = t->alloc ? t->alloc * 2 : 64;
		t->rep = xreallocarray(t->rep, t->alloc, sizeof(*t->rep));
	}
	t->rep[t->n] = obj;
	t->slots[i] = ++t->n;
	return t->n - 1;
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

/* A count that may be unknown (-1): null then. */
static json_t *opt_int(int64_t v)
{
	return v >= 0 ? json_integer((json_int_t)v) : json_null();
}

static json_t *object_json(const struct snap_object *ob)
{
	json_t *o = json_object();

	json_object_set_new(o, "kind",
			    json_string(snap_object_kind_name(ob->kind)));
	json_object_set_new(o, "addr", hex(ob->addr));
	json_object_set_new(o, "type", jstr(ob->type));
	json_object_set_new(o, "symbol", jstr(ob->symbol));
	json_object_set_new(o, "len", opt_int(ob->len));
	json_object_set_new(o, "cap", opt_int(ob->cap));
	json_object_set_new(o, "closed", json_boolean(ob->closed));
	json_object_set_new(o, "receivers", opt_int(ob->receivers));
	json_object_set_new(o, "senders", opt_int(ob->senders));
	json_object_set_new(o, "fd", opt_int(ob->fd));
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
	if (s->nstops)
		capture_stops_json(o, s);
	return o;
}

void fmt_json_snapshot(const struct snap *s, struct strbuf *out)
{
	struct stack_tab tab;
	struct intern_tab frames, shapes;
	struct shape_key *keys;
	json_t *root = json_object(), *arr, *stacks;
	size_t i, j, *sid, *shape;
	char *text;

	memset(&tab, 0, sizeof(tab));
	tab.nslots = s->ngs * 2 + 17;
	tab.slots = xcalloc(tab.nslots, sizeof(*tab.slots));
	sid = xcalloc(s->ngs + 1, sizeof(*sid));
	for (i = 0; i < s->ngs; i++)
		sid[i] = stack_id(&tab, &s->gs[i]);

	json_object_set_new(root, "schema", json_string(FMT_JSON_SCHEMA));
	json_object_set_new(root, "capture", capture_json(s));
	arr = json_array();
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
		json_array_append_new(arr, o);
	}
	json_object_set_new(root, "threads", arr);
	/* Frames by value, stacks as lists of frame indexes. */
	intern_init(&frames, 256);
	stacks = json_array();
	for (i = 0; i < tab.n; i++) {
		json_t *fr = json_array();

		for (j = 0; j < tab.rep[i]->nframes; j++) {
			const struct snap_frame *f = &tab.rep[i]->frames[j];
			size_t id;

			if (frames.n * 2 >= frames.nslots) {
				/* Grow: re-insert every representative. */
				struct intern_tab big;

				intern_init(&big, frames.nslots);
				for (size_t k = 0; k < frames.n; k++)
					intern_put(&big, frames.rep[k],
						   frame_hash(frames.rep[k]),
						   frame_eq_cb);
				intern_release(&frames);
				frames = big;
			}
			id = intern_put(&frames, f, frame_hash(f),
					frame_eq_cb);
			json_array_append_new(fr,
					      json_integer((json_int_t)id));
		}
		json_array_append_new(stacks, fr);
	}
	arr = json_array();
	for (i = 0; i < frames.n; i++)
		json_array_append_new(arr, frame_json(frames.rep[i]));
	json_object_set_new(root, "frames", arr);
	json_object_set_new(root, "stacks", stacks);
	/* Shapes: everything but id, wait time and parent. */
	keys = xcalloc(s->ngs + 1, sizeof(*keys));
	shape = xcalloc(s->ngs + 1, sizeof(*shape));
	intern_init(&shapes, s->ngs);
	for (i = 0; i < s->ngs; i++) {
		keys[i].g = &s->gs[i];
		keys[i].sid = sid[i];
		shape[i] = intern_put(&shapes, &keys[i], shape_hash(&keys[i]),
				      shape_eq_cb);
	}
	arr = json_array();
	for (i = 0; i < shapes.n; i++) {
		const struct shape_key *k = shapes.rep[i];

		json_array_append_new(arr, shape_json(k->g, k->sid));
	}
	json_object_set_new(root, "shapes", arr);
	arr = json_array();
	for (i = 0; i < s->nobjects; i++)
		json_array_append_new(arr, object_json(&s->objects[i]));
	json_object_set_new(root, "objects", arr);
	arr = json_array();
	for (i = 0; i < s->ngs; i++)
		json_array_append_new(arr, goroutine_json(s, &s->gs[i],
							    shape[i]));
	json_object_set_new(root, "goroutines", arr);
	intern_release(&frames);
	intern_release(&shapes);
	free(keys);
	free(shape);
	text = json_dumps(root, JSON_COMPACT | JSON_PRESERVE_ORDER);
	if (text) {
		strbuf_adds(out, text);
		strbuf_addc(out, '\n');
		free(text);
	}
	json_decref(root);
	free(sid);
	free(tab.slots);
	free(tab.rep);
}
