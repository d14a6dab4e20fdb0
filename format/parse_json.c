/* Reader of goscope.snapshot/2 JSON documents, the inverse of fmt_json. */
#include <errno.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "goruntime/layout.h"
#include "format/fmt_json.h"
#include "format/parse_json.h"
#include "lib/compiler.h"
#include "lib/xmalloc.h"
#include "lib/banned.h"

/* Frames and labels copied into goroutines: at most this plus 4 per
 * input byte (a few stacks shared by many rows must not explode). */
#define COPY_BUDGET_BASE (4u << 20)
/* A row standing for more goroutines than a Go process can have. */
#define PARSE_JSON_MAX_WEIGHT (16 << 20)

struct reader {
	struct snap *s;
	struct err *e;
	char path[128];
	struct snap_frame *frames;
	size_t nframes;
	size_t **stacks;	/* per stack: [n, idx...] */
	size_t nstacks;
	struct snap_goroutine *shapes;
	size_t nshapes;
	uint64_t budget;
};

static int fail(struct reader *r, const char *fmt, ...) ATTR_FORMAT(2, 3);
static json_t *member(struct reader *r, json_t *o, const char *key,
		      json_type type, int nullable, int optional);
static int get_args(struct reader *r, json_t *o, const char **out);
static int read_args(struct reader *r, json_t *a, struct snap_goroutine *g);
static int get_str(struct reader *r, json_t *o, const char *key,
		   int nullable, const char **out);
static int get_int(struct reader *r, json_t *o, const char *key,
		   int64_t min, int64_t max, int nullable, int64_t *out);
static int get_hex(struct reader *r, json_t *o, const char *key,
		   uint64_t *out);
static int get_bool(struct reader *r, json_t *o, const char *key,
		    int optional, int *out);
static int status_value(const char *name, uint32_t *out);
static int read_capture(struct reader *r, json_t *c);
static int read_stop_parts(struct reader *r, json_t *o,
			   struct snap_stop *st);
static int read_native(struct reader *r, json_t *o, struct snap_thread *t);
static int read_threads(struct reader *r, json_t *a);
static int link_threads(struct reader *r);
static int read_frame(struct reader *r, json_t *o, struct snap_frame *f);
static int read_frames(struct reader *r, json_t *a);
static int read_stacks(struct reader *r, json_t *a);
static int read_shape(struct reader *r, json_t *o, struct snap_goroutine *g);
static int read_shapes(struct reader *r, json_t *a);
static int read_objects(struct reader *r, json_t *a);
static int read_waits(struct reader *r, json_t *a, struct snap_goroutine *g);
static int read_age(struct reader *r, json_t *o, struct snap_goroutine *g);
static int read_goroutines(struct reader *r, json_t *a);

static int fail(struct reader *r, const char *fmt, ...)
{
	char msg[384];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (r->path[0])
		return err_set(r->e, EINVAL, "%s: %s", r->path, msg);
	return err_set(r->e, EINVAL, "%s", msg);
}

/* o[key], checked; NULL (with the error set unless optional) when bad. */
static json_t *member(struct reader *r, json_t *o, const char *key,
		      json_type type, int nullable, int optional)
{
	json_t *v = json_object_get(o, key);

	if (!v) {
		if (!optional)
			fail(r, "missing \"%s\"", key);
		return NULL;
	}
	if (json_is_null(v) && nullable)
		return v;
	if (json_typeof(v) != type &&
	    !(type == JSON_TRUE && json_is_boolean(v))) {
		fail(r, "\"%s\" has the wrong type", key);
		return NULL;
	}
	return v;
}

static int get_str(struct reader *r, json_t *o, const char *key,
		   int nullable, const char **out)
{
	json_t *v = member(r, o, key, JSON_STRING, nullable, 0);

	if (!v)
		return -EINVAL;
	*out = json_is_null(v) ? NULL
			       : snap_intern(r->s, json_string_value(v));
	return 0;
}

/* Argument text: a string or null, copied rather than interned. */
static int get_args(struct reader *r, json_t *o, const char **out)
{
	json_t *v = member(r, o, "args", JSON_STRING, 1, 0);
	const char *t;

	if (!v)
		return -EINVAL;
	t = json_is_null(v) ? NULL : json_string_value(v);
	*out = t ? snap_strdup(r->s, t, strlen(t)) : NULL;
	return 0;
}

/* A goroutine row's last cell: the argument text of each frame. */
static int read_args(struct reader *r, json_t *a, struct snap_goroutine *g)
{
	size_t j;

	if (!json_is_array(a) || json_array_size(a) != g->nframes)
		return fail(r, "expected one argument string per frame");
	for (j = 0; j < g->nframes; j++) {
		json_t *v = json_array_get(a, j);
		const char *t;

		if (json_is_null(v))
			continue;
		if (!json_is_string(v))
			return fail(r, "expected one argument string per "
				    "frame");
		t = json_string_value(v);
		g->frames[j].args = snap_strdup(r->s, t, strlen(t));
	}
	return 0;
}

static int get_int(struct reader *r, json_t *o, const char *key,
		   int64_t min, int64_t max, int nullable, int64_t *out)
{
	json_t *v = member(r, o, key, JSON_INTEGER, nullable, 0);
	json_int_t x;

	if (!v)
		return -EINVAL;
	if (json_is_null(v)) {
		*out = min - 1;
		return 0;
	}
	x = json_integer_value(v);
	if (x < min || x > max)
		return fail(r, "\"%s\" out of range", key);
	*out = x;
	return 0;
}

static int get_hex(struct reader *r, json_t *o, const char *key,
		   uint64_t *out)
{
	json_t *v = member(r, o, key, JSON_STRING, 0, 0);
	const char *s;
	uint64_t x = 0;
	size_t i, n;

	if (!v)
		return -EINVAL;
	s = json_string_value(v);
	n = json_string_length(v);
	if (n < 3 || n > 18 || s[0] != '0' || s[1] != 'x')
		return fail(r, "\"%s\" is not a hex number", key);
	for (i = 2; i < n; i++) {
		int d = (s[i] >= '0' && s[i] <= '9') ? s[i] - '0'
			: (s[i] >= 'a' && s[i] <= 'f') ? s[i] - 'a' + 10 : -1;

		if (d < 0)
			return fail(r, "\"%s\" is not a hex number", key);
		x = x << 4 | (uint64_t)d;
	}
	*out = x;
	return 0;
}

static int get_bool(struct reader *r, json_t *o, const char *key,
		    int optional, int *out)
{
	json_t *v = member(r, o, key, JSON_TRUE, 0, optional);

	if (!v) {
		*out = 0;
		return optional && !json_object_get(o, key) ? 0 : -EINVAL;
	}
	*out = json_is_true(v);
	return 0;
}

static int status_value(const char *name, uint32_t *out)
{
	static const char *const names[] = {
		"idle", "runnable", "running", "syscall", "waiting",
		"moribund", "dead", "enqueue", "copystack", "preempted",
		"leaked",
	};
	uint32_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (!strcmp(name, names[i])) {
			*out = i;
			return 0;
		}
	if (!strcmp(name, "unknown")) {
		*out = UINT32_MAX;
		return 0;
	}
	return -1;
}

static int read_stops(struct reader *r, json_t *c);

static int read_capture(struct reader *r, json_t *c)
{
	const char *exe, *ver, *layout;
	int64_t v;

	snprintf(r->path, sizeof(r->path), "capture");
	if (get_int(r, c, "pid", 0, INT32_MAX, 0, &v) < 0)
		return -EINVAL;
	r->s->pid = (pid_t)v;
	/* Optional: snapshots saved before it was recorded lack it. */
	if (json_object_get(c, "start_time")) {
		if (get_int(r, c, "start_time", 1, INT64_MAX, 1, &v) < 0)
			return -EINVAL;
		r->s->start_time = v > 0 ? v : 0;
	}
	if (get_str(r, c, "exe", 1, &exe) < 0 ||
	    get_str(r, c, "go_version", 1, &ver) < 0 ||
	    get_str(r, c, "main_module", 1, &r->s->main_module) < 0 ||
	    get_str(r, c, "layout", 1, &layout) < 0)
		return -EINVAL;
	r->s->exe = exe ? xstrdup(exe) : NULL;
	r->s->go_version = ver ? xstrdup(ver) : NULL;
	r->s->layout_source = layout ? xstrdup(layout) : NULL;
	r->s->go_minor = ver ? gort_go_minor(ver) : 0;
	if (get_int(r, c, "time_unix_ns", INT64_MIN + 1, INT64_MAX, 0, &v) < 0)
		return -EINVAL;
	r->s->time_unix_ns = v;
	if (get_int(r, c, "pause_ns", 0, INT64_MAX, 0, &v) < 0)
		return -EINVAL;
	r->s->pause_ns = (uint64_t)v;
	if (get_int(r, c, "capture_ns", 0, INT64_MAX, 0, &v) < 0)
		return -EINVAL;
	r->s->capture_ns = (uint64_t)v;
	if (get_int(r, c, "allglen", 0, INT64_MAX, 0, &v) < 0)
		return -EINVAL;
	r->s->nallg = (size_t)v;
	if (get_int(r, c, "bytes_copied", 0, INT64_MAX, 0, &v) < 0)
		return -EINVAL;
	r->s->bytes_copied = (size_t)v;
	/* Optional: a partial capture, a failed resume. */
	if (json_object_get(c, "unstopped_threads")) {
		if (get_int(r, c, "unstopped_threads", 1, INT32_MAX, 0,
			    &v) < 0 ||
		    get_str(r, c, "unstopped", 0, &r->s->unstopped) < 0)
			return -EINVAL;
		r->s->nunstopped = (size_t)v;
	}
	if (json_object_get(c, "resume_error") &&
	    get_str(r, c, "resume_error", 0, &r->s->resume_error) < 0)
		return -EINVAL;
	if (json_object_get(c, "mode"))
		return read_stops(r, c);
	return 0;
}

/* A stop's parts and costs: optional (older files have none). */
static int read_stop_parts(struct reader *r, json_t *o, struct snap_stop *st)
{
	const struct {
		const char *key;
		uint64_t *v;
	} f[] = {
		{ "allgs_ns", &st->allgs_ns },	{ "gs_ns", &st->gs_ns },
		{ "ms_ns", &st->ms_ns },	{ "decode_ns", &st->decode_ns },
		{ "stacks_ns", &st->stacks_ns },
		{ "waits_ns", &st->waits_ns },	{ "hook_ns", &st->hook_ns },
		{ "resume_ns", &st->resume_ns },
		{ "cpu_ns", &st->cpu_ns },	{ "faults", &st->faults },
		{ "ranges", &st->ranges },
		{ "read_calls", &st->read_calls },
	};
	int64_t v;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(f); i++) {
		if (!json_object_get(o, f[i].key))
			continue;
		if (get_int(r, o, f[i].key, 0, INT64_MAX, 0, &v) < 0)
			return -EINVAL;
		*f[i].v = (uint64_t)v;
	}
	return 0;
}

/* How a live capture stopped the target (optional: mode, stops, ...). */
static int read_stops(struct reader *r, json_t *c)
{
	static const char *const keys[] = {
		"pause_ns", "threads_ns", "registry_ns", "other_ns",
		"goroutines", "stacks", "bytes",
	};
	const char *mode;
	json_t *a;
	int64_t v[7];
	size_t i, k;

	if (get_str(r, c, "mode", 0, &mode) < 0)
		return -EINVAL;
	if (strcmp(mode, "two-phase") && strcmp(mode, "full-stop"))
		return fail(r, "capture.mode: unknown mode");
	r->s->two_phase = !strcmp(mode, "two-phase");
	a = json_object_get(c, "stops");
	if (!json_is_array(a) || json_array_size(a) > SNAP_MAX_STOPS)
		return fail(r, "capture.stops: not an array of at most %d",
			    SNAP_MAX_STOPS);
	for (i = 0; i < json_array_size(a); i++) {
		json_t *o = json_array_get(a, i);
		struct snap_stop *st = &r->s->stops[i];

		snprintf(r->path, sizeof(r->path), "capture.stops[%zu]", i);
		for (k = 0; k < 7; k++)
			if (get_int(r, o, keys[k], 0, INT64_MAX, 0, &v[k]) < 0)
				return -EINVAL;
		st->pause_ns = (uint64_t)v[0];
		st->threads_ns = (uint64_t)v[1];
		st->registry_ns = (uint64_t)v[2];
		st->other_ns = (uint64_t)v[3];
		st->goroutines = (size_t)v[4];
		st->stacks = (size_t)v[5];
		st->bytes = (size_t)v[6];
		if (read_stop_parts(r, o, st) < 0)
			return -EINVAL;
	}
	r->s->nstops = json_array_size(a);
	snprintf(r->path, sizeof(r->path), "capture");
	if (get_int(r, c, "stacks_after_resume", 0, INT64_MAX, 0, &v[0]) < 0 ||
	    get_int(r, c, "retried", 0, INT64_MAX, 0, &v[1]) < 0 ||
	    get_int(r, c, "changed_during_capture", 0, INT64_MAX, 0,
		    &v[2]) < 0)
		return -EINVAL;
	r->s->stacks_after = (size_t)v[0];
	r->s->nretried = (size_t)v[1];
	r->s->nchanged = (size_t)v[2];
	return 0;
}

/* The native view of a thread (written by goscope threads). */
static int read_native(struct reader *r, json_t *o, struct snap_thread *t)
{
	static const char *const roles[] = {
		"", "no_m", "idle", "running", "syscall", "cgo",
	};
	json_t *v, *fr;
	int64_t x;
	size_t i, n;
	int b;

	t->native = 1;
	if (get_str(r, o, "name", 1, &t->name) < 0)
		return -EINVAL;
	v = member(r, o, "state", JSON_STRING, 1, 0);
	if (!v)
		return -EINVAL;
	if (json_is_string(v)) {
		if (json_string_length(v) != 1)
			return fail(r, "\"state\" is not one letter");
		t->state = json_string_value(v)[0];
	}
	v = member(r, o, "syscall", JSON_OBJECT, 1, 0);
	if (!v)
		return -EINVAL;
	t->syscall = -1;
	if (json_is_object(v)) {
		json_t *args = member(r, v, "args", JSON_ARRAY, 0, 0);

		if (get_int(r, v, "nr", 0, INT32_MAX, 0, &x) < 0 ||
		    get_str(r, v, "name", 1, &t->syscall_name) < 0 || !args)
			return -EINVAL;
		t->syscall = (long)x;
		if (json_array_size(args) != 6)
			return fail(r, "\"args\" must hold 6 values");
		for (i = 0; i < 6; i++) {
			json_t *one = json_object();

			json_object_set(one, "arg", json_array_get(args, i));
			x = get_hex(r, one, "arg", &t->syscall_args[i]);
			json_decref(one);
			if (x < 0)
				return -EINVAL;
		}
	}
	if (get_int(r, o, "cpu_user_ns", 0, INT64_MAX, 0, &x) < 0)
		return -EINVAL;
	t->utime_ns = (uint64_t)x;
	if (get_int(r, o, "cpu_system_ns", 0, INT64_MAX, 0, &x) < 0)
		return -EINVAL;
	t->stime_ns = (uint64_t)x;
	v = json_object_get(o, "go_state");
	if (v) {
		for (i = 1; i < sizeof(roles) / sizeof(roles[0]); i++)
			if (json_is_string(v) &&
			    !strcmp(json_string_value(v), roles[i]))
				break;
		if (i == sizeof(roles) / sizeof(roles[0]))
			return fail(r, "unknown \"go_state\"");
		t->go_role = (int)i;
	}
	fr = member(r, o, "frames", JSON_ARRAY, 0, 0);
	if (!fr)
		return -EINVAL;
	n = json_array_size(fr);
	t->nframes = xcalloc(n + 1, sizeof(*t->nframes));
	for (i = 0; i < n; i++) {
		json_t *f = json_array_get(fr, i);
		struct snap_nframe *nf = &t->nframes[t->nnframes];

		if (!json_is_object(f))
			return fail(r, "frames[%zu]: expected an object", i);
		if (json_is_true(json_object_get(f, "go"))) {
			/* Go frames: those of the goroutine it runs. */
			t->go_nframes++;
			continue;
		}
		if (t->go_nframes)
			return fail(r, "frames[%zu]: native after Go frames", i);
		if (get_hex(r, f, "pc", &nf->pc) < 0 ||
		    get_str(r, f, "func", 1, &nf->func) < 0 ||
		    get_str(r, f, "file", 1, &nf->file) < 0 ||
		    get_str(r, f, "module", 1, &nf->module) < 0 ||
		    get_int(r, f, "line", INT32_MIN, INT32_MAX, 1, &x) < 0 ||
		    get_bool(r, f, "inlined", 1, &b) < 0)
			return -EINVAL;
		nf->line = x < INT32_MIN ? 0 : (int)x;
		nf->inlined = b;
		if (json_object_get(f, "offset") &&
		    get_hex(r, f, "offset", &nf->offset) < 0)
			return -EINVAL;
		t->nnframes++;
	}
	if (get_bool(r, o, "truncated", 1, &b) < 0)
		return -EINVAL;
	t->truncated = b;
	if (get_str(r, o, "unwind_error", 1, &t->unwind_error) < 0)
		return -EINVAL;
	return 0;
}

/* Go frames of a thread are those of the goroutine it runs. */
static int link_threads(struct reader *r)
{
	size_t i, k;

	for (i = 0; i < r->s->nthreads; i++) {
		struct snap_thread *t = &r->s->threads[i];

		if (!t->go_nframes)
			continue;
		snprintf(r->path, sizeof(r->path), "threads[%zu]", i);
		for (k = 0; k < r->s->ngs; k++)
			if (r->s->gs[k].goid == t->curg_goid)
				break;
		if (k == r->s->ngs || r->s->gs[k].nframes < t->go_nframes)
			return fail(r, "Go frames of a goroutine not in the "
				    "snapshot");
		t->go_g = k;
	}
	return 0;
}

static int read_threads(struct reader *r, json_t *a)
{
	size_t i, n = json_array_size(a);

	r->s->threads = xcalloc(n + 1, sizeof(*r->s->threads));
	for (i = 0; i < n; i++) {
		struct snap_thread *t = &r->s->threads[i];
		json_t *o = json_array_get(a, i);
		int64_t v;

		snprintf(r->path, sizeof(r->path), "threads[%zu]", i);
		if (!json_is_object(o))
			return fail(r, "expected an object");
		if (get_int(r, o, "tid", 0, INT32_MAX, 0, &v) < 0)
			return -EINVAL;
		t->tid = (int)v;
		t->stopped = 1;
		if (get_hex(r, o, "pc", &t->pc) < 0 ||
		    get_hex(r, o, "sp", &t->sp) < 0 ||
		    get_int(r, o, "m", 0, INT64_MAX, 1, &v) < 0)
			return -EINVAL;
		t->m_id = v;
		if (get_int(r, o, "goroutine", 1, INT64_MAX, 1, &v) < 0)
			return -EINVAL;
		t->curg_goid = v > 0 ? (uint64_t)v : 0;
		r->s->nthreads++;
		if (json_object_get(o, "name") && read_native(r, o, t) < 0)
			return -EINVAL;
	}
	return 0;
}

static int read_frame(struct reader *r, json_t *o, struct snap_frame *f)
{
	int64_t v;
	int b;

	if (!json_is_object(o))
		return fail(r, "expected an object");
	if (get_str(r, o, "func", 1, &f->func) < 0 ||
	    get_str(r, o, "file", 1, &f->file) < 0 ||
	    get_int(r, o, "line", INT32_MIN, INT32_MAX, 0, &v) < 0)
		return -EINVAL;
	if (!f->func)
		f->func = snap_intern(r->s, "?");
	if (!f->file)
		f->file = snap_intern(r->s, "?");
	f->line = (int)v;
	if (get_hex(r, o, "pc", &f->pc) < 0 ||
	    get_hex(r, o, "entry", &f->entry) < 0)
		return -EINVAL;
	if (json_object_get(o, "line_pc") &&
	    get_hex(r, o, "line_pc", &f->lpc) < 0)
		return -EINVAL;
	if (json_object_get(o, "args") && get_args(r, o, &f->args) < 0)
		return -EINVAL;
	if (get_bool(r, o, "inlined", 1, &b) < 0)
		return -EINVAL;
	f->inlined = b;
	if (get_bool(r, o, "runtime", 1, &b) < 0)
		return -EINVAL;
	f->flags |= b ? SNAP_FRAME_RUNTIME : 0;
	if (get_bool(r, o, "wrapper", 1, &b) < 0)
		return -EINVAL;
	f->flags |= b ? SNAP_FRAME_WRAPPER : 0;
	if (get_bool(r, o, "unknown", 1, &b) < 0)
		return -EINVAL;
	f->flags |= b ? SNAP_FRAME_UNKNOWN : 0;
	return 0;
}

static int read_frames(struct reader *r, json_t *a)
{
	size_t i, n = json_array_size(a);

	r->frames = xcalloc(n + 1, sizeof(*r->frames));
	for (i = 0; i < n; i++) {
		snprintf(r->path, sizeof(r->path), "frames[%zu]", i);
		if (read_frame(r, json_array_get(a, i), &r->frames[i]) < 0)
			return -EINVAL;
		r->nframes++;
	}
	return 0;
}

static int read_stacks(struct reader *r, json_t *a)
{
	size_t i, j, n = json_array_size(a);

	r->stacks = xcalloc(n + 1, sizeof(*r->stacks));
	for (i = 0; i < n; i++) {
		json_t *st = json_array_get(a, i);
		size_t m;

		snprintf(r->path, sizeof(r->path), "stacks[%zu]", i);
		if (!json_is_array(st))
			return fail(r, "expected a list of frame indexes");
		m = json_array_size(st);
		r->stacks[i] = xcalloc(m + 1, sizeof(**r->stacks));
		r->nstacks++;
		r->stacks[i][0] = m;
		for (j = 0; j < m; j++) {
			json_t *x = json_array_get(st, j);

			if (!json_is_integer(x) || json_integer_value(x) < 0 ||
			    (uint64_t)json_integer_value(x) >= r->nframes)
				return fail(r, "frame index %zu out of range",
					    j);
			r->stacks[i][j + 1] = (size_t)json_integer_value(x);
		}
	}
	return 0;
}

static int read_shape(struct reader *r, json_t *o, struct snap_goroutine *g)
{
	const char *st;
	json_t *v, *lab;
	int64_t x;
	int b;

	if (!json_is_object(o))
		return fail(r, "expected an object");
	if (get_str(r, o, "status", 0, &st) < 0)
		return -EINVAL;
	if (status_value(st, &g->status) < 0)
		return fail(r, "unknown status '%s'", st);
	if (get_str(r, o, "state", 1, &g->status_str) < 0)
		return -EINVAL;
	if (!g->status_str)
		g->status_str = snap_intern(r->s, "?");
	v = json_object_get(o, "wait_reason");
	if (v) {
		if (!json_is_string(v) && !json_is_null(v))
			return fail(r, "\"wait_reason\" has the wrong type");
		/* The raw value is not kept; only that there is one. */
		g->waitreason = -1;
	}
	if (get_bool(r, o, "wait_stamped", 0, &b) < 0)
		return -EINVAL;
	g->waitsince = b;
	if (get_str(r, o, "start_func", 1, &g->start_func) < 0)
		return -EINVAL;
	v = json_object_get(o, "created_by");
	if (v) {
		struct snap_frame *c = &g->creator;

		if (!json_is_object(v))
			return fail(r, "\"created_by\" has the wrong type");
		if (get_str(r, v, "func", 1, &c->func) < 0 ||
		    get_str(r, v, "file", 1, &c->file) < 0 ||
		    get_int(r, v, "line", INT32_MIN, INT32_MAX, 0, &x) < 0 ||
		    get_hex(r, v, "pc", &c->pc) < 0 ||
		    get_hex(r, v, "entry", &c->entry) < 0)
			return -EINVAL;
		if (!c->func)
			c->func = snap_intern(r->s, "?");
		if (!c->file)
			c->file = snap_intern(r->s, "?");
		c->line = (int)x;
		g->has_creator = 1;
	}
	if (get_bool(r, o, "locked_to_thread", 0, &b) < 0)
		return -EINVAL;
	g->locked = b;
	if (get_int(r, o, "tid", 1, INT32_MAX, 1, &x) < 0)
		return -EINVAL;
	g->tid = x > 0 ? (int)x : 0;
	if (get_bool(r, o, "system", 0, &b) < 0)
		return -EINVAL;
	g->system = b;
	if (get_bool(r, o, "scan", 1, &b) < 0)
		return -EINVAL;
	g->scan = b;
	if (get_bool(r, o, "frames_elided", 1, &b) < 0)
		return -EINVAL;
	g->frames_elided = b;
	lab = member(r, o, "labels", JSON_OBJECT, 0, 0);
	if (!lab)
		return -EINVAL;
	if (json_object_size(lab)) {
		const char *k;
		json_t *val;

		g->labels = xcalloc(json_object_size(lab),
				    sizeof(*g->labels));
		json_object_foreach(lab, k, val) {
			if (!json_is_string(val))
				return fail(r, "label '%s' is not a string", k);
			g->labels[g->nlabels].key = snap_intern(r->s, k);
			g->labels[g->nlabels++].value =
				snap_intern(r->s, json_string_value(val));
		}
	}
	if (get_int(r, o, "stack", 0, INT64_MAX, 0, &x) < 0)
		return -EINVAL;
	if ((uint64_t)x >= r->nstacks)
		return fail(r, "stack index out of range");
	g->nphys = (size_t)x;	/* the stack index, until rows are read */
	v = json_object_get(o, "unwind_error");
	if (v && get_str(r, o, "unwind_error", 1, &g->unwind_error) < 0)
		return -EINVAL;
	g->changed = g->unwind_error &&
		     !strcmp(g->unwind_error, SNAP_CHANGED_DURING_CAPTURE);
	v = member(r, o, "blocked_on", JSON_ARRAY, 0, 1);
	if (!v && json_object_get(o, "blocked_on"))
		return -EINVAL;
	return v ? read_waits(r, v, g) : 0;
}

/* [[object index, "recv" | "send" | null], ...] */
static int read_waits(struct reader *r, json_t *a, struct snap_goroutine *g)
{
	size_t i, n = json_array_size(a);

	if (n > r->s->nobjects || n > r->budget)
		return fail(r, "\"blocked_on\" names too many objects");
	r->budget -= n;
	g->waits = xcalloc(n + 1, sizeof(*g->waits));
	for (i = 0; i < n; i++) {
		json_t *w = json_array_get(a, i), *x, *d;

		if (!json_is_array(w) || json_array_size(w) != 2)
			return fail(r, "\"blocked_on\" expects [object, "
				    "direction]");
		x = json_array_get(w, 0);
		d = json_array_get(w, 1);
		if (!json_is_integer(x) || json_integer_value(x) < 0 ||
		    (uint64_t)json_integer_value(x) >= r->s->nobjects)
			return fail(r, "object index out of range");
		g->waits[i].obj = (size_t)json_integer_value(x);
		if (json_is_null(d))
			g->waits[i].dir = SNAP_DIR_NONE;
		else if (json_is_string(d) &&
			 !strcmp(json_string_value(d), "recv"))
			g->waits[i].dir = SNAP_DIR_RECV;
		else if (json_is_string(d) &&
			 !strcmp(json_string_value(d), "send"))
			g->waits[i].dir = SNAP_DIR_SEND;
		else
			return fail(r, "bad direction in \"blocked_on\"");
		g->nwaits++;
	}
	return 0;
}

static int read_objects(struct reader *r, json_t *a)
{
	size_t i, n = json_array_size(a);
	int64_t x;
	int b;

	if (n > r->budget)
		return fail(r, "too many objects");
	r->budget -= n;
	r->s->objects = xcalloc(n + 1, sizeof(*r->s->objects));
	for (i = 0; i < n; i++) {
		json_t *o = json_array_get(a, i);
		struct snap_object *ob = &r->s->objects[i];
		const char *kind;

		snprintf(r->path, sizeof(r->path), "objects[%zu]", i);
		if (!json_is_object(o))
			return fail(r, "expected an object");
		if (get_str(r, o, "kind", 0, &kind) < 0)
			return -EINVAL;
		ob->kind = snap_object_kind_value(kind);
		if (ob->kind < 0)
			return fail(r, "unknown kind '%s'", kind);
		if (get_hex(r, o, "addr", &ob->addr) < 0 ||
		    get_str(r, o, "type", 1, &ob->type) < 0 ||
		    get_str(r, o, "symbol", 1, &ob->symbol) < 0 ||
		    get_bool(r, o, "closed", 0, &b) < 0)
			return -EINVAL;
		ob->closed = b;
		if (get_int(r, o, "len", 0, INT64_MAX, 1, &ob->len) < 0 ||
		    get_int(r, o, "cap", 0, INT64_MAX, 1, &ob->cap) < 0 ||
		    get_int(r, o, "receivers", 0, INT64_MAX, 1,
			    &ob->receivers) < 0 ||
		    get_int(r, o, "senders", 0, INT64_MAX, 1,
			    &ob->senders) < 0 ||
		    get_int(r, o, "fd", 0, INT32_MAX, 1, &x) < 0)
			return -EINVAL;
		ob->fd = (int)x;
		r->s->nobjects++;
	}
	return 0;
}

static int read_shapes(struct reader *r, json_t *a)
{
	size_t i, n = json_array_size(a);

	r->shapes = xcalloc(n + 1, sizeof(*r->shapes));
	for (i = 0; i < n; i++) {
		snprintf(r->path, sizeof(r->path), "shapes[%zu]", i);
		r->nshapes++;
		if (read_shape(r, json_array_get(a, i), &r->shapes[i]) < 0)
			return -EINVAL;
	}
	return 0;
}

/* {"first_seen": unix ns, "born_after": unix ns}, both optional. */
static int read_age(struct reader *r, json_t *o, struct snap_goroutine *g)
{
	int64_t v;

	if (json_object_get(o, "first_seen")) {
		if (get_int(r, o, "first_seen", 1, INT64_MAX, 0, &v) < 0)
			return -EINVAL;
		g->first_seen_ns = v;
	}
	if (json_object_get(o, "born_after")) {
		if (get_int(r, o, "born_after", 1, INT64_MAX, 0, &v) < 0)
			return -EINVAL;
		g->born_after_ns = v;
	}
	if (g->born_after_ns && g->first_seen_ns &&
	    g->born_after_ns >= g->first_seen_ns)
		return fail(r, "born_after is not before first_seen");
	return 0;
}

static int read_goroutines(struct reader *r, json_t *a)
{
	size_t i, j, n = json_array_size(a);

	r->s->gs = xcalloc(n + 1, sizeof(*r->s->gs));
	for (i = 0; i < n; i++) {
		json_t *row = json_array_get(a, i), *x[7], *args = NULL;
		json_t *age = NULL;
		struct snap_goroutine *g = &r->s->gs[i];
		const struct snap_goroutine *sh;
		const size_t *st;
		unsigned int phys = 0;

		snprintf(r->path, sizeof(r->path), "goroutines[%zu]", i);
		if (!json_is_array(row) || json_array_size(row) < 4 ||
		    json_array_size(row) > 7)
			return fail(r, "expected [id, shape, wait_ns, parent]");
		for (j = 0; j < 7; j++)
			x[j] = json_array_get(row, j);
		/* The last cell, when an object: the honest age; then, when
		 * an array: the frames' arguments. */
		j = json_array_size(row) - 1;
		if (j >= 4 && json_is_object(x[j])) {
			age = x[j];
			x[j--] = NULL;
		}
		if (j >= 4 && json_is_array(x[j])) {
			args = x[j];
			x[j] = NULL;
		}
		if (x[5] || x[6])
			return fail(r, "expected [id, shape, wait_ns, parent]");
		/* A fifth cell: how many identical goroutines the row
		 * stands for (from a debug=1 profile). */
		if (x[4] && (!json_is_integer(x[4]) ||
			     json_integer_value(x[4]) < 1 ||
			     json_integer_value(x[4]) >
				     PARSE_JSON_MAX_WEIGHT))
			return fail(r, "goroutine weight out of range");
		if (!json_is_integer(x[0]) || json_integer_value(x[0]) < 0 ||
		    !json_is_integer(x[1]) || json_integer_value(x[1]) < 0 ||
		    (uint64_t)json_integer_value(x[1]) >= r->nshapes ||
		    !(json_is_null(x[2]) || (json_is_integer(x[2]) &&
					     json_integer_value(x[2]) >= 0)) ||
		    !(json_is_null(x[3]) || (json_is_integer(x[3]) &&
					     json_integer_value(x[3]) > 0)))
			return fail(r, "expected [id, shape, wait_ns, parent]"
				    " with a valid shape index");
		sh = &r->shapes[json_integer_value(x[1])];
		st = r->stacks[sh->nphys];
		if (r->budget < st[0] + sh->nlabels)
			return fail(r, "too many frames in total");
		r->budget -= st[0] + sh->nlabels;
		*g = *sh;
		g->goid = (uint64_t)json_integer_value(x[0]);
		g->weight = x[4] ? (uint64_t)json_integer_value(x[4]) : 0;
		g->wait_ns = json_is_null(x[2]) ? -1 : json_integer_value(x[2]);
		g->parent_goid = json_is_null(x[3])
					 ? 0 : (uint64_t)json_integer_value(x[3]);
		if (age && read_age(r, age, g) < 0)
			return -EINVAL;
		g->waits = NULL;
		if (sh->nwaits) {
			if (r->budget < sh->nwaits)
				return fail(r, "too many objects in total");
			r->budget -= sh->nwaits;
			g->waits = xcalloc(sh->nwaits, sizeof(*g->waits));
			memcpy(g->waits, sh->waits,
			       sh->nwaits * sizeof(*g->waits));
		}
		g->labels = NULL;
		if (sh->nlabels) {
			g->labels = xcalloc(sh->nlabels, sizeof(*g->labels));
			memcpy(g->labels, sh->labels,
			       sh->nlabels * sizeof(*g->labels));
		}
		g->nframes = st[0];
		g->frames = xcalloc(st[0] + 1, sizeof(*g->frames));
		for (j = 0; j < st[0]; j++) {
			g->frames[j] = r->frames[st[j + 1]];
			g->frames[j].phys = phys;
			if (!g->frames[j].inlined)
				phys++;
		}
		g->nphys = phys;
		r->s->ngs++;	/* its frames belong to the snapshot now */
		if (args && read_args(r, args, g) < 0)
			return -EINVAL;
	}
	return 0;
}

int parse_json_snapshot(const char *buf, size_t len, struct snap **out,
			struct err *e)
{
	struct reader r;
	json_error_t jerr;
	json_t *root, *v;
	const char *schema;
	size_t i;
	int ret = -EINVAL;

	memset(&r, 0, sizeof(r));
	r.e = e;
	r.budget = COPY_BUDGET_BASE + 4 * (uint64_t)len;
	root = json_loadb(buf, len, JSON_REJECT_DUPLICATES, &jerr);
	if (!root)
		return err_set(e, EINVAL, "line %d, column %d: %s", jerr.line,
			       jerr.column, jerr.text);
	r.s = snap_new();
	if (!json_is_object(root)) {
		fail(&r, "expected a JSON object");
		goto out;
	}
	v = json_object_get(root, "schema");
	schema = json_is_string(v) ? json_string_value(v) : NULL;
	if (!schema || strcmp(schema, FMT_JSON_SCHEMA)) {
		err_set(e, EINVAL, "not a goscope snapshot: schema is '%s', "
			"expected '%s'", schema ? schema : "(none)",
			FMT_JSON_SCHEMA);
		goto out;
	}
	if (!(v = member(&r, root, "capture", JSON_OBJECT, 0, 0)) ||
	    read_capture(&r, v) < 0)
		goto out;
	r.path[0] = '\0';
	if (!(v = member(&r, root, "threads", JSON_ARRAY, 0, 0)) ||
	    read_threads(&r, v) < 0)
		goto out;
	r.path[0] = '\0';
	if (!(v = member(&r, root, "frames", JSON_ARRAY, 0, 0)) ||
	    read_frames(&r, v) < 0)
		goto out;
	r.path[0] = '\0';
	if (!(v = member(&r, root, "stacks", JSON_ARRAY, 0, 0)) ||
	    read_stacks(&r, v) < 0)
		goto out;
	r.path[0] = '\0';
	v = member(&r, root, "objects", JSON_ARRAY, 0, 1);
	if ((!v && json_object_get(root, "objects")) ||
	    (v && read_objects(&r, v) < 0))
		goto out;
	r.path[0] = '\0';
	if (!(v = member(&r, root, "shapes", JSON_ARRAY, 0, 0)) ||
	    read_shapes(&r, v) < 0)
		goto out;
	r.path[0] = '\0';
	if (!(v = member(&r, root, "goroutines", JSON_ARRAY, 0, 0)) ||
	    read_goroutines(&r, v) < 0 || link_threads(&r) < 0)
		goto out;
	ret = 0;
out:
	for (i = 0; i < r.nshapes; i++) {
		free(r.shapes[i].labels);
		free(r.shapes[i].waits);
	}
	free(r.shapes);
	for (i = 0; i < r.nstacks; i++)
		free(r.stacks[i]);
	free(r.stacks);
	free(r.frames);
	json_decref(root);
	if (ret < 0) {
		snap_free(r.s);
		return ret;
	}
	*out = r.s;
	return 0;
}
