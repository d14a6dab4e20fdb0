/* struct memsrc: read-only access to the memory of a target image. */
#ifndef GOSCOPE_INSPECT_MEMSRC_H
#define GOSCOPE_INSPECT_MEMSRC_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "lib/err.h"

struct memsrc;

/* One range of a batched read; see memsrc_readv. */
struct memsrc_iov {
	uint64_t addr;
	void *buf;
	size_t len;
	int ok;			/* out: 1 when all len bytes were read */
};

struct memsrc_ops {
	const char *name;
	/*
	 * Copies up to len bytes at addr into buf.  Returns the number of
	 * bytes copied (short when the range runs into unmapped memory) or
	 * a negative errno when nothing could be read.
	 */
	ssize_t (*read)(struct memsrc *m, uint64_t addr, void *buf, size_t len);
	void (*free)(struct memsrc *m);
	/* Optional batched read (see memsrc_readv); NULL: one by one. */
	size_t (*readv)(struct memsrc *m, struct memsrc_iov *iov, size_t n);
};

/*
 * What was read through one memsrc, counted by memsrc_read_full and
 * memsrc_readv (from every thread that reads).
 */
struct memsrc_counts {
	uint64_t calls;		/* system calls that read (live backend) */
	uint64_t ranges;	/* ranges asked for */
	uint64_t bytes;		/* bytes asked for */
};

struct memsrc {
	const struct memsrc_ops *ops;
	struct memsrc_counts n;	/* read with memsrc_counts */
};

/*
 * Reads exactly len bytes.  Returns 0, or -EFAULT (short read) or another
 * negative errno; fills e with the address that failed.
 */
int memsrc_read_full(struct memsrc *m, uint64_t addr, void *buf, size_t len,
		     struct err *e);
/*
 * Reads many ranges in as few system calls as possible (the live backend
 * batches up to IOV_MAX ranges per process_vm_readv).  Sets iov[i].ok for
 * each range and returns how many ranges were read completely.  A range
 * that fails (unmapped memory) does not stop the others.
 */
size_t memsrc_readv(struct memsrc *m, struct memsrc_iov *iov, size_t n);

/* How memsrc_prefault touches memory. */
enum memsrc_touch {
	MEMSRC_TOUCH_USER = 1 << 0,	/* memset */
	MEMSRC_TOUCH_KERNEL = 1 << 1,	/* read(2) of /dev/zero */
};

/*
 * Zeroes len bytes at buf so that later accesses take no page fault:
 * how says by whom they will be accessed (enum memsrc_touch), user space
 * (the program's own code) or the kernel (reads into them).  The
 * buffers that reads from a stopped target land in need the kernel's
 * touch: on some virtual machines its first write to a page costs a
 * fault in the hypervisor, several times the price of the copy itself,
 * even when user space touched the page before.
 */
void memsrc_prefault(void *buf, size_t len, unsigned int how);

/* Copies m's counts so far into *out (all zero for NULL). */
void memsrc_counts(const struct memsrc *m, struct memsrc_counts *out);

/*
 * memsrc_readv for many small ranges in any order (sudogs, channels):
 * sorts them by address and reads neighbours at most gap bytes apart as
 * one range, then hands each its bytes; a merged range that fails is
 * read again piece by piece.  The cost of a read is per range, so this
 * is far cheaper than one range each.  Returns as memsrc_readv.
 */
size_t memsrc_readv_merged(struct memsrc *m, struct memsrc_iov *iov,
			   size_t n, size_t gap);

/* Frees m (NULL is a no-op). */
void memsrc_free(struct memsrc *m);

/*
 * A memsrc over the live memory of pid: process_vm_readv(2), falling back
 * to /proc/PID/mem.  Never writes to the target and never stops it.  The
 * caller owns the result.  Reading needs ptrace access to pid.
 */
struct memsrc *memsrc_live_new(pid_t pid);

/*
 * A memsrc over len bytes at data, visible at addresses [base, base+len).
 * data is borrowed and must outlive the memsrc.  Used by tests, fuzzers
 * and for file images.
 */
struct memsrc *memsrc_buf_new(const void *data, size_t len, uint64_t base);

#endif
