/* Runtime layouts from the target's DWARF (struct members, globals, constants). */
#include <dwarf.h>
#include <elfutils/libdw.h>
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "goruntime/layout.h"
#include "lib/xmalloc.h"
#include "lib/banned.h"

/* Names we look for among the top-level DIEs. */
enum want_type {
	T_G, T_M, T_GOBUF, T_STACK, T_SUDOG, T_HCHAN, T_WAITQ, T_TYPE,
	T_ABITYPE, T_SEMAROOT, T_POLLDESC, T_NTYPES
};
static const char *const type_names[T_NTYPES] = {
	"runtime.g", "runtime.m", "runtime.gobuf", "runtime.stack",
	"runtime.sudog", "runtime.hchan", "runtime.waitq", "runtime._type",
	"internal/abi.Type", "runtime.semaRoot", "runtime.pollDesc",
};

/* Entries of runtime.semtable (semTabSize, runtime/sema.go 1.19-1.27). */
#define SEMTAB_SIZE 251

struct scan {
	Dwarf_Die types[T_NTYPES];
	int have[T_NTYPES];
	struct gort_layout *l;
};

static void scan_die(struct scan *s, Dwarf_Die *die);
static long member_offset(Dwarf_Die *st, const char *name, Dwarf_Die *type);
static int member_type(Dwarf_Die *st, const char *name, Dwarf_Die *type);
static uint64_t var_addr(Dwarf_Die *die);
static void set_constant(struct gort_layout *l, const char *name,
			 Dwarf_Die *die);
static void layout_none(struct gort_layout *l);
static const struct layout_field *struct_size_of(const char *f);
static size_t field_width(const char *f);
static int fill_symtab(Elf *elf, struct gort_layout *l);
static void fill_g(struct scan *s, struct gort_layout *l);
static void fill_m(struct scan *s, struct gort_layout *l);
static void fill_wait(struct scan *s, struct gort_layout *l);

int gort_go_minor(const char *v)
{
	const char *p = strstr(v ? v : "", "go1.");
	int minor = 0;

	if (!p)
		return 0;
	for (p += 4; *p >= '0' && *p <= '9'; p++)
		minor = minor * 10 + (*p - '0');
	return minor;
}

/* Every field of the list: its name, where it is, how wide it is. */
static const struct layout_field {
	const char *field;	/* "g_goid" */
	const char *name;	/* "g.goid" */
	size_t off, size;
} layout_fields[] = {
#define X(f, n) { #f, n, offsetof(struct gort_layout, f),                \
		  sizeof(((struct gort_layout *)0)->f) },
	GORT_LAYOUT_FIELDS(X)
#undef X
};

/* Fields the readers take fewer than 8 bytes of. */
static const struct {
	const char *field;
	size_t width;
} narrow_fields[] = {
	{ "g_atomicstatus", 4 },
	{ "g_waitreason", 1 },
	{ "g_trackingseq", 1 },
	{ "hchan_closed", 4 },
	{ "type_str", 4 },
};

#define MAX_STRUCT_SIZE (1u << 20)

/* The size field ("g_size") of the struct that holds f, or NULL. */
static const struct layout_field *struct_size_of(const char *f)
{
	size_t plen = strcspn(f, "_"), i;

	for (i = 0; i < ARRAY_SIZE(layout_fields); i++) {
		const char *n = layout_fields[i].field;

		if (!strncmp(n, f, plen) && !strcmp(n + plen, "_size") &&
		    n[plen] == '_')
			return &layout_fields[i];
	}
	return NULL;
}

static size_t field_width(const char *f)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(narrow_fields); i++)
		if (!strcmp(narrow_fields[i].field, f))
			return narrow_fields[i].width;
	return 8;
}

int gort_layout_check(const struct gort_layout *l, struct err *e)
{
	const unsigned char *base = (const unsigned char *)l;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(layout_fields); i++) {
		const struct layout_field *f = &layout_fields[i], *sf;
		size_t size, width;
		long off;

		/* Offsets are longs; sizes size_t; constants int. */
		sf = struct_size_of(f->field);
		if (!sf || sf == f || f->size != sizeof(long) ||
		    sf->size != sizeof(size_t))
			continue;
		memcpy(&off, base + f->off, sizeof(off));
		memcpy(&size, base + sf->off, sizeof(size));
		if (off == GORT_NONE)
			continue;
		width = field_width(f->field);
		if (size > MAX_STRUCT_SIZE)
			return err_set(e, EINVAL, "runtime layout: %s = %zu "
				       "is implausibly large", sf->name,
				       size);
		if (off < 0 || (size_t)off > size || width > size - (size_t)off)
			return err_set(e, EINVAL, "runtime layout: %s at "
				       "offset %ld (%zu bytes) lies outside "
				       "%s = %zu", f->name, off, width,
				       sf->name, size);
	}
	return 0;
}

static void layout_none(struct gort_layout *l)
{
	long *o;

	memset(l, 0, sizeof(*l));
	for (o = &l->g_stack_lo; o <= &l->g_trackingseq; o++)
		*o = GORT_NONE;
	for (o = &l->m_g0; o <= &l->m_lockedg; o++)
		*o = GORT_NONE;
	for (o = &l->sudog_size; o <= &l->polldesc_wg; o++)
		*o = GORT_NONE;
	/* Stable across 1.19-1.27 (runtime2.go); DWARF overrides them. */
	l->st_idle = 0;
	l->st_runnable = 1;
	l->st_running = 2;
	l->st_syscall = 3;
	l->st_waiting = 4;
	l->st_dead = 6;
	l->st_copystack = 8;
	l->st_preempted = 9;
	l->st_leaked = -1;
	l->st_deadextra = -1;
	l->st_scan = 0x1000;
}

static uint64_t var_addr(Dwarf_Die *die)
{
	Dwarf_Attribute at;
	Dwarf_Op *ops;
	size_t n;

	if (!dwarf_attr(die, DW_AT_location, &at) ||
	    dwarf_getlocation(&at, &ops, &n) != 0 || n != 1 ||
	    ops[0].atom != DW_OP_addr)
		return 0;
	return ops[0].number;
}

static void set_constant(struct gort_layout *l, const char *name,
			 Dwarf_Die *die)
{
	static const struct {
		const char *name;
		size_t off;
	} consts[] = {
#define C(n, f) { "runtime." n, offsetof(struct gort_layout, f) }
		C("_Gidle", st_idle), C("_Grunnable", st_runnable),
		C("_Grunning", st_running), C("_Gsyscall", st_syscall),
		C("_Gwaiting", st_waiting), C("_Gdead", st_dead),
		C("_Gcopystack", st_copystack), C("_Gpreempted", st_preempted),
		C("_Gleaked", st_leaked), C("_Gdeadextra", st_deadextra),
		C("_Gscan", st_scan),
#undef C
	};
	Dwarf_Attribute at;
	Dwarf_Word v;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(consts); i++) {
		if (strcmp(name, consts[i].name))
			continue;
		if (dwarf_attr(die, DW_AT_const_value, &at) &&
		    dwarf_formudata(&at, &v) == 0 && v < 0x10000)
			*(int *)((char *)l + consts[i].off) = (int)v;
		return;
	}
}

static void scan_die(struct scan *s, Dwarf_Die *die)
{
	const char *name = dwarf_diename(die);
	int tag = dwarf_tag(die);
	size_t i;

	if (!name || (strncmp(name, "runtime.", 8) &&
		      strcmp(name, "internal/abi.Type")))
		return;
	if (tag == DW_TAG_structure_type) {
		for (i = 0; i < T_NTYPES; i++)
			if (!s->have[i] && !strcmp(name, type_names[i])) {
				s->types[i] = *die;
				s->have[i] = 1;
			}
	} else if (tag == DW_TAG_variable) {
		struct gort_layout *l = s->l;
		uint64_t a = var_addr(die);

		if (!strcmp(name, "runtime.allgs") && !l->allgs)
			l->allgs = a;
		else if (!strcmp(name, "runtime.allglen") && !l->allglen)
			l->allglen = a;
		else if (!strcmp(name, "runtime.allm") && !l->allm)
			l->allm = a;
		else if (!strcmp(name, "runtime.semtable")) {
			Dwarf_Die t;
			Dwarf_Attribute at;
			Dwarf_Word sz;

			if (!l->semtable)
				l->semtable = a;
			if (dwarf_attr(die, DW_AT_type, &at) &&
			    dwarf_formref_die(&at, &t) &&
			    dwarf_aggregate_size(&t, &sz) == 0 &&
			    sz % SEMTAB_SIZE == 0 && sz / SEMTAB_SIZE < 4096)
				l->semtab_size = (long)(sz / SEMTAB_SIZE);
		}
		else if (!strcmp(name, "runtime.waitReasonStrings") &&
			 !l->waitreason_strings) {
			Dwarf_Die t, sub;
			Dwarf_Word n;
			Dwarf_Attribute at;

			l->waitreason_strings = a;
			/* [N]string: the subrange's count gives N. */
			if (dwarf_attr(die, DW_AT_type, &at) &&
			    dwarf_formref_die(&at, &t) &&
			    dwarf_child(&t, &sub) == 0 &&
			    (dwarf_attr(&sub, DW_AT_count, &at) ||
			     dwarf_attr(&sub, DW_AT_upper_bound, &at)) &&
			    dwarf_formudata(&at, &n) == 0 && n < 1024)
				l->nwaitreasons = (size_t)n +
					(dwarf_whatattr(&at) ==
					 DW_AT_upper_bound);
		}
	} else if (tag == DW_TAG_constant) {
		set_constant(s->l, name, die);
	}
}

static int member_type(Dwarf_Die *st, const char *name, Dwarf_Die *type)
{
	Dwarf_Die child;
	Dwarf_Attribute at;

	if (dwarf_child(st, &child) != 0)
		return -1;
	do {
		const char *n = dwarf_diename(&child);

		if (dwarf_tag(&child) != DW_TAG_member || !n ||
		    strcmp(n, name))
			continue;
		if (!type)
			return 0;
		if (dwarf_attr(&child, DW_AT_type, &at) &&
		    dwarf_formref_die(&at, type))
			return 0;
		return -1;
	} while (dwarf_siblingof(&child, &child) == 0);
	return -1;
}

/* Offset of member name in struct st (and its type), or GORT_NONE. */
static long member_offset(Dwarf_Die *st, const char *name, Dwarf_Die *type)
{
	Dwarf_Die child;
	Dwarf_Attribute at;
	Dwarf_Word off;

	if (dwarf_child(st, &child) != 0)
		return GORT_NONE;
	do {
		const char *n = dwarf_diename(&child);

		if (dwarf_tag(&child) != DW_TAG_member || !n ||
		    strcmp(n, name))
			continue;
		if (!dwarf_attr(&child, DW_AT_data_member_location, &at) ||
		    dwarf_formudata(&at, &off) != 0 || off > 1 << 20)
			return GORT_NONE;
		if (type)
			member_type(st, name, type);
		return (long)off;
	} while (dwarf_siblingof(&child, &child) == 0);
	return GORT_NONE;
}

static long add_off(long a, long b)
{
	return a == GORT_NONE || b == GORT_NONE ? GORT_NONE : a + b;
}

static void fill_g(struct scan *s, struct gort_layout *l)
{
	Dwarf_Die *g = &s->types[T_G], *gb = &s->types[T_GOBUF];
	Dwarf_Die *stk = &s->types[T_STACK];
	Dwarf_Word sz;
	long stack, sched;

	l->g_size = dwarf_aggregate_size(g, &sz) == 0 ? (size_t)sz : 0;
	stack = member_offset(g, "stack", NULL);
	l->g_stack_lo = add_off(stack, s->have[T_STACK]
				       ? member_offset(stk, "lo", NULL)
				       : 0);
	l->g_stack_hi = add_off(stack, s->have[T_STACK]
				       ? member_offset(stk, "hi", NULL)
				       : 8);
	l->g_m = member_offset(g, "m", NULL);
	sched = member_offset(g, "sched", NULL);
	if (s->have[T_GOBUF]) {
		l->g_sched_sp = add_off(sched, member_offset(gb, "sp", NULL));
		l->g_sched_pc = add_off(sched, member_offset(gb, "pc", NULL));
		l->g_sched_bp = add_off(sched, member_offset(gb, "bp", NULL));
		l->g_sched_lr = add_off(sched, member_offset(gb, "lr", NULL));
	}
	l->g_syscallsp = member_offset(g, "syscallsp", NULL);
	l->g_syscallpc = member_offset(g, "syscallpc", NULL);
	l->g_syscallbp = member_offset(g, "syscallbp", NULL);
	l->g_atomicstatus = member_offset(g, "atomicstatus", NULL);
	l->g_goid = member_offset(g, "goid", NULL);
	l->g_waitsince = member_offset(g, "waitsince", NULL);
	l->g_waitreason = member_offset(g, "waitreason", NULL);
	l->g_lockedm = member_offset(g, "lockedm", NULL);
	l->g_parentgoid = member_offset(g, "parentGoid", NULL);
	l->g_gopc = member_offset(g, "gopc", NULL);
	l->g_startpc = member_offset(g, "startpc", NULL);
	l->g_labels = member_offset(g, "labels", NULL);
	l->g_ancestors = member_offset(g, "ancestors", NULL);
	l->g_waiting = member_offset(g, "waiting", NULL);
	l->g_trackingseq = member_offset(g, "trackingSeq", NULL);
}

static void fill_m(struct scan *s, struct gort_layout *l)
{
	Dwarf_Die *m = &s->types[T_M];
	Dwarf_Word sz;

	l->m_size = dwarf_aggregate_size(m, &sz) == 0 ? (size_t)sz : 0;
	l->m_g0 = member_offset(m, "g0", NULL);
	l->m_procid = member_offset(m, "procid", NULL);
	l->m_gsignal = member_offset(m, "gsignal", NULL);
	l->m_curg = member_offset(m, "curg", NULL);
	l->m_id = member_offset(m, "id", NULL);
	l->m_alllink = member_offset(m, "alllink", NULL);
	l->m_lockedg = member_offset(m, "lockedg", NULL);
}

/*
 * A pointer-sized field, or the address word of a maybeTraceablePtr
 * (Go 1.26+: {vp, vu}, vu the source of truth) or of a struct embedding
 * one first (maybeTraceableChan).  Typedefs are looked through.
 */
static long ptr_member(Dwarf_Die *st, const char *name)
{
	Dwarf_Die t;
	Dwarf_Attribute at;
	long off, vu;
	int depth;

	memset(&t, 0, sizeof(t));
	off = member_offset(st, name, &t);
	for (depth = 0; off != GORT_NONE && depth < 4; depth++) {
		while (dwarf_tag(&t) == DW_TAG_typedef &&
		       dwarf_attr(&t, DW_AT_type, &at) &&
		       dwarf_formref_die(&at, &t))
			;
		if (dwarf_tag(&t) != DW_TAG_structure_type)
			break;
		vu = member_offset(&t, "vu", NULL);
		if (vu != GORT_NONE)
			return off + vu;
		if (member_offset(&t, "maybeTraceablePtr", NULL) != 0 ||
		    member_type(&t, "maybeTraceablePtr", &t) < 0)
			return GORT_NONE;
	}
	return off;
}

static long struct_size(Dwarf_Die *st)
{
	Dwarf_Word sz;

	return dwarf_aggregate_size(st, &sz) == 0 && sz < 1 << 20 ? (long)sz
								 : GORT_NONE;
}

static void fill_wait(struct scan *s, struct gort_layout *l)
{
	Dwarf_Die *t;
	long first = s->have[T_WAITQ]
			     ? member_offset(&s->types[T_WAITQ], "first", NULL)
			     : GORT_NONE;

	if (s->have[T_SUDOG]) {
		t = &s->types[T_SUDOG];
		l->sudog_size = struct_size(t);
		l->sudog_g = member_offset(t, "g", NULL);
		l->sudog_next = member_offset(t, "next", NULL);
		l->sudog_prev = member_offset(t, "prev", NULL);
		l->sudog_elem = ptr_member(t, "elem");
		l->sudog_waitlink = member_offset(t, "waitlink", NULL);
		l->sudog_c = ptr_member(t, "c");
	}
	if (s->have[T_HCHAN]) {
		t = &s->types[T_HCHAN];
		l->hchan_size = struct_size(t);
		l->hchan_qcount = member_offset(t, "qcount", NULL);
		l->hchan_dataqsiz = member_offset(t, "dataqsiz", NULL);
		l->hchan_closed = member_offset(t, "closed", NULL);
		l->hchan_elemtype = member_offset(t, "elemtype", NULL);
		l->hchan_recvq = add_off(member_offset(t, "recvq", NULL), first);
		l->hchan_sendq = add_off(member_offset(t, "sendq", NULL), first);
	}
	/* internal/abi.Type (1.21+) names its fields in upper case. */
	if (s->have[T_ABITYPE]) {
		l->type_size = struct_size(&s->types[T_ABITYPE]);
		l->type_tflag = member_offset(&s->types[T_ABITYPE], "TFlag",
					      NULL);
		l->type_str = member_offset(&s->types[T_ABITYPE], "Str", NULL);
	} else if (s->have[T_TYPE]) {
		l->type_size = struct_size(&s->types[T_TYPE]);
		l->type_tflag = member_offset(&s->types[T_TYPE], "tflag", NULL);
		l->type_str = member_offset(&s->types[T_TYPE], "str", NULL);
	}
	if (s->have[T_SEMAROOT])
		/* semTable entries start with their semaRoot. */
		l->semtab_treap = member_offset(&s->types[T_SEMAROOT],
						  "treap", NULL);
	if (s->have[T_POLLDESC]) {
		t = &s->types[T_POLLDESC];
		l->polldesc_size = struct_size(t);
		l->polldesc_fd = member_offset(t, "fd", NULL);
		l->polldesc_rg = member_offset(t, "rg", NULL);
		l->polldesc_wg = member_offset(t, "wg", NULL);
	}
}

/* Globals from .symtab: present without DWARF (-w) and cheaper. */
static int fill_symtab(Elf *elf, struct gort_layout *l)
{
	Elf_Scn *scn = NULL;
	GElf_Shdr sh;
	int found = 0;

	while ((scn = elf_nextscn(elf, scn)) != NULL) {
		Elf_Data *d;
		size_t i, n;

		if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_SYMTAB ||
		    !sh.sh_entsize)
			continue;
		d = elf_getdata(scn, NULL);
		if (!d)
			continue;
		n = d->d_size / sh.sh_entsize;
		for (i = 0; i < n; i++) {
			GElf_Sym sym;
			const char *name;

			if (!gelf_getsym(d, (int)i, &sym))
				continue;
			name = elf_strptr(elf, sh.sh_link, sym.st_name);
			if (!name || (name[0] != 'r' && name[0] != 'g'))
				continue;
			if (!strcmp(name, "runtime.allgs"))
				l->allgs = sym.st_value, found++;
			else if (!strcmp(name, "runtime.allglen"))
				l->allglen = sym.st_value;
			else if (!strcmp(name, "runtime.allm"))
				l->allm = sym.st_value;
			else if (!strcmp(name, "runtime.waitReasonStrings")) {
				l->waitreason_strings = sym.st_value;
				if (!l->nwaitreasons && sym.st_size / 16 < 1024)
					l->nwaitreasons =
						(size_t)(sym.st_size / 16);
			} else if (!strcmp(name, "go:func.*") ||
				   !strcmp(name, "go.func.*"))
				l->gofunc = sym.st_value;
			else if (!strcmp(name, "runtime.pclntab"))
				l->pclntab = sym.st_value;
			else if (!strcmp(name, "runtime.semtable"))
				l->semtable = sym.st_value;
			else if (!strcmp(name, "runtime.types"))
				l->types = sym.st_value;
		}
	}
	return found;
}

int gort_layout_from_dwarf(const char *path, struct gort_layout *l,
			   struct err *e)
{
	struct scan s;
	Dwarf *dw = NULL;
	Dwarf_Off off = 0, next;
	size_t hsize;
	Elf *elf = NULL;
	int fd, r = 0;

	layout_none(l);
	memset(&s, 0, sizeof(s));
	s.l = l;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return err_errno(e, errno, "cannot open '%s'", path);
	elf_version(EV_CURRENT);
	elf = elf_begin(fd, ELF_C_READ_MMAP, NULL);
	if (!elf) {
		r = err_set(e, EINVAL, "'%s': %s", path, elf_errmsg(-1));
		goto out;
	}
	fill_symtab(elf, l);
	dw = dwarf_begin_elf(elf, DWARF_C_READ, NULL);
	if (!dw) {
		r = err_set(e, ENODATA, "'%s' has no DWARF debug info", path);
		goto out;
	}
	while (dwarf_nextcu(dw, off, &next, &hsize, NULL, NULL, NULL) == 0) {
		Dwarf_Die cu, child;

		if (dwarf_offdie(dw, off + hsize, &cu) &&
		    dwarf_child(&cu, &child) == 0) {
			do
				scan_die(&s, &child);
			while (dwarf_siblingof(&child, &child) == 0);
		}
		off = next;
	}
	if (!s.have[T_G] || !s.have[T_GOBUF]) {
		r = err_set(e, ENODATA,
			    "'%s': DWARF lacks the runtime.g/gobuf types",
			    path);
		goto out;
	}
	fill_g(&s, l);
	if (s.have[T_M])
		fill_m(&s, l);
	fill_wait(&s, l);
	snprintf(l->source, sizeof(l->source), "DWARF");
	r = gort_layout_check(l, e);
	if (r < 0)
		r = err_prefix(e, "'%s'", path);
	else if (l->g_goid == GORT_NONE || l->g_atomicstatus == GORT_NONE ||
	    l->g_sched_sp == GORT_NONE || l->g_sched_pc == GORT_NONE ||
	    !l->allgs || !l->allglen)
		r = err_set(e, ENODATA,
			    "'%s': DWARF lacks runtime.allgs or g fields",
			    path);
out:
	if (dw)
		dwarf_end(dw);
	if (elf)
		elf_end(elf);
	close(fd);
	return r;
}
