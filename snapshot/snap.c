/* Snapshot lifetime and string interning. */
#include <stdlib.h>
#include <string.h>

#include "snapshot/snap.h"
#include "lib/intern.h"
#include "lib/strbuf.h"
#include "lib/xmalloc.h"
#include "lib/banned.h"

struct snap_arena {
	struct intern strings;
};

const char *snap_intern(struct snap *s, const char *str)
{
	return intern_str(&s->arena->strings, str);
}

const char *snap_strdup(struct snap *s, const char *str, size_t len)
{
	if (!str)
		return NULL;
	return arena_memdupz(&s->arena->strings.arena, str, len);
}

void *snap_alloc(struct snap *s, size_t size)
{
	return arena_alloc(&s->arena->strings.arena, size);
}

struct snap *snap_new(void)
{
	struct snap *s = xcalloc(1, sizeof(*s));

	s->arena = xcalloc(1, sizeof(*s->arena));
	intern_init(&s->arena->strings);
	return s;
}

static const char *const object_kinds[] = {
	[SNAP_OBJ_CHAN] = "chan", [SNAP_OBJ_NILCHAN] = "nil chan",
	[SNAP_OBJ_SEMA] = "sema", [SNAP_OBJ_COND] = "cond",
	[SNAP_OBJ_FD] = "fd",
};

const char *snap_object_kind_name(int kind)
{
	if (kind <= 0 || kind > SNAP_OBJ_FD)
		return "?";
	return object_kinds[kind];
}

int snap_object_kind_value(const char *name)
{
	int k;

	for (k = SNAP_OBJ_CHAN; k <= SNAP_OBJ_FD; k++)
		if (!strcmp(name, object_kinds[k]))
			return k;
	return -1;
}

void snap_free(struct snap *s)
{
	size_t i;

	if (!s)
		return;
	for (i = 0; i < s->ngs; i++) {
		if (!s->gs_in_arena) {
			free(s->gs[i].frames);
			free(s->gs[i].labels);
		}
		free(s->gs[i].waits);
	}
	free(s->gs);
	free(s->objects);
	for (i = 0; i < s->nthreads; i++)
		free(s->threads[i].nframes);
	free(s->threads);
	intern_release(&s->arena->strings);
	free(s->arena);
	free(s->exe);
	free(s->go_version);
	free(s->layout_source);
	free(s);
}

uint64_t snap_total(const struct snap *s)
{
	uint64_t n = 0;
	size_t i;

	for (i = 0; i < s->ngs; i++)
		n += snap_g_weight(&s->gs[i]);
	return n;
}

size_t snap_problems(const struct snap *s, struct strbuf *out)
{
	size_t n = 0;

	if (s->resume_error) {
		strbuf_addf(out, "%s\n", s->resume_error);
		n++;
	}
	if (s->nunstopped) {
		strbuf_addf(out, "process %d: partial capture: %zu thread%s "
			    "not stopped (%s)", (int)s->pid, s->nunstopped,
			    s->nunstopped == 1 ? " was" : "s were",
			    s->unstopped ? s->unstopped : "?");
		if (s->go_version)
			strbuf_addf(out, "; the goroutine%s on %s may be shown "
				    "out of date", s->nunstopped == 1 ? "" : "s",
				    s->nunstopped == 1 ? "it" : "them");
		strbuf_addc(out, '\n');
		n++;
	}
	return n;
}
