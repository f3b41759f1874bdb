/*
 * fileio.c - whole-file reads and atomic temp+rename writes (see fileio.h).
 *
 * Writes never truncate the target: data goes to a mkstemp() file in the
 * same directory (so rename(2) is atomic), chmod'ed before data is written,
 * fsync'ed, then renamed over the target. errno is preserved across the
 * cleanup of failure paths so callers can report the real cause.
 */
#include "app/fileio.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/err.h"
#include "base/limits.h"
#include "base/mem.h"

/* Reads exactly until EOF into p (capacity cap); *got bytes read. */
static int
read_all(int fd, uint8_t *p, size_t cap, size_t *got)
{
	size_t off = 0;
	ssize_t r;

	*got = 0;
	for (;;) {
		if (off == cap) {
			/* One more byte tells "exactly cap" from "larger". */
			uint8_t extra;

			do {
				r = read(fd, &extra, 1);
			} while (r < 0 && errno == EINTR);
			if (r < 0) {
				return SESH_ERR_SYSTEM;
			}
			if (r > 0) {
				return SESH_ERR_LIMIT;
			}
			break;
		}
		r = read(fd, p + off, cap - off);
		if (r < 0 && errno == EINTR) {
			continue;
		}
		if (r < 0) {
			return SESH_ERR_SYSTEM;
		}
		if (r == 0) {
			break;
		}
		off += (size_t)r;
	}
	*got = off;
	return 0;
}

int
fileio_read(const char *path, size_t max, uint8_t **out, size_t *n)
{
	struct stat st;
	uint8_t *p = NULL;
	size_t cap, got = 0;
	int fd = -1, ret, saved = 0;

	*out = NULL;
	*n = 0;
	if (max == 0) {
		max = SESH_MAX_KEYFILE;
	}
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
		saved = errno;
		ret = errno == ENOENT ? SESH_ERR_NOT_FOUND : SESH_ERR_SYSTEM;
		goto out;
	}
	if (fstat(fd, &st) != 0) {
		saved = errno;
		ret = SESH_ERR_SYSTEM;
		goto out;
	}
	if (!S_ISREG(st.st_mode) && !S_ISFIFO(st.st_mode) &&
	    !S_ISCHR(st.st_mode)) {
		saved = EISDIR;
		ret = SESH_ERR_INVALID_ARGUMENT;
		goto out;
	}
	/* Regular files: size hint; pipes and devices: read up to max. */
	if (S_ISREG(st.st_mode)) {
		if ((uint64_t)st.st_size > (uint64_t)max) {
			saved = EFBIG;
			ret = SESH_ERR_LIMIT;
			goto out;
		}
	}
	cap = max;
	if ((p = malloc(cap + 1)) == NULL) {
		saved = ENOMEM;
		ret = SESH_ERR_NOMEM;
		goto out;
	}
	if ((ret = read_all(fd, p, cap, &got)) != 0) {
		saved = ret == SESH_ERR_LIMIT ? EFBIG : errno;
		goto out;
	}
	p[got] = '\0';
	*out = p;
	*n = got;
	p = NULL;
	ret = 0;
out:
	if (p != NULL) {
		mem_free_secret(p, cap + 1);
	}
	if (fd >= 0) {
		close(fd);
	}
	if (ret != 0) {
		errno = saved;
	}
	return ret;
}

static int
write_all(int fd, const uint8_t *p, size_t n)
{
	size_t off = 0;
	ssize_t w;

	while (off < n) {
		w = write(fd, p + off, n - off);
		if (w < 0 && errno == EINTR) {
			continue;
		}
		if (w <= 0) {
			if (w == 0) {
				errno = EIO;
			}
			return SESH_ERR_SYSTEM;
		}
		off += (size_t)w;
	}
	return 0;
}

/* fsyncs the directory holding path so the rename is durable; best
 * effort (some file systems refuse fsync on directories). */
static void
sync_parent_dir(const char *path)
{
	char *dir = mem_strdup(path);
	char *slash;
	int fd;

	if (dir == NULL) {
		return;
	}
	slash = strrchr(dir, '/');
	if (slash == NULL) {
		strcpy(dir, ".");
	} else if (slash == dir) {
		dir[1] = '\0';
	} else {
		*slash = '\0';
	}
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd >= 0) {
		(void)fsync(fd);
		close(fd);
	}
	free(dir);
}

/*
 * The file a replacement must go to: path itself when it is a regular
 * file or does not exist, the file a symlink points to (so a symlinked
 * known_hosts stays a symlink), and never a device, FIFO or directory:
 * renaming over /dev/null would replace it for every user of the
 * machine. *out is heap-allocated. Returns 0, SESH_ERR_INVALID_ARGUMENT
 * (not a regular file), SESH_ERR_NOMEM or SESH_ERR_SYSTEM.
 */
static int
replace_target(const char *path, char **out)
{
	struct stat st;
	char *real = NULL;

	*out = NULL;
	if (lstat(path, &st) != 0) {
		if (errno != ENOENT) {
			return SESH_ERR_SYSTEM;
		}
		real = strdup(path);
	} else if (S_ISLNK(st.st_mode)) {
		if ((real = realpath(path, NULL)) == NULL) {
			return SESH_ERR_SYSTEM;
		}
		if (stat(real, &st) != 0 || !S_ISREG(st.st_mode)) {
			free(real);
			return SESH_ERR_INVALID_ARGUMENT;
		}
	} else if (!S_ISREG(st.st_mode)) {
		return SESH_ERR_INVALID_ARGUMENT;
	} else {
		real = strdup(path);
	}
	if (real == NULL) {
		return SESH_ERR_NOMEM;
	}
	*out = real;
	return 0;
}

/* Writes p to a fresh temp file next to path; *tmp_out is its name. */
static int
write_temp(const char *path, const void *p, size_t n, mode_t mode,
           char **tmp_out)
{
	char *tmp = NULL;
	size_t len = strlen(path), tl;
	int fd = -1, ret, saved = 0;

	*tmp_out = NULL;
	if (!size_add(len, sizeof(".XXXXXXXXXX"), &tl) ||
	    (tmp = malloc(tl)) == NULL) {
		saved = ENOMEM;
		ret = SESH_ERR_NOMEM;
		goto out;
	}
	snprintf(tmp, tl, "%s.XXXXXXXXXX", path);
	if ((fd = mkstemp(tmp)) < 0) {
		saved = errno;
		ret = SESH_ERR_SYSTEM;
		free(tmp);
		tmp = NULL;
		goto out;
	}
	if (fchmod(fd, mode) != 0 || write_all(fd, p, n) != 0 ||
	    fsync(fd) != 0) {
		saved = errno;
		ret = SESH_ERR_SYSTEM;
		goto out;
	}
	if (close(fd) != 0) {
		fd = -1;
		saved = errno;
		ret = SESH_ERR_SYSTEM;
		goto out;
	}
	fd = -1;
	*tmp_out = tmp;
	tmp = NULL;
	ret = 0;
out:
	if (fd >= 0) {
		close(fd);
	}
	if (tmp != NULL) {
		unlink(tmp);
		free(tmp);
	}
	if (ret != 0) {
		errno = saved;
	}
	return ret;
}

int
fileio_write_atomic(const char *path, const void *p, size_t n, mode_t mode)
{
	char *tmp = NULL, *target = NULL;
	int ret, saved = 0;

	if ((ret = replace_target(path, &target)) != 0) {
		return ret;
	}
	if ((ret = write_temp(target, p, n, mode, &tmp)) != 0) {
		goto out;
	}
	if (rename(tmp, target) != 0) {
		saved = errno;
		unlink(tmp);
		ret = SESH_ERR_SYSTEM;
		goto out;
	}
	sync_parent_dir(target);
out:
	free(tmp);
	free(target);
	if (saved != 0) {
		errno = saved;
	}
	return ret;
}

/* Copies the file src to a fresh dst (used when link(2) is refused). */
static int
copy_to_old(const char *src, const char *dst, mode_t mode)
{
	uint8_t *data = NULL;
	size_t n = 0;
	int ret;

	if ((ret = fileio_read(src, SESH_MAX_WRITER, &data, &n)) != 0) {
		return ret;
	}
	ret = fileio_write_atomic(dst, data, n, mode);
	free(data);
	return ret;
}

int
fileio_replace_keep_old(const char *path_arg, const void *p, size_t n,
                        mode_t mode)
{
	char *tmp = NULL, *old = NULL, *target = NULL;
	const char *path;
	size_t len, ol;
	int ret, saved = 0;

	if ((ret = replace_target(path_arg, &target)) != 0) {
		return ret;
	}
	path = target;
	len = strlen(path);
	if (!size_add(len, sizeof(".old"), &ol) || (old = malloc(ol)) == NULL) {
		saved = ENOMEM;
		ret = SESH_ERR_NOMEM;
		goto out;
	}
	snprintf(old, ol, "%s.old", path);
	/* New contents first: if this fails nothing has changed. */
	if ((ret = write_temp(path, p, n, mode, &tmp)) != 0) {
		saved = errno;
		goto out;
	}
	if (unlink(old) != 0 && errno != ENOENT) {
		saved = errno;
		ret = SESH_ERR_SYSTEM;
		goto out;
	}
	if (link(path, old) != 0) {
		if (errno == ENOENT) {
			saved = errno;
			ret = SESH_ERR_NOT_FOUND;
			goto out;
		}
		if ((ret = copy_to_old(path, old, mode)) != 0) {
			saved = errno;
			goto out;
		}
	}
	if (rename(tmp, path) != 0) {
		saved = errno;
		ret = SESH_ERR_SYSTEM;
		goto out;
	}
	sync_parent_dir(path);
	ret = 0;
out:
	if (tmp != NULL) {
		if (ret != 0) {
			unlink(tmp);
		}
		free(tmp);
	}
	free(old);
	free(target);
	if (ret != 0) {
		errno = saved;
	}
	return ret;
}

bool
fileio_exists(const char *path)
{
	struct stat st;

	return lstat(path, &st) == 0;
}

int
fileio_mode(const char *path, mode_t *mode)
{
	struct stat st;

	*mode = 0;
	if (stat(path, &st) != 0) {
		return errno == ENOENT ? SESH_ERR_NOT_FOUND : SESH_ERR_SYSTEM;
	}
	*mode = st.st_mode & 07777;
	return 0;
}

int
fileio_ensure_dir(const char *path, mode_t mode)
{
	struct stat st;

	if (mkdir(path, mode) == 0) {
		return 0;
	}
	if (errno == EEXIST) {
		if (stat(path, &st) != 0) {
			return SESH_ERR_SYSTEM;
		}
		if (!S_ISDIR(st.st_mode)) {
			errno = ENOTDIR;
			return SESH_ERR_SYSTEM;
		}
		return 0;
	}
	return errno == ENOENT ? SESH_ERR_NOT_FOUND : SESH_ERR_SYSTEM;
}

int
fileio_ensure_dirs(const char *path, mode_t mode)
{
	char *p = mem_strdup(path);
	char *s;
	int ret = 0, saved = 0;

	if (p == NULL) {
		errno = ENOMEM;
		return SESH_ERR_NOMEM;
	}
	/* Each prefix ending before a '/', then the whole path. */
	for (s = p + 1; *s != '\0'; s++) {
		if (*s != '/') {
			continue;
		}
		*s = '\0';
		ret = fileio_ensure_dir(p, mode);
		*s = '/';
		if (ret != 0) {
			saved = errno;
			goto out;
		}
	}
	if ((ret = fileio_ensure_dir(p, mode)) != 0) {
		saved = errno;
	}
out:
	free(p);
	if (ret != 0) {
		errno = saved;
	}
	return ret;
}
