/* Turning what the capture read about wait objects into snapshot objects. */
#ifndef GOSCOPE_SNAPSHOT_BLOCKED_H
#define GOSCOPE_SNAPSHOT_BLOCKED_H

#include <jansson.h>
#include <stdint.h>

#include "goruntime/waitobj.h"
#include "lib/strbuf.h"
#include "snapshot/snap.h"
#include "symbols/elfimage.h"

/*
 * Fills s->objects and each goroutine's waits from w, whose goroutine
 * indexes are those of s->gs.  img (may be NULL) names the global
 * variable holding a semaphore or Cond address (bias: the executable's
 * load bias).
 */
void blocked_build(struct snap *s, const struct gort_waits *w,
		   const struct elfimage *img, uint64_t bias);

/*
 * The runtime address of runtime.types, the base of type name offsets:
 * the symbol, else section .go.type (Go 1.27+), else .rodata (where the
 * linker starts the types before that); 0 when none is known.
 */
uint64_t blocked_types_base(const struct elfimage *img,
			    const struct gort_layout *l, uint64_t bias);

/*
 * One object in words: "chan struct {}  0xc000123400  len 0 cap 0
 * receivers 3 senders 0", "sema  0x6534c4 main.gmu+4", "fd 8", ...
 * Appends to out.
 */
void blocked_object_str(const struct snap_object *o, struct strbuf *out);

/*
 * What goroutine g waits on, for a detail line: the first object, with
 * its direction, and "+N more" for the other cases of a select; nothing
 * when g waits on no known object.  Appends to out.
 */
void blocked_goroutine_str(const struct snap *s,
			   const struct snap_goroutine *g, struct strbuf *out);

/*
 * What the goroutines s->gs[idx[0..n)] (a group's members) wait on, for
 * a detail line: the object most of them wait on first, how many of
 * them do, and how many other objects the others wait on, e.g.
 * "chan int  0xc000123400  len 0 cap 0  receivers 850 senders 0  (all
 * 850)"; nothing when none waits on a known object.  Appends to out.
 */
void blocked_group_str(const struct snap *s, const size_t *idx, size_t n,
		       struct strbuf *out);

/*
 * goscope groups --by=object: one entry per object that goroutines of s
 * wait on, most waiters first, with the number of those goroutines
 * (system goroutines only when all).  Text: one line per object, e.g.
 * "850  chan struct {}  0xc000123400  len 0 cap 0  receivers 850
 * senders 0"; json: {"schema": "goscope.objects/1", "objects": [...]}.
 * Appends to out.
 */
/*
 * Adds the fields of o to the JSON object x: kind, addr ("0x..."), type,
 * symbol, len, cap, closed, receivers, senders, fd (null when unknown).
 */
void blocked_object_json(json_t *x, const struct snap_object *o);

void blocked_fmt_objects(const struct snap *s, int all, int json,
			 struct strbuf *out);

#endif
