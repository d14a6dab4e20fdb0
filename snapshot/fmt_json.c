/* JSON rendering of a snapshot, with stacks interned into a table. */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "snapshot/fmt_json.h"
#include "lib/xmalloc.h"
#include "lib/banned.h"

struct stack_tab {
	const struct snap_goroutine **rep;	/* representative per id */
	size_t n, alloc;
	size_t *slots;		/* open addressing: id + 1, 0 empty */
	size_t nslots;
};

static uint64_t stack_hash(const struct snap_goroutine *g);
static int stack_equal(const struct snap_goroutine *a,
		       const struct snap_goroutine *b);
static size_t stack_id(struct stack_tab *t, const struct snap_goroutine *g);
static json_t *hex(uint64_t v);
static json_t *jstr(const char *s);
static json_t *frame_json(const struct snap_frame *f);
static json_t *goroutine_json(const struct snap_goroutine *g, size_t sid);
static json_t *capture_json(const struct snap *s);

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

		if (x->pc != y->pc || x->func != y->func ||
		    x->file != y->file || x->line != y->line ||
		    x->inlined != y->inlined || x->flags != y->flags)
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

static json_t *hex(uint64_t v)
{
	char buf[24];

	snprintf(buf, sizeof(buf), "0x%llx", (unsigned long long)v);
	return json_string(buf);
}

static json_t *jstr(const char *s)
{
	return s ? json_string(s) : json_null();
}

static json_t *frame_json(const struct snap_frame *f)
{
	json_t *o = json_object();

	json_object_set_new(o, "func", jstr(f->func));
	json_object_set_new(o, "file", jstr(f->file));
	json_object_set_new(o, "line", json_integer(f->line));
	json_object_set_new(o, "pc", hex(f->pc));
	json_object_set_new(o, "entry", hex(f->entry));
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

static json_t *goroutine_json(const struct snap_goroutine *g, size_t sid)
{
	static const char *const names[] = {
		"idle", "runnable", "running", "syscall", "waiting",
		"moribund", "dead", "enqueue", "copystack", "preempted",
		"leaked",
	};
	json_t *o = json_object(), *lab;
	size_t i;

	json_object_set_new(o, "id", json_integer((json_int_t)g->goid));
	json_object_set_new(o, "status", json_string(
		g->status < sizeof(names) / sizeof(names[0])
			? names[g->status] : "unknown"));
	json_object_set_new(o, "state", jstr(g->status_str));
	if (g->waitreason)
		json_object_set_new(o, "wait_reason", jstr(g->status_str));
	json_object_set_new(o, "wait_stamped", json_boolean(g->waitsince));
	json_object_set_new(o, "wait_ns", g->wait_ns >= 0
			    ? json_integer(g->wait_ns) : json_null());
	json_object_set_new(o, "parent", g->parent_goid
			    ? json_integer((json_int_t)g->parent_goid)
			    : json_null());
	json_object_set_new(o, "start_func", jstr(g->start_func));
	if (g->has_creator) {
		json_t *c = json_object();

		json_object_set_new(c, "func", jstr(g->creator.func));
		json_object_set_new(c, "file", jstr(g->creator.file));
		json_object_set_new(c, "line", json_integer(g->creator.line));
		json_object_set_new(c, "pc", hex(g->creator.pc));
		json_object_set_new(o, "created_by", c);
	}
	json_object_set_new(o, "locked_to_thread", json_boolean(g->locked));
	json_object_set_new(o, "tid", g->tid ? json_integer(g->tid)
					     : json_null());
	json_object_set_new(o, "system", json_boolean(g->system));
	if (g->scan)
		json_object_set_new(o, "scan", json_true());
	lab = json_object();
	for (i = 0; i < g->nlabels; i++)
		json_object_set_new(lab, g->labels[i].key,
				    json_string(g->labels[i].value));
	json_object_set_new(o, "labels", lab);
	json_object_set_new(o, "stack", json_integer((json_int_t)sid));
	if (g->unwind_error)
		json_object_set_new(o, "unwind_error", jstr(g->unwind_error));
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
	json_object_set_new(o, "exe", jstr(s->exe));
	json_object_set_new(o, "go_version", jstr(s->go_version));
	json_object_set_new(o, "layout", jstr(s->layout_source));
	json_object_set_new(o, "time", json_string(full));
	json_object_set_new(o, "time_unix_ns", json_integer(s->time_unix_ns));
	json_object_set_new(o, "pause_ns",
			    json_integer((json_int_t)s->pause_ns));
	json_object_set_new(o, "capture_ns",
			    json_integer((json_int_t)s->capture_ns));
	json_object_set_new(o, "threads",
			    json_integer((json_int_t)s->nthreads));
	json_object_set_new(o, "goroutines",
			    json_integer((json_int_t)s->ngs));
	json_object_set_new(o, "allglen", json_integer((json_int_t)s->nallg));
	json_object_set_new(o, "bytes_copied",
			    json_integer((json_int_t)s->bytes_copied));
	return o;
}

void fmt_json_snapshot(const struct snap *s, struct strbuf *out)
{
	struct stack_tab tab;
	json_t *root = json_object(), *arr, *stacks;
	size_t i, j, *sid;
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
		json_array_append_new(arr, o);
	}
	json_object_set_new(root, "threads", arr);
	stacks = json_array();
	for (i = 0; i < tab.n; i++) {
		json_t *fr = json_array();

		for (j = 0; j < tab.rep[i]->nframes; j++)
			json_array_append_new(fr,
					      frame_json(&tab.rep[i]->frames[j]));
		json_array_append_new(stacks, fr);
	}
	json_object_set_new(root, "stacks", stacks);
	arr = json_array();
	for (i = 0; i < s->ngs; i++)
		json_array_append_new(arr, goroutine_json(&s->gs[i], sid[i]));
	json_object_set_new(root, "goroutines", arr);
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
