/* Times reading, writing, grouping and diffing snapshot files (benchmark driver). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "snapshot/diff.h"
#include "format/fmt_json.h"
#include "snapshot/group.h"
#include "capture/load.h"
#include "lib/strbuf.h"
#include "lib/banned.h"

#define RUNS 5

static double now_ms(void);
static int cmp_double(const void *a, const void *b);
static double median(double *v, size_t n);
static struct snap *load(const char *path, double *ms);

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int cmp_double(const void *a, const void *b)
{
	const double *x = a, *y = b;

	return *x < *y ? -1 : *x > *y;
}

static double median(double *v, size_t n)
{
	qsort(v, n, sizeof(*v), cmp_double);
	return v[(n - 1) / 2];
}

static struct snap *load(const char *path, double *ms)
{
	struct snap *s;
	struct err e;
	double t0 = now_ms();

	err_init(&e);
	if (load_file(path, &s, NULL, &e) < 0) {
		fprintf(stderr, "snapbench: %s\n", e.msg);
		exit(1);
	}
	*ms = now_ms() - t0;
	return s;
}

int main(int argc, char **argv)
{
	static const enum group_level levels[] = {
		GROUP_EXACT, GROUP_LINES, GROUP_FUNCTIONS,
	};
	double t[RUNS], t0;
	struct snap *a, *b;
	size_t i, l, bytes = 0;

	if (argc != 2 && argc != 3) {
		fprintf(stderr, "usage: snapbench OLD.json [NEW.json]\n");
		return 2;
	}
	for (i = 0; i < RUNS; i++) {
		a = load(argv[1], &t[i]);
		if (i + 1 < RUNS)
			snap_free(a);
	}
	printf("read %zu goroutines: %.1f ms\n", a->ngs, median(t, RUNS));
	for (i = 0; i < RUNS; i++) {
		struct strbuf sb;

		strbuf_init(&sb);
		t0 = now_ms();
		fmt_json_snapshot(a, &sb);
		t[i] = now_ms() - t0;
		bytes = sb.len;
		strbuf_release(&sb);
	}
	printf("write json (%zu bytes): %.1f ms\n", bytes, median(t, RUNS));
	for (l = 0; l < 3; l++) {
		size_t ngroups = 0;

		for (i = 0; i < RUNS; i++) {
			struct grouping gr;

			t0 = now_ms();
			group_snap(a, levels[l], 0, NULL, &gr);
			group_sort(&gr, GROUP_SORT_COUNT);
			t[i] = now_ms() - t0;
			ngroups = gr.ngroups;
			grouping_release(&gr);
		}
		printf("group --level=%s (%zu groups): %.1f ms\n",
		       group_level_name(levels[l]), ngroups, median(t, RUNS));
	}
	b = load(argc == 3 ? argv[2] : argv[1], &t0);
	for (i = 0; i < RUNS; i++) {
		struct diff d;

		t0 = now_ms();
		diff_snaps(a, b, GROUP_LINES, 0, &d);
		t[i] = now_ms() - t0;
		diff_release(&d);
	}
	printf("diff (%zu vs %zu goroutines): %.1f ms\n", a->ngs, b->ngs,
	       median(t, RUNS));
	snap_free(a);
	snap_free(b);
	return 0;
}
