/* Text, JSON and `go version -m` renderings of build provenance. */
#include <errno.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "buildinfo/format.h"
#include "lib/xmalloc.h"
#include "lib/jstr.h"
#include "lib/banned.h"

#define KEYW 16

static void kv(struct strbuf *out, const char *key, const char *fmt, ...)
	ATTR_FORMAT(3, 4);
static void text_go(const struct provenance *p, unsigned int flags,
		    struct strbuf *out);
static void text_elf(const struct elfinfo *elf, int from_memory,
		     struct strbuf *out);
static void text_process(const struct provenance *p, struct strbuf *out);
static void text_package(const char *json, struct strbuf *out);
static json_t *json_module(const struct modinfo_module *m);
static json_t *json_go(const struct provenance *p);
static json_t *json_elf(const struct elfinfo *elf, int from_memory);
static json_t *json_process(const struct provenance *p);
static const char *disk_word(enum prov_disk d);

static void kv(struct strbuf *out, const char *key, const char *fmt, ...)
{
	va_list ap;

	strbuf_addf(out, "%-*s ", KEYW, key);
	va_start(ap, fmt);
	strbuf_vaddf(out, fmt, ap);
	va_end(ap);
	strbuf_addc(out, '\n');
}

int bifmt_go(const struct provenance *p, struct strbuf *out, struct err *e)
{
	struct strbuf mod;
	size_t i;

	if (!p->go.found)
		return err_set(e, ENOEXEC,
			       "%s: could not read Go build info from %s: %s",
			       p->name, p->name,
			       p->go.error ? p->go.error
					   : "not a Go executable");
	if (p->mod_error)
		return err_set(e, EINVAL,
			       "%s: could not read Go build info from %s: %s",
			       p->name, p->name, p->mod_error);
	strbuf_addf(out, "%s: %s\n", p->name, p->go.go.version);
	strbuf_init(&mod);
	modinfo_format(&p->mod, &mod);
	if (mod.len > 0) {
		strbuf_addc(out, '\t');
		for (i = 0; i + 1 < mod.len; i++) {
			strbuf_addc(out, mod.buf[i]);
			if (mod.buf[i] == '\n')
				strbuf_addc(out, '\t');
		}
		strbuf_addc(out, '\n');
	}
	strbuf_release(&mod);
	return 0;
}

static void text_package(const char *json, struct strbuf *out)
{
	json_t *root = json_loads(json, 0, NULL);
	const char *keys[] = { "type", "name", "version", "architecture",
			       "osCpe", "os", "osVersion" };
	size_t i, n = 0;

	if (!root || !json_is_object(root)) {
		kv(out, "package note:", "%s", json);
		json_decref(root);
		return;
	}
	strbuf_addf(out, "%-*s ", KEYW, "package note:");
	for (i = 0; i < ARRAY_SIZE(keys); i++) {
		const char *v = json_string_value(json_object_get(root,
								  keys[i]));

		if (v)
			strbuf_addf(out, "%s%s=%s", n++ ? " " : "", keys[i],
				    v);
	}
	if (!n)
		strbuf_adds(out, json);
	strbuf_addc(out, '\n');
	json_decref(root);
}

static void text_go(const struct provenance *p, unsigned int flags,
		    struct strbuf *out)
{
	const struct modinfo *mi = &p->mod;
	const char *goos, *goarch, *cgo, *rev, *vtime, *mod, *vcs, *v;
	static const char *const shown[] = {
		"-buildmode", "-compiler", "-trimpath", "-race", "-msan",
		"-asan", "-pgo", "-gcflags", "-asmflags"
	};
	struct strbuf sb;
	size_t i;

	if (!p->go.found) {
		if (p->go.error)
			kv(out, "go:", "not a Go binary (%s)", p->go.error);
		else
			kv(out, "go:", "not a Go binary");
		return;
	}
	kv(out, "go version:", "%s%s", p->go.go.version,
	   p->go_source == PROV_GO_MEMORY ? " (read from process memory)"
					  : "");
	if (p->layout_source)
		kv(out, "runtime layout:", "%s", p->layout_source);
	if (p->mod_error) {
		kv(out, "module info:", "unreadable: %s", p->mod_error);
		return;
	}
	if (mi->path)
		kv(out, "main package:", "%s", mi->path);
	if (mi->has_main) {
		kv(out, "main module:", "%s %s%s%s", mi->main.path,
		   mi->main.version, *mi->main.sum ? " " : "", mi->main.sum);
		if (mi->main.replace)
			kv(out, "replaced by:", "%s %s",
			   mi->main.replace->path, mi->main.replace->version);
	}
	vcs = modinfo_setting(mi, "vcs");
	rev = modinfo_setting(mi, "vcs.revision");
	vtime = modinfo_setting(mi, "vcs.time");
	mod = modinfo_setting(mi, "vcs.modified");
	if (vcs || rev)
		kv(out, "vcs:", "%s %s%s%s%s", vcs ? vcs : "?",
		   rev ? rev : "(no revision)",
		   mod && !strcmp(mod, "true") ? " (modified)" : "",
		   vtime ? " " : "", vtime ? vtime : "");
	goos = modinfo_setting(mi, "GOOS");
	goarch = modinfo_setting(mi, "GOARCH");
	if (goos || goarch) {
		strbuf_init(&sb);
		strbuf_addf(&sb, "%s/%s", goos ? goos : "?",
			    goarch ? goarch : "?");
		for (i = 0; i < mi->nsettings; i++) {
			const char *k = mi->settings[i].key;

			if (!strncmp(k, "GO", 2) && strcmp(k, "GOOS") &&
			    strcmp(k, "GOARCH") && strcmp(k, "GOEXPERIMENT"))
				strbuf_addf(&sb, " %s=%s", k,
					    mi->settings[i].value);
		}
		kv(out, "platform:", "%s", sb.buf);
		strbuf_release(&sb);
	}
	cgo = modinfo_setting(mi, "CGO_ENABLED");
	if (cgo)
		kv(out, "cgo:", "%s", !strcmp(cgo, "1") ? "enabled"
							: "disabled");
	strbuf_init(&sb);
	for (i = 0; i < ARRAY_SIZE(shown); i++) {
		v = modinfo_setting(mi, shown[i]);
		if (v)
			strbuf_addf(&sb, "%s%s=%s", sb.len ? " " : "",
				    shown[i], v);
	}
	if (sb.len)
		kv(out, "build flags:", "%s", sb.buf);
	strbuf_release(&sb);
	if ((v = modinfo_setting(mi, "-ldflags")))
		kv(out, "ldflags:", "%s", v);
	if ((v = modinfo_setting(mi, "-tags")))
		kv(out, "tags:", "%s", v);
	if ((v = modinfo_setting(mi, "GOEXPERIMENT")))
		kv(out, "goexperiment:", "%s", v);
	if ((v = modinfo_setting(mi, "DefaultGODEBUG")))
		kv(out, "godebug:", "%s", v);
	if (!(flags & BIFMT_VERBOSE)) {
		kv(out, "dependencies:", "%zu module%s%s", mi->ndeps,
		   mi->ndeps == 1 ? "" : "s",
		   mi->ndeps ? " (list them with -v)" : "");
		return;
	}
	kv(out, "dependencies:", "%zu module%s", mi->ndeps,
	   mi->ndeps == 1 ? "" : "s");
	for (i = 0; i < mi->ndeps; i++) {
		const struct modinfo_module *d = &mi->deps[i];

		strbuf_addf(out, "  %s %s", d->path, d->version);
		if (d->replace)
			strbuf_addf(out, " => %s %s", d->replace->path,
				    d->replace->version);
		strbuf_addc(out, '\n');
	}
}

static void text_elf(const struct elfinfo *elf, int from_memory,
		     struct strbuf *out)
{
	char mbuf[32];
	size_t i;

	kv(out, "elf:", "ELF%d %s-endian %s %s, %s", elf->elf_class,
	   elf->big_endian ? "big" : "little",
	   elfinfo_machine_name(elf->machine, mbuf, sizeof(mbuf)),
	   elfinfo_kind(elf),
	   elf->interp ? "dynamically linked" : "statically linked");
	if (elf->interp)
		kv(out, "interpreter:", "%s", elf->interp);
	if (from_memory) {
		kv(out, "symbols:", "unknown (read from process memory)");
	} else if (!elf->has_sections) {
		kv(out, "symbols:", "no section headers (stripped)");
	} else {
		kv(out, "symbols:", "%s, %s%s%s",
		   elf->has_symtab ? ".symtab" : "no .symtab",
		   elf->has_dwarf ? "DWARF" : "no DWARF",
		   !elf->has_symtab && !elf->has_dwarf ? " (stripped)" : "",
		   elf->has_gopclntab ? ", .gopclntab" : "");
	}
	if (elf->debuglink)
		kv(out, "debuglink:", "%s", elf->debuglink);
	kv(out, "gnu build-id:", "%s",
	   elf->notes.gnu_build_id ? elf->notes.gnu_build_id : "none");
	if (elf->notes.go_build_id)
		kv(out, "go build-id:", "%s", elf->notes.go_build_id);
	if (elf->notes.package_json)
		text_package(elf->notes.package_json, out);
	if (elf->notes.abi_tag)
		kv(out, "abi tag:", "%s", elf->notes.abi_tag);
	for (i = 0; i < elf->ncomments; i++)
		kv(out, i ? "" : "compiler:", "%s", elf->comments[i]);
	if (elf->notes_warning)
		kv(out, "warning:", "%s", elf->notes_warning);
}

static const char *disk_word(enum prov_disk d)
{
	switch (d) {
	case PROV_DISK_SAME: return "same";
	case PROV_DISK_DELETED: return "deleted";
	case PROV_DISK_REPLACED: return "replaced";
	case PROV_DISK_UNKNOWN: return "unknown";
	default: return "n/a";
	}
}

static void text_process(const struct provenance *p, struct strbuf *out)
{
	const char *a, *b;

	if (p->start_time > 0) {
		time_t t = (time_t)p->start_time;
		struct tm tm;
		char ts[64];

		gmtime_r(&t, &tm);
		strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%SZ", &tm);
		kv(out, "started:", "%s", ts);
	}
	switch (p->disk) {
	case PROV_DISK_SAME:
		kv(out, "on disk:", "same file as the running image");
		break;
	case PROV_DISK_DELETED:
		kv(out, "on disk:", "deleted since the process started; "
		   "build info read from the running image");
		break;
	case PROV_DISK_REPLACED:
		a = provenance_build_id(&p->elf);
		b = p->disk_read ? provenance_build_id(&p->disk_elf) : NULL;
		if (a && b && !strcmp(a, b))
			kv(out, "on disk:", "replaced by a copy with the "
			   "same build id");
		else
			kv(out, "on disk:", "REPLACED since the process "
			   "started; the file on disk differs");
		if (p->disk_read) {
			kv(out, "  disk build-id:", "%s", b ? b : "none");
			kv(out, "  disk go:", "%s",
			   p->disk_go.found ? p->disk_go.go.version
					    : "not a Go binary");
		} else if (p->disk_error) {
			kv(out, "  disk error:", "%s", p->disk_error);
		}
		break;
	case PROV_DISK_UNKNOWN:
		kv(out, "on disk:", "unknown (%s)",
		   p->disk_error ? p->disk_error : "?");
		break;
	default:
		break;
	}
	if (p->memory_error)
		kv(out, "warning:", "process memory not read: %s",
		   p->memory_error);
	if (p->exe_error)
		kv(out, "warning:", "executable not read: %s", p->exe_error);
}

void bifmt_text(const struct provenance *p, unsigned int flags,
		struct strbuf *out)
{
	if (p->pid) {
		kv(out, "pid:", "%d", (int)p->pid);
		kv(out, "executable:", "%s%s", p->exe_path,
		   p->exe_deleted ? " (deleted)" : "");
	} else {
		kv(out, "file:", "%s", p->name);
	}
	text_go(p, flags, out);
	if (p->elf_ok)
		text_elf(&p->elf, p->elf_from_memory, out);
	if (p->pid)
		text_process(p, out);
}

static json_t *json_module(const struct modinfo_module *m)
{
	json_t *o = json_object();

	json_object_set_new(o, "path", jstr(m->path));
	json_object_set_new(o, "version", jstr(m->version));
	if (m->sum && *m->sum)
		json_object_set_new(o, "sum", jstr(m->sum));
	if (m->replace)
		json_object_set_new(o, "replace", json_module(m->replace));
	return o;
}

static json_t *json_go(const struct provenance *p)
{
	const struct modinfo *mi = &p->mod;
	json_t *o, *a, *vcs;
	size_t i;

	if (!p->go.found)
		return json_null();
	o = json_object();
	json_object_set_new(o, "version", jstr(p->go.go.version));
	json_object_set_new(o, "source", json_string(
		p->go_source == PROV_GO_MEMORY ? "memory" : "file"));
	json_object_set_new(o, "inline_strings",
			    json_boolean(p->go.go.inline_strings));
	if (p->layout_source)
		json_object_set_new(o, "runtime_layout",
				    json_string(p->layout_source));
	json_object_set_new(o, "modinfo", jstr(p->go.go.modinfo));
	if (p->mod_error) {
		json_object_set_new(o, "modinfo_error", jstr(p->mod_error));
		return o;
	}
	json_object_set_new(o, "path", jstr(mi->path));
	json_object_set_new(o, "main", mi->has_main ? json_module(&mi->main)
						    : json_null());
	a = json_array();
	for (i = 0; i < mi->ndeps; i++)
		json_array_append_new(a, json_module(&mi->deps[i]));
	json_object_set_new(o, "deps", a);
	a = json_array();
	for (i = 0; i < mi->nsettings; i++) {
		json_t *s = json_object();

		json_object_set_new(s, "key", jstr(mi->settings[i].key));
		json_object_set_new(s, "value", jstr(mi->settings[i].value));
		json_array_append_new(a, s);
	}
	json_object_set_new(o, "settings", a);
	vcs = json_object();
	if (modinfo_setting(mi, "vcs"))
		json_object_set_new(vcs, "system",
				    jstr(modinfo_setting(mi, "vcs")));
	if (modinfo_setting(mi, "vcs.revision"))
		json_object_set_new(vcs, "revision",
				    jstr(modinfo_setting(mi, "vcs.revision")));
	if (modinfo_setting(mi, "vcs.time"))
		json_object_set_new(vcs, "time",
				    jstr(modinfo_setting(mi, "vcs.time")));
	if (modinfo_setting(mi, "vcs.modified"))
		json_object_set_new(vcs, "modified", json_boolean(!strcmp(
			modinfo_setting(mi, "vcs.modified"), "true")));
	if (json_object_size(vcs))
		json_object_set_new(o, "vcs", vcs);
	else
		json_decref(vcs);
	return o;
}

static json_t *json_elf(const struct elfinfo *elf, int from_memory)
{
	json_t *o = json_object(), *a, *pkg;
	char mbuf[32], entry[32];
	size_t i;

	json_object_set_new(o, "source", json_string(from_memory ? "memory"
								 : "file"));
	json_object_set_new(o, "class", json_integer(elf->elf_class));
	json_object_set_new(o, "endian", json_string(elf->big_endian
							     ? "big"
							     : "little"));
	json_object_set_new(o, "machine", json_string(elfinfo_machine_name(
		elf->machine, mbuf, sizeof(mbuf))));
	json_object_set_new(o, "type", json_string(elfinfo_kind(elf)));
	json_object_set_new(o, "pie", json_boolean(elf->pie));
	json_object_set_new(o, "static", json_boolean(!elf->interp));
	json_object_set_new(o, "interpreter", jstr(elf->interp));
	snprintf(entry, sizeof(entry), "0x%llx",
		 (unsigned long long)elf->entry);
	json_object_set_new(o, "entry", json_string(entry));
	if (!from_memory) {
		json_object_set_new(o, "section_headers",
				    json_boolean(elf->has_sections));
		json_object_set_new(o, "symtab",
				    json_boolean(elf->has_symtab));
		json_object_set_new(o, "dwarf", json_boolean(elf->has_dwarf));
		json_object_set_new(o, "stripped",
				    json_boolean(!elf->has_symtab &&
						 !elf->has_dwarf));
		json_object_set_new(o, "gopclntab",
				    json_boolean(elf->has_gopclntab));
		json_object_set_new(o, "debuglink", jstr(elf->debuglink));
	}
	a = json_array();
	for (i = 0; i < elf->ncomments; i++)
		json_array_append_new(a, json_string(elf->comments[i]));
	json_object_set_new(o, "comment", a);
	json_object_set_new(o, "gnu_build_id", jstr(elf->notes.gnu_build_id));
	json_object_set_new(o, "go_build_id", jstr(elf->notes.go_build_id));
	json_object_set_new(o, "abi_tag", jstr(elf->notes.abi_tag));
	pkg = NULL;
	if (elf->notes.package_json) {
		pkg = json_loads(elf->notes.package_json, 0, NULL);
		if (!pkg)
			pkg = json_string(elf->notes.package_json);
	}
	json_object_set_new(o, "package", pkg ? pkg : json_null());
	if (elf->notes_warning)
		json_object_set_new(o, "notes_warning",
				    jstr(elf->notes_warning));
	return o;
}

static json_t *json_process(const struct provenance *p)
{
	json_t *o = json_object(), *d;

	json_object_set_new(o, "pid", json_integer(p->pid));
	json_object_set_new(o, "exe", jstr(p->exe_path));
	json_object_set_new(o, "exe_deleted", json_boolean(p->exe_deleted));
	json_object_set_new(o, "start_time", json_integer(p->start_time));
	d = json_object();
	json_object_set_new(d, "status", json_string(disk_word(p->disk)));
	if (p->disk_read) {
		json_object_set_new(d, "build_id", jstr(provenance_build_id(
						     &p->disk_elf)));
		json_object_set_new(d, "gnu_build_id",
				    jstr(p->disk_elf.notes.gnu_build_id));
		json_object_set_new(d, "go_build_id",
				    jstr(p->disk_elf.notes.go_build_id));
		json_object_set_new(d, "go_version",
				    p->disk_go.found
					    ? jstr(p->disk_go.go.version)
					    : json_null());
	}
	if (p->disk_error)
		json_object_set_new(d, "error", jstr(p->disk_error));
	json_object_set_new(o, "disk", d);
	json_object_set_new(o, "memory_error", jstr(p->memory_error));
	json_object_set_new(o, "exe_error", jstr(p->exe_error));
	return o;
}

void bifmt_json(const struct provenance *p, struct strbuf *out)
{
	json_t *root = json_object();
	char *s;

	json_object_set_new(root, "schema", json_string(BIFMT_JSON_SCHEMA));
	json_object_set_new(root, "name", jstr(p->name));
	json_object_set_new(root, "go", json_go(p));
	json_object_set_new(root, "elf", p->elf_ok
						? json_elf(&p->elf,
							   p->elf_from_memory)
						: json_null());
	json_object_set_new(root, "process", p->pid ? json_process(p)
						    : json_null());
	s = json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	if (s) {
		strbuf_adds(out, s);
		strbuf_addc(out, '\n');
		free(s);
	}
	json_decref(root);
}
