/* ELF facts (notes, linkage, symbols) and .go.buildinfo lookup in images. */
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buildinfo/elfinfo.h"
#include "lib/xmalloc.h"
#include "lib/banned.h"

#ifndef DF_1_PIE
#define DF_1_PIE 0x08000000
#endif

/* Bounds for hostile images. */
#define MAX_PHDRS 512
#define MAX_NOTE_BLOB (1u << 20)
#define MAX_INTERP 4096
#define MAX_COMMENTS 64
#define GO_SCAN_FIRST (64u * 1024)
#define GO_SCAN_CHUNK (1u << 20)
#define GO_SCAN_TOTAL (256u << 20)

/* memsrc over a file's loadable segments, addressed by link-time vaddr. */
struct mem_file {
	struct memsrc base;
	const unsigned char *img;
	size_t size;
	GElf_Phdr *ph;
	size_t nph;
};

static ssize_t file_read(struct memsrc *m, uint64_t addr, void *buf,
			 size_t len);
static void file_free(struct memsrc *m);
static int check_extent(const char *path, const GElf_Ehdr *eh,
			const GElf_Phdr *ph, size_t nph, size_t size,
			struct err *e);
static int file_facts(Elf *elf, const unsigned char *img, size_t size,
		      GElf_Phdr *ph, size_t nph, struct elfinfo *info,
		      struct err *e);
static void file_sections(Elf *elf, const unsigned char *img, size_t size,
			  struct elfinfo *info);
static void add_notes(struct elfinfo *info, const unsigned char *blob,
		      size_t len, size_t align);
static int dyn_is_pie(const unsigned char *img, size_t size,
		      const GElf_Phdr *dyn, int is64, int big_endian);
static void file_go(struct memsrc *mem, GElf_Phdr *ph, size_t nph,
		    uint64_t data_start, struct elfgo *go);
static int scan_go(struct memsrc *mem, uint64_t start, uint64_t len,
		   struct elfgo *go);
static void classify(struct elfinfo *info, int has_interp, int flag_pie);

static const struct memsrc_ops file_ops = {
	.name = "file",
	.read = file_read,
	.free = file_free,
};

static ssize_t file_read(struct memsrc *m, uint64_t addr, void *buf,
			 size_t len)
{
	struct mem_file *mf = (struct mem_file *)m;
	size_t i, n;

	for (i = 0; i < mf->nph; i++) {
		const GElf_Phdr *p = &mf->ph[i];
		uint64_t off;

		if (p->p_type != PT_LOAD || addr < p->p_vaddr ||
		    addr - p->p_vaddr >= p->p_filesz)
			continue;
		off = p->p_offset + (addr - p->p_vaddr);
		if (off >= mf->size || p->p_offset > mf->size)
			return -EFAULT;
		n = (size_t)(p->p_filesz - (addr - p->p_vaddr));
		if (n > mf->size - off)
			n = (size_t)(mf->size - off);
		if (n > len)
			n = len;
		memcpy(buf, mf->img + off, n);
		return (ssize_t)n;
	}
	return -EFAULT;
}

static void file_free(struct memsrc *m)
{
	free(m);
}

static void add_notes(struct elfinfo *info, const unsigned char *blob,
		      size_t len, size_t align)
{
	struct err e;

	err_init(&e);
	if (elfnote_collect(blob, len, align, info->big_endian, &info->notes,
			    &e) < 0 && !info->notes_warning)
		info->notes_warning = xstrdup(e.msg);
}

static int dyn_is_pie(const unsigned char *img, size_t size,
		      const GElf_Phdr *dyn, int is64, int big_endian)
{
	size_t esz = is64 ? 16 : 8, i, n;
	uint64_t tag, val;

	if (big_endian || dyn->p_offset > size ||
	    dyn->p_filesz > size - dyn->p_offset)
		return 0;
	n = (size_t)dyn->p_filesz / esz;
	for (i = 0; i < n; i++) {
		const unsigned char *p = img + dyn->p_offset + i * esz;

		if (is64) {
			Elf64_Dyn d;

			memcpy(&d, p, sizeof(d));
			tag = (uint64_t)d.d_tag;
			val = d.d_un.d_val;
		} else {
			Elf32_Dyn d;

			memcpy(&d, p, sizeof(d));
			tag = (uint64_t)(int64_t)d.d_tag;
			val = d.d_un.d_val;
		}
		if (tag == DT_NULL)
			break;
		if (tag == DT_FLAGS_1 && (val & DF_1_PIE))
			return 1;
	}
	return 0;
}

static void classify(struct elfinfo *info, int has_interp, int flag_pie)
{
	if (info->type == ET_DYN) {
		if (flag_pie || has_interp)
			info->pie = 1;
		else
			info->shared_object = 1;
	}
}

static void file_sections(Elf *elf, const unsigned char *img, size_t size,
			  struct elfinfo *info)
{
	size_t shstrndx;
	Elf_Scn *scn = NULL;
	GElf_Shdr sh;

	if (elf_getshdrstrndx(elf, &shstrndx) != 0)
		return;
	while ((scn = elf_nextscn(elf, scn)) != NULL) {
		const char *name;

		if (!gelf_getshdr(scn, &sh))
			continue;
		info->has_sections = 1;
		name = elf_strptr(elf, shstrndx, sh.sh_name);
		if (!name)
			name = "";
		if (sh.sh_type == SHT_SYMTAB)
			info->has_symtab = 1;
		if (!strcmp(name, ".debug_info") ||
		    !strcmp(name, ".zdebug_info"))
			info->has_dwarf = 1;
		if (!strcmp(name, ".gopclntab") ||
		    !strcmp(name, ".data.rel.ro.gopclntab"))
			info->has_gopclntab = 1;
		if (!strcmp(name, ".go.buildinfo"))
			info->gobuildinfo_addr = sh.sh_addr;
		if (sh.sh_type == SHT_NOBITS || sh.sh_offset > size ||
		    sh.sh_size > size - sh.sh_offset)
			continue;
		if (sh.sh_type == SHT_NOTE)
			add_notes(info, img + sh.sh_offset, (size_t)sh.sh_size,
				  (size_t)sh.sh_addralign);
		if (!strcmp(name, ".gnu_debuglink") && sh.sh_size > 4 &&
		    !info->debuglink)
			info->debuglink = xstrndup(
				(const char *)img + sh.sh_offset,
				(size_t)sh.sh_size - 4);
		if (!strcmp(name, ".comment")) {
			const char *p = (const char *)img + sh.sh_offset;
			const char *end = p + sh.sh_size;

			while (p < end && info->ncomments < MAX_COMMENTS) {
				size_t l = strnlen(p, (size_t)(end - p));

				if (l) {
					info->comments = xreallocarray(
						info->comments,
						info->ncomments + 1,
						sizeof(char *));
					info->comments[info->ncomments++] =
						xmemdupz(p, l);
				}
				p += l + 1;
			}
		}
	}
}

static int file_facts(Elf *elf, const unsigned char *img, size_t size,
		      GElf_Phdr *ph, size_t nph, struct elfinfo *info,
		      struct err *e)
{
	int has_interp = 0, flag_pie = 0, have_note_sections;
	size_t i;

	file_sections(elf, img, size, info);
	have_note_sections = info->notes.gnu_build_id ||
			     info->notes.go_build_id ||
			     info->notes.package_json || info->notes.abi_tag;
	for (i = 0; i < nph; i++) {
		const GElf_Phdr *p = &ph[i];
		int inside = p->p_offset <= size &&
			     p->p_filesz <= size - p->p_offset;

		/* Keep the first PT_INTERP, as the kernel does. */
		if (p->p_type == PT_INTERP && inside && p->p_filesz > 0 &&
		    p->p_filesz < MAX_INTERP && !info->interp) {
			has_interp = 1;
			info->interp = xstrndup((const char *)img + p->p_offset,
						(size_t)p->p_filesz);
		} else if (p->p_type == PT_DYNAMIC && inside) {
			flag_pie = dyn_is_pie(img, size, p,
					      info->elf_class == 64,
					      info->big_endian);
		} else if (p->p_type == PT_NOTE && inside &&
			   !have_note_sections && !info->has_sections) {
			add_notes(info, img + p->p_offset, (size_t)p->p_filesz,
				  (size_t)p->p_align);
		}
	}
	classify(info, has_interp, flag_pie);
	(void)e;
	return 0;
}

static int scan_go(struct memsrc *mem, uint64_t start, uint64_t len,
		   struct elfgo *go)
{
	unsigned char *buf;
	uint64_t pos = 0;
	size_t off, chunk;
	ssize_t n;
	struct err e;

	buf = xmalloc(GO_SCAN_CHUNK + GOBI_HEADER_LEN);
	while (pos < len) {
		chunk = len - pos > GO_SCAN_CHUNK ? GO_SCAN_CHUNK
						  : (size_t)(len - pos);
		n = mem->ops->read(mem, start + pos, buf, chunk);
		if (n <= 0)
			break;
		if (gobi_find(buf, (size_t)n, &off)) {
			/* Re-read so the inline strings that follow fit. */
			size_t want = GOBI_HEADER_LEN + 16 + GOBI_MAX_VERSION +
				      16 + GOBI_MAX_MODINFO;
			unsigned char *blob = xmalloc(want);
			ssize_t got = mem->ops->read(
				mem, start + pos + off, blob, want);
			int r = -1;

			err_init(&e);
			if (got > 0) {
				size_t have = (size_t)got;

				/* Follow into the next mapping if short. */
				while (have < want) {
					ssize_t more = mem->ops->read(
						mem, start + pos + off + have,
						blob + have, want - have);
					if (more <= 0)
						break;
					have += (size_t)more;
				}
				r = gobi_decode(blob, have, mem, &go->go, &e);
			}
			free(blob);
			free(buf);
			if (r == 0) {
				go->found = 1;
				return 1;
			}
			if (e.code != ENOEXEC && !go->error)
				go->error = xstrdup(e.msg);
			return 0;
		}
		if ((size_t)n < chunk)
			break;
		/* The magic is 16-aligned and chunks are multiples of 16. */
		pos += (uint64_t)n;
	}
	free(buf);
	return 0;
}

static void file_go(struct memsrc *mem, GElf_Phdr *ph, size_t nph,
		    uint64_t data_start, struct elfgo *go)
{
	size_t i;

	for (i = 0; i < nph; i++) {
		const GElf_Phdr *p = &ph[i];

		if (p->p_type != PT_LOAD || data_start < p->p_vaddr ||
		    data_start - p->p_vaddr >= p->p_filesz)
			continue;
		scan_go(mem, data_start, GO_SCAN_FIRST, go);
		return;
	}
}

/*
 * A file shorter than its own headers say (a copy or download cut short)
 * is an error, not "not a Go binary": the segments and the section
 * header table must lie inside it.
 */
static int check_extent(const char *path, const GElf_Ehdr *eh,
			const GElf_Phdr *ph, size_t nph, size_t size,
			struct err *e)
{
	uint64_t need = 0, end;
	size_t i;

	for (i = 0; i < nph; i++) {
		if (ph[i].p_type != PT_LOAD || !ph[i].p_filesz)
			continue;
		if (__builtin_add_overflow(ph[i].p_offset, ph[i].p_filesz,
					   &end))
			end = UINT64_MAX;
		if (end > need)
			need = end;
	}
	if (eh->e_shoff && eh->e_shnum) {
		if (__builtin_add_overflow(eh->e_shoff,
					   (uint64_t)eh->e_shnum *
						   eh->e_shentsize, &end))
			end = UINT64_MAX;
		if (end > need)
			need = end;
	}
	if (need > size)
		return err_set(e, EINVAL, "'%s' is truncated: its headers "
			       "describe %llu bytes, the file has %zu", path,
			       (unsigned long long)need, size);
	return 0;
}

int elfinfo_read_file(const char *path, struct elfinfo *info,
		      struct elfgo *go, struct err *e)
{
	const unsigned char *img;
	struct mem_file *mf = NULL;
	GElf_Phdr *ph = NULL;
	GElf_Ehdr eh;
	size_t size, nph = 0, i;
	uint64_t data_start = 0;
	Elf *elf = NULL;
	struct stat st;
	int fd, r = 0;

	memset(info, 0, sizeof(*info));
	memset(go, 0, sizeof(*go));
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return err_errno(e, errno, "cannot open '%s'", path);
	if (fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
		close(fd);
		return err_set(e, EISDIR, "'%s' is a directory", path);
	}
	elf_version(EV_CURRENT);
	elf = elf_begin(fd, ELF_C_READ_MMAP, NULL);
	if (!elf || elf_kind(elf) != ELF_K_ELF) {
		r = err_set(e, ENOEXEC, "'%s' is not an ELF file", path);
		goto out;
	}
	img = (const unsigned char *)elf_rawfile(elf, &size);
	if (!img || !gelf_getehdr(elf, &eh)) {
		r = err_set(e, EINVAL, "'%s': corrupted ELF header: %s", path,
			    elf_errmsg(-1));
		goto out;
	}
	info->elf_class = gelf_getclass(elf) == ELFCLASS64 ? 64 : 32;
	info->big_endian = eh.e_ident[EI_DATA] == ELFDATA2MSB;
	info->machine = eh.e_machine;
	info->type = eh.e_type;
	info->entry = eh.e_entry;
	if (elf_getphdrnum(elf, &nph) != 0 || nph > MAX_PHDRS) {
		r = err_set(e, EINVAL, "'%s': corrupted program headers",
			    path);
		goto out;
	}
	ph = xcalloc(nph ? nph : 1, sizeof(*ph));
	for (i = 0; i < nph; i++) {
		if (!gelf_getphdr(elf, (int)i, &ph[i])) {
			r = err_set(e, EINVAL,
				    "'%s': corrupted program header %zu: %s",
				    path, i, elf_errmsg(-1));
			goto out;
		}
	}
	r = check_extent(path, &eh, ph, nph, size, e);
	if (r < 0)
		goto out;
	file_facts(elf, img, size, ph, nph, info, e);

	/* debug/buildinfo: .go.buildinfo, else the first RW- segment. */
	data_start = info->gobuildinfo_addr;
	for (i = 0; !data_start && i < nph; i++)
		if (ph[i].p_type == PT_LOAD &&
		    (ph[i].p_flags & (PF_X | PF_W)) == PF_W)
			data_start = ph[i].p_vaddr;
	mf = xcalloc(1, sizeof(*mf));
	mf->base.ops = &file_ops;
	mf->img = img;
	mf->size = size;
	mf->ph = ph;
	mf->nph = nph;
	if (data_start)
		file_go(&mf->base, ph, nph, data_start, go);
out:
	if (mf)
		memsrc_free(&mf->base);
	free(ph);
	if (elf)
		elf_end(elf);
	close(fd);
	return r;
}

int elfinfo_read_memory(struct memsrc *mem, uint64_t base,
			uint64_t gobuildinfo_hint, struct elfinfo *info,
			struct elfgo *go, struct err *e)
{
	Elf64_Ehdr eh;
	Elf64_Phdr *ph = NULL;
	uint64_t bias = 0, lowest = UINT64_MAX, scanned = 0;
	int has_interp = 0, r, found_load = 0;
	size_t i;

	memset(info, 0, sizeof(*info));
	memset(go, 0, sizeof(*go));
	r = memsrc_read_full(mem, base, &eh, sizeof(eh), e);
	if (r < 0)
		return err_prefix(e, "cannot read the ELF header in memory");
	if (memcmp(eh.e_ident, ELFMAG, SELFMAG))
		return err_set(e, ENOEXEC,
			       "no ELF header at 0x%llx in process memory",
			       (unsigned long long)base);
	if (eh.e_ident[EI_CLASS] != ELFCLASS64 ||
	    eh.e_ident[EI_DATA] != ELFDATA2LSB ||
	    eh.e_phentsize != sizeof(Elf64_Phdr) || eh.e_phnum == 0 ||
	    eh.e_phnum > MAX_PHDRS)
		return err_set(e, EINVAL,
			       "unsupported or corrupted ELF header in "
			       "process memory");
	info->elf_class = 64;
	info->machine = eh.e_machine;
	info->type = eh.e_type;
	info->entry = eh.e_entry;
	ph = xcalloc(eh.e_phnum, sizeof(*ph));
	r = memsrc_read_full(mem, base + eh.e_phoff, ph,
			     eh.e_phnum * sizeof(*ph), e);
	if (r < 0) {
		free(ph);
		return err_prefix(e, "cannot read program headers in memory");
	}
	for (i = 0; i < eh.e_phnum; i++)
		if (ph[i].p_type == PT_LOAD && ph[i].p_vaddr < lowest) {
			lowest = ph[i].p_vaddr;
			found_load = 1;
		}
	if (found_load)
		bias = base - (lowest & ~(uint64_t)0xfff);
	for (i = 0; i < eh.e_phnum; i++) {
		const Elf64_Phdr *p = &ph[i];
		unsigned char *blob;
		size_t n;

		if (p->p_type == PT_INTERP && p->p_filesz &&
		    p->p_filesz < MAX_INTERP && !info->interp) {
			blob = xcalloc(1, (size_t)p->p_filesz + 1);
			if (memsrc_read_full(mem, p->p_vaddr + bias, blob,
					     (size_t)p->p_filesz, NULL) == 0) {
				info->interp = xstrdup((char *)blob);
				has_interp = 1;
			}
			free(blob);
		} else if (p->p_type == PT_NOTE && p->p_filesz &&
			   p->p_filesz <= MAX_NOTE_BLOB) {
			n = (size_t)p->p_filesz;
			blob = xmalloc(n);
			if (memsrc_read_full(mem, p->p_vaddr + bias, blob, n,
					     NULL) == 0)
				add_notes(info, blob, n, (size_t)p->p_align);
			free(blob);
		}
	}
	classify(info, has_interp, 0);
	if (gobuildinfo_hint &&
	    scan_go(mem, gobuildinfo_hint + bias, GOBI_HEADER_LEN + 16, go))
		goto done;
	for (i = 0; i < eh.e_phnum && !go->found; i++) {
		const Elf64_Phdr *p = &ph[i];
		uint64_t len = p->p_filesz;

		if (p->p_type != PT_LOAD || !(p->p_flags & PF_W) ||
		    (p->p_flags & PF_X))
			continue;
		if (len > GO_SCAN_TOTAL - scanned)
			len = GO_SCAN_TOTAL - scanned;
		/* Segments need not start 16-aligned; the magic is. */
		scan_go(mem, (p->p_vaddr + bias) & ~(uint64_t)15,
			len + 16, go);
		scanned += len;
	}
done:
	free(ph);
	return 0;
}

void elfinfo_release(struct elfinfo *info)
{
	size_t i;

	free(info->interp);
	free(info->debuglink);
	for (i = 0; i < info->ncomments; i++)
		free(info->comments[i]);
	free(info->comments);
	free(info->notes_warning);
	elfnote_facts_release(&info->notes);
	memset(info, 0, sizeof(*info));
}

void elfgo_release(struct elfgo *go)
{
	gobi_release(&go->go);
	free(go->error);
	memset(go, 0, sizeof(*go));
}

const char *elfinfo_machine_name(unsigned int machine, char *buf,
				 size_t size)
{
	switch (machine) {
	case EM_X86_64: return "x86-64";
	case EM_386: return "i386";
	case EM_AARCH64: return "aarch64";
	case EM_ARM: return "arm";
	case EM_RISCV: return "riscv";
	case EM_PPC64: return "ppc64";
	case EM_PPC: return "ppc";
	case EM_S390: return "s390";
	case EM_MIPS: return "mips";
	case 258: return "loongarch";
	default:
		snprintf(buf, size, "machine %u", machine);
		return buf;
	}
}

const char *elfinfo_kind(const struct elfinfo *info)
{
	switch (info->type) {
	case ET_EXEC: return "executable";
	case ET_DYN:
		if (info->pie)
			return "PIE executable";
		return "shared object";
	case ET_REL: return "relocatable object";
	case ET_CORE: return "core file";
	default: return "unknown ELF type";
	}
}
