/* Reading pprof label sets: the classic hash map (<= 1.23) and the slice (1.24+). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "goruntime/labels.h"
#include "lib/xmalloc.h"
#include "lib/banned.h"

/* Classic hmap and bucket of map[string]string on 64-bit targets. */
#define HMAP_COUNT 0
#define HMAP_B 9
#define HMAP_BUCKETS 16
#define BUCKET_CNT 8
#define BUCKET_SIZE (8 + 8 * 16 + 8 * 16 + 8)
#define TOPHASH_MIN 5	/* smaller tophash values mark empty slots */
#define MAX_B 4

static char *read_string(struct memsrc *mem, const unsigned char *hdr);
static int add(struct gort_label **out, int *n, char *k, char *v);
static int read_slice(struct memsrc *mem, uint64_t set,
		      struct gort_label **out);
static int read_map(struct memsrc *mem, uint64_t hmap,
		    struct gort_label **out);

static char *read_string(struct memsrc *mem, const unsigned char *hdr)
{
	uint64_t ptr, len;
	char *s;

	memcpy(&ptr, hdr, 8);
	memcpy(&len, hdr + 8, 8);
	if (len > GORT_MAX_LABEL_LEN)
		return NULL;
	s = xmalloc((size_t)len + 1);
	if (len && memsrc_read_full(mem, ptr, s, (size_t)len, NULL) < 0) {
		free(s);
		return NULL;
	}
	s[len] = '\0';
	return s;
}

static int add(struct gort_label **out, int *n, char *k, char *v)
{
	if (!k || !v || *n >= GORT_MAX_LABELS) {
		free(k);
		free(v);
		return -EINVAL;
	}
	*out = xreallocarray(*out, (size_t)*n + 1, sizeof(**out));
	(*out)[*n].key = k;
	(*out)[*n].value = v;
	(*n)++;
	return 0;
}

/* 1.24+: labels -> labelMap{LabelSet{list []label}}. */
static int read_slice(struct memsrc *mem, uint64_t set,
		      struct gort_label **out)
{
	uint64_t hdr[3];
	unsigned char *elems;
	int n = 0;
	size_t i;

	if (memsrc_read_full(mem, set, hdr, sizeof(hdr), NULL) < 0)
		return -EFAULT;
	if (hdr[1] > GORT_MAX_LABELS || hdr[1] > hdr[2])
		return -EINVAL;
	if (hdr[1] == 0)
		return 0;
	elems = xmalloc((size_t)hdr[1] * 32);
	if (memsrc_read_full(mem, hdr[0], elems, (size_t)hdr[1] * 32,
			     NULL) < 0) {
		free(elems);
		return -EFAULT;
	}
	for (i = 0; i < hdr[1]; i++)
		if (add(out, &n, read_string(mem, elems + i * 32),
			read_string(mem, elems + i * 32 + 16)) < 0)
			break;
	free(elems);
	return n;
}

/* <= 1.23: labels -> *labelMap -> hmap. */
static int read_map(struct memsrc *mem, uint64_t hmap,
		    struct gort_label **out)
{
	unsigned char h[48], b[BUCKET_SIZE];
	uint64_t count, buckets, nb, i, bucket;
	int n = 0, chain;
	size_t k;

	if (memsrc_read_full(mem, hmap, h, sizeof(h), NULL) < 0)
		return -EFAULT;
	memcpy(&count, h + HMAP_COUNT, 8);
	memcpy(&buckets, h + HMAP_BUCKETS, 8);
	if (count == 0)
		return 0;
	if (count > GORT_MAX_LABELS || h[HMAP_B] > MAX_B || !buckets)
		return -EINVAL;
	nb = 1ull << h[HMAP_B];
	for (i = 0; i < nb && (uint64_t)n < count; i++) {
		bucket = buckets + i * BUCKET_SIZE;
		for (chain = 0; bucket && chain < 8; chain++) {
			if (memsrc_read_full(mem, bucket, b, sizeof(b),
					     NULL) < 0)
				return n ? n : -EFAULT;
			for (k = 0; k < BUCKET_CNT; k++) {
				if (b[k] < TOPHASH_MIN)
					continue;
				if (add(out, &n,
					read_string(mem, b + 8 + k * 16),
					read_string(mem, b + 136 + k * 16)) < 0)
					return n;
			}
			memcpy(&bucket, b + BUCKET_SIZE - 8, 8);
		}
	}
	return n;
}

static int cmp_label(const void *a, const void *b)
{
	return strcmp(((const struct gort_label *)a)->key,
		      ((const struct gort_label *)b)->key);
}

int gort_read_labels(struct memsrc *mem, int go_minor, uint64_t labels,
		     struct gort_label **out)
{
	uint64_t p;
	int n;

	*out = NULL;
	if (!labels)
		return 0;
	if (go_minor >= 24) {
		n = read_slice(mem, labels, out);
	} else {
		if (memsrc_read_full(mem, labels, &p, sizeof(p), NULL) < 0)
			return -EFAULT;
		n = p ? read_map(mem, p, out) : 0;
	}
	if (n > 1)
		qsort(*out, (size_t)n, sizeof(**out), cmp_label);
	if (n <= 0 && *out) {
		free(*out);
		*out = NULL;
	}
	return n;
}

void gort_labels_free(struct gort_label *l, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(l[i].key);
		free(l[i].value);
	}
	free(l);
}
