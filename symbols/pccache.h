/* Per-PC caches over a pclntab: goroutines share few distinct PCs. */
#ifndef GOSCOPE_SYMBOLS_PCCACHE_H
#define GOSCOPE_SYMBOLS_PCCACHE_H

#include <stddef.h>
#include <stdint.h>

#include "symbols/pclntab.h"

struct pccache;

/* A cache over t (borrowed: t must outlive the cache). */
struct pccache *pccache_new(const struct pclntab *t);
void pccache_free(struct pccache *c);

/*
 * The function containing pc (link-time) and the SP delta at pc.
 * Returns 0 with *f (valid while the cache lives) and *delta (-1 when the
 * pcsp table has no value), or -ENOENT.
 */
int pccache_func(struct pccache *c, uint64_t pc, const struct pcln_func **f,
		 int32_t *delta);

/*
 * The logical frames at lookup pc (link-time) inside f, innermost first.
 * Returns the count and *frames (valid while the cache lives), or a
 * negative errno.
 */
int pccache_frames(struct pccache *c, const struct pcln_func *f, uint64_t pc,
		   const struct pcln_frame **frames);

#endif
