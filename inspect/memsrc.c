/* Memory sources: the live process backend and the in-memory buffer backend. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>
#include <stdio.h>

#include "inspect/memsrc.h"
#include "lib/xmalloc.h"
#include "lib/banned.h"

#define IOV_BATCH 1024
/* Ranges a reader takes at a time; at most this many readers. */
#define CHUNK 256
#define MAX_READERS 16

struct readers;

struct mem_live {
	struct memsrc base;
	pid_t pid;
	int memfd;		/* /proc/PID/mem, opened on first fallback */
	int vm_readv_broken;	/* process_vm_readv returned ENOSYS/EPERM */
	struct readers *readers;	/* started on the first large batch */
};

struct mem_buf {
	struct memsrc base;
	const unsigned char *data;
	size_t len;
	uint64_t addr;
};

static ssize_t live_read(struct memsrc *m, uint64_t addr, void *buf,
			 size_t len);
static ssize_t live_read_procmem(struct mem_live *ml, uint64_t addr,
				 void *buf, size_t len);
static void live_free(struct memsrc *m);
static size_t live_readv(struct memsrc *m, struct memsrc_iov *iov, size_t n);
static size_t live_readv_one(struct mem_live *ml, struct memsrc_iov *iov,
			     size_t n);
static void readers_work(struct readers *rd, struct memsrc_iov *iov,
			 size_t n);
static void *readers_main(void *arg);
static struct readers *readers_start(struct mem_live *ml);
static void readers_stop(struct readers *rd);
static size_t reader_threads(void);
static ssize_t buf_read(struct memsrc *m, uint64_t addr, void *buf,
			size_t len);
static void buf_free(struct memsrc *m);
static void count_add(uint64_t *c, uint64_t n);
static int mref_cmp(const void *a, const void *b);

/* Counters may be bumped by several reader threads at once. */
static void count_add(uint64_t *c, uint64_t n)
{
	__atomic_add_fetch(c, n, __ATOMIC_RELAXED);
}

static const struct memsrc_ops live_ops = {
	.name = "live",
	.read = live_read,
	.free = live_free,
	.readv = live_readv,
};

static const struct memsrc_ops buf_ops = {
	.name = "buffer",
	.read = buf_read,
	.free = buf_free,
};

static ssize_t live_read_procmem(struct mem_live *ml, uint64_t addr,
				 void *buf, size_t len)
{
	char path[64];
	ssize_t n;

	if (ml->memfd < 0) {
		snprintf(path, sizeof(path), "/proc/%d/mem", (int)ml->pid);
		ml->memfd = open(path, O_RDONLY | O_CLOEXEC);
		if (ml->memfd < 0)
			return -errno;
	}
	if (addr > (uint64_t)INT64_MAX)
		return -EFAULT;
	count_add(&ml->base.n.calls, 1);
	n = pread(ml->memfd, buf, len, (off_t)addr);
	if (n < 0)
		return -errno;
	if (n == 0)
		return -EFAULT;
	return n;
}

static ssize_t live_read(struct memsrc *m, uint64_t addr, void *buf,
			 size_t len)
{
	struct mem_live *ml = (struct mem_live *)m;
	struct iovec local, remote;
	ssize_t n;

	if (len == 0)
		return 0;
	if (!ml->vm_readv_broken) {
		local.iov_base = buf;
		local.iov_len = len;
		remote.iov_base = (void *)(uintptr_t)addr;
		remote.iov_len = len;
		count_add(&m->n.calls, 1);
		n = process_vm_readv(ml->pid, &local, 1, &remote, 1, 0);
		if (n > 0)
			return n;
		if (n == 0)
			return -EFAULT;
		if (errno == ESRCH || errno == EFAULT)
			return -errno;
		if (errno == ENOSYS || errno == EPERM)
			ml->vm_readv_broken = 1;
	}
	return live_read_procmem(ml, addr, buf, len);
}

/*
 * Reader threads, started on the first large batch and kept until the
 * memsrc is freed, so that a batch read while the target is stopped
 * costs no thread creation (nor the first touch of a new stack).  A
 * batch is cut into chunks of CHUNK ranges that every reader, the caller
 * included, takes in turn: a helper that is slow to wake costs nothing
 * but its share.
 */
struct readers {
	struct mem_live *ml;
	pthread_mutex_t mu;
	pthread_cond_t wake, idle;
	pthread_t th[MAX_READERS];
	size_t nth;		/* helpers started */
	unsigned long gen;	/* batch number */
	int open;		/* helpers may still join the batch */
	int quit;
	size_t active;		/* helpers working on the batch */
	struct memsrc_iov *iov;	/* the batch */
	size_t n;
	size_t next;		/* first range not taken (atomic) */
	size_t good;		/* ranges read completely (atomic) */
};

static void readers_work(struct readers *rd, struct memsrc_iov *iov,
			 size_t n)
{
	size_t c, k;

	for (;;) {
		c = __atomic_fetch_add(&rd->next, CHUNK, __ATOMIC_RELAXED);
		if (c >= n)
			return;
		k = n - c < CHUNK ? n - c : CHUNK;
		__atomic_add_fetch(&rd->good,
				   live_readv_one(rd->ml, iov + c, k),
				   __ATOMIC_RELAXED);
	}
}

static void *readers_main(void *arg)
{
	struct readers *rd = arg;
	unsigned long seen = 0;
	struct memsrc_iov *iov;
	size_t n;

	pthread_mutex_lock(&rd->mu);
	for (;;) {
		while (!rd->quit && (rd->gen == seen || !rd->open))
			pthread_cond_wait(&rd->wake, &rd->mu);
		if (rd->quit)
			break;
		seen = rd->gen;
		rd->active++;
		iov = rd->iov;
		n = rd->n;
		pthread_mutex_unlock(&rd->mu);
		readers_work(rd, iov, n);
		pthread_mutex_lock(&rd->mu);
		if (--rd->active == 0)
			pthread_cond_signal(&rd->idle);
	}
	pthread_mutex_unlock(&rd->mu);
	return NULL;
}

/* Starts the helpers (one per core but this one); NULL when none. */
static struct readers *readers_start(struct mem_live *ml)
{
	struct readers *rd;
	pthread_attr_t attr;
	sigset_t all, old;
	size_t k, want = reader_threads() - 1;

	if (!want)
		return NULL;
	rd = xcalloc(1, sizeof(*rd));
	rd->ml = ml;
	pthread_mutex_init(&rd->mu, NULL);
	pthread_cond_init(&rd->wake, NULL);
	pthread_cond_init(&rd->idle, NULL);
	pthread_attr_init(&attr);
	pthread_attr_setstacksize(&attr, 256u << 10);
	/* Signals go to the threads of the program, never to a reader. */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	for (k = 0; k < want; k++)
		if (pthread_create(&rd->th[rd->nth], &attr, readers_main,
				   rd) == 0)
			rd->nth++;
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	pthread_attr_destroy(&attr);
	if (!rd->nth) {
		readers_stop(rd);
		return NULL;
	}
	return rd;
}

static void readers_stop(struct readers *rd)
{
	size_t k;

	if (!rd)
		return;
	pthread_mutex_lock(&rd->mu);
	rd->quit = 1;
	pthread_cond_broadcast(&rd->wake);
	pthread_mutex_unlock(&rd->mu);
	for (k = 0; k < rd->nth; k++)
		pthread_join(rd->th[k], NULL);
	pthread_cond_destroy(&rd->idle);
	pthread_cond_destroy(&rd->wake);
	pthread_mutex_destroy(&rd->mu);
	free(rd);
}

/*
 * The cores this process may run on (its affinity mask), read once,
 * bounded to [1, MAX_READERS]: one reader thread per core.
 */
static size_t reader_threads(void)
{
	static size_t n;
	cpu_set_t set;
	long online;

	if (n)
		return n;
	online = sysconf(_SC_NPROCESSORS_ONLN);
	n = online > 0 ? (size_t)online : 1;
	if (sched_getaffinity(0, sizeof(set), &set) == 0 &&
	    CPU_COUNT(&set) > 0 && (size_t)CPU_COUNT(&set) < n)
		n = (size_t)CPU_COUNT(&set);
	if (n > MAX_READERS)
		n = MAX_READERS;
	return n;
}

/*
 * Batches of more than one chunk are shared with the reader threads, one
 * per available core (see reader_threads): the cost of a copy is per
 * range, and parallel readers divide the time the target is stopped.
 */
static size_t live_readv(struct memsrc *m, struct memsrc_iov *iov, size_t n)
{
	struct mem_live *ml = (struct mem_live *)m;
	struct readers *rd;
	size_t good;

	if (n <= CHUNK || reader_threads() < 2)
		return live_readv_one(ml, iov, n);
	if (!ml->readers)
		ml->readers = readers_start(ml);
	rd = ml->readers;
	if (!rd)
		return live_readv_one(ml, iov, n);
	pthread_mutex_lock(&rd->mu);
	while (rd->active)
		pthread_cond_wait(&rd->idle, &rd->mu);
	rd->iov = iov;
	rd->n = n;
	rd->next = 0;
	rd->good = 0;
	rd->gen++;
	rd->open = 1;
	pthread_cond_broadcast(&rd->wake);
	pthread_mutex_unlock(&rd->mu);
	readers_work(rd, iov, n);
	/* Every chunk is taken: no helper may join any more. */
	pthread_mutex_lock(&rd->mu);
	rd->open = 0;
	while (rd->active)
		pthread_cond_wait(&rd->idle, &rd->mu);
	good = rd->good;
	pthread_mutex_unlock(&rd->mu);
	return good;
}

/*
 * process_vm_readv stops at the first range it cannot read completely and
 * returns the bytes copied so far; the ranges before it are complete, the
 * failed one is retried alone and the batch resumes after it.
 */
static size_t live_readv_one(struct mem_live *ml, struct memsrc_iov *iov,
			     size_t n)
{
	struct memsrc *m = &ml->base;
	struct iovec local[IOV_BATCH], remote[IOV_BATCH];
	size_t i = 0, good = 0, k, cnt;
	ssize_t got;

	while (i < n) {
		cnt = n - i < IOV_BATCH ? n - i : IOV_BATCH;
		for (k = 0; k < cnt; k++) {
			local[k].iov_base = iov[i + k].buf;
			local[k].iov_len = iov[i + k].len;
			remote[k].iov_base = (void *)(uintptr_t)iov[i + k].addr;
			remote[k].iov_len = iov[i + k].len;
			iov[i + k].ok = 0;
		}
		if (!ml->vm_readv_broken)
			count_add(&m->n.calls, 1);
		got = ml->vm_readv_broken ? -1
			: process_vm_readv(ml->pid, local, cnt, remote, cnt,
					   0);
		if (got < 0) {
			if (errno == ESRCH)
				return good;
			/* One by one, through the /proc/PID/mem fallback. */
			for (k = 0; k < cnt; k++) {
				struct memsrc_iov *v = &iov[i + k];

				v->ok = memsrc_read_full(m, v->addr, v->buf,
							 v->len, NULL) == 0;
				good += (size_t)v->ok;
			}
			i += cnt;
			continue;
		}
		for (k = 0; k < cnt && (size_t)got >= iov[i + k].len; k++) {
			iov[i + k].ok = 1;
			got -= (ssize_t)iov[i + k].len;
			good++;
		}
		if (k < cnt) {
			struct memsrc_iov *v = &iov[i + k];

			v->ok = memsrc_read_full(m, v->addr, v->buf, v->len,
						 NULL) == 0;
			good += (size_t)v->ok;
			k++;
		}
		i += k;
	}
	return good;
}

static void live_free(struct memsrc *m)
{
	struct mem_live *ml = (struct mem_live *)m;

	readers_stop(ml->readers);
	if (ml->memfd >= 0)
		close(ml->memfd);
	free(ml);
}

static ssize_t buf_read(struct memsrc *m, uint64_t addr, void *buf,
			size_t len)
{
	struct mem_buf *mb = (struct mem_buf *)m;
	uint64_t off;
	size_t n;

	if (addr < mb->addr || addr - mb->addr >= mb->len)
		return -EFAULT;
	off = addr - mb->addr;
	n = mb->len - (size_t)off;
	if (n > len)
		n = len;
	memcpy(buf, mb->data + off, n);
	return (ssize_t)n;
}

static void buf_free(struct memsrc *m)
{
	free(m);
}

int memsrc_read_full(struct memsrc *m, uint64_t addr, void *buf, size_t len,
		     struct err *e)
{
	unsigned char *p = buf;
	size_t done = 0;
	ssize_t n;

	count_add(&m->n.ranges, 1);
	count_add(&m->n.bytes, len);
	while (done < len) {
		if (addr + done < addr)
			return err_set(e, EFAULT,
				       "cannot read %zu bytes at 0x%llx: "
				       "address wraps", len,
				       (unsigned long long)addr);
		n = m->ops->read(m, addr + done, p + done, len - done);
		if (n <= 0) {
			int code = n < 0 ? (int)-n : EFAULT;

			return err_errno(e, code,
					 "cannot read %zu bytes at 0x%llx",
					 len, (unsigned long long)addr);
		}
		done += (size_t)n;
	}
	return 0;
}

size_t memsrc_readv(struct memsrc *m, struct memsrc_iov *iov, size_t n)
{
	size_t i, good = 0;
	uint64_t bytes = 0;

	for (i = 0; i < n; i++)
		bytes += iov[i].len;
	count_add(&m->n.ranges, n);
	count_add(&m->n.bytes, bytes);
	if (m->ops->readv)
		return m->ops->readv(m, iov, n);
	for (i = 0; i < n; i++) {
		iov[i].ok = memsrc_read_full(m, iov[i].addr, iov[i].buf,
					     iov[i].len, NULL) == 0;
		good += (size_t)iov[i].ok;
	}
	return good;
}

void memsrc_prefault(void *buf, size_t len, unsigned int how)
{
	unsigned char *p = buf;
	size_t done = 0;
	ssize_t n;
	int fd = -1;

	if (!len)
		return;
	if (how & MEMSRC_TOUCH_KERNEL)
		fd = open("/dev/zero", O_RDONLY | O_CLOEXEC);
	if ((how & MEMSRC_TOUCH_USER) || fd < 0)
		memset(buf, 0, len);
	if (fd < 0)
		return;
	while (done < len) {
		n = read(fd, p + done, len - done < (16u << 20)
					       ? len - done : (16u << 20));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		done += (size_t)n;
	}
	close(fd);
	if (done < len && !(how & MEMSRC_TOUCH_USER))
		memset(p + done, 0, len - done);
}

void memsrc_counts(const struct memsrc *m, struct memsrc_counts *out)
{
	memset(out, 0, sizeof(*out));
	if (!m)
		return;
	out->calls = __atomic_load_n(&m->n.calls, __ATOMIC_RELAXED);
	out->ranges = __atomic_load_n(&m->n.ranges, __ATOMIC_RELAXED);
	out->bytes = __atomic_load_n(&m->n.bytes, __ATOMIC_RELAXED);
}

struct mref {
	uint64_t addr;
	size_t idx;
};

static int mref_cmp(const void *a, const void *b)
{
	const struct mref *x = a, *y = b;

	return x->addr < y->addr ? -1 : x->addr > y->addr;
}

size_t memsrc_readv_merged(struct memsrc *m, struct memsrc_iov *iov,
			   size_t n, size_t gap)
{
	struct mref *refs;
	struct memsrc_iov *mv;
	size_t *first, i, j, k, nm = 0, total = 0, good = 0, nbad = 0;
	unsigned char *buf;

	if (n < 2)
		return memsrc_readv(m, iov, n);
	for (i = 0; i < n; i++)
		good += !iov[i].len;
	refs = xmalloc(n * sizeof(*refs));
	for (i = k = 0; i < n; i++) {
		iov[i].ok = !iov[i].len;
		if (!iov[i].len || iov[i].addr + iov[i].len < iov[i].addr)
			continue;
		refs[k].addr = iov[i].addr;
		refs[k++].idx = i;
	}
	qsort(refs, k, sizeof(*refs), mref_cmp);
	mv = xmalloc((k + 1) * sizeof(*mv));
	first = xmalloc((k + 1) * sizeof(*first));
	/* Ranges: neighbours at most gap apart, at most 1 MiB each. */
	for (i = 0; i < k; i = j) {
		uint64_t start = refs[i].addr;
		uint64_t end = start + iov[refs[i].idx].len;

		for (j = i + 1; j < k && refs[j].addr <= end + gap; j++) {
			uint64_t e = refs[j].addr + iov[refs[j].idx].len;

			if (e - start > (1u << 20))
				break;
			if (e > end)
				end = e;
		}
		first[nm] = i;
		mv[nm].addr = start;
		mv[nm].len = (size_t)(end - start);
		total += mv[nm++].len;
	}
	first[nm] = k;
	buf = xmalloc(total + 1);
	for (i = 0, total = 0; i < nm; i++) {
		mv[i].buf = buf + total;
		total += mv[i].len;
	}
	memsrc_readv(m, mv, nm);
	for (i = 0; i < nm; i++) {
		for (j = first[i]; j < first[i + 1]; j++) {
			struct memsrc_iov *v = &iov[refs[j].idx];

			if (!mv[i].ok) {
				/* Read again alone, below. */
				refs[nbad++] = refs[j];
				continue;
			}
			memcpy(v->buf, (unsigned char *)mv[i].buf +
					       (v->addr - mv[i].addr),
			       v->len);
			v->ok = 1;
			good++;
		}
	}
	for (i = 0; i < nbad; i++) {
		struct memsrc_iov *v = &iov[refs[i].idx];

		v->ok = memsrc_read_full(m, v->addr, v->buf, v->len,
					 NULL) == 0;
		good += (size_t)v->ok;
	}
	free(buf);
	free(first);
	free(mv);
	free(refs);
	return good;
}

void memsrc_free(struct memsrc *m)
{
	if (m)
		m->ops->free(m);
}

struct memsrc *memsrc_live_new(pid_t pid)
{
	struct mem_live *ml = xcalloc(1, sizeof(*ml));

	ml->base.ops = &live_ops;
	ml->pid = pid;
	ml->memfd = -1;
	return &ml->base;
}

struct memsrc *memsrc_buf_new(const void *data, size_t len, uint64_t base)
{
	struct mem_buf *mb = xcalloc(1, sizeof(*mb));

	mb->base.ops = &buf_ops;
	mb->data = data;
	mb->len = len;
	mb->addr = base;
	return &mb->base;
}
