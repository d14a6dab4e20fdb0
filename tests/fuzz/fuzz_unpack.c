/* libFuzzer harness for compressed cores: zstd, xz, gzip, lz4 streams. */
#include <stddef.h>
#include <stdint.h>
#include <sys/mman.h>
#include <unistd.h>

#include "inspect/core.h"
#include "inspect/unpack.h"
#include "lib/banned.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Decompressed output is bounded so that one input stays fast. */
#define FUZZ_MAX_SIZE (64u << 20)
#define FUZZ_MAX_MEM (16u << 20)

/*
 * The input is a compressed file (the format from its magic bytes, as
 * goscope picks it).  It is decompressed into a memfd with small bounds;
 * what comes out is read as a core.
 */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	enum unpack_format f = unpack_sniff(data, size);
	uint64_t len = 0;
	struct core *c;
	void *map;
	int in, out;

	if (f == UNPACK_NONE)
		return 0;
	in = memfd_create("fuzz-in", MFD_CLOEXEC);
	if (in < 0)
		return 0;
	if (write(in, data, size) != (ssize_t)size ||
	    lseek(in, 0, SEEK_SET) != 0) {
		close(in);
		return 0;
	}
	out = unpack_to_memfd(in, f, "fuzz", FUZZ_MAX_MEM, FUZZ_MAX_SIZE, &len,
			      NULL);
	close(in);
	if (out < 0)
		return 0;
	map = len ? mmap(NULL, (size_t)len, PROT_READ, MAP_PRIVATE, out, 0)
		  : MAP_FAILED;
	if (map != MAP_FAILED) {
		if (core_open_buffer(map, (size_t)len, "fuzz", &c, NULL) == 0)
			core_free(c);
		munmap(map, (size_t)len);
	}
	close(out);
	return 0;
}
