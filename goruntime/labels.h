/* pprof labels of a goroutine (g.labels), for every supported Go version. */
#ifndef GOSCOPE_GORUNTIME_LABELS_H
#define GOSCOPE_GORUNTIME_LABELS_H

#include <stddef.h>
#include <stdint.h>

#include "inspect/memsrc.h"

#define GORT_MAX_LABELS 64
#define GORT_MAX_LABEL_LEN 4096

struct gort_label {
	char *key;
	char *value;
};

/*
 * Reads the labels that g.labels (labels, a target address) points to:
 * a map[string]string up to Go 1.23, a sorted []label from Go 1.24 on.
 * Every count and length is bounded.  Returns the number of labels
 * stored in *out (caller frees with gort_labels_free), 0 when none, or a
 * negative errno when the memory could not be read or looks corrupted.
 */
int gort_read_labels(struct memsrc *mem, int go_minor, uint64_t labels,
		     struct gort_label **out);
void gort_labels_free(struct gort_label *l, size_t n);

/* One label set to read in a batch: g.labels and what was read there. */
struct gort_labelset {
	uint64_t addr;			/* g.labels (input) */
	int n;				/* labels read, or a negative errno */
	struct gort_label *labels;	/* n labels (owned, gort_labels_free) */
};

/*
 * Reads every set of sets[0, n) like gort_read_labels, but with a few
 * batched memsrc_readv rounds (set header, elements or map buckets, then
 * every string at once) whatever the number of sets, instead of one read
 * per string.  Fills n and labels of each set; the caller frees them with
 * gort_labelsets_release.
 */
void gort_read_labelsets(struct memsrc *mem, int go_minor,
			 struct gort_labelset *sets, size_t n);
void gort_labelsets_release(struct gort_labelset *sets, size_t n);

#endif
