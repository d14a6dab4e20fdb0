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
struct batch;
struct rawset;
static void batch_add(struct batch *b, size_t set, uint64_t addr,
		      void *buf, size_t len);
static void batch_run(struct memsrc *mem, struct batch *b);
static void batch_reset(struct batch *b);
static void bucket_pairs(struct rawset *rs, const unsigned char *b);
static void map_rounds(struct memsrc *mem, struct gort_labelset *sets,
		       struct rawset *rs, size_t n, struct batch *b);
static void slice_rounds(struct memsrc *mem, struct gort_labelset *sets,
			 struct rawset *rs, size_t n, struct batch *b);
static void string_round(struct memsrc *mem, struct gort_labelset *sets,
			 struct rawset *rs, size_t n, struct batch *b);

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
			for (k = 0; k < BUCKET_CNT && (uint64_t)n < count;
			     k++) {
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

/*
 * Batched reading of many label sets.  Each round collects one range per
 * set that still needs one and reads them all with one memsrc_readv, so
 * the cost is a handful of batched system calls however many sets there
 * are.  Every set first becomes an array of raw (key, value) string
 * headers, 32 bytes each; the last round reads all their strings.
 */
struct batch {
	struct memsrc_iov *iov;
	size_t *set;		/* which set each range belongs to */
	size_t n, alloc;
};

struct rawset {
	unsigned char *pairs;	/* npairs raw string-header pairs */
	size_t npairs, want;	/* want: pairs the map says it holds */
	uint64_t next;		/* address for the next round, 0: none */
	int err;
};

static void batch_add(struct batch *b, size_t set, uint64_t addr,
		      void *buf, size_t len)
{
	if (b->n == b->alloc) {
		b->alloc = b->alloc ? b->alloc * 2 : 64;
		b->iov = xreallocarray(b->iov, b->alloc, sizeof(*b->iov));
		b->set = xreallocarray(b->set, b->alloc, sizeof(*b->set));
	}
	b->iov[b->n].addr = addr;
	b->iov[b->n].buf = buf;
	b->iov[b->n].len = len;
	b->iov[b->n].ok = 0;
	b->set[b->n] = set;
	b->n++;
}

static void batch_run(struct memsrc *mem, struct batch *b)
{
	if (b->n)
		memsrc_readv(mem, b->iov, b->n);
}

/* Drops the ranges (not their buffers) for the next round. */
static void batch_reset(struct batch *b)
{
	b->n = 0;
}

/* Appends the occupied slots of one map bucket to rs->pairs. */
static void bucket_pairs(struct rawset *rs, const unsigned char *b)
{
	size_t k;

	for (k = 0; k < BUCKET_CNT && rs->npairs < rs->want; k++) {
		if (b[k] < TOPHASH_MIN)
			continue;
		memcpy(rs->pairs + rs->npairs * 32, b + 8 + k * 16, 16);
		memcpy(rs->pairs + rs->npairs * 32 + 16, b + 136 + k * 16, 16);
		rs->npairs++;
	}
}

/* <= 1.23: g.labels -> *labelMap -> hmap -> buckets (and overflows). */
static void map_rounds(struct memsrc *mem, struct gort_labelset *sets,
		       struct rawset *rs, size_t n, struct batch *b)
{
	unsigned char *buf;
	size_t i, j, chain;

	buf = xcalloc(n + 1, 48);
	for (i = 0; i < n; i++)
		batch_add(b, i, sets[i].addr, buf + i * 48, 8);
	batch_run(mem, b);
	for (j = 0; j < n; j++) {
		uint64_t p;

		memcpy(&p, buf + j * 48, 8);
		if (!b->iov[j].ok)
			rs[j].err = -EFAULT;
		else if (p)
			rs[j].next = p;
	}
	batch_reset(b);
	for (i = 0; i < n; i++)
		if (rs[i].next)
			batch_add(b, i, rs[i].next, buf + i * 48, 48);
	batch_run(mem, b);
	for (j = 0; j < b->n; j++) {
		const unsigned char *h = b->iov[j].buf;
		struct rawset *r = &rs[b->set[j]];
		uint64_t count, buckets;

		r->next = 0;
		if (!b->iov[j].ok) {
			r->err = -EFAULT;
			continue;
		}
		memcpy(&count, h + HMAP_COUNT, 8);
		memcpy(&buckets, h + HMAP_BUCKETS, 8);
		if (!count)
			continue;
		if (count > GORT_MAX_LABELS || h[HMAP_B] > MAX_B || !buckets) {
			r->err = -EINVAL;
			continue;
		}
		r->want = count;
		r->pairs = xmalloc((size_t)count * 32);
		/* All 2^B buckets are one array: one range. */
		r->next = buckets;
		r->npairs = (size_t)1 << h[HMAP_B];	/* buckets, for now */
	}
	free(buf);
	batch_reset(b);
	for (i = 0; i < n; i++) {
		if (!rs[i].next)
			continue;
		batch_add(b, i, rs[i].next,
			  xmalloc(rs[i].npairs * BUCKET_SIZE),
			  rs[i].npairs * BUCKET_SIZE);
		rs[i].npairs = 0;
		rs[i].next = 0;
	}
	/* Buckets, then up to 7 rounds of overflow buckets. */
	for (chain = 0; b->n && chain < 8; chain++) {
		struct batch more = { 0 };

		batch_run(mem, b);
		for (j = 0; j < b->n; j++) {
			struct rawset *r = &rs[b->set[j]];
			const unsigned char *bk = b->iov[j].buf;
			size_t nb = b->iov[j].len / BUCKET_SIZE, q;
			uint64_t ovf;

			if (!b->iov[j].ok) {
				r->err = -EFAULT;
				free(b->iov[j].buf);
				continue;
			}
			for (q = 0; q < nb; q++) {
				bucket_pairs(r, bk + q * BUCKET_SIZE);
				memcpy(&ovf, bk + (q + 1) * BUCKET_SIZE - 8, 8);
				if (ovf && r->npairs < r->want && chain < 7)
					batch_add(&more, b->set[j], ovf,
						  xmalloc(BUCKET_SIZE),
						  BUCKET_SIZE);
			}
			free(b->iov[j].buf);
		}
		free(b->iov);
		free(b->set);
		*b = more;
	}
	for (j = 0; j < b->n; j++)
		free(b->iov[j].buf);
	batch_reset(b);
}

/* 1.24+: g.labels -> labelMap{LabelSet{list []label}}. */
static void slice_rounds(struct memsrc *mem, struct gort_labelset *sets,
			 struct rawset *rs, size_t n, struct batch *b)
{
	uint64_t *hdr = xcalloc(n + 1, 3 * sizeof(uint64_t));
	size_t i, j;

	for (i = 0; i < n; i++)
		batch_add(b, i, sets[i].addr, hdr + i * 3, 24);
	batch_run(mem, b);
	for (j = 0; j < b->n; j++) {
		const uint64_t *h = hdr + j * 3;

		if (!b->iov[j].ok)
			rs[j].err = -EFAULT;
		else if (h[1] > GORT_MAX_LABELS || h[1] > h[2])
			rs[j].err = -EINVAL;
		else
			rs[j].want = (size_t)h[1];
	}
	batch_reset(b);
	for (i = 0; i < n; i++) {
		if (rs[i].err || !rs[i].want)
			continue;
		rs[i].pairs = xmalloc(rs[i].want * 32);
		batch_add(b, i, hdr[i * 3], rs[i].pairs, rs[i].want * 32);
	}
	batch_run(mem, b);
	for (j = 0; j < b->n; j++) {
		struct rawset *r = &rs[b->set[j]];

		if (b->iov[j].ok)
			r->npairs = r->want;
		else
			r->err = -EFAULT;
	}
	batch_reset(b);
	free(hdr);
}

/* The last round: every key and value string of every set at once. */
static void string_round(struct memsrc *mem, struct gort_labelset *sets,
			 struct rawset *rs, size_t n, struct batch *b)
{
	size_t i, j, k;

	for (i = 0; i < n; i++) {
		struct rawset *r = &rs[i];

		if (r->err || !r->npairs)
			continue;
		sets[i].labels = xcalloc(r->npairs, sizeof(*sets[i].labels));
		for (k = 0; k < r->npairs && !r->err; k++) {
			sets[i].n = (int)k + 1;
			for (j = 0; j < 2; j++) {
				const unsigned char *h =
					r->pairs + k * 32 + j * 16;
				uint64_t ptr, len;
				char *s;

				memcpy(&ptr, h, 8);
				memcpy(&len, h + 8, 8);
				if (len > GORT_MAX_LABEL_LEN) {
					r->err = -EINVAL;
					break;
				}
				s = xmalloc((size_t)len + 1);
				s[len] = '\0';
				if (j)
					sets[i].labels[k].value = s;
				else
					sets[i].labels[k].key = s;
				if (len)
					batch_add(b, i, ptr, s, (size_t)len);
			}
		}
	}
	batch_run(mem, b);
	for (j = 0; j < b->n; j++)
		if (!b->iov[j].ok)
			rs[b->set[j]].err = -EFAULT;
	batch_reset(b);
}

void gort_read_labelsets(struct memsrc *mem, int go_minor,
			 struct gort_labelset *sets, size_t n)
{
	struct rawset *rs = xcalloc(n + 1, sizeof(*rs));
	struct batch b = { 0 };
	size_t i;

	for (i = 0; i < n; i++) {
		sets[i].n = 0;
		sets[i].labels = NULL;
	}
	if (go_minor >= 24)
		slice_rounds(mem, sets, rs, n, &b);
	else
		map_rounds(mem, sets, rs, n, &b);
	string_round(mem, sets, rs, n, &b);
	for (i = 0; i < n; i++) {
		if (rs[i].err) {
			gort_labels_free(sets[i].labels, (size_t)sets[i].n);
			sets[i].labels = NULL;
			sets[i].n = rs[i].err;
		} else if (sets[i].n > 1) {
			qsort(sets[i].labels, (size_t)sets[i].n,
			      sizeof(*sets[i].labels), cmp_label);
		}
		free(rs[i].pairs);
	}
	free(b.iov);
	free(b.set);
	free(rs);
}

void gort_labelsets_release(struct gort_labelset *sets, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (sets[i].n > 0)
			gort_labels_free(sets[i].labels, (size_t)sets[i].n);
		sets[i].labels = NULL;
		sets[i].n = 0;
	}
}
