/* Symbol demangling through libiberty, the GNU toolchain's demangler. */
#include <stdlib.h>
#include <string.h>

#include <libiberty/demangle.h>
/* libiberty.h defines it too, identically. */
#undef ARRAY_SIZE

#include "symbols/demangle.h"
#include "lib/xmalloc.h"
#include "lib/banned.h"

static int looks_mangled(const char *name);

/* Itanium C++ names start with _Z, Rust v0 names with _R. */
static int looks_mangled(const char *name)
{
	return name[0] == '_' && (name[1] == 'Z' || name[1] == 'R');
}

char *demangle(const char *name)
{
	char *raw, *out;

	if (!name || !looks_mangled(name))
		return NULL;
	/*
	 * DMGL_AUTO tries Rust first (legacy names are valid Itanium names
	 * too, ending in a 17h<hash>E path element), then C++.
	 */
	raw = cplus_demangle(name, DMGL_PARAMS | DMGL_ANSI | DMGL_AUTO);
	if (!raw)
		return NULL;
	/* Hand out memory from our own allocator. */
	out = xstrdup(raw);
	free(raw);
	return out;
}
