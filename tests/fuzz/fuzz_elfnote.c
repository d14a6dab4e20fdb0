/* libFuzzer harness for buildinfo/elfnote.c: hostile note blobs. */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "buildinfo/elfnote.h"
#include "lib/banned.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_string(const char *s);
static void walk(const unsigned char *blob, size_t len, size_t align,
		 int big_endian);

/* Alignments a hostile sh_addralign/p_align may carry. */
static const size_t odd_aligns[4] = { 0, 1, 2, 16 };

/* A collected fact is a NUL-terminated string we can read to the end. */
static void check_string(const char *s)
{
	if (s && strlen(s) > 64 * 1024 * 2 + 1)
		abort();
}

/* The iterator must stay inside the blob and always move forward. */
static void walk(const unsigned char *blob, size_t len, size_t align,
		 int big_endian)
{
	struct elfnote note;
	struct err e;
	size_t pos = 0, prev;
	int r;

	err_init(&e);
	for (;;) {
		prev = pos;
		r = elfnote_next(blob, len, align, big_endian, &pos, &note,
				 &e);
		if (r <= 0)
			break;
		if (pos <= prev || pos > len)
			abort();
		if ((const unsigned char *)note.name < blob + prev + 12 ||
		    (const unsigned char *)note.name + note.namesz >
			    blob + len ||
		    note.desc < blob || note.desc > blob + len ||
		    note.descsz > (size_t)(blob + len - note.desc))
			abort();
		(void)elfnote_is(&note, "GNU", ELFNOTE_GNU_BUILD_ID);
	}
	if (r < 0 && (e.code == 0 || !e.msg[0]))
		abort();
	if (r < 0 && pos != prev)
		abort();
}

/*
 * data[0] picks the container: bit 0 alignment 8, bit 1 big-endian,
 * bit 2 an odd alignment from odd_aligns[bits 3-4] instead.  The rest
 * is the blob.
 */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct elfnote_facts facts;
	unsigned char *blob;
	size_t align, len;
	struct err e;
	int be, r;

	if (size < 1)
		return 0;
	align = (data[0] & 1) ? 8 : 4;
	be = (data[0] >> 1) & 1;
	if (data[0] & 4)
		align = odd_aligns[(data[0] >> 3) & 3];
	/* An exact-size copy so that ASan sees any overread. */
	len = size - 1;
	blob = malloc(len ? len : 1);
	if (!blob)
		return 0;
	memcpy(blob, data + 1, len);

	walk(blob, len, align, be);
	memset(&facts, 0, sizeof(facts));
	err_init(&e);
	r = elfnote_collect(blob, len, align, be, &facts, &e);
	if (r != 0 && r != -EINVAL)
		abort();
	check_string(facts.gnu_build_id);
	check_string(facts.go_build_id);
	check_string(facts.package_json);
	check_string(facts.abi_tag);
	elfnote_facts_release(&facts);
	free(blob);
	return 0;
}
