/* genlayouts: writes and checks goruntime/layout_tables.c from real DWARF. */
/*
 * genlayouts emit BINARY...
 *	BINARY... are Go programs with DWARF, one per Go release, built by
 *	the toolchains to measure (tests/tools/genlayouts.sh builds them).
 *	Prints goruntime/layout_tables.c: for each release every field of
 *	struct gort_layout but the addresses (gort_layout_from_dwarf), and
 *	the text of runtime.waitReasonStrings read from the binary's data.
 *	For each release missing between two measured ones, the file says
 *	whether both neighbours are identical (then the gap uses them) or
 *	what differs (then the gap is refused).
 *
 * genlayouts check BINARY
 *	Measures BINARY the same way and compares the result with the table
 *	built into goscope for its release.  Prints "same go1.N" or the
 *	differences; exits 1 when they differ or no table exists.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buildinfo/elfinfo.h"
#include "goruntime/layout.h"
#include "lib/strbuf.h"
#include "lib/xmalloc.h"
#include "symbols/elfimage.h"
#include "lib/banned.h"

#define MAX_BINS 64
#define MAX_REASON 256
#define MAX_DIFF_NAMES 6

struct measured {
	char *version;
	int minor;
	struct gort_layout l;
	size_t n;
	char **names;
};

static int measure(const char *path, struct measured *m, struct err *e);
static void measured_release(struct measured *m);
static void put_string(struct strbuf *sb, const char *s);
static void put_reasons(struct strbuf *sb, int minor, size_t n,
			const char *const *names);
static void put_entry(struct strbuf *sb, int minor, const char *version,
		      const struct gort_layout *l, size_t n);
static void differences(const struct gort_layout *a, size_t na,
			const char *const *wa, const struct gort_layout *b,
			size_t nb, const char *const *wb, struct strbuf *out);
static int cmp_minor(const void *a, const void *b);
static int emit(int argc, char **argv);
static int check(const char *path);

static int measure(const char *path, struct measured *m, struct err *e)
{
	struct elfinfo info;
	struct elfgo go;
	struct elfimage *im;
	struct memsrc *mem;
	uint64_t hdr[2];
	size_t i;
	int r;

	memset(m, 0, sizeof(*m));
	r = elfinfo_read_file(path, &info, &go, e);
	if (r < 0)
		return r;
	elfinfo_release(&info);
	if (!go.found) {
		elfgo_release(&go);
		return err_set(e, ENOEXEC, "'%s' is not a Go program", path);
	}
	m->version = xstrdup(go.go.version);
	elfgo_release(&go);
	m->minor = gort_go_minor(m->version);
	r = gort_layout_from_dwarf(path, &m->l, e);
	if (r < 0)
		return r;
	m->l.go_minor = m->minor;
	if (!m->l.waitreason_strings || !m->l.nwaitreasons ||
	    m->l.nwaitreasons > 255)
		return err_set(e, ENODATA, "'%s': no runtime.waitReasonStrings",
			       path);
	r = elfimage_open(path, &im, e);
	if (r < 0)
		return r;
	mem = elfimage_mem(im);
	m->n = m->l.nwaitreasons;
	m->names = xcalloc(m->n, sizeof(*m->names));
	for (i = 0; i < m->n && r == 0; i++) {
		r = memsrc_read_full(mem, m->l.waitreason_strings + 16 * i,
				     hdr, sizeof(hdr), e);
		if (r == 0 && hdr[1] > MAX_REASON)
			r = err_set(e, EINVAL, "wait reason %zu too long", i);
		if (r == 0) {
			m->names[i] = xcalloc(1, (size_t)hdr[1] + 1);
			r = memsrc_read_full(mem, hdr[0], m->names[i],
					     (size_t)hdr[1], e);
		}
	}
	elfimage_free(im);
	if (r < 0)
		return err_prefix(e, "'%s': waitReasonStrings", path);
	return 0;
}

static void measured_release(struct measured *m)
{
	size_t i;

	for (i = 0; i < m->n; i++)
		free(m->names[i]);
	free(m->names);
	free(m->version);
	memset(m, 0, sizeof(*m));
}

static void put_string(struct strbuf *sb, const char *s)
{
	strbuf_addc(sb, '"');
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			strbuf_addf(sb, "\\%c", *s);
		else if (*s < 0x20 || *s > 0x7e)
			strbuf_addf(sb, "\\%03o", (unsigned char)*s);
		else
			strbuf_addc(sb, *s);
	}
	strbuf_addc(sb, '"');
}

static void put_reasons(struct strbuf *sb, int minor, size_t n,
			const char *const *names)
{
	size_t i;

	strbuf_addf(sb, "static const char *const wr%d[] = {\n", minor);
	for (i = 0; i < n; i++) {
		strbuf_adds(sb, "\t");
		put_string(sb, names[i]);
		strbuf_adds(sb, ",\n");
	}
	strbuf_adds(sb, "};\n\n");
}

/* One initializer of gort_tables[]. */
static void put_entry(struct strbuf *sb, int minor, const char *version,
		      const struct gort_layout *l, size_t n)
{
	strbuf_addf(sb, "\t{\n\t\t.minor = %d,\n", minor);
	strbuf_addf(sb, "\t\t.measured = \"%s\",\n", version);
	strbuf_addf(sb, "\t\t.nwaitreasons = %zu,\n", n);
	strbuf_addf(sb, "\t\t.waitreasons = wr%d,\n", minor);
	strbuf_addf(sb, "\t\t.l = {\n\t\t\t.go_minor = %d,\n", minor);
#define X(f, name)                                                         \
	strbuf_addf(sb, "\t\t\t.%s = %ld,\n", #f, (long)l->f);
	GORT_LAYOUT_FIELDS(X)
#undef X
	strbuf_adds(sb, "\t\t},\n\t},\n");
}

/* Names what differs between two tables ("g.lockedm, ..., wait reasons"). */
static void differences(const struct gort_layout *a, size_t na,
			const char *const *wa, const struct gort_layout *b,
			size_t nb, const char *const *wb, struct strbuf *out)
{
	size_t i, shown = 0, more = 0;

#define X(f, name)                                                         \
	if ((long)a->f != (long)b->f) {                                    \
		if (shown < MAX_DIFF_NAMES)                                \
			strbuf_addf(out, "%s%s", shown++ ? ", " : "",      \
				    name);                                 \
		else                                                       \
			more++;                                            \
	}
	GORT_LAYOUT_FIELDS(X)
#undef X
	if (more)
		strbuf_addf(out, " and %zu more", more);
	for (i = 0; i < na && i < nb; i++)
		if (strcmp(wa[i], wb[i]))
			break;
	if (na != nb || i < na)
		strbuf_addf(out, "%swait reasons", out->len ? "; " : "");
}

static int cmp_minor(const void *a, const void *b)
{
	const struct measured *x = a, *y = b;

	return (x->minor > y->minor) - (x->minor < y->minor);
}

static int emit(int argc, char **argv)
{
	struct measured *m;
	struct strbuf sb, why;
	struct err e;
	size_t n = 0, i;
	int k, ngaps = 0;

	if (argc > MAX_BINS) {
		fprintf(stderr, "genlayouts: too many binaries\n");
		return 2;
	}
	m = xcalloc((size_t)argc + 1, sizeof(*m));
	for (k = 0; k < argc; k++) {
		err_init(&e);
		if (measure(argv[k], &m[n], &e) < 0) {
			fprintf(stderr, "genlayouts: %s\n", e.msg);
			return 1;
		}
		n++;
	}
	qsort(m, n, sizeof(*m), cmp_minor);
	for (i = 1; i < n; i++)
		if (m[i].minor == m[i - 1].minor) {
			fprintf(stderr, "genlayouts: two binaries of go1.%d\n",
				m[i].minor);
			return 1;
		}
	strbuf_init(&sb);
	strbuf_adds(&sb,
		"/* Go runtime layouts per release, measured from real DWARF. "
		"*/\n"
		"/*\n"
		" * Generated by 'make layouts' (tests/tools/genlayouts.sh):"
		" each entry is\n"
		" * what gort_layout_from_dwarf reads from a program built by"
		" that release's\n"
		" * toolchain, and the text of its runtime.waitReasonStrings."
		"  Do not edit;\n"
		" * tests/live/layouts.sh checks it against the toolchains.\n"
		" */\n"
		"#include \"goruntime/layout.h\"\n"
		"#include \"lib/banned.h\"\n\n");
	for (i = 0; i < n; i++)
		put_reasons(&sb, m[i].minor, m[i].n,
			    (const char *const *)m[i].names);
	strbuf_adds(&sb, "const struct gort_table gort_tables[] = {\n");
	for (i = 0; i < n; i++)
		put_entry(&sb, m[i].minor, m[i].version, &m[i].l, m[i].n);
	strbuf_adds(&sb, "};\n\nconst size_t gort_ntables = "
			 "ARRAY_SIZE(gort_tables);\n\n");
	/* Releases between two measured ones. */
	strbuf_adds(&sb, "const struct gort_table_gap gort_table_gaps[] = {\n");
	for (i = 1; i < n; i++) {
		for (k = m[i - 1].minor + 1; k < m[i].minor; k++) {
			strbuf_init(&why);
			differences(&m[i - 1].l, m[i - 1].n,
				    (const char *const *)m[i - 1].names,
				    &m[i].l, m[i].n,
				    (const char *const *)m[i].names, &why);
			if (why.len)
				strbuf_addf(&sb, "\t{ %d, 0, \"go1.%d and "
					    "go1.%d differ in %s\" },\n", k,
					    m[i - 1].minor, m[i].minor,
					    why.buf);
			else
				strbuf_addf(&sb, "\t{ %d, %d, \"go1.%d and "
					    "go1.%d are identical\" },\n", k,
					    m[i - 1].minor, m[i - 1].minor,
					    m[i].minor);
			strbuf_release(&why);
			ngaps++;
		}
	}
	if (!ngaps)
		strbuf_adds(&sb, "\t{ 0, 0, NULL },\n");
	strbuf_addf(&sb, "};\n\nconst size_t gort_ntable_gaps = %s;\n",
		    ngaps ? "ARRAY_SIZE(gort_table_gaps)" : "0");
	fwrite(sb.buf, 1, sb.len, stdout);
	strbuf_release(&sb);
	for (i = 0; i < n; i++)
		measured_release(&m[i]);
	free(m);
	return 0;
}

static int check(const char *path)
{
	const struct gort_table *t = NULL;
	struct strbuf a, b, why;
	struct measured m;
	struct err e;
	size_t i;
	int r = 0;

	err_init(&e);
	if (measure(path, &m, &e) < 0) {
		fprintf(stderr, "genlayouts: %s\n", e.msg);
		return 1;
	}
	for (i = 0; i < gort_ntables; i++)
		if (gort_tables[i].minor == m.minor)
			t = &gort_tables[i];
	if (!t) {
		printf("no table for go1.%d\n", m.minor);
		measured_release(&m);
		return 1;
	}
	strbuf_init(&a);
	strbuf_init(&b);
	strbuf_init(&why);
	put_reasons(&a, m.minor, m.n, (const char *const *)m.names);
	put_entry(&a, m.minor, "", &m.l, m.n);
	put_reasons(&b, t->minor, t->nwaitreasons, t->waitreasons);
	put_entry(&b, t->minor, "", &t->l, t->nwaitreasons);
	if (strcmp(a.buf, b.buf)) {
		differences(&t->l, t->nwaitreasons, t->waitreasons, &m.l, m.n,
			    (const char *const *)m.names, &why);
		printf("differ go1.%d (%s measured, table from %s): %s\n",
		       m.minor, m.version, t->measured,
		       why.len ? why.buf : "layout");
		r = 1;
	} else {
		printf("same go1.%d (%s measured, table from %s)\n", m.minor,
		       m.version, t->measured);
	}
	strbuf_release(&a);
	strbuf_release(&b);
	strbuf_release(&why);
	measured_release(&m);
	return r;
}

int main(int argc, char **argv)
{
	if (argc >= 3 && !strcmp(argv[1], "emit"))
		return emit(argc - 2, argv + 2);
	if (argc == 3 && !strcmp(argv[1], "check"))
		return check(argv[2]);
	fprintf(stderr, "usage: genlayouts emit BINARY... | check BINARY\n");
	return 2;
}
