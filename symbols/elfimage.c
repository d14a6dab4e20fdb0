/* ELF files opened for symbolization: segment memory, sections, .symtab. */
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "symbols/elfimage.h"
#include "lib/xmalloc.h"
#include "lib/banned.h"

/* Bounds for hostile files. */
#define MAX_PHDRS 512
#define MAX_SECTIONS 65536

/* The moduledata, in 8-byte words (Go 1.18+, 64-bit). */
#define MD_WORDS 64		/* words examined: past gofunc, all versions */
#define MD_MIN_WORDS 34		/* fixed part through the data bounds */
#define MD_TEXT 22		/* text, etext, then the data bounds */
#define MD_FIRST_AFTER 32	/* where rodata/gofunc are searched from */
#define MAX_SCAN (256ull << 20)	/* bytes of .noptrdata scanned */
#define MAX_SPAN (1ull << 32)	/* of one section range in the moduledata */
#define RODATA_SLACK 65536	/* runtime.rodata lies this near .rodata */
#define MAX_NFUNC (1ull << 24)
#define GOFUNC_CHECKS 64	/* inline trees examined */
#define PCHDR_MAGIC_118 0xfffffff0u
#define PCHDR_MAGIC_120 0xfffffff1u

struct elfimage_mem {
	struct memsrc base;
	struct elfimage *im;
};

struct elfsect {
	const char *name;	/* into libelf's string table */
	uint64_t addr, size;
};

struct elfimage {
	int fd;
	Elf *elf;
	const unsigned char *img;
	size_t size;
	GElf_Phdr *ph;
	size_t nph;
	struct elfsect *sect;
	size_t nsect;
	Elf_Scn *symtab;	/* NULL when stripped */
	size_t symstr;		/* its string table section index */
	struct elfimage_mem mem;
};

static ssize_t mem_read(struct memsrc *m, uint64_t addr, void *buf,
			size_t len);
static void mem_free(struct memsrc *m);
static int load_sections(struct elfimage *im, const char *path,
			 struct err *e);
static int find_symbol(const struct elfimage *im,
		       int (*match)(const GElf_Sym *sym, const char *name,
				    const void *arg),
		       const void *arg, GElf_Sym *out, const char **name);
static int match_name(const GElf_Sym *sym, const char *name,
		      const void *arg);
static int match_object_at(const GElf_Sym *sym, const char *name,
			   const void *arg);
static uint32_t get32(const unsigned char *p);
static uint64_t get64(const unsigned char *p);
static size_t read_words(struct memsrc *img, uint64_t addr, uint64_t *w,
			 size_t max, size_t min);
static int md_check(struct memsrc *img, const struct elfimage_modwhere *w,
		    uint64_t addr, int scanned, struct elfimage_gomod *m,
		    const char **why);
static void md_gofunc(struct memsrc *img, const struct elfimage_modwhere *w,
		      const uint64_t *wd, size_t n, struct elfimage_gomod *m);
static int md_scan(struct memsrc *img, const struct elfimage_modwhere *w,
		   struct elfimage_gomod *m);
static int inl_ok(struct memsrc *img, const struct pcln_func *f,
		  uint64_t tree, int go120, uint64_t names, uint64_t enames);
static int go_module(const struct elfimage *im, struct elfimage_go *g,
		     struct err *e);

static const struct memsrc_ops elfimage_ops = {
	.name = "elf",
	.read = mem_read,
	.free = mem_free,
};

static ssize_t mem_read(struct memsrc *m, uint64_t addr, void *buf,
			size_t len)
{
	struct elfimage *im = ((struct elfimage_mem *)m)->im;
	size_t i, n;

	for (i = 0; i < im->nph; i++) {
		const GElf_Phdr *p = &im->ph[i];
		uint64_t off;

		if (p->p_type != PT_LOAD || addr < p->p_vaddr ||
		    addr - p->p_vaddr >= p->p_filesz)
			continue;
		if (p->p_offset > im->size ||
		    addr - p->p_vaddr >= im->size - p->p_offset)
			return -EFAULT;
		off = p->p_offset + (addr - p->p_vaddr);
		n = (size_t)(p->p_filesz - (addr - p->p_vaddr));
		if (n > im->size - off)
			n = (size_t)(im->size - off);
		if (n > len)
			n = len;
		memcpy(buf, im->img + off, n);
		return (ssize_t)n;
	}
	return -EFAULT;
}

static void mem_free(struct memsrc *m)
{
	(void)m;	/* owned by the image */
}

static int load_sections(struct elfimage *im, const char *path,
			 struct err *e)
{
	size_t shstrndx, n = 0;
	Elf_Scn *scn = NULL;
	GElf_Shdr sh;

	if (elf_getshdrnum(im->elf, &n) != 0 || n > MAX_SECTIONS)
		return err_set(e, EINVAL, "'%s': corrupted section headers",
			       path);
	if (n == 0)
		return 0;
	if (elf_getshdrstrndx(im->elf, &shstrndx) != 0)
		return err_set(e, EINVAL, "'%s': corrupted section names",
			       path);
	im->sect = xcalloc(n, sizeof(*im->sect));
	while ((scn = elf_nextscn(im->elf, scn)) != NULL &&
	       im->nsect < n) {
		struct elfsect *s = &im->sect[im->nsect];
		const char *name;

		if (!gelf_getshdr(scn, &sh))
			continue;
		name = elf_strptr(im->elf, shstrndx, sh.sh_name);
		s->name = name ? name : "";
		s->addr = sh.sh_addr;
		s->size = sh.sh_size;
		im->nsect++;
		if (sh.sh_type == SHT_SYMTAB && !im->symtab &&
		    sh.sh_entsize == sizeof(Elf64_Sym) &&
		    gelf_getclass(im->elf) == ELFCLASS64) {
			im->symtab = scn;
			im->symstr = sh.sh_link;
		} else if (sh.sh_type == SHT_SYMTAB && !im->symtab &&
			   sh.sh_entsize == sizeof(Elf32_Sym) &&
			   gelf_getclass(im->elf) == ELFCLASS32) {
			im->symtab = scn;
			im->symstr = sh.sh_link;
		}
	}
	return 0;
}

int elfimage_open(const char *path, struct elfimage **out, struct err *e)
{
	struct elfimage *im;
	struct stat st;
	size_t i;
	int r;

	*out = NULL;
	im = xcalloc(1, sizeof(*im));
	im->mem.base.ops = &elfimage_ops;
	im->mem.im = im;
	im->fd = open(path, O_RDONLY | O_CLOEXEC);
	if (im->fd < 0) {
		r = err_errno(e, errno, "cannot open '%s'", path);
		goto fail;
	}
	if (fstat(im->fd, &st) == 0 && S_ISDIR(st.st_mode)) {
		r = err_set(e, EISDIR, "'%s' is a directory", path);
		goto fail;
	}
	elf_version(EV_CURRENT);
	im->elf = elf_begin(im->fd, ELF_C_READ_MMAP, NULL);
	if (!im->elf || elf_kind(im->elf) != ELF_K_ELF) {
		r = err_set(e, ENOEXEC, "'%s' is not an ELF file", path);
		goto fail;
	}
	im->img = (const unsigned char *)elf_rawfile(im->elf, &im->size);
	if (!im->img) {
		r = err_set(e, EINVAL, "'%s': corrupted ELF header: %s", path,
			    elf_errmsg(-1));
		goto fail;
	}
	if (elf_getphdrnum(im->elf, &im->nph) != 0 ||
	    im->nph > MAX_PHDRS) {
		r = err_set(e, EINVAL, "'%s': corrupted program headers",
			    path);
		goto fail;
	}
	im->ph = xcalloc(im->nph ? im->nph : 1, sizeof(*im->ph));
	for (i = 0; i < im->nph; i++) {
		if (!gelf_getphdr(im->elf, (int)i, &im->ph[i])) {
			r = err_set(e, EINVAL,
				    "'%s': corrupted program header %zu: %s",
				    path, i, elf_errmsg(-1));
			goto fail;
		}
	}
	r = load_sections(im, path, e);
	if (r < 0)
		goto fail;
	*out = im;
	return 0;
fail:
	elfimage_free(im);
	return r;
}

void elfimage_free(struct elfimage *im)
{
	if (!im)
		return;
	if (im->elf)
		elf_end(im->elf);
	if (im->fd >= 0)
		close(im->fd);
	free(im->ph);
	free(im->sect);
	free(im);
}

struct memsrc *elfimage_mem(struct elfimage *im)
{
	return &im->mem.base;
}

int elfimage_has_symtab(const struct elfimage *im)
{
	return im->symtab != NULL;
}

unsigned int elfimage_machine(const struct elfimage *im)
{
	GElf_Ehdr eh;

	if (!gelf_getehdr(im->elf, &eh))
		return EM_NONE;
	return eh.e_machine;
}

int elfimage_section(const struct elfimage *im, const char *name,
		     uint64_t *addr, uint64_t *size)
{
	size_t i;

	for (i = 0; i < im->nsect; i++) {
		if (strcmp(im->sect[i].name, name) != 0)
			continue;
		if (addr)
			*addr = im->sect[i].addr;
		if (size)
			*size = im->sect[i].size;
		return 0;
	}
	return -ENOENT;
}

/* The .symtab's data and symbol count; -ENOENT when there is none. */
static int symtab_data(const struct elfimage *im, Elf_Data **d, size_t *n)
{
	if (!im->symtab)
		return -ENOENT;
	*d = elf_getdata(im->symtab, NULL);
	if (!*d || !(*d)->d_buf)
		return -ENOENT;
	*n = (*d)->d_size / (gelf_getclass(im->elf) == ELFCLASS64
				     ? sizeof(Elf64_Sym)
				     : sizeof(Elf32_Sym));
	return 0;
}

/*
 * Finds the first symbol (after the null one) with a name for which
 * match(sym, name, arg) is not 0: copies it to *out and its name to *name.
 * Returns 0 or -ENOENT.
 */
static int find_symbol(const struct elfimage *im,
		       int (*match)(const GElf_Sym *sym, const char *name,
				    const void *arg),
		       const void *arg, GElf_Sym *out, const char **name)
{
	Elf_Data *d;
	size_t i, n;

	if (symtab_data(im, &d, &n) < 0)
		return -ENOENT;
	for (i = 1; i < n; i++) {
		const char *s;

		if (!gelf_getsym(d, (int)i, out))
			break;
		s = elf_strptr(im->elf, im->symstr, out->st_name);
		if (s && match(out, s, arg)) {
			*name = s;
			return 0;
		}
	}
	return -ENOENT;
}

static int match_name(const GElf_Sym *sym, const char *name,
		      const void *arg)
{
	(void)sym;
	return !strcmp(name, arg);
}

/* A sized data object that holds the address *arg. */
static int match_object_at(const GElf_Sym *sym, const char *name,
			   const void *arg)
{
	uint64_t addr = *(const uint64_t *)arg;

	(void)name;
	return GELF_ST_TYPE(sym->st_info) == STT_OBJECT && sym->st_size &&
	       addr >= sym->st_value && addr - sym->st_value < sym->st_size;
}

int elfimage_symbol(const struct elfimage *im, const char *name,
		    uint64_t *value, uint64_t *size)
{
	const char *found;
	GElf_Sym sym;

	if (find_symbol(im, match_name, name, &sym, &found) < 0)
		return -ENOENT;
	if (value)
		*value = sym.st_value;
	if (size)
		*size = sym.st_size;
	return 0;
}

int elfimage_symbol_at(const struct elfimage *im, uint64_t addr,
		       const char **name, uint64_t *offset)
{
	GElf_Sym sym;

	if (find_symbol(im, match_object_at, &addr, &sym, name) < 0)
		return -ENOENT;
	*offset = addr - sym.st_value;
	return 0;
}

static uint32_t get32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

static uint64_t get64(const unsigned char *p)
{
	uint64_t v = 0;
	int i;

	for (i = 7; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

/*
 * Reads up to max words at addr, fewer when the image ends sooner (but
 * at least min).  Returns how many were read, 0 when not even min.
 */
static size_t read_words(struct memsrc *img, uint64_t addr, uint64_t *w,
			 size_t max, size_t min)
{
	unsigned char b[MD_WORDS * 8];
	size_t n, i;

	if (max > MD_WORDS)
		max = MD_WORDS;
	for (n = max; n >= min && n > 0; n = n > min ? (n + min) / 2 : 0) {
		if (addr > UINT64_MAX - 8 * n ||
		    memsrc_read_full(img, addr, b, 8 * n, NULL) < 0) {
			if (n == min)
				break;
			continue;
		}
		for (i = 0; i < n; i++)
			w[i] = get64(b + 8 * i);
		return n;
	}
	return 0;
}

/*
 * rodata, gofunc: a word near the start of .rodata followed by a larger
 * readable address.  Of such pairs, the one with the lowest first word
 * (runtime.rodata starts Go's read-only data; types may equal it), the
 * last on a tie: the rodata field comes after types (delve's rule).
 */
static void md_gofunc(struct memsrc *img, const struct elfimage_modwhere *w,
		      const uint64_t *wd, size_t n, struct elfimage_gomod *m)
{
	uint64_t slack = w->rodata_size < RODATA_SLACK ? w->rodata_size
						       : RODATA_SLACK;
	unsigned char probe;
	size_t i;

	if (!w->rodata || !w->rodata_size)
		return;
	for (i = MD_FIRST_AFTER; i + 1 < n; i++) {
		if (wd[i] < w->rodata || wd[i] - w->rodata >= slack ||
		    wd[i + 1] <= wd[i] || wd[i + 1] - wd[i] >= MAX_SPAN ||
		    (m->rodata && wd[i] > m->rodata) ||
		    memsrc_read_full(img, wd[i + 1], &probe, 1, NULL) < 0)
			continue;
		m->rodata = wd[i];
		m->gofunc = wd[i + 1];
	}
}

/*
 * Whether the moduledata candidate at addr is consistent; fills m, or
 * sets *why to what is wrong.
 */
static int md_check(struct memsrc *img, const struct elfimage_modwhere *w,
		    uint64_t addr, int scanned, struct elfimage_gomod *m,
		    const char **why)
{
	static const size_t slice_hdr[] = { 1, 4, 7, 10, 13 };
	uint64_t wd[MD_WORDS], pc, nfunc, off[5];
	unsigned char h[72];
	uint32_t magic;
	size_t n, i;

	*why = "it is unreadable";
	n = read_words(img, addr, wd, MD_WORDS, MD_MIN_WORDS);
	if (!n)
		return 0;
	pc = wd[0];
	*why = "its pcHeader is outside the image";
	if (!pc || memsrc_read_full(img, pc, h, sizeof(h), NULL) < 0)
		return 0;
	*why = "its pcHeader is not at the .gopclntab section";
	if (w->pclntab && pc != w->pclntab)
		return 0;
	magic = get32(h);
	*why = "its pcHeader has a bad magic or pointer size";
	if ((magic != PCHDR_MAGIC_118 && magic != PCHDR_MAGIC_120) ||
	    h[4] || h[5] || h[7] != 8)
		return 0;
	nfunc = get64(h + 8);
	*why = "its pcHeader has a bad function count";
	if (!nfunc || nfunc >= MAX_NFUNC)
		return 0;
	*why = "its pclntab slices do not match the pcHeader";
	for (i = 0; i < 5; i++) {
		off[i] = get64(h + 32 + 8 * i);
		if (off[i] >= MAX_SPAN ||
		    wd[slice_hdr[i]] != pc + off[i] ||
		    wd[slice_hdr[i] + 1] > wd[slice_hdr[i] + 2])
			return 0;
	}
	/* ftab: functab entries (nfunc + 1) at the pclntable. */
	if (wd[16] != pc + off[4] || wd[17] != nfunc + 1 ||
	    wd[17] > wd[18])
		return 0;
	/* minpc == text <= maxpc <= etext, inside .text when known. */
	*why = "its text range is not inside .text";
	if (wd[20] != wd[MD_TEXT] || wd[21] > wd[MD_TEXT + 1] ||
	    wd[MD_TEXT] >= wd[MD_TEXT + 1] ||
	    wd[MD_TEXT + 1] - wd[MD_TEXT] >= MAX_SPAN)
		return 0;
	if (get64(h + 24) && get64(h + 24) != wd[MD_TEXT])
		return 0;
	if (w->text_size &&
	    (wd[MD_TEXT] < w->text ||
	     wd[MD_TEXT + 1] - w->text > w->text_size))
		return 0;
	*why = "its data and bss bounds are out of order";
	for (i = 24; i < 32; i += 2)
		if (wd[i] > wd[i + 1] || wd[i + 1] - wd[i] >= MAX_SPAN)
			return 0;
	/* Before Go 1.26 the moduledata is itself in .noptrdata. */
	if (scanned && (addr < wd[24] || addr >= wd[25]))
		return 0;
	memset(m, 0, sizeof(*m));
	m->addr = addr;
	m->pclntab = pc;
	m->text = wd[MD_TEXT];
	m->etext = wd[MD_TEXT + 1];
	m->noptrdata = wd[24];
	m->enoptrdata = wd[25];
	m->data = wd[26];
	m->edata = wd[27];
	m->bss = wd[28];
	m->ebss = wd[29];
	m->noptrbss = wd[30];
	m->enoptrbss = wd[31];
	md_gofunc(img, w, wd, n, m);
	*why = NULL;
	return 1;
}

static int md_scan(struct memsrc *img, const struct elfimage_modwhere *w,
		   struct elfimage_gomod *m)
{
	unsigned char buf[65536];
	uint64_t start = (w->scan + 7) & ~(uint64_t)7, end, a, v;
	unsigned char mb[4];
	const char *why;
	size_t len, i;

	if (!w->scan || w->scan_size > MAX_SCAN ||
	    w->scan > UINT64_MAX - w->scan_size)
		return 0;
	end = w->scan + w->scan_size;
	for (a = start; a + 8 <= end; a += len) {
		len = end - a < sizeof(buf) ? (size_t)(end - a) : sizeof(buf);
		len &= ~(size_t)7;
		if (memsrc_read_full(img, a, buf, len, NULL) < 0)
			return 0;
		for (i = 0; i < len; i += 8) {
			v = get64(buf + i);
			if (w->pclntab ? v != w->pclntab : !v)
				continue;
			if (!w->pclntab &&
			    (memsrc_read_full(img, v, mb, 4, NULL) < 0 ||
			     (get32(mb) != PCHDR_MAGIC_118 &&
			      get32(mb) != PCHDR_MAGIC_120)))
				continue;
			if (md_check(img, w, a + i, 1, m, &why))
				return 1;
		}
	}
	return 0;
}

int elfimage_find_moduledata(struct memsrc *img,
			     const struct elfimage_modwhere *w,
			     struct elfimage_gomod *m, struct err *e)
{
	const char *why = "it is too small";

	memset(m, 0, sizeof(*m));
	if (w->module) {
		if (w->module_size < MD_MIN_WORDS * 8 ||
		    !md_check(img, w, w->module, 0, m, &why))
			return err_set(e, EINVAL, "corrupted Go module data "
				       "at 0x%llx (.go.module): %s",
				       (unsigned long long)w->module, why);
		return 0;
	}
	if (md_scan(img, w, m))
		return 0;
	return err_set(e, ENOENT, "no Go module data in .noptrdata");
}

/* Whether the inline tree at tree starts with a well-formed record. */
static int inl_ok(struct memsrc *img, const struct pcln_func *f,
		  uint64_t tree, int go120, uint64_t names, uint64_t enames)
{
	unsigned char r[20], c;
	int32_t nameoff, parentpc;
	uint64_t name;

	if (memsrc_read_full(img, tree, r, go120 ? 16 : 20, NULL) < 0)
		return 0;
	if (go120) {
		/* funcID u8, _ [3]u8, nameOff i32, parentPc i32, ... */
		if (r[1] || r[2] || r[3])
			return 0;
		nameoff = (int32_t)get32(r + 4);
		parentpc = (int32_t)get32(r + 8);
	} else {
		/* parent i16 (-1 at the root), funcID, _, file, line,
		 * func_ (name offset), parentPc. */
		if (r[0] != 0xff || r[1] != 0xff || r[3])
			return 0;
		nameoff = (int32_t)get32(r + 12);
		parentpc = (int32_t)get32(r + 16);
	}
	if (nameoff < 0 || (uint64_t)nameoff >= enames - names ||
	    parentpc < 0 || (uint64_t)parentpc >= f->end - f->entry)
		return 0;
	/* A name starts after the NUL that ends the previous one. */
	name = names + (uint64_t)nameoff;
	if (nameoff > 0 &&
	    (memsrc_read_full(img, name - 1, &c, 1, NULL) < 0 || c != 0))
		return 0;
	if (memsrc_read_full(img, name, &c, 1, NULL) < 0 || c == 0)
		return 0;
	return 1;
}

int elfimage_check_gofunc(struct memsrc *img, const struct pclntab *t,
			  uint64_t pclntab)
{
	unsigned char h[72];
	struct pcln_func f;
	uint64_t names, enames, tree;
	size_t i, n = pclntab_nfunc(t), checked = 0;
	int go120 = pclntab_magic(t) == PCHDR_MAGIC_120;

	if (memsrc_read_full(img, pclntab, h, sizeof(h), NULL) < 0)
		return -EINVAL;
	names = pclntab + get64(h + 32);
	enames = pclntab + get64(h + 40);
	if (enames <= names)
		return -EINVAL;
	for (i = 0; i < n && checked < GOFUNC_CHECKS; i++) {
		if (pclntab_func_at(t, i, &f) < 0)
			continue;
		tree = pclntab_funcdata(t, &f, 3);
		if (!tree)
			continue;
		if (!inl_ok(img, &f, tree, go120, names, enames))
			return -EINVAL;
		checked++;
	}
	return checked ? 0 : -ENOENT;
}

/* Without a .symtab: pclntab, text and gofunc from the moduledata. */
static int go_module(const struct elfimage *im, struct elfimage_go *g,
		     struct err *e)
{
	struct memsrc *img = (struct memsrc *)&im->mem.base;
	struct elfimage_modwhere w;
	int r;

	memset(&w, 0, sizeof(w));
	if (elfimage_section(im, ".go.module", &w.module, &w.module_size) <
	    0)
		elfimage_section(im, ".noptrdata", &w.scan, &w.scan_size);
	w.pclntab = g->pclntab;
	elfimage_section(im, ".rodata", &w.rodata, &w.rodata_size);
	elfimage_section(im, ".text", &w.text, &w.text_size);
	r = elfimage_find_moduledata(img, &w, &g->mod, e);
	if (r < 0)
		return r;
	g->has_mod = 1;
	g->pclntab = g->mod.pclntab;
	g->text = g->mod.text;
	g->gofunc = g->mod.gofunc;
	return 0;
}

int elfimage_go_tables(const struct elfimage *im, struct elfimage_go *g,
		       struct err *e)
{
	int r;

	memset(g, 0, sizeof(*g));
	if (elfimage_section(im, ".gopclntab", &g->pclntab,
			     &g->pclntab_size) < 0 &&
	    elfimage_section(im, ".data.rel.ro.gopclntab", &g->pclntab,
			     &g->pclntab_size) < 0 &&
	    elfimage_symbol(im, "runtime.pclntab", &g->pclntab, NULL) < 0 &&
	    im->symtab)
		return err_set(e, ENOENT, "no Go pclntab (no .gopclntab "
			       "section nor runtime.pclntab symbol)");
	if (!im->symtab) {
		r = go_module(im, g, e);
		if (r < 0 && !g->pclntab)
			return err_prefix(e, "no Go pclntab (no .gopclntab "
					  "section, no symbols)");
		if (r == -EINVAL || r == 0)
			return r;
	}
	if (!im->symtab)
		return 0;	/* text: the header's (Go <= 1.25) */
	if (elfimage_symbol(im, "go:func.*", &g->gofunc, NULL) < 0 &&
	    elfimage_symbol(im, "go.func.*", &g->gofunc, NULL) < 0)
		g->gofunc = 0;
	if (elfimage_symbol(im, "runtime.text", &g->text, NULL) < 0 &&
	    elfimage_section(im, ".text", &g->text, NULL) < 0)
		g->text = 0;
	return 0;
}

int elfimage_pclntab(struct elfimage *im, struct pclntab **out,
		     struct err *e)
{
	struct elfimage_go g;
	int r;

	*out = NULL;
	r = elfimage_go_tables(im, &g, e);
	if (r < 0)
		return r;
	if (!g.has_mod || !g.gofunc)
		return pclntab_open_text(elfimage_mem(im), g.pclntab, g.gofunc,
					 g.text, out, e);
	/* A gofunc found by heuristics must prove itself, or go. */
	r = pclntab_open_text(elfimage_mem(im), g.pclntab, g.gofunc, g.text,
			      out, NULL);
	if (r == 0 && elfimage_check_gofunc(elfimage_mem(im), *out,
					    g.pclntab) == -EINVAL) {
		pclntab_free(*out);
		*out = NULL;
		r = -EINVAL;
	}
	if (r == 0)
		return 0;
	return pclntab_open_text(elfimage_mem(im), g.pclntab, 0, g.text, out,
				 e);
}
