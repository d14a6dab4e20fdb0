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

int elfimage_symbol(const struct elfimage *im, const char *name,
		    uint64_t *value, uint64_t *size)
{
	Elf_Data *d;
	GElf_Sym sym;
	size_t i, n;

	if (!im->symtab)
		return -ENOENT;
	d = elf_getdata(im->symtab, NULL);
	if (!d || !d->d_buf)
		return -ENOENT;
	n = d->d_size / (gelf_getclass(im->elf) == ELFCLASS64
				 ? sizeof(Elf64_Sym)
				 : sizeof(Elf32_Sym));
	for (i = 1; i < n; i++) {
		const char *s;

		if (!gelf_getsym(d, (int)i, &sym))
			break;
		s = elf_strptr(im->elf, im->symstr, sym.st_name);
		if (!s || strcmp(s, name) != 0)
			continue;
		if (value)
			*value = sym.st_value;
		if (size)
			*size = sym.st_size;
		return 0;
	}
	return -ENOENT;
}

int elfimage_go_tables(const struct elfimage *im, struct elfimage_go *g,
		       struct err *e)
{
	memset(g, 0, sizeof(*g));
	if (elfimage_section(im, ".gopclntab", &g->pclntab,
			     &g->pclntab_size) < 0 &&
	    elfimage_section(im, ".data.rel.ro.gopclntab", &g->pclntab,
			     &g->pclntab_size) < 0 &&
	    elfimage_symbol(im, "runtime.pclntab", &g->pclntab, NULL) < 0)
		return err_set(e, ENOENT, "no Go pclntab (no .gopclntab "
			       "section nor runtime.pclntab symbol)");
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
	return pclntab_open_text(elfimage_mem(im), g.pclntab, g.gofunc,
				 g.text, out, e);
}
