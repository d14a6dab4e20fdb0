/* Unit tests for gort_layout_check: every offset is checked against its struct. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "goruntime/layout.h"
#include "lib/compiler.h"
#include "lib/banned.h"

static const struct {
	const char *field, *name;
	size_t off, size;
} fields[] = {
#define X(f, n) { #f, n, offsetof(struct gort_layout, f),                \
		  sizeof(((struct gort_layout *)0)->f) },
	GORT_LAYOUT_FIELDS(X)
#undef X
};

static void test_tables_pass(void **state);
static void test_issue_probe(void **state);
static void test_every_offset(void **state);
static void test_sizes(void **state);

/* Every measured table fits its own struct sizes. */
static void test_tables_pass(void **state)
{
	struct err e;
	size_t i;

	(void)state;
	assert_true(gort_ntables > 0);
	for (i = 0; i < gort_ntables; i++) {
		err_init(&e);
		if (gort_layout_check(&gort_tables[i].l, &e) < 0)
			fail_msg("table go1.%d: %s", gort_tables[i].minor,
				 e.msg);
	}
}

/* sizeof(g) = 64 with g.goid at 2000: refused, naming the field. */
static void test_issue_probe(void **state)
{
	struct gort_layout l = gort_tables[gort_ntables - 1].l;
	struct err e;

	(void)state;
	l.g_size = 64;
	l.g_goid = 2000;
	err_init(&e);
	assert_int_equal(gort_layout_check(&l, &e), -EINVAL);
	assert_non_null(strstr(e.msg, "sizeof(g)"));
}

/*
 * Each offset of the list (a long that is not a size) whose struct has a
 * size in the list is checked: moved past the end of its struct, to its
 * last byte, or below 0, it is refused.  (Fields of structs without a
 * size, such as _type.str, are read with their own bounds.)
 */
static void test_every_offset(void **state)
{
	const struct gort_layout *base = &gort_tables[gort_ntables - 1].l;
	size_t i, nchecked = 0;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(fields); i++) {
		struct gort_layout l = *base;
		long past = 1L << 19, last;
		size_t size = 0, j, plen = strcspn(fields[i].field, "_");
		struct err e;

		if (fields[i].size != sizeof(long) ||
		    !strcmp(fields[i].field + plen, "_size"))
			continue;
		for (j = 0; j < ARRAY_SIZE(fields); j++)
			if (!strncmp(fields[j].field, fields[i].field,
				     plen + 1) &&
			    !strcmp(fields[j].field + plen, "_size"))
				memcpy(&size, (char *)&l + fields[j].off,
				       sizeof(size));
		if (!size)
			continue;
		memcpy((char *)&l + fields[i].off, &past, sizeof(past));
		err_init(&e);
		if (gort_layout_check(&l, &e) != -EINVAL)
			fail_msg("%s past the struct was accepted",
				 fields[i].name);
		assert_non_null(strstr(e.msg, fields[i].name));
		last = (long)size - 1;
		memcpy((char *)&l + fields[i].off, &last, sizeof(last));
		/* one-byte fields fit on the last byte */
		if (strcmp(fields[i].field, "g_waitreason") &&
		    strcmp(fields[i].field, "g_trackingseq") &&
		    gort_layout_check(&l, &e) != -EINVAL)
			fail_msg("%s on the last byte was accepted",
				 fields[i].name);
		last = -5;
		memcpy((char *)&l + fields[i].off, &last, sizeof(last));
		if (gort_layout_check(&l, &e) != -EINVAL)
			fail_msg("%s negative was accepted", fields[i].name);
		nchecked++;
	}
	assert_true(nchecked >= 27);
}

static void test_sizes(void **state)
{
	struct gort_layout l = gort_tables[gort_ntables - 1].l;
	struct err e;

	(void)state;
	l.m_size = (size_t)1 << 30;
	err_init(&e);
	assert_int_equal(gort_layout_check(&l, &e), -EINVAL);
	assert_non_null(strstr(e.msg, "sizeof(m)"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tables_pass),
		cmocka_unit_test(test_issue_probe),
		cmocka_unit_test(test_every_offset),
		cmocka_unit_test(test_sizes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
