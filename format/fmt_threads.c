/* Text rendering of threads with native stacks and their goroutines. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "inspect/taskinfo.h"
#include "format/fmt_threads.h"
#include "lib/banned.h"

static const char *base_name(const char *path);
static void add_arg(struct strbuf *out, uint64_t v);
static void header(const struct snap *s, const struct snap_thread *t,
		   struct strbuf *out);
static void native_frame(const struct snap_nframe *f, size_t i,
			 struct strbuf *out);
static void go_frame(const struct snap *s, const struct snap_frame *f,
		     size_t i, struct strbuf *out);

static const char *base_name(const char *path)
{
	const char *p = strrchr(path, '/');

	return p ? p + 1 : path;
}

/* Small numbers (fds, sizes, flags) in decimal, addresses in hex. */
static void add_arg(struct strbuf *out, uint64_t v)
{
	if (v < 0x10000)
		strbuf_addf(out, "%" PRIu64, v);
	else
		strbuf_addf(out, "0x%" PRIx64, v);
}

void fmt_threads_role(const struct snap_thread *t, char *buf, size_t size)
{
	long long m = (long long)t->m_id;
	unsigned long long g = (unsigned long long)t->curg_goid;

	switch (t->go_role) {
	case SNAP_GO_NO_M:
		snprintf(buf, size, "no M: not a Go thread");
		break;
	case SNAP_GO_IDLE:
		snprintf(buf, size, "idle M%lld", m);
		break;
	case SNAP_GO_RUNNING:
		snprintf(buf, size, "M%lld running goroutine %llu", m, g);
		break;
	case SNAP_GO_SYSCALL:
		snprintf(buf, size, "M%lld in syscall, goroutine %llu", m, g);
		break;
	case SNAP_GO_CGO:
		snprintf(buf, size, "M%lld in cgo call, goroutine %llu", m, g);
		break;
	default:
		buf[0] = '\0';
		break;
	}
}

static void header(const struct snap *s, const struct snap_thread *t,
		   struct strbuf *out)
{
	char role[96];
	int i;

	(void)s;
	strbuf_addf(out, "thread %d \"%s\"", t->tid, t->name ? t->name : "?");
	fmt_threads_role(t, role, sizeof(role));
	if (role[0])
		strbuf_addf(out, " [%s]", role);
	strbuf_addf(out, ": %s", t->state ? taskinfo_state_name(t->state)
					   : "gone");
	if (t->syscall >= 0) {
		if (t->syscall_name)
			strbuf_addf(out, " in %s(", t->syscall_name);
		else
			strbuf_addf(out, " in syscall_%ld(", t->syscall);
		for (i = 0; i < 3; i++) {
			if (i)
				strbuf_adds(out, ", ");
			add_arg(out, t->syscall_args[i]);
		}
		strbuf_adds(out, ")");
	}
	strbuf_addf(out, "; cpu %.3f s\n",
		    (double)(t->utime_ns + t->stime_ns) / 1e9);
}

static void native_frame(const struct snap_nframe *f, size_t i,
			 struct strbuf *out)
{
	strbuf_addf(out, "#%-3zu 0x%016" PRIx64 " %s", i, f->pc,
		    f->func ? f->func : "??");
	if (f->inlined)
		strbuf_adds(out, " [inlined]");
	else if (f->func)
		strbuf_addf(out, "+0x%" PRIx64, f->offset);
	if (f->module)
		strbuf_addf(out, " (%s)", base_name(f->module));
	if (f->file)
		strbuf_addf(out, " %s:%d", f->file, f->line);
	strbuf_addc(out, '\n');
}

static void go_frame(const struct snap *s, const struct snap_frame *f,
		     size_t i, struct strbuf *out)
{
	strbuf_addf(out, "#%-3zu 0x%016" PRIx64 " %s", i, f->pc,
		    f->func ? f->func : "??");
	if (f->inlined)
		strbuf_adds(out, " [inlined]");
	else if (f->pc >= f->entry)
		strbuf_addf(out, "+0x%" PRIx64, f->pc - f->entry);
	if (s->exe)
		strbuf_addf(out, " (%s)", base_name(s->exe));
	if (f->file)
		strbuf_addf(out, " %s:%d", f->file, f->line);
	strbuf_addc(out, '\n');
}

void fmt_threads_text(const struct snap *s, struct strbuf *out)
{
	size_t i, k, n;

	for (i = 0; i < s->nthreads; i++) {
		const struct snap_thread *t = &s->threads[i];

		if (i)
			strbuf_addc(out, '\n');
		header(s, t, out);
		for (k = 0; k < t->nnframes; k++)
			native_frame(&t->nframes[k], k, out);
		n = t->nnframes;
		if (t->go_nframes && t->go_g < s->ngs) {
			const struct snap_goroutine *g = &s->gs[t->go_g];

			strbuf_addf(out, "    goroutine %" PRIu64 " [%s]:\n",
				    g->goid, g->status_str ? g->status_str
							   : "?");
			for (k = 0; k < t->go_nframes && k < g->nframes; k++)
				go_frame(s, &g->frames[k], n + k, out);
		}
		if (t->truncated)
			strbuf_adds(out,
				    "    ... more frames (--max-frames)\n");
		if (t->unwind_error)
			strbuf_addf(out, "    (stack ends: %s)\n",
				    t->unwind_error);
	}
}
