/* libFuzzer harness for the core file reader: headers, notes, memory. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "inspect/core.h"
#include "inspect/memsrc.h"
#include "lib/banned.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/*
 * The input is a whole core file.  Every segment is read through the
 * core's memsrc (at its start, middle and last byte), the map is built,
 * and the executable is looked for (paths from the input are only
 * tested for access).
 */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct proc_maps maps;
	struct memsrc *m;
	struct core *c;
	unsigned char buf[64];
	char *exe = NULL;
	size_t i;

	if (core_open_buffer(data, size, "fuzz", &c, NULL) < 0)
		return 0;
	m = memsrc_core_new(c);
	for (i = 0; i < c->nsegs && i < 64; i++) {
		const struct core_segment *s = &c->segs[i];

		m->ops->read(m, s->vaddr, buf, sizeof(buf));
		m->ops->read(m, s->vaddr + s->memsz / 2, buf, sizeof(buf));
		if (s->memsz)
			m->ops->read(m, s->vaddr + s->memsz - 1, buf, 1);
	}
	memsrc_free(m);
	core_maps(c, &maps);
	proc_maps_release(&maps);
	if (core_find_exe(c, &exe, NULL) == 0)
		free(exe);
	core_free(c);
	return 0;
}
