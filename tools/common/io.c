/* SPDX-License-Identifier: MIT */
/* Whole-file reads and crash-safe writes (see io.h). */
#define _GNU_SOURCE /* O_TMPFILE, linkat AT_SYMLINK_FOLLOW */
#include "io.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int io_read_file(const char *path, uint8_t **buf, size_t *len, char *err, size_t errsz)
{
	struct stat st;
	uint8_t *b = NULL;
	size_t got = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0) {
		snprintf(err, errsz, "cannot open: %s", strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		snprintf(err, errsz, "not a regular file");
		goto fail;
	}
	if ((uint64_t)st.st_size > IO_MAX_FILE) {
		snprintf(err, errsz, "%lld bytes is larger than the %llu MiB any firmware image can be",
			 (long long)st.st_size, (unsigned long long)(IO_MAX_FILE >> 20));
		goto fail;
	}
	b = malloc(st.st_size ? (size_t)st.st_size : 1);
	if (!b) {
		snprintf(err, errsz, "out of memory for %lld bytes", (long long)st.st_size);
		goto fail;
	}
	while (got < (size_t)st.st_size) {
		ssize_t n = read(fd, b + got, (size_t)st.st_size - got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			snprintf(err, errsz, "read error: %s", strerror(errno));
			goto fail;
		}
		if (n == 0)
			break; /* shrank while reading: use what is there */
		got += (size_t)n;
	}
	close(fd);
	*buf = b;
	*len = got;
	return 0;
fail:
	free(b);
	close(fd);
	return -1;
}

static int write_all(int fd, const uint8_t *p, size_t n)
{
	while (n) {
		ssize_t w = write(fd, p, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

static int write_fill(int fd, uint8_t fill, size_t n)
{
	uint8_t blk[4096];

	memset(blk, fill, sizeof(blk));
	while (n) {
		size_t k = n < sizeof(blk) ? n : sizeof(blk);

		if (write_all(fd, blk, k) < 0)
			return -1;
		n -= k;
	}
	return 0;
}

/* The directory part of path ("." when there is none). */
static int dir_of(const char *path, char *dir, size_t dirsz)
{
	const char *slash = strrchr(path, '/');
	size_t n;

	if (!slash)
		return snprintf(dir, dirsz, ".") < (int)dirsz ? 0 : -1;
	n = (size_t)(slash - path);
	if (n + 2 > dirsz)
		return -1;
	memcpy(dir, path, n ? n : 1);
	dir[n ? n : 1] = '\0';
	return 0;
}

static void fsync_dir_of(const char *path)
{
	char dir[4200];
	int fd;

	if (dir_of(path, dir, sizeof(dir)) < 0)
		return;
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd >= 0) {
		fsync(fd);
		close(fd);
	}
}

static int write_parts(int fd, const struct io_part *parts, size_t nparts)
{
	for (size_t i = 0; i < nparts; i++) {
		int r = parts[i].data ? write_all(fd, parts[i].data, parts[i].len)
				      : write_fill(fd, parts[i].fill, parts[i].len);
		if (r < 0)
			return -1;
	}
	return fsync(fd);
}

int io_write_atomic(const char *path, const struct io_part *parts, size_t nparts,
		    char *err, size_t errsz)
{
	char tmp[4200], dir[4200], proc[64];
	int fd, named = 0;

	if ((size_t)snprintf(tmp, sizeof(tmp), "%s.tmp.%ld", path, (long)getpid()) >= sizeof(tmp) ||
	    dir_of(path, dir, sizeof(dir)) < 0) {
		snprintf(err, errsz, "path too long");
		return -1;
	}
	/*
	 * An unnamed file in the target's directory: a process killed while
	 * writing leaves nothing behind. Once its bytes are on disk it is linked
	 * under the target's name when there is none yet; to replace an existing
	 * file it is linked as the temp name and renamed over it (the one window
	 * in which a SIGKILL leaves "path.tmp.PID"). Filesystems without
	 * O_TMPFILE get a named temp file from the start.
	 */
	fd = open(dir, O_TMPFILE | O_WRONLY | O_CLOEXEC, 0644);
	if (fd < 0) {
		named = 1;
		fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	}
	if (fd < 0) {
		snprintf(err, errsz, "cannot create %s: %s", tmp, strerror(errno));
		return -1;
	}
	if (write_parts(fd, parts, nparts) < 0) {
		snprintf(err, errsz, "write error on %s: %s", tmp, strerror(errno));
		goto fail;
	}
	if (!named) {
		snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
		/* a new output: link the finished file under its name, no window */
		if (linkat(AT_FDCWD, proc, AT_FDCWD, path, AT_SYMLINK_FOLLOW) == 0) {
			close(fd);
			fsync_dir_of(path);
			return 0;
		}
		if (errno != EEXIST) {
			snprintf(err, errsz, "cannot create %s: %s", path, strerror(errno));
			goto fail;
		}
		if (linkat(AT_FDCWD, proc, AT_FDCWD, tmp, AT_SYMLINK_FOLLOW) < 0) {
			snprintf(err, errsz, "cannot name %s: %s", tmp, strerror(errno));
			goto fail;
		}
		named = 1;
	}
	if (close(fd) < 0) {
		fd = -1;
		snprintf(err, errsz, "close of %s failed: %s", tmp, strerror(errno));
		goto fail;
	}
	fd = -1;
	if (rename(tmp, path) < 0) {
		snprintf(err, errsz, "cannot rename %s to the output: %s", tmp, strerror(errno));
		goto fail;
	}
	fsync_dir_of(path);
	return 0;
fail:
	if (fd >= 0)
		close(fd);
	if (named)
		unlink(tmp);
	return -1;
}

int io_same_file(const char *a, const char *b)
{
	struct stat sa, sb;

	return stat(a, &sa) == 0 && stat(b, &sb) == 0 &&
	       sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}
