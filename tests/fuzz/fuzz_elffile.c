/* libFuzzer harness for buildinfo/elfinfo.c: hostile ELF files. */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "buildinfo/elfinfo.h"
#include "lib/banned.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int input_fd(void);

static char path[64];

/* One memfd per process, rewritten for every input. */
static int input_fd(void)
{
	static int fd = -1;

	if (fd < 0) {
		fd = memfd_create("fuzz_elffile", MFD_CLOEXEC);
		if (fd < 0)
			abort();
		snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	}
	return fd;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct elfinfo info;
	struct elfgo go;
	struct err e;
	char buf[32];
	size_t done = 0;
	int fd = input_fd(), r;

	if (ftruncate(fd, 0) < 0)
		abort();
	while (done < size) {
		ssize_t n = pwrite(fd, data + done, size - done,
				   (off_t)done);

		if (n <= 0)
			abort();
		done += (size_t)n;
	}
	err_init(&e);
	r = elfinfo_read_file(path, &info, &go, &e);
	if (r == 0) {
		if (info.elf_class != 32 && info.elf_class != 64)
			abort();
		if (go.found && (!go.go.version || !go.go.modinfo))
			abort();
		(void)elfinfo_machine_name(info.machine, buf, sizeof(buf));
		(void)elfinfo_kind(&info);
	} else if (r != -ENOEXEC && r != -EINVAL) {
		abort();
	} else if (!e.msg[0]) {
		abort();
	}
	elfinfo_release(&info);
	elfgo_release(&go);
	return 0;
}
