/* Reading ELF core files (kernel and gcore): segments, notes, memory. */
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "inspect/core.h"
#include "inspect/unpack.h"
#include "lib/xmalloc.h"
#include "lib/banned.h"

#ifndef NT_FILE
#define NT_FILE 0x46494c45
#endif
#define NOTE_ALIGN 4
/* user_regs_struct: 27 words. */
#define NGREG 27
/* elf_prstatus: si_signo etc. (12), cursig (2+2 pad), sigpend, sighold,
 * pid, ppid, pgrp, sid, 4 timevals (64), then the registers. */
#define PRSTATUS_CURSIG 12
#define PRSTATUS_PID 32
#define PRSTATUS_UTIME 48
#define PRSTATUS_STIME 64
#define PRSTATUS_REGS 112
#define PRSTATUS_MIN (PRSTATUS_REGS + NGREG * 8)
/* elf_prpsinfo on x86-64: state..nice (4), flag (8), uid, gid (8),
 * pid (4) ..., fname at 40, psargs at 56. */
#define PRPSINFO_PID 24
#define PRPSINFO_FNAME 40
#define PRPSINFO_PSARGS 56
#define PRPSINFO_SIZE 136

struct core_priv {
	const unsigned char *data;
	size_t len;
	void *map;		/* mmap of the file, or NULL (borrowed data) */
	int fd;			/* the file or its decompressed memfd, or -1 */
	int *fds;		/* per file mapping: -1 not opened, -2 failed */
};

struct mem_core {
	struct memsrc base;
	struct core *c;
};

static int parse(struct core *c, struct err *e);
static int parse_notes(struct core *c, const unsigned char *p, size_t len,
		       struct err *e);
static void note_prstatus(struct core *c, const unsigned char *d,
			  size_t len);
static void note_prpsinfo(struct core *c, const unsigned char *d,
			  size_t len);
static int note_file(struct core *c, const unsigned char *d, size_t len,
		     struct err *e);
static void note_auxv(struct core *c, const unsigned char *d, size_t len);
static int cmp_seg(const void *a, const void *b);
static int cmp_file(const void *a, const void *b);
static const struct core_segment *seg_at(const struct core *c,
					 uint64_t addr);
static const struct core_file *file_at(const struct core *c, uint64_t addr,
				       size_t *idx);
static ssize_t read_file(struct core *c, uint64_t addr, void *buf,
			 size_t len);
static ssize_t core_mem_read(struct memsrc *m, uint64_t addr, void *buf,
			     size_t len);
static void core_mem_free(struct memsrc *m);
static int try_path(const struct core *c, const char *p, char **out);
static void note_build_id(const unsigned char *p, size_t len, char *buf,
			  size_t size);
static void image_build_id(const struct core *c, int fd,
			   const Elf64_Phdr *ph, size_t n, uint64_t bias,
			   char *buf, size_t size);
static void add_gap(const struct core_file *f, uint64_t start, uint64_t end,
		    struct proc_maps *maps, size_t *cap);
static int cmp_map(const void *a, const void *b);
static int rename_exe(struct core *c, const char *path);
static int read_cstr(const struct core *c, uint64_t addr, char *buf,
		     size_t size);

static const struct memsrc_ops core_ops = {
	.name = "core",
	.read = core_mem_read,
	.free = core_mem_free,
};

static uint64_t get64(const unsigned char *p)
{
	uint64_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

static uint32_t get32(const unsigned char *p)
{
	uint32_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

static uint64_t timeval_ns(const unsigned char *p)
{
	uint64_t sec = get64(p), usec = get64(p + 8);

	if (sec > UINT64_MAX / 2000000000u || usec >= 1000000u)
		return 0;
	return sec * 1000000000u + usec * 1000u;
}

int core_is_core(const void *head, size_t len)
{
	const unsigned char *h = head;
	uint16_t type;

	if (len < sizeof(Elf64_Ehdr) || memcmp(h, ELFMAG, SELFMAG) ||
	    h[EI_CLASS] != ELFCLASS64 || h[EI_DATA] != ELFDATA2LSB)
		return 0;
	memcpy(&type, h + offsetof(Elf64_Ehdr, e_type), sizeof(type));
	return type == ET_CORE;
}

static int cmp_seg(const void *a, const void *b)
{
	const struct core_segment *x = a, *y = b;

	return x->vaddr < y->vaddr ? -1 : x->vaddr > y->vaddr;
}

static int cmp_file(const void *a, const void *b)
{
	const struct core_file *x = a, *y = b;

	return x->start < y->start ? -1 : x->start > y->start;
}

static void note_prstatus(struct core *c, const unsigned char *d,
			  size_t len)
{
	struct core_thread *t;
	uint64_t g[NGREG];
	int16_t sig;

	if (len < PRSTATUS_MIN || c->nthreads >= CORE_MAX_THREADS)
		return;
	if ((c->nthreads & (c->nthreads - 1)) == 0)
		c->threads = xreallocarray(c->threads,
					   c->nthreads ? c->nthreads * 2 : 1,
					   sizeof(*c->threads));
	t = &c->threads[c->nthreads++];
	memset(t, 0, sizeof(*t));
	memcpy(&sig, d + PRSTATUS_CURSIG, sizeof(sig));
	t->signo = sig;
	t->tid = (pid_t)get32(d + PRSTATUS_PID);
	t->utime_ns = timeval_ns(d + PRSTATUS_UTIME);
	t->stime_ns = timeval_ns(d + PRSTATUS_STIME);
	memcpy(g, d + PRSTATUS_REGS, sizeof(g));
	/* The order of struct user_regs_struct. */
	t->regs.r15 = g[0];
	t->regs.r14 = g[1];
	t->regs.r13 = g[2];
	t->regs.r12 = g[3];
	t->regs.bp = g[4];
	t->regs.bx = g[5];
	t->regs.r11 = g[6];
	t->regs.r10 = g[7];
	t->regs.r9 = g[8];
	t->regs.r8 = g[9];
	t->regs.ax = g[10];
	t->regs.cx = g[11];
	t->regs.dx = g[12];
	t->regs.si = g[13];
	t->regs.di = g[14];
	t->regs.orig_ax = g[15];
	t->regs.pc = g[16];
	t->regs.sp = g[19];
	t->regs.fs_base = g[21];
}

static void note_prpsinfo(struct core *c, const unsigned char *d,
			  size_t len)
{
	size_t i;

	if (len < PRPSINFO_SIZE)
		return;
	c->pid = (pid_t)get32(d + PRPSINFO_PID);
	memcpy(c->fname, d + PRPSINFO_FNAME, 16);
	c->fname[16] = '\0';
	memcpy(c->psargs, d + PRPSINFO_PSARGS, 80);
	c->psargs[80] = '\0';
	for (i = 0; c->fname[i]; i++)
		if ((unsigned char)c->fname[i] < 0x20)
			c->fname[i] = '?';
}

/*
 * NT_FILE: count, page size, count x (start, end, page offset), then
 * count NUL-terminated paths.
 */
static int note_file(struct core *c, const unsigned char *d, size_t len,
		     struct err *e)
{
	uint64_t count, page;
	const char *names, *end;
	size_t i;

	if (c->has_nt_file || len < 16)
		return 0;
	count = get64(d);
	page = get64(d + 8);
	if (count > CORE_MAX_FILES || count > (len - 16) / 24 || !page ||
	    page > (1u << 30) || (page & (page - 1)))
		return err_set(e, EINVAL, "'%s': damaged NT_FILE note",
			       c->path);
	names = (const char *)d + 16 + count * 24;
	end = (const char *)d + len;
	c->files = xcalloc(count + 1, sizeof(*c->files));
	for (i = 0; i < count; i++) {
		const unsigned char *r = d + 16 + i * 24;
		const char *nul = memchr(names, '\0', (size_t)(end - names));
		struct core_file *f = &c->files[i];

		if (!nul) {
			c->nfiles = i;
			return err_set(e, EINVAL, "'%s': damaged NT_FILE note "
				       "(path %zu not terminated)", c->path, i);
		}
		f->start = get64(r);
		f->end = get64(r + 8);
		if (get64(r + 16) > UINT64_MAX / page || f->end < f->start) {
			c->nfiles = i;
			return err_set(e, EINVAL, "'%s': damaged NT_FILE note "
				       "(entry %zu)", c->path, i);
		}
		f->offset = get64(r + 16) * page;
		f->path = xstrdup(names);
		names = nul + 1;
		c->nfiles = i + 1;
	}
	c->has_nt_file = 1;
	return 0;
}

static void note_auxv(struct core *c, const unsigned char *d, size_t len)
{
	size_t i;

	c->has_auxv = 1;
	for (i = 0; i + 16 <= len; i += 16) {
		uint64_t k = get64(d + i), v = get64(d + i + 8);

		if (k == AT_NULL)
			break;
		if (k == AT_ENTRY)
			c->at_entry = v;
		else if (k == AT_PHDR)
			c->at_phdr = v;
		else if (k == AT_EXECFN)
			c->at_execfn = v;
		else if (k == AT_SYSINFO_EHDR)
			c->at_sysinfo_ehdr = v;
	}
}

static int parse_notes(struct core *c, const unsigned char *p, size_t len,
		       struct err *e)
{
	size_t pos = 0;
	int r;

	while (len - pos >= 12) {
		uint32_t namesz = get32(p + pos), descsz = get32(p + pos + 4);
		uint32_t type = get32(p + pos + 8);
		size_t nlen = ((size_t)namesz + 3) & ~(size_t)3;
		size_t dlen = ((size_t)descsz + 3) & ~(size_t)3;
		const unsigned char *name, *desc;

		pos += 12;
		if (nlen > len - pos || dlen > len - pos - nlen)
			return err_set(e, EINVAL, "'%s': damaged note at "
				       "offset %zu", c->path, pos - 12);
		name = p + pos;
		desc = p + pos + nlen;
		pos += nlen + dlen;
		/* Kernel and gdb notes are owned by "CORE" (or "LINUX"). */
		if (namesz != 5 || memcmp(name, "CORE", 5))
			continue;
		switch (type) {
		case NT_PRSTATUS:
			note_prstatus(c, desc, descsz);
			break;
		case NT_PRPSINFO:
			note_prpsinfo(c, desc, descsz);
			break;
		case NT_AUXV:
			note_auxv(c, desc, descsz);
			break;
		case NT_FILE:
			r = note_file(c, desc, descsz, e);
			if (r < 0)
				return r;
			break;
		default:
			break;
		}
	}
	return 0;
}

static int parse(struct core *c, struct err *e)
{
	const unsigned char *d = c->priv->data;
	size_t len = c->priv->len, i, n = 0;
	Elf64_Ehdr eh;
	Elf64_Phdr ph;
	int r;

	if (!core_is_core(d, len))
		return err_set(e, ENOEXEC, "'%s' is not a 64-bit ELF core file",
			       c->path);
	memcpy(&eh, d, sizeof(eh));
	if (eh.e_machine != EM_X86_64)
		return err_set(e, ENOEXEC, "'%s': core of another "
			       "architecture (e_machine %u); goscope reads "
			       "x86-64 cores", c->path, eh.e_machine);
	if (eh.e_phentsize != sizeof(ph) || eh.e_phnum == 0 ||
	    eh.e_phoff > len || (len - eh.e_phoff) / sizeof(ph) < eh.e_phnum)
		return err_set(e, EINVAL, "'%s': truncated or damaged program "
			       "headers", c->path);
	c->segs = xcalloc(eh.e_phnum, sizeof(*c->segs));
	for (i = 0; i < eh.e_phnum; i++) {
		memcpy(&ph, d + eh.e_phoff + i * sizeof(ph), sizeof(ph));
		if (ph.p_type == PT_NOTE) {
			if (ph.p_offset > len || ph.p_filesz > len - ph.p_offset)
				return err_set(e, EINVAL, "'%s': truncated "
					       "(notes end past the end of "
					       "the file)", c->path);
			r = parse_notes(c, d + ph.p_offset, ph.p_filesz, e);
			if (r < 0)
				return r;
		} else if (ph.p_type == PT_LOAD) {
			struct core_segment *s = &c->segs[n];

			if (ph.p_vaddr + ph.p_memsz < ph.p_vaddr ||
			    ph.p_filesz > ph.p_memsz)
				return err_set(e, EINVAL, "'%s': damaged "
					       "segment %zu", c->path, i);
			s->vaddr = ph.p_vaddr;
			s->memsz = ph.p_memsz;
			s->flags = ph.p_flags;
			s->offset = ph.p_offset;
			s->filesz = ph.p_filesz;
			if (s->filesz && (s->offset > len ||
					  s->filesz > len - s->offset))
				return err_set(e, EINVAL, "'%s': truncated core "
					       "(%zu bytes; segment %zu ends "
					       "at %llu)", c->path, len, i,
					       (unsigned long long)(s->offset +
								    s->filesz));
			n++;
		}
	}
	c->nsegs = n;
	if (!n)
		return err_set(e, EINVAL, "'%s': no memory segments in the core",
			       c->path);
	if (!c->nthreads)
		return err_set(e, EINVAL, "'%s': no thread in the core "
			       "(no NT_PRSTATUS note)", c->path);
	if (!c->pid)
		c->pid = c->threads[0].tid;
	qsort(c->segs, n, sizeof(*c->segs), cmp_seg);
	if (c->nfiles)
		qsort(c->files, c->nfiles, sizeof(*c->files), cmp_file);
	c->priv->fds = xcalloc(c->nfiles + 1, sizeof(int));
	for (i = 0; i < c->nfiles; i++)
		c->priv->fds[i] = -1;
	return 0;
}

int core_open_buffer(const void *data, size_t len, const char *name,
		     struct core **out, struct err *e)
{
	struct core *c = xcalloc(1, sizeof(*c));
	int r;

	c->path = xstrdup(name);
	c->priv = xcalloc(1, sizeof(*c->priv));
	c->priv->fd = -1;
	c->priv->data = data;
	c->priv->len = len;
	r = parse(c, e);
	if (r < 0) {
		core_free(c);
		return r;
	}
	*out = c;
	return 0;
}

int core_looks_like(const void *head, size_t len)
{
	return core_is_core(head, len) || unpack_sniff(head, len) != UNPACK_NONE;
}

/*
 * A compressed core: decompressed into a memfd that replaces *fd, its
 * size in *len.  max_mem 0: half of the memory available.
 */
static int unpack_core(const char *path, size_t max_mem, int *fd,
		       size_t *len, struct err *e)
{
	unsigned char head[64];
	enum unpack_format f;
	uint64_t size = 0;
	ssize_t n;
	int mfd;

	n = pread(*fd, head, sizeof(head), 0);
	f = n > 0 ? unpack_sniff(head, (size_t)n) : UNPACK_NONE;
	if (f == UNPACK_NONE)
		return 0;
	if (!max_mem) {
		uint64_t avail = proc_mem_available() / 2;

		max_mem = avail > SIZE_MAX ? SIZE_MAX : (size_t)avail;
	}
	mfd = unpack_to_memfd(*fd, f, path, max_mem, UNPACK_MAX_SIZE, &size,
			      e);
	if (mfd < 0)
		return mfd;
	close(*fd);
	*fd = mfd;
	n = pread(mfd, head, sizeof(head), 0);
	if (size > SIZE_MAX || n <= 0 || !core_is_core(head, (size_t)n))
		return err_set(e, ENOEXEC, "'%s': %s data that is not a 64-bit "
			       "ELF core file", path, unpack_name(f));
	*len = (size_t)size;
	return 0;
}

int core_open(const char *path, size_t max_mem, struct core **out,
	      struct err *e)
{
	struct stat st;
	size_t len;
	void *map;
	int fd, r;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return err_errno(e, errno, "cannot open '%s'", path);
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size <= 0) {
		close(fd);
		return err_set(e, EINVAL, "'%s' is not a core file", path);
	}
	len = (size_t)st.st_size;
	r = unpack_core(path, max_mem, &fd, &len, e);
	if (r < 0) {
		close(fd);
		return r;
	}
	map = mmap(NULL, len, PROT_READ, MAP_PRIVATE, fd, 0);
	if (map == MAP_FAILED) {
		r = err_errno(e, errno, "cannot map '%s'", path);
		close(fd);
		return r;
	}
	r = core_open_buffer(map, len, path, out, e);
	if (r < 0) {
		munmap(map, len);
		close(fd);
		return r;
	}
	(*out)->priv->map = map;
	(*out)->priv->fd = fd;
	(*out)->time_unix_ns = (int64_t)st.st_mtim.tv_sec * 1000000000ll +
			       st.st_mtim.tv_nsec;
	return 0;
}

int core_fd(const struct core *c)
{
	return c->priv->fd;
}

static const struct core_segment *seg_at(const struct core *c, uint64_t addr)
{
	size_t lo = 0, hi = c->nsegs, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (addr < c->segs[mid].vaddr)
			hi = mid;
		else if (addr - c->segs[mid].vaddr >= c->segs[mid].memsz)
			lo = mid + 1;
		else
			return &c->segs[mid];
	}
	return NULL;
}

static const struct core_file *file_at(const struct core *c, uint64_t addr,
				       size_t *idx)
{
	size_t lo = 0, hi = c->nfiles, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (addr < c->files[mid].start)
			hi = mid;
		else if (addr >= c->files[mid].end)
			lo = mid + 1;
		else {
			*idx = mid;
			return &c->files[mid];
		}
	}
	return NULL;
}

ssize_t core_read_saved(const struct core *c, uint64_t addr, void *buf,
			size_t len)
{
	const struct core_segment *s = seg_at(c, addr);
	uint64_t off;
	size_t n;

	if (!s || addr - s->vaddr >= s->filesz)
		return -EFAULT;
	off = addr - s->vaddr;
	n = (size_t)(s->filesz - off) < len ? (size_t)(s->filesz - off) : len;
	memcpy(buf, c->priv->data + s->offset + off, n);
	return (ssize_t)n;
}

/* Memory the core left out, from the file mapped there (read-only only). */
static ssize_t read_file(struct core *c, uint64_t addr, void *buf,
			 size_t len)
{
	const struct core_segment *s = seg_at(c, addr);
	const struct core_file *f;
	size_t idx = 0, n;
	ssize_t got;
	int *fd;

	if (s && (s->flags & PF_W))
		return -EFAULT;
	f = file_at(c, addr, &idx);
	if (!f)
		return -EFAULT;
	fd = &c->priv->fds[idx];
	if (*fd == -1) {
		struct stat st;

		/* Paths come from the core: only regular files, no waiting. */
		*fd = open(f->path, O_RDONLY | O_CLOEXEC | O_NONBLOCK |
			   O_NOCTTY);
		if (*fd >= 0 && (fstat(*fd, &st) < 0 || !S_ISREG(st.st_mode))) {
			close(*fd);
			*fd = -1;
		}
		if (*fd < 0)
			*fd = -2;
	}
	if (*fd < 0)
		return -EFAULT;
	n = f->end - addr < len ? (size_t)(f->end - addr) : len;
	/* Do not run into the next saved segment. */
	if (s && s->vaddr + s->memsz - addr < n)
		n = (size_t)(s->vaddr + s->memsz - addr);
	if (f->offset + (addr - f->start) > (uint64_t)INT64_MAX)
		return -EFAULT;
	got = pread(*fd, buf, n, (off_t)(f->offset + (addr - f->start)));
	return got > 0 ? got : -EFAULT;
}

static ssize_t core_mem_read(struct memsrc *m, uint64_t addr, void *buf,
			     size_t len)
{
	struct core *c = ((struct mem_core *)m)->c;
	ssize_t n;

	if (len == 0)
		return 0;
	n = core_read_saved(c, addr, buf, len);
	if (n > 0)
		return n;
	return read_file(c, addr, buf, len);
}

static void core_mem_free(struct memsrc *m)
{
	free(m);
}

struct memsrc *memsrc_core_new(struct core *c)
{
	struct mem_core *mc = xcalloc(1, sizeof(*mc));

	mc->base.ops = &core_ops;
	mc->c = c;
	return &mc->base;
}

/* Reads a NUL-terminated string of the core's memory. */
static int read_cstr(const struct core *c, uint64_t addr, char *buf,
		     size_t size)
{
	size_t i;

	for (i = 0; i + 1 < size; i++) {
		if (core_read_saved(c, addr + i, buf + i, 1) != 1)
			return -EFAULT;
		if (!buf[i])
			return 0;
	}
	buf[i] = '\0';
	return -ENAMETOOLONG;
}

static int try_path(const struct core *c, const char *p, char **out)
{
	char *dir, *slash, *cand;

	if (!p || !*p)
		return 0;
	if (p[0] == '/') {
		if (access(p, R_OK) == 0) {
			*out = xstrdup(p);
			return 1;
		}
		return 0;
	}
	/* Relative: next to the core, then from here. */
	dir = xstrdup(c->path);
	slash = strrchr(dir, '/');
	if (slash) {
		*slash = '\0';
		cand = xasprintf("%s/%s", dir, p);
		if (access(cand, R_OK) == 0) {
			free(dir);
			*out = cand;
			return 1;
		}
		free(cand);
	}
	free(dir);
	if (access(p, R_OK) == 0) {
		*out = xstrdup(p);
		return 1;
	}
	return 0;
}

int core_find_exe(const struct core *c, char **path, struct err *e)
{
	const struct core_file *f = NULL;
	char execfn[PATH_MAX], arg0[sizeof(c->psargs)];
	const char *tried = NULL;
	size_t idx;

	if (c->at_entry)
		f = file_at(c, c->at_entry, &idx);
	if (f) {
		if (try_path(c, f->path, path))
			return 0;
		tried = f->path;
	}
	if (c->at_execfn &&
	    read_cstr(c, c->at_execfn, execfn, sizeof(execfn)) == 0) {
		if (try_path(c, execfn, path))
			return 0;
		if (!tried)
			tried = execfn;
	}
	memcpy(arg0, c->psargs, sizeof(arg0));
	arg0[strcspn(arg0, " ")] = '\0';
	if (try_path(c, arg0, path))
		return 0;
	if (!tried)
		tried = arg0[0] ? arg0 : c->fname;
	return err_set(e, ENOENT, "'%s': cannot find the executable of "
		       "process %d (%s): '%s' is not readable; give its path "
		       "after the core", c->path, (int)c->pid, c->fname,
		       tried ? tried : "?");
}

/*
 * The executable's file mappings read from path (it may have moved since,
 * or be read on another machine).
 */
static int rename_exe(struct core *c, const char *path)
{
	const struct core_file *f;
	char *old;
	size_t i, idx;

	f = c->at_entry ? file_at(c, c->at_entry, &idx) : NULL;
	if (!f || !strcmp(f->path, path))
		return 0;
	old = xstrdup(f->path);
	for (i = 0; i < c->nfiles; i++) {
		if (strcmp(c->files[i].path, old))
			continue;
		free(c->files[i].path);
		c->files[i].path = xstrdup(path);
		if (c->priv->fds[i] >= 0)
			close(c->priv->fds[i]);
		c->priv->fds[i] = -1;
	}
	free(old);
	return 0;
}

int core_add_exe(struct core *c, const char *path, uint64_t bias,
		 struct err *e)
{
	Elf64_Ehdr eh;
	Elf64_Phdr ph;
	size_t i, k = 0;
	int fd;

	if (c->has_nt_file)
		return rename_exe(c, path);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return err_errno(e, errno, "cannot open '%s'", path);
	if (pread(fd, &eh, sizeof(eh), 0) != (ssize_t)sizeof(eh) ||
	    memcmp(eh.e_ident, ELFMAG, SELFMAG) ||
	    eh.e_ident[EI_CLASS] != ELFCLASS64 ||
	    eh.e_phentsize != sizeof(ph) || eh.e_phnum > 512) {
		close(fd);
		return err_set(e, ENOEXEC, "'%s' is not a 64-bit ELF file",
			       path);
	}
	c->files = xreallocarray(c->files, c->nfiles + eh.e_phnum + 1,
				 sizeof(*c->files));
	for (i = 0; i < eh.e_phnum; i++) {
		struct core_file *f;

		if (pread(fd, &ph, sizeof(ph),
			  (off_t)(eh.e_phoff + i * sizeof(ph))) !=
		    (ssize_t)sizeof(ph))
			break;
		if (ph.p_type != PT_LOAD || (ph.p_flags & PF_W) ||
		    ph.p_vaddr + bias + ph.p_filesz < ph.p_vaddr)
			continue;
		f = &c->files[c->nfiles + k++];
		f->start = ph.p_vaddr + bias;
		f->end = f->start + ph.p_filesz;
		f->offset = ph.p_offset;
		f->path = xstrdup(path);
	}
	close(fd);
	c->nfiles += k;
	qsort(c->files, c->nfiles, sizeof(*c->files), cmp_file);
	free(c->priv->fds);
	c->priv->fds = xcalloc(c->nfiles + 1, sizeof(int));
	for (i = 0; i < c->nfiles; i++)
		c->priv->fds[i] = -1;
	return 0;
}

int core_exe_bias(const struct core *c, const char *exe_path,
		  uint64_t *bias, struct err *e)
{
	Elf64_Ehdr eh;
	ssize_t n;
	int fd;

	if (!c->at_entry)
		return err_set(e, ENOENT, "'%s': the core has no auxiliary "
			       "vector (NT_AUXV): cannot place the executable",
			       c->path);
	fd = open(exe_path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return err_errno(e, errno, "cannot open '%s'", exe_path);
	n = pread(fd, &eh, sizeof(eh), 0);
	close(fd);
	if (n != (ssize_t)sizeof(eh) || memcmp(eh.e_ident, ELFMAG, SELFMAG) ||
	    eh.e_ident[EI_CLASS] != ELFCLASS64)
		return err_set(e, ENOEXEC, "'%s' is not a 64-bit ELF file",
			       exe_path);
	/* The entry point at run time against the file's own. */
	*bias = c->at_entry - eh.e_entry;
	if (eh.e_type == ET_EXEC && *bias)
		return err_set(e, EINVAL, "'%s' is not the executable of core "
			       "'%s' (entry point 0x%llx, the core's 0x%llx)",
			       exe_path, c->path,
			       (unsigned long long)eh.e_entry,
			       (unsigned long long)c->at_entry);
	return 0;
}

/* Adds a map of f's [start, end) the core did not save (read-only). */
static void add_gap(const struct core_file *f, uint64_t start, uint64_t end,
		    struct proc_maps *maps, size_t *cap)
{
	struct proc_map *m;

	if (start >= end)
		return;
	if (maps->n == *cap) {
		*cap *= 2;
		maps->maps = xreallocarray(maps->maps, *cap,
					   sizeof(*maps->maps));
	}
	m = &maps->maps[maps->n++];
	memset(m, 0, sizeof(*m));
	m->start = start;
	m->end = end;
	memcpy(m->perms, "r--p", 5);
	m->offset = f->offset + (start - f->start);
	m->path = xstrdup(f->path);
}

static int cmp_map(const void *a, const void *b)
{
	const struct proc_map *x = a, *y = b;

	return x->start < y->start ? -1 : x->start > y->start;
}

void core_maps(const struct core *c, struct proc_maps *maps)
{
	size_t i, k, idx, cap = c->nsegs + c->nfiles + 1;

	maps->maps = xcalloc(cap, sizeof(*maps->maps));
	maps->n = c->nsegs;
	for (i = 0; i < c->nsegs; i++) {
		const struct core_segment *s = &c->segs[i];
		const struct core_file *f = file_at(c, s->vaddr, &idx);
		struct proc_map *m = &maps->maps[i];

		m->start = s->vaddr;
		m->end = s->vaddr + s->memsz;
		m->perms[0] = s->flags & PF_R ? 'r' : '-';
		m->perms[1] = s->flags & PF_W ? 'w' : '-';
		m->perms[2] = s->flags & PF_X ? 'x' : '-';
		m->perms[3] = 'p';
		if (f) {
			m->offset = f->offset + (s->vaddr - f->start);
			m->path = xstrdup(f->path);
		}
	}
	/*
	 * File mappings the core has no segment for (gcore leaves out
	 * read-only text): readable from the file, so they are maps too.
	 */
	for (i = 0; i < c->nfiles; i++) {
		const struct core_file *f = &c->files[i];
		uint64_t at = f->start;

		for (k = 0; k < c->nsegs && at < f->end; k++) {
			const struct core_segment *s = &c->segs[k];

			if (s->vaddr + s->memsz <= at)
				continue;
			if (s->vaddr >= f->end)
				break;
			add_gap(f, at, s->vaddr, maps, &cap);
			at = s->vaddr + s->memsz;
		}
		if (at < f->end)
			add_gap(f, at, f->end, maps, &cap);
	}
	qsort(maps->maps, maps->n, sizeof(*maps->maps), cmp_map);
}

void core_free(struct core *c)
{
	size_t i;

	if (!c)
		return;
	if (c->priv) {
		for (i = 0; c->priv->fds && i < c->nfiles; i++)
			if (c->priv->fds[i] >= 0)
				close(c->priv->fds[i]);
		free(c->priv->fds);
		if (c->priv->map)
			munmap(c->priv->map, c->priv->len);
		if (c->priv->fd >= 0)
			close(c->priv->fd);
		free(c->priv);
	}
	for (i = 0; i < c->nfiles; i++)
		free(c->files[i].path);
	free(c->files);
	free(c->segs);
	free(c->threads);
	free(c->path);
	free(c);
}

/* The first build ID among the notes of blob, as text ("" if none). */
static void note_build_id(const unsigned char *p, size_t len, char *buf,
			  size_t size)
{
	size_t pos = 0, k, w;

	buf[0] = '\0';
	while (len - pos >= 12) {
		uint32_t namesz = get32(p + pos), descsz = get32(p + pos + 4);
		uint32_t type = get32(p + pos + 8);
		size_t nlen = ((size_t)namesz + 3) & ~(size_t)3;
		size_t dlen = ((size_t)descsz + 3) & ~(size_t)3;
		const unsigned char *name = p + pos + 12, *desc;

		pos += 12;
		if (nlen > len - pos || dlen > len - pos - nlen)
			return;
		desc = name + nlen;
		pos += nlen + dlen;
		if (type == 4 && namesz == 4 && !memcmp(name, "Go", 3)) {
			w = descsz < size - 1 ? descsz : size - 1;
			for (k = 0; k < w; k++)
				buf[k] = desc[k] >= 0x20 && desc[k] < 0x7f
						 ? (char)desc[k] : '?';
			buf[w] = '\0';
			return;
		}
		if (type == 3 && namesz == 4 && !memcmp(name, "GNU", 4)) {
			for (k = 0; k < descsz && 2 * k + 2 < size; k++)
				snprintf(buf + 2 * k, 3, "%02x", desc[k]);
			return;
		}
	}
}

/* The build ID of the notes of ph (n headers) loaded with bias, or "". */
static void image_build_id(const struct core *c, int fd,
			   const Elf64_Phdr *ph, size_t n, uint64_t bias,
			   char *buf, size_t size)
{
	unsigned char *blob;
	size_t i;
	ssize_t got;

	buf[0] = '\0';
	for (i = 0; i < n && !buf[0]; i++) {
		if (ph[i].p_type != PT_NOTE || !ph[i].p_filesz ||
		    ph[i].p_filesz > 65536)
			continue;
		blob = xmalloc(ph[i].p_filesz);
		if (fd >= 0)
			got = pread(fd, blob, ph[i].p_filesz,
				    (off_t)ph[i].p_offset);
		else
			got = core_read_saved(c, ph[i].p_vaddr + bias, blob,
					      ph[i].p_filesz);
		if (got == (ssize_t)ph[i].p_filesz)
			note_build_id(blob, ph[i].p_filesz, buf, size);
		free(blob);
	}
}

int core_check_exe(const struct core *c, const char *exe_path,
		   uint64_t bias, struct err *e)
{
	Elf64_Phdr *want = NULL, *got = NULL;
	char wid[128], gid[128];
	uint64_t core_bias = bias;
	Elf64_Ehdr eh;
	size_t i, sz;
	int fd, r = 0, differ = 0;

	fd = open(exe_path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return err_errno(e, errno, "cannot open '%s'", exe_path);
	if (pread(fd, &eh, sizeof(eh), 0) != (ssize_t)sizeof(eh) ||
	    eh.e_phentsize != sizeof(Elf64_Phdr) || eh.e_phnum > 512 ||
	    !eh.e_phnum) {
		close(fd);
		return err_set(e, ENOEXEC, "'%s' is not a 64-bit ELF file",
			       exe_path);
	}
	sz = eh.e_phnum * sizeof(Elf64_Phdr);
	want = xmalloc(sz);
	got = xmalloc(sz);
	if (pread(fd, want, sz, (off_t)eh.e_phoff) != (ssize_t)sz) {
		r = err_set(e, ENOEXEC, "'%s': truncated program headers",
			    exe_path);
		goto out;
	}
	if (bias & 0xfff) {
		differ = 1;
	} else if (c->at_phdr &&
		   core_read_saved(c, c->at_phdr, got, sz) == (ssize_t)sz) {
		/* The program headers the process ran with (auxv AT_PHDR). */
		differ = memcmp(want, got, sz) != 0;
		for (i = 0; i < eh.e_phnum; i++)
			if (got[i].p_type == PT_PHDR)
				core_bias = c->at_phdr - got[i].p_vaddr;
	} else {
		memcpy(got, want, sz);
	}
	image_build_id(c, fd, want, eh.e_phnum, bias, wid, sizeof(wid));
	image_build_id(c, -1, got, eh.e_phnum, core_bias, gid, sizeof(gid));
	/*
	 * Equal build IDs decide (strip rewrites the program headers);
	 * without them, the program headers must be those the process had.
	 */
	if (wid[0] && gid[0])
		differ = strcmp(wid, gid) != 0;
	if (differ)
		r = err_set(e, EINVAL, "'%s' is not the executable of core "
			    "'%s': build ID %s, the core's %s", exe_path,
			    c->path, wid[0] ? wid : "none",
			    gid[0] ? gid : "unknown");
out:
	free(want);
	free(got);
	close(fd);
	return r;
}

int core_resolve_exe(const struct core *c, const char *exe, char **path,
		     uint64_t *bias, struct err *e)
{
	char *found = NULL;
	int r;

	if (!exe) {
		r = core_find_exe(c, &found, e);
		if (r < 0)
			return r;
		exe = found;
	}
	r = core_exe_bias(c, exe, bias, e);
	if (r == 0)
		r = core_check_exe(c, exe, *bias, e);
	if (r < 0) {
		free(found);
		return r;
	}
	*path = found ? found : xstrdup(exe);
	return 0;
}
