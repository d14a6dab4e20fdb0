/* The libunwind unwinder: libunwind's remote API over copied registers, stacks. */
#include <elf.h>
#include <errno.h>
#include <libunwind.h>
#include <stdlib.h>
#include <string.h>

#include "symbols/unwinder.h"
#include "lib/hashmap.h"
#include "lib/xmalloc.h"
#include "lib/banned.h"

/*
 * On the model of perf's post-mortem unwinding: libunwind's accessors
 * serve memory from the copy (the thread's stack top, other threads'
 * stacks, read-only mappings) and registers from the saved set.  The
 * procedure information of an address comes from its module's
 * .eh_frame_hdr, found through the ELF headers in memory (so the vDSO
 * and a core's modules work the same), validated and bounded here, then
 * searched by libunwind's dwarf_search_unwind_table.  Where no table
 * covers an address libunwind falls back to the frame-pointer chain.
 * libunwind 1.6 cannot read .debug_frame through the remote API: code
 * described only there (Go's own functions, assembly without CFI) is
 * walked by frame pointers.
 */

extern int UNW_OBJ(dwarf_search_unwind_table)(unw_addr_space_t as,
					      unw_word_t ip,
					      unw_dyn_info_t *di,
					      unw_proc_info_t *pi,
					      int need_unwind_info, void *arg);
#define dwarf_search_unwind_table UNW_OBJ(dwarf_search_unwind_table)

/* DW_EH_PE encodings .eh_frame_hdr uses. */
#define PE_OMIT 0xff
#define PE_UDATA4 0x03
#define PE_SDATA4 0x0b
#define PE_UDATA8 0x04
#define PE_SDATA8 0x0c
#define PE_PCREL 0x10
#define PE_DATAREL 0x30
#define MAX_PHDRS 256
#define MAX_MODULES 4096

/* One module (an ELF image mapped at base) and its unwind table. */
struct ulw_mod {
	struct hashmap_entry ent;
	uint64_t base;		/* address of its ELF header */
	int ok;			/* 1 when di is usable */
	unw_dyn_info_t di;
};

struct ulw {
	unw_addr_space_t as;
	struct unwinder *u;
	const struct stackcopy_thread *cur;
	struct hashmap mods;
};

static int mod_cmp(const void *data, const struct hashmap_entry *a,
		   const struct hashmap_entry *b, const void *key);
static int read_mem(struct ulw *p, uint64_t addr, void *buf, size_t len);
static uint64_t module_base(const struct stackcopy *sc, uint64_t ip);
static int read_encoded(struct ulw *p, uint64_t *pos, uint8_t enc,
			uint64_t datarel, uint64_t *out);
static void load_table(struct ulw *p, struct ulw_mod *m);
static struct ulw_mod *module_at(struct ulw *p, uint64_t ip);
static int a_find_proc_info(unw_addr_space_t as, unw_word_t ip,
			    unw_proc_info_t *pi, int need_unwind_info,
			    void *arg);
static void a_put_unwind_info(unw_addr_space_t as, unw_proc_info_t *pi,
			      void *arg);
static int a_get_dyn_info_list_addr(unw_addr_space_t as, unw_word_t *dil,
				    void *arg);
static int a_access_mem(unw_addr_space_t as, unw_word_t addr,
			unw_word_t *valp, int write, void *arg);
static int a_access_reg(unw_addr_space_t as, unw_regnum_t reg,
			unw_word_t *valp, int write, void *arg);
static int a_access_fpreg(unw_addr_space_t as, unw_regnum_t reg,
			  unw_fpreg_t *valp, int write, void *arg);
static int a_resume(unw_addr_space_t as, unw_cursor_t *c, void *arg);
static int a_get_proc_name(unw_addr_space_t as, unw_word_t addr,
			   char *buf, size_t len, unw_word_t *offp,
			   void *arg);
static int ulw_open(struct unwinder *u, struct err *e);
static int ulw_walk(struct unwinder *u, const struct stackcopy_thread *t,
		    struct unwind_frame *out, size_t max, size_t *n,
		    struct err *why);
static void ulw_close(struct unwinder *u);
static void ulw_flush(struct unwinder *u);

static unw_accessors_t accessors = {
	.find_proc_info = a_find_proc_info,
	.put_unwind_info = a_put_unwind_info,
	.get_dyn_info_list_addr = a_get_dyn_info_list_addr,
	.access_mem = a_access_mem,
	.access_reg = a_access_reg,
	.access_fpreg = a_access_fpreg,
	.resume = a_resume,
	.get_proc_name = a_get_proc_name,
};

static int mod_cmp(const void *data, const struct hashmap_entry *a,
		   const struct hashmap_entry *b, const void *key)
{
	(void)data;
	(void)key;
	return container_of(a, struct ulw_mod, ent)->base !=
	       container_of(b, struct ulw_mod, ent)->base;
}

/* Reads from the copy: stacks first, then read-only mappings. */
static int read_mem(struct ulw *p, uint64_t addr, void *buf, size_t len)
{
	return unwinder_read(p->u, p->cur, addr, buf, len);
}

/*
 * The address of the ELF header of the module that holds ip: the
 * mapping of the same file at offset 0 (the vDSO is one mapping).
 */
static uint64_t module_base(const struct stackcopy *sc, uint64_t ip)
{
	const struct proc_map *m = stackcopy_map_at(sc, ip), *o;
	size_t i;

	if (!m)
		return 0;
	if (!m->path || m->offset == 0)
		return m->start;
	for (i = 0; i < sc->maps.n; i++) {
		o = &sc->maps.maps[i];
		if (o->offset == 0 && o->path && !strcmp(o->path, m->path) &&
		    o->start <= m->start)
			return o->start;
	}
	return 0;
}

static int read_encoded(struct ulw *p, uint64_t *pos, uint8_t enc,
			uint64_t datarel, uint64_t *out)
{
	uint64_t base = 0, at = *pos;
	uint32_t u4;
	uint64_t u8;

	switch (enc & 0x70) {
	case 0:
		break;
	case PE_PCREL:
		base = at;
		break;
	case PE_DATAREL:
		base = datarel;
		break;
	default:
		return -EINVAL;
	}
	switch (enc & 0x0f) {
	case PE_UDATA4:
	case PE_SDATA4:
		if (read_mem(p, at, &u4, 4) < 0)
			return -EFAULT;
		*out = base + ((enc & 0x0f) == PE_SDATA4
				       ? (uint64_t)(int64_t)(int32_t)u4
				       : u4);
		*pos = at + 4;
		return 0;
	case PE_UDATA8:
	case PE_SDATA8:
		if (read_mem(p, at, &u8, 8) < 0)
			return -EFAULT;
		*out = base + u8;
		*pos = at + 8;
		return 0;
	default:
		return -EINVAL;
	}
}

/*
 * Reads the module's program headers from memory and, from its
 * PT_GNU_EH_FRAME segment, the binary search table libunwind searches.
 * Everything is checked: a malformed header leaves the module without
 * a table (frame pointers then), never an abort.
 */
static void load_table(struct ulw *p, struct ulw_mod *m)
{
	Elf64_Ehdr eh;
	Elf64_Phdr ph[MAX_PHDRS];
	uint64_t lo = UINT64_MAX, hi = 0, bias, hdr = 0, hdr_len = 0;
	uint64_t pos, eh_frame, count;
	unsigned char h[4];
	size_t i, n;

	if (read_mem(p, m->base, &eh, sizeof(eh)) < 0 ||
	    memcmp(eh.e_ident, ELFMAG, SELFMAG) ||
	    eh.e_ident[EI_CLASS] != ELFCLASS64 ||
	    eh.e_phentsize != sizeof(Elf64_Phdr) || !eh.e_phnum)
		return;
	n = eh.e_phnum < MAX_PHDRS ? eh.e_phnum : MAX_PHDRS;
	if (eh.e_phoff > UINT64_MAX - m->base ||
	    read_mem(p, m->base + eh.e_phoff, ph, n * sizeof(ph[0])) < 0)
		return;
	for (i = 0; i < n; i++) {
		if (ph[i].p_type == PT_LOAD) {
			if (ph[i].p_vaddr < lo)
				lo = ph[i].p_vaddr;
			if (ph[i].p_vaddr + ph[i].p_memsz > hi)
				hi = ph[i].p_vaddr + ph[i].p_memsz;
		} else if (ph[i].p_type == PT_GNU_EH_FRAME) {
			hdr = ph[i].p_vaddr;
			hdr_len = ph[i].p_memsz;
		}
	}
	if (lo == UINT64_MAX || !hdr_len || hi <= lo || hdr < lo ||
	    hdr >= hi || hdr_len > hi - hdr)
		return;
	bias = m->base - (lo & ~(uint64_t)0xfff);
	hdr += bias;
	/* version 1, eh_frame_ptr, fde_count and table encodings. */
	if (hdr_len < 12 || read_mem(p, hdr, h, 4) < 0 || h[0] != 1 ||
	    h[1] == PE_OMIT || h[2] == PE_OMIT ||
	    h[3] != (PE_DATAREL | PE_SDATA4))
		return;
	pos = hdr + 4;
	if (read_encoded(p, &pos, h[1], hdr, &eh_frame) < 0 ||
	    read_encoded(p, &pos, h[2], hdr, &count) < 0)
		return;
	/* Each entry is two 4-byte words, all inside the segment. */
	if (!count || pos - hdr > hdr_len ||
	    count > (hdr_len - (pos - hdr)) / 8)
		return;
	memset(&m->di, 0, sizeof(m->di));
	m->di.format = UNW_INFO_FORMAT_REMOTE_TABLE;
	m->di.start_ip = lo + bias;
	m->di.end_ip = hi + bias;
	m->di.u.rti.segbase = hdr;
	m->di.u.rti.table_data = pos;
	m->di.u.rti.table_len = count * 8 / sizeof(unw_word_t);
	m->ok = 1;
}

static struct ulw_mod *module_at(struct ulw *p, uint64_t ip)
{
	struct ulw_mod key, *m;
	struct hashmap_entry *e;

	key.base = module_base(p->u->sc, ip);
	if (!key.base)
		return NULL;
	hashmap_entry_init(&key.ent, hash_u64(key.base));
	e = hashmap_get(&p->mods, &key.ent, NULL);
	if (e)
		return container_of(e, struct ulw_mod, ent);
	if (hashmap_count(&p->mods) >= MAX_MODULES)
		return NULL;
	m = xcalloc(1, sizeof(*m));
	m->base = key.base;
	hashmap_entry_init(&m->ent, key.ent.hash);
	load_table(p, m);
	hashmap_add(&p->mods, &m->ent);
	return m;
}

static int a_find_proc_info(unw_addr_space_t as, unw_word_t ip,
			    unw_proc_info_t *pi, int need_unwind_info,
			    void *arg)
{
	struct ulw *p = arg;
	struct ulw_mod *m = module_at(p, ip);

	if (!m || !m->ok || ip < m->di.start_ip || ip >= m->di.end_ip)
		return -UNW_ENOINFO;
	return dwarf_search_unwind_table(as, ip, &m->di, pi, need_unwind_info,
					 arg);
}

/* The unwind information is libunwind's own (a table entry). */
static void a_put_unwind_info(unw_addr_space_t as, unw_proc_info_t *pi,
			      void *arg)
{
	(void)as;
	(void)pi;
	(void)arg;
}

static int a_get_dyn_info_list_addr(unw_addr_space_t as, unw_word_t *dil,
				    void *arg)
{
	(void)as;
	(void)dil;
	(void)arg;
	return -UNW_ENOINFO;
}

/*
 * libunwind also reads the personality routine's pointer that a CIE's
 * augmentation names (DW_EH_PE_indirect, in a module's writable data,
 * which is not copied); it does not need its value to unwind, so a word
 * of a file's writable mapping reads as 0.  Stacks and anonymous memory
 * never do.
 */
static int a_access_mem(unw_addr_space_t as, unw_word_t addr,
			unw_word_t *valp, int write, void *arg)
{
	struct ulw *p = arg;
	const struct proc_map *m;

	(void)as;
	if (write)
		return -UNW_EINVAL;
	if (unwinder_read_copy(p->u, p->cur, addr, valp, sizeof(*valp)) == 0)
		return 0;
	m = stackcopy_map_at(p->u->sc, addr);
	if (m && m->path && m->path[0] == '/' && m->perms[1] == 'w') {
		*valp = 0;
		return 0;
	}
	unwinder_note_bad(p->u, addr);
	return -UNW_EINVAL;
}

static int a_access_reg(unw_addr_space_t as, unw_regnum_t reg,
			unw_word_t *valp, int write, void *arg)
{
	const struct ptstop_regs *r = &((struct ulw *)arg)->cur->regs;

	(void)as;
	if (write)
		return -UNW_EREADONLYREG;
	switch (reg) {
	case UNW_X86_64_RAX: *valp = r->ax; break;
	case UNW_X86_64_RDX: *valp = r->dx; break;
	case UNW_X86_64_RCX: *valp = r->cx; break;
	case UNW_X86_64_RBX: *valp = r->bx; break;
	case UNW_X86_64_RSI: *valp = r->si; break;
	case UNW_X86_64_RDI: *valp = r->di; break;
	case UNW_X86_64_RBP: *valp = r->bp; break;
	case UNW_X86_64_RSP: *valp = r->sp; break;
	case UNW_X86_64_R8: *valp = r->r8; break;
	case UNW_X86_64_R9: *valp = r->r9; break;
	case UNW_X86_64_R10: *valp = r->r10; break;
	case UNW_X86_64_R11: *valp = r->r11; break;
	case UNW_X86_64_R12: *valp = r->r12; break;
	case UNW_X86_64_R13: *valp = r->r13; break;
	case UNW_X86_64_R14: *valp = r->r14; break;
	case UNW_X86_64_R15: *valp = r->r15; break;
	case UNW_X86_64_RIP: *valp = r->pc; break;
	default:
		return -UNW_EBADREG;
	}
	return 0;
}

static int a_access_fpreg(unw_addr_space_t as, unw_regnum_t reg,
			  unw_fpreg_t *valp, int write, void *arg)
{
	(void)as;
	(void)reg;
	(void)valp;
	(void)write;
	(void)arg;
	return -UNW_EBADREG;
}

static int a_resume(unw_addr_space_t as, unw_cursor_t *c, void *arg)
{
	(void)as;
	(void)c;
	(void)arg;
	return -UNW_EINVAL;
}

/* Names come from goscope's symbolizer, not from libunwind. */
static int a_get_proc_name(unw_addr_space_t as, unw_word_t addr,
			   char *buf, size_t len, unw_word_t *offp,
			   void *arg)
{
	(void)as;
	(void)addr;
	(void)buf;
	(void)len;
	(void)offp;
	(void)arg;
	return -UNW_ENOINFO;
}

static int ulw_open(struct unwinder *u, struct err *e)
{
	struct ulw *p = xcalloc(1, sizeof(*p));

	p->as = unw_create_addr_space(&accessors, 0);
	if (!p->as) {
		free(p);
		return err_set(e, ENOMEM, "cannot set up the libunwind "
			       "unwinder");
	}
	/* Procedure information depends only on the code: cache it. */
	unw_set_caching_policy(p->as, UNW_CACHE_GLOBAL);
	p->u = u;
	hashmap_init(&p->mods, mod_cmp, NULL, 0);
	u->priv = p;
	return 0;
}

static int ulw_walk(struct unwinder *u, const struct stackcopy_thread *t,
		    struct unwind_frame *out, size_t max, size_t *n,
		    struct err *why)
{
	struct ulw *p = u->priv;
	unw_cursor_t c;
	unw_word_t ip, sp, last_sp = 0;
	int r, rr, act = 1;

	p->cur = t;
	*n = 0;
	r = unw_init_remote(&c, p->as, p);
	if (r < 0) {
		unwinder_first_frame(t, out, n);
		return err_set(why, EINVAL, "libunwind: cannot start (%s)",
			       unw_strerror(r));
	}
	for (;;) {
		if (unw_get_reg(&c, UNW_REG_IP, &ip) < 0 ||
		    unw_get_reg(&c, UNW_REG_SP, &sp) < 0)
			break;
		if (*n && !ip)
			return 0;	/* the outermost frame's return address */
		if (*n && sp < last_sp)
			break;
		last_sp = sp;
		out[*n].pc = ip;
		out[*n].activation = act;
		(*n)++;
		if (*n >= max)
			return 1;
		/* The frame after a signal frame was interrupted, too. */
		act = unw_is_signal_frame(&c) > 0;
		r = unw_step(&c);
		if (r == 0)
			return 0;
		if (r < 0)
			break;
	}
	rr = unwinder_read_error(u, t, r < 0, why);
	if (rr < 0)
		return rr;
	if (r < 0)
		return err_set(why, EINVAL, "libunwind: %s", unw_strerror(r));
	return err_set(why, EINVAL, "libunwind: the stack goes backwards");
}

/* The modules moved: their tables and libunwind's cache are stale. */
static void ulw_flush(struct unwinder *u)
{
	struct ulw *p = u->priv;

	hashmap_release_free(&p->mods);
	hashmap_init(&p->mods, mod_cmp, NULL, 0);
	unw_flush_cache(p->as, 0, 0);
}

static void ulw_close(struct unwinder *u)
{
	struct ulw *p = u->priv;

	if (!p)
		return;
	unw_destroy_addr_space(p->as);
	hashmap_release_free(&p->mods);
	free(p);
	u->priv = NULL;
}

const struct unwinder_ops unwinder_libunwind = {
	.name = "libunwind",
	.open = ulw_open,
	.walk = ulw_walk,
	.close = ulw_close,
	.flush = ulw_flush,
};
