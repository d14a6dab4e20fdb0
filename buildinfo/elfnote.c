/* ELF note iteration with bounds checks, and the notes goscope reports. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "buildinfo/elfnote.h"
#include "lib/strbuf.h"
#include "lib/xmalloc.h"
#include "lib/banned.h"

/* Limits on what we keep from a note payload. */
#define MAX_BUILD_ID 256
#define MAX_PACKAGE_JSON (64 * 1024)

static uint32_t rd32(const unsigned char *p, int big_endian);
static size_t align_up(size_t v, size_t align, int *overflow);
static char *printable_dup(const unsigned char *p, size_t n);

static uint32_t rd32(const unsigned char *p, int big_endian)
{
	if (big_endian)
		return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
		       (uint32_t)p[2] << 8 | p[3];
	return (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[1] << 8 | p[0];
}

static size_t align_up(size_t v, size_t align, int *overflow)
{
	size_t r;

	if (__builtin_add_overflow(v, align - 1, &r)) {
		*overflow = 1;
		return 0;
	}
	return r & ~(align - 1);
}

int elfnote_next(const unsigned char *blob, size_t len, size_t align,
		 int big_endian, size_t *pos, struct elfnote *note,
		 struct err *e)
{
	size_t p = *pos, namesz, descsz, name_off, desc_off, end;
	int ovf = 0;

	if (align != 8)
		align = 4;
	if (p >= len)
		return 0;
	if (len - p < 12)
		return err_set(e, EINVAL,
			       "truncated note header at offset %zu", p);
	namesz = rd32(blob + p, big_endian);
	descsz = rd32(blob + p + 4, big_endian);
	name_off = p + 12;
	desc_off = align_up(name_off + namesz, align, &ovf);
	end = align_up(desc_off + descsz, align, &ovf);
	if (ovf || namesz > len - name_off || desc_off > len ||
	    descsz > len - desc_off)
		return err_set(e, EINVAL,
			       "note at offset %zu overruns its section "
			       "(namesz %zu, descsz %zu, section %zu bytes)",
			       p, namesz, descsz, len);
	note->type = rd32(blob + p + 8, big_endian);
	note->name = (const char *)blob + name_off;
	/* namesz counts the NUL; tolerate producers that omit it. */
	note->namesz = strnlen(note->name, namesz);
	note->desc = blob + desc_off;
	note->descsz = descsz;
	*pos = end < len ? end : len;
	return 1;
}

int elfnote_is(const struct elfnote *note, const char *name, uint32_t type)
{
	size_t n = strlen(name);

	return note->type == type && note->namesz == n &&
	       !memcmp(note->name, name, n);
}

static char *printable_dup(const unsigned char *p, size_t n)
{
	char *s = xmemdupz(p, n);
	size_t i;

	/* Payloads are NUL-padded; stop at the first NUL. */
	n = strlen(s);
	for (i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 && s[i] != '\n' && s[i] != '\t')
			s[i] = '?';
	return s;
}

int elfnote_collect(const unsigned char *blob, size_t len, size_t align,
		    int big_endian, struct elfnote_facts *facts,
		    struct err *e)
{
	struct elfnote note;
	size_t pos = 0;
	int r;

	while ((r = elfnote_next(blob, len, align, big_endian, &pos, &note,
				 e)) > 0) {
		if (elfnote_is(&note, "GNU", ELFNOTE_GNU_BUILD_ID) &&
		    !facts->gnu_build_id && note.descsz > 0 &&
		    note.descsz <= MAX_BUILD_ID) {
			struct strbuf sb;

			strbuf_init(&sb);
			strbuf_addhex(&sb, note.desc, note.descsz);
			facts->gnu_build_id = strbuf_detach(&sb, NULL);
		} else if (elfnote_is(&note, "Go", ELFNOTE_GO_BUILD_ID) &&
			   !facts->go_build_id && note.descsz > 0 &&
			   note.descsz <= MAX_BUILD_ID) {
			facts->go_build_id =
				printable_dup(note.desc, note.descsz);
		} else if (elfnote_is(&note, "FDO", ELFNOTE_FDO_PACKAGE) &&
			   !facts->package_json &&
			   note.descsz <= MAX_PACKAGE_JSON) {
			facts->package_json =
				printable_dup(note.desc, note.descsz);
		} else if (elfnote_is(&note, "GNU", ELFNOTE_GNU_ABI_TAG) &&
			   !facts->abi_tag && note.descsz >= 16) {
			static const char *const os[] = {
				"Linux", "GNU", "Solaris2", "FreeBSD"
			};
			uint32_t w[4];
			int i;

			for (i = 0; i < 4; i++)
				w[i] = rd32(note.desc + 4 * i, big_endian);
			facts->abi_tag = xasprintf(
				"%s %u.%u.%u", w[0] < 4 ? os[w[0]] : "unknown",
				w[1], w[2], w[3]);
		}
	}
	return r < 0 ? r : 0;
}

void elfnote_facts_release(struct elfnote_facts *facts)
{
	free(facts->gnu_build_id);
	free(facts->go_build_id);
	free(facts->package_json);
	free(facts->abi_tag);
	memset(facts, 0, sizeof(*facts));
}
