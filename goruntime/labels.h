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

#endif
