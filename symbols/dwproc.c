/* A libdw session over a process: modules, symbols, lines, inlined frames. */
#include <dwarf.h>
#include <elfutils/libdw.h>
#include <elfutils/libdwfl.h>
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>
#include <stdlib.h>
#include <string.h>

#include "symbols/demangle.h"
#include "symbols/dwproc.h"
#include "lib/hashmap.h"
#include "lib/intern.h"
#include "lib/xmalloc.h"
#include "lib/banned.h"

#define MAX_INLINE 64
#define MAX_REFRESH 4
/* Frames of at most this many PCs are kept; then the cache starts over. */
#define MAX_PCS 65536
#define DEFAULT_DEBUG_PATH ":.debug:/usr/lib/debug"

/* The frames of one PC, found once (dwproc.pcs). */
struct pc_ent {
	struct hashmap_entry ent;
	uint64_t key;		/* pc << 1 | activation */
	struct dwproc_frame *frames;
	size_t n;
};

struct dwproc {
	pid_t pid;
	Elf *core_elf;		/* a core file's session: its ELF and fd */
	int core_fd;
	Dwfl *dwfl;
	Dwfl_Callbacks cb;
	char *debug_path;
	unsigned int nrefresh;
	struct intern strs;	/* names, files and modules */
	struct hashmap pcs;	/* struct pc_ent by key */
	struct dwproc_frame unknown;
};

typedef int (*find_elf_fn)(Dwfl_Module *, void **, const char *, Dwarf_Addr,
			  char **, Elf **);

/* Module files libdw was asked to find, by every session (dwproc_opens). */
static unsigned long nopens;

static struct dwproc *dwproc_alloc(pid_t pid, const char *debug_dirs,
				   find_elf_fn find_elf);
static const char *intern_name(struct dwproc *d, const char *name);
static const char *intern_symbol(struct dwproc *d, const char *sym);
static const char *module_name(struct dwproc *d, Dwfl_Module *mod);
static const char *die_name(Dwarf_Die *die);
static int report(struct dwproc *d, int add);
static void preload_vdso(struct dwproc *d);
static int preload_cb(Dwfl_Module *mod, void **userdata, const char *name,
		      Dwarf_Addr start, void *arg);
static size_t lookup(struct dwproc *d, uint64_t pc, int activation,
		     struct dwproc_frame *out, size_t max);
static size_t inline_chain(struct dwproc *d, Dwfl_Module *mod,
			   uint64_t addr, const char *file, int line,
			   struct dwproc_frame *out, size_t max);
static int pc_cmp(const void *cmpdata, const struct hashmap_entry *a,
		  const struct hashmap_entry *b, const void *keydata);
static void forget_pcs(struct dwproc *d);
static int find_elf_proc(Dwfl_Module *mod, void **userdata,
			 const char *name, Dwarf_Addr base, char **file,
			 Elf **elfp);
static int find_elf_core(Dwfl_Module *mod, void **userdata,
			 const char *name, Dwarf_Addr base, char **file,
			 Elf **elfp);
static int find_debuginfo(Dwfl_Module *mod, void **userdata,
			  const char *name, Dwarf_Addr base,
			  const char *file, const char *debuglink,
			  GElf_Word crc, char **debuginfo_file);

/* Interns the demangled form of name, or name itself. */
static const char *intern_name(struct dwproc *d, const char *name)
{
	const char *r;
	char *dm;

	if (!name)
		return NULL;
	dm = demangle(name);
	if (!dm)
		return intern_str(&d->strs, name);
	r = intern_str(&d->strs, dm);
	free(dm);
	return r;
}

static const char *intern_symbol(struct dwproc *d, const char *sym)
{
	const char *at = strchr(sym, '@'), *r;
	char *copy;

	if (!at || at == sym)
		return intern_name(d, sym);
	copy = xstrndup(sym, (size_t)(at - sym));
	r = intern_name(d, copy);
	free(copy);
	return r;
}

static const char *module_name(struct dwproc *d, Dwfl_Module *mod)
{
	const char *name = dwfl_module_info(mod, NULL, NULL, NULL, NULL, NULL,
					    NULL, NULL);

	if (!name)
		return NULL;
	/* libdw names the vDSO "[vdso: PID]". */
	if (!strncmp(name, "[vdso", 5))
		return intern_str(&d->strs, "[vdso]");
	return intern_str(&d->strs, name);
}

/* The linkage name when there is one (it demangles to a full name). */
static const char *die_name(Dwarf_Die *die)
{
	Dwarf_Attribute attr;
	const char *name;

	name = dwarf_formstring(dwarf_attr_integrate(die, DW_AT_linkage_name,
						     &attr));
	if (!name)
		name = dwarf_formstring(dwarf_attr_integrate(
			die, DW_AT_MIPS_linkage_name, &attr));
	if (!name)
		name = dwarf_diename(die);
	if (!name)
		name = dwarf_formstring(dwarf_attr_integrate(die, DW_AT_name,
							     &attr));
	return name;
}

static int report(struct dwproc *d, int add)
{
	int r;

	if (add)
		dwfl_report_begin_add(d->dwfl);
	else
		dwfl_report_begin(d->dwfl);
	r = dwfl_linux_proc_report(d->dwfl, d->pid);
	if (dwfl_report_end(d->dwfl, NULL, NULL) != 0 && r == 0)
		r = -1;
	return r;
}

/*
 * The vDSO's image is read from the process's memory when first needed:
 * do it now, while the process surely exists.
 */
static void preload_vdso(struct dwproc *d)
{
	dwfl_getmodules(d->dwfl, preload_cb, NULL, 0);
}

static int preload_cb(Dwfl_Module *mod, void **userdata, const char *name,
		      Dwarf_Addr start, void *arg)
{
	Dwarf_Addr bias;

	(void)userdata;
	(void)start;
	(void)arg;
	if (name && !strncmp(name, "[vdso", 5))
		dwfl_module_getelf(mod, &bias);
	return DWARF_CB_OK;
}

/* libdw's own finders, counted. */
static int find_elf_proc(Dwfl_Module *mod, void **userdata,
			 const char *name, Dwarf_Addr base, char **file,
			 Elf **elfp)
{
	__atomic_add_fetch(&nopens, 1, __ATOMIC_RELAXED);
	return dwfl_linux_proc_find_elf(mod, userdata, name, base, file,
					elfp);
}

static int find_elf_core(Dwfl_Module *mod, void **userdata,
			 const char *name, Dwarf_Addr base, char **file,
			 Elf **elfp)
{
	__atomic_add_fetch(&nopens, 1, __ATOMIC_RELAXED);
	return dwfl_build_id_find_elf(mod, userdata, name, base, file, elfp);
}

static int find_debuginfo(Dwfl_Module *mod, void **userdata,
			  const char *name, Dwarf_Addr base,
			  const char *file, const char *debuglink,
			  GElf_Word crc, char **debuginfo_file)
{
	__atomic_add_fetch(&nopens, 1, __ATOMIC_RELAXED);
	return dwfl_standard_find_debuginfo(mod, userdata, name, base, file,
					    debuglink, crc, debuginfo_file);
}

/* A session without modules yet; find_elf opens each module's file. */
static struct dwproc *dwproc_alloc(pid_t pid, const char *debug_dirs,
				   find_elf_fn find_elf)
{
	struct dwproc *d = xcalloc(1, sizeof(*d));

	d->pid = pid;
	if (debug_dirs && *debug_dirs)
		d->debug_path = xasprintf("%s:%s", DEFAULT_DEBUG_PATH,
					  debug_dirs);
	d->cb.find_elf = find_elf;
	d->cb.find_debuginfo = find_debuginfo;
	d->cb.debuginfo_path = d->debug_path ? &d->debug_path : NULL;
	intern_init(&d->strs);
	hashmap_init(&d->pcs, pc_cmp, NULL, 0);
	return d;
}

int dwproc_open(pid_t pid, const char *debug_dirs, struct dwproc **out,
		struct err *e)
{
	struct dwproc *d = dwproc_alloc(pid, debug_dirs, find_elf_proc);
	int r;

	d->dwfl = dwfl_begin(&d->cb);
	if (!d->dwfl) {
		r = err_set(e, ENOMEM, "cannot start libdw: %s",
			    dwfl_errmsg(-1));
		dwproc_free(d);
		return r;
	}
	r = report(d, 0);
	if (r != 0) {
		int code = r > 0 ? r : EINVAL;

		if (r > 0)
			r = err_errno(e, code, "cannot read the modules of "
				      "process %d", (int)pid);
		else
			r = err_set(e, code, "cannot read the modules of "
				    "process %d: %s", (int)pid,
				    dwfl_errmsg(-1));
		dwproc_free(d);
		return r;
	}
	preload_vdso(d);
	*out = d;
	return 0;
}

int dwproc_open_core(const char *core, int fd, const char *exe, pid_t pid,
		     const char *debug_dirs, struct dwproc **out,
		     struct err *e)
{
	struct dwproc *d = dwproc_alloc(pid, debug_dirs, find_elf_core);
	int r;

	elf_version(EV_CURRENT);
	d->core_fd = fd >= 0 ? fcntl(fd, F_DUPFD_CLOEXEC, 0)
			     : open(core, O_RDONLY | O_CLOEXEC);
	if (d->core_fd < 0) {
		r = err_errno(e, errno, "cannot open '%s'", core);
		dwproc_free(d);
		return r;
	}
	d->core_elf = elf_begin(d->core_fd, ELF_C_READ_MMAP, NULL);
	d->dwfl = d->core_elf ? dwfl_begin(&d->cb) : NULL;
	if (!d->dwfl) {
		r = err_set(e, EINVAL, "cannot read core '%s' with libdw: %s",
			    core, d->core_elf ? dwfl_errmsg(-1)
					      : elf_errmsg(-1));
		if (!d->core_elf)
			close(d->core_fd);
		dwproc_free(d);
		return r;
	}
	dwfl_report_begin(d->dwfl);
	r = dwfl_core_file_report(d->dwfl, d->core_elf, exe);
	if (dwfl_report_end(d->dwfl, NULL, NULL) != 0 || r < 0) {
		r = err_set(e, EINVAL, "cannot read the modules of core "
			    "'%s': %s", core, dwfl_errmsg(-1));
		dwproc_free(d);
		return r;
	}
	*out = d;
	return 0;
}

int dwproc_refresh(struct dwproc *d, uint64_t addr)
{
	if (d->core_elf)
		return 0;
	if (dwfl_addrmodule(d->dwfl, addr) || d->nrefresh >= MAX_REFRESH)
		return 0;
	d->nrefresh++;
	if (report(d, 1) != 0)
		return 0;
	return dwfl_addrmodule(d->dwfl, addr) != NULL;
}

int dwproc_reload(struct dwproc *d, int changed, struct err *e)
{
	int r;

	d->nrefresh = 0;
	if (!changed || d->core_elf)
		return 0;
	forget_pcs(d);
	/* Modules reported again at the same place and name are kept. */
	r = report(d, 0);
	if (r > 0)
		return err_errno(e, r, "cannot read the modules of process %d",
				 (int)d->pid);
	if (r < 0)
		return err_set(e, EINVAL, "cannot read the modules of process "
			       "%d: %s", (int)d->pid, dwfl_errmsg(-1));
	preload_vdso(d);
	return 0;
}

unsigned long dwproc_opens(void)
{
	return __atomic_load_n(&nopens, __ATOMIC_RELAXED);
}

/*
 * The chain of functions inlined at addr (a module-relative lookup
 * address), innermost first, as eu-addr2line -i finds it: the innermost
 * scope holding addr, then the scopes that contain it; each inlined
 * subroutine's call site is the location in the next function out.
 */
static size_t inline_chain(struct dwproc *d, Dwfl_Module *mod,
			   uint64_t addr, const char *file, int line,
			   struct dwproc_frame *out, size_t max)
{
	Dwarf_Die *cudie, *scopes = NULL, inner;
	Dwarf_Files *files = NULL;
	Dwarf_Addr bias = 0;
	Dwarf_Attribute attr;
	Dwarf_Word val;
	size_t n = 0, nfiles = 0;
	int nscopes, i, tag;

	cudie = dwfl_module_addrdie(mod, addr, &bias);
	if (!cudie)
		return 0;
	nscopes = dwarf_getscopes(cudie, addr - bias, &scopes);
	if (nscopes <= 0) {
		free(scopes);
		return 0;
	}
	inner = scopes[0];
	free(scopes);
	scopes = NULL;
	nscopes = dwarf_getscopes_die(&inner, &scopes);
	if (nscopes <= 0) {
		free(scopes);
		return 0;
	}
	if (dwarf_getsrcfiles(cudie, &files, &nfiles) != 0)
		files = NULL;
	for (i = 0; i < nscopes && n < max; i++) {
		tag = dwarf_tag(&scopes[i]);
		if (tag != DW_TAG_inlined_subroutine &&
		    tag != DW_TAG_subprogram && tag != DW_TAG_entry_point)
			continue;
		out[n].func = intern_name(d, die_name(&scopes[i]));
		out[n].file = intern_str(&d->strs, file);
		out[n].line = line;
		out[n].inlined = tag == DW_TAG_inlined_subroutine;
		n++;
		if (tag != DW_TAG_inlined_subroutine)
			break;
		/* The call site is where the caller's frame is. */
		file = NULL;
		line = 0;
		if (files &&
		    dwarf_formudata(dwarf_attr(&scopes[i], DW_AT_call_file,
					       &attr), &val) == 0 &&
		    val < nfiles)
			file = dwarf_filesrc(files, (size_t)val, NULL, NULL);
		if (dwarf_formudata(dwarf_attr(&scopes[i], DW_AT_call_line,
					       &attr), &val) == 0)
			line = (int)val;
	}
	free(scopes);
	return n;
}

static size_t lookup(struct dwproc *d, uint64_t pc, int activation,
		     struct dwproc_frame *out, size_t max)
{
	uint64_t addr = activation || pc == 0 ? pc : pc - 1;
	const char *sym, *file = NULL, *mname;
	Dwfl_Module *mod;
	Dwfl_Line *ln;
	GElf_Off off = 0;
	GElf_Sym s;
	size_t n, i;
	int line = 0;

	mod = dwfl_addrmodule(d->dwfl, addr);
	if (!mod && dwproc_refresh(d, addr))
		mod = dwfl_addrmodule(d->dwfl, addr);
	if (!mod) {
		memset(out, 0, sizeof(*out));
		return 1;
	}
	mname = module_name(d, mod);
	sym = dwfl_module_addrinfo(mod, addr, &off, &s, NULL, NULL, NULL);
	ln = dwfl_module_getsrc(mod, addr);
	if (ln)
		file = dwfl_lineinfo(ln, NULL, &line, NULL, NULL, NULL);
	n = inline_chain(d, mod, addr, file, line, out, max);
	if (n == 0) {
		memset(out, 0, sizeof(*out));
		out[0].file = intern_str(&d->strs, file);
		out[0].line = line;
		n = 1;
	}
	/*
	 * The physical frame keeps the DWARF name of its function (what the
	 * source calls it); without DWARF the symbol table names it, minus
	 * a symbol version ("memcpy@@GLIBC_2.14").
	 */
	if (sym && !out[n - 1].func)
		out[n - 1].func = intern_symbol(d, sym);
	out[n - 1].inlined = 0;
	out[n - 1].offset = sym ? off + (pc - addr) : 0;
	for (i = 0; i < n; i++)
		out[i].module = mname;
	return n;
}

static int pc_cmp(const void *cmpdata, const struct hashmap_entry *a,
		  const struct hashmap_entry *b, const void *keydata)
{
	(void)cmpdata;
	(void)keydata;
	return container_of(a, struct pc_ent, ent)->key !=
	       container_of(b, struct pc_ent, ent)->key;
}

size_t dwproc_symbolize(struct dwproc *d, uint64_t pc, int activation,
			const struct dwproc_frame **frames)
{
	struct dwproc_frame buf[MAX_INLINE];
	uint64_t key = (pc << 1) | (activation ? 1 : 0);
	struct hashmap_entry *he;
	struct pc_ent probe, *ent;
	size_t n;

	if (key == 0) {
		memset(&d->unknown, 0, sizeof(d->unknown));
		*frames = &d->unknown;
		return 1;
	}
	probe.key = key;
	hashmap_entry_init(&probe.ent, hash_u64(key));
	he = hashmap_get(&d->pcs, &probe.ent, NULL);
	if (he) {
		ent = container_of(he, struct pc_ent, ent);
	} else {
		if (hashmap_count(&d->pcs) >= MAX_PCS)
			forget_pcs(d);
		n = lookup(d, pc, activation, buf, MAX_INLINE);
		ent = xmalloc(sizeof(*ent));
		hashmap_entry_init(&ent->ent, probe.ent.hash);
		ent->key = key;
		ent->frames = xcalloc(n, sizeof(*ent->frames));
		memcpy(ent->frames, buf, n * sizeof(*buf));
		ent->n = n;
		hashmap_add(&d->pcs, &ent->ent);
	}
	*frames = ent->frames;
	return ent->n;
}

void *dwproc_dwfl(struct dwproc *d)
{
	return d->dwfl;
}

pid_t dwproc_pid(const struct dwproc *d)
{
	return d->pid;
}

/* Empties the frames found so far and the names they hold. */
static void forget_pcs(struct dwproc *d)
{
	struct hashmap_iter it;
	struct hashmap_entry *he;

	hashmap_iter_init(&d->pcs, &it);
	while ((he = hashmap_iter_next(&it)) != NULL)
		free(container_of(he, struct pc_ent, ent)->frames);
	hashmap_release_free(&d->pcs);
	intern_release(&d->strs);
	intern_init(&d->strs);
	hashmap_init(&d->pcs, pc_cmp, NULL, 0);
}

void dwproc_free(struct dwproc *d)
{
	if (!d)
		return;
	if (d->dwfl)
		dwfl_end(d->dwfl);
	if (d->core_elf) {
		elf_end(d->core_elf);
		close(d->core_fd);
	}
	forget_pcs(d);
	hashmap_release_free(&d->pcs);
	intern_release(&d->strs);
	free(d->debug_path);
	free(d);
}
