/* Provenance of files and processes, comparing memory with the disk. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "buildinfo/provenance.h"
#include "inspect/proc.h"
#include "lib/xmalloc.h"
#include "lib/banned.h"

static void parse_mod(struct provenance *p);
static int find_exe_base(pid_t pid, const struct stat *exe_st,
			 const char *exe_link, uint64_t *base,
			 struct err *e);
static void read_memory(struct provenance *p, const struct stat *exe_st,
			int have_st);
static void compare_disk(struct provenance *p, const struct stat *exe_st,
			 int have_st);
static int access_error(pid_t pid, int code, const char *what,
			struct err *e);

static void parse_mod(struct provenance *p)
{
	struct err e;

	if (!p->go.found)
		return;
	err_init(&e);
	if (modinfo_parse(p->go.go.modinfo, &p->mod, &e) < 0) {
		p->mod_error = xstrdup(e.msg);
		modinfo_release(&p->mod);
	}
}

const char *provenance_build_id(const struct elfinfo *elf)
{
	if (elf->notes.go_build_id)
		return elf->notes.go_build_id;
	return elf->notes.gnu_build_id;
}

int provenance_from_file(const char *path, struct provenance *p,
			 struct err *e)
{
	int r;

	memset(p, 0, sizeof(*p));
	p->name = xstrdup(path);
	r = elfinfo_read_file(path, &p->elf, &p->go, e);
	if (r < 0)
		return r;
	p->elf_ok = 1;
	if (p->go.found)
		p->go_source = PROV_GO_FILE;
	parse_mod(p);
	return 0;
}

static int find_exe_base(pid_t pid, const struct stat *exe_st,
			 const char *exe_link, uint64_t *base, struct err *e)
{
	struct proc_maps maps;
	uint64_t best = UINT64_MAX;
	size_t i;
	int r;

	r = proc_maps_read(pid, &maps, e);
	if (r < 0)
		return r;
	for (i = 0; i < maps.n; i++) {
		const struct proc_map *m = &maps.maps[i];
		int match = 0;

		if (m->offset != 0 || !m->path)
			continue;
		if (exe_st && m->inode == (unsigned long long)exe_st->st_ino &&
		    m->dev_major == major(exe_st->st_dev) &&
		    m->dev_minor == minor(exe_st->st_dev))
			match = 1;
		if (!strncmp(m->path, exe_link, strlen(exe_link)) &&
		    (m->path[strlen(exe_link)] == '\0' ||
		     !strcmp(m->path + strlen(exe_link), " (deleted)")))
			match = 1;
		if (match && m->start < best)
			best = m->start;
	}
	proc_maps_release(&maps);
	if (best == UINT64_MAX)
		return err_set(e, ENOENT,
			       "no mapping of the executable in process %d",
			       (int)pid);
	*base = best;
	return 0;
}

static int access_error(pid_t pid, int code, const char *what,
			struct err *e)
{
	char hint[400];

	if (code != EPERM && code != EACCES)
		return -code;
	proc_explain_eperm(pid, hint, sizeof(hint));
	return err_set(e, code, "cannot read %s of process %d: %s%s%s", what,
		       (int)pid,
		       code == EPERM ? "operation not permitted"
				     : "permission denied",
		       hint[0] ? "; " : "", hint);
}

static void read_memory(struct provenance *p, const struct stat *exe_st,
			int have_st)
{
	struct elfinfo melf;
	struct elfgo mgo;
	struct memsrc *mem;
	uint64_t base = 0;
	struct err e;
	int r;

	err_init(&e);
	r = find_exe_base(p->pid, have_st ? exe_st : NULL, p->exe_path, &base,
			  &e);
	if (r < 0) {
		if (e.code == EACCES || e.code == EPERM)
			access_error(p->pid, e.code, "the memory maps", &e);
		p->memory_error = xstrdup(e.msg);
		return;
	}
	mem = memsrc_live_new(p->pid);
	r = elfinfo_read_memory(mem, base, p->elf_ok ? p->elf.gobuildinfo_addr
						      : 0,
				&melf, &mgo, &e);
	memsrc_free(mem);
	if (r < 0) {
		if (e.code == EACCES || e.code == EPERM)
			access_error(p->pid, e.code, "the memory", &e);
		p->memory_error = xstrdup(e.msg);
		return;
	}
	if (mgo.found) {
		elfgo_release(&p->go);
		p->go = mgo;
		p->go_source = PROV_GO_MEMORY;
	} else {
		if (mgo.error && !p->memory_error)
			p->memory_error = xstrdup(mgo.error);
		elfgo_release(&mgo);
	}
	if (!p->elf_ok) {
		p->elf = melf;
		p->elf_ok = 1;
		p->elf_from_memory = 1;
	} else {
		elfinfo_release(&melf);
	}
}

static void compare_disk(struct provenance *p, const struct stat *exe_st,
			 int have_st)
{
	struct stat st;
	struct err e;
	const char *a, *b;

	if (stat(p->exe_path, &st) < 0) {
		if (errno == ENOENT || errno == ENOTDIR) {
			p->disk = PROV_DISK_DELETED;
		} else {
			p->disk = PROV_DISK_UNKNOWN;
			p->disk_error = xasprintf("cannot stat '%s': %s",
						  p->exe_path,
						  strerror(errno));
		}
		return;
	}
	if (have_st && st.st_dev == exe_st->st_dev &&
	    st.st_ino == exe_st->st_ino && !p->exe_deleted) {
		p->disk = PROV_DISK_SAME;
		return;
	}
	err_init(&e);
	if (elfinfo_read_file(p->exe_path, &p->disk_elf, &p->disk_go, &e) <
	    0) {
		p->disk = PROV_DISK_REPLACED;
		p->disk_error = xstrdup(e.msg);
		return;
	}
	p->disk_read = 1;
	a = provenance_build_id(&p->elf);
	b = provenance_build_id(&p->disk_elf);
	if (!have_st && a && b && !strcmp(a, b))
		p->disk = PROV_DISK_SAME;
	else
		p->disk = PROV_DISK_REPLACED;
}

int provenance_from_pid(pid_t pid, unsigned int flags, struct provenance *p,
			struct err *e)
{
	char link[64];
	struct stat exe_st;
	int r, have_st;

	memset(p, 0, sizeof(*p));
	p->pid = pid;
	r = proc_check(pid, e);
	if (r < 0)
		return r;
	r = proc_exe(pid, &p->exe_path, &p->exe_deleted, e);
	if (r < 0) {
		if (e && (e->code == EACCES || e->code == EPERM))
			return access_error(pid, e->code, "the executable", e);
		return r;
	}
	p->name = p->exe_deleted ? xasprintf("%s (deleted)", p->exe_path)
				 : xstrdup(p->exe_path);
	p->start_time = proc_start_time(pid);
	snprintf(link, sizeof(link), "/proc/%d/exe", (int)pid);
	have_st = stat(link, &exe_st) == 0;
	if (!(flags & PROV_MEMORY_ONLY)) {
		struct err fe;

		err_init(&fe);
		if (elfinfo_read_file(link, &p->elf, &p->go, &fe) == 0) {
			p->elf_ok = 1;
			if (p->go.found)
				p->go_source = PROV_GO_FILE;
		} else {
			p->exe_error = xstrdup(fe.msg);
		}
	}
	read_memory(p, &exe_st, have_st);
	if (!p->elf_ok) {
		if (p->memory_error)
			return err_set(e, EACCES, "%s", p->memory_error);
		return err_set(e, EIO, "%s", p->exe_error ? p->exe_error
							  : "no ELF image");
	}
	compare_disk(p, &exe_st, have_st);
	parse_mod(p);
	return 0;
}

void provenance_release(struct provenance *p)
{
	free(p->name);
	elfinfo_release(&p->elf);
	elfgo_release(&p->go);
	modinfo_release(&p->mod);
	free(p->mod_error);
	free(p->exe_path);
	free(p->exe_error);
	free(p->memory_error);
	free(p->disk_error);
	elfinfo_release(&p->disk_elf);
	elfgo_release(&p->disk_go);
	memset(p, 0, sizeof(*p));
}
