/*
 * fileio.h - whole-file reading with a size cap, atomic file replacement
 * and directory creation, for key files, known_hosts and configuration.
 *
 * Contract:
 *  - fileio_read() never returns more than max bytes; larger files are an
 *    error, not a truncated read.
 *  - fileio_write_atomic() writes to a fresh temporary file in the target's
 *    directory (mode as given, set before any data is written), fsyncs it
 *    and renames it over the target. On any failure the temporary file is
 *    removed and an existing target is left untouched.
 *  - On SESH_ERR_SYSTEM and SESH_ERR_NOT_FOUND, errno holds the cause of
 *    the failure when the function returns (callers print strerror(errno)
 *    as ssh-keygen does).
 */
#ifndef SESH_APP_FILEIO_H
#define SESH_APP_FILEIO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define FILEIO_MODE_PRIVATE     0600
#define FILEIO_MODE_PUBLIC      0644
#define FILEIO_MODE_DIR_PRIVATE 0700

/*
 * Reads the whole file at path. max 0 means SESH_MAX_KEYFILE. On success
 * *out is a heap buffer (free() it; use mem_free_secret for private key
 * data) holding *n bytes plus a NUL terminator not counted in *n.
 * Returns 0, SESH_ERR_NOT_FOUND (ENOENT), SESH_ERR_LIMIT (larger than
 * max), SESH_ERR_INVALID_ARGUMENT (not a regular file), SESH_ERR_NOMEM or
 * SESH_ERR_SYSTEM (errno set). *out is NULL on error.
 */
int fileio_read(const char *path, size_t max, uint8_t **out, size_t *n);

/*
 * Atomically replaces (or creates) path with the n bytes at p, with the
 * given permission bits (e.g. FILEIO_MODE_PRIVATE). The temporary file is
 * "<path>.XXXXXX" in the same directory. A symlink is followed (the file
 * it names is replaced, the link stays); a path that exists and is not a
 * regular file (/dev/null, a FIFO) is never replaced:
 * SESH_ERR_INVALID_ARGUMENT. Returns 0, SESH_ERR_INVALID_ARGUMENT,
 * SESH_ERR_NOMEM or SESH_ERR_SYSTEM (errno set); on error the previous
 * file is intact.
 */
int fileio_write_atomic(const char *path, const void *p, size_t n, mode_t mode);

/*
 * As fileio_write_atomic(), but first keeps the current contents of path
 * as "<path>.old" (a hard link, or a copy where links are not possible),
 * replacing an existing .old. Used for known_hosts edits (-R, -H). path
 * must exist. Returns as fileio_write_atomic().
 */
int fileio_replace_keep_old(const char *path, const void *p, size_t n,
                            mode_t mode);

/* Does path exist (any file type; lstat semantics)? */
bool fileio_exists(const char *path);

/*
 * Permission bits of an existing file in *mode (S_IRWXU|S_IRWXG|S_IRWXO
 * and setuid bits masked to 07777). Returns 0, SESH_ERR_NOT_FOUND or
 * SESH_ERR_SYSTEM.
 */
int fileio_mode(const char *path, mode_t *mode);

/*
 * Creates the directory path (only its last component) with mode if it
 * does not exist; an existing directory is accepted as is. Returns 0,
 * SESH_ERR_NOT_FOUND (parent missing) or SESH_ERR_SYSTEM (errno set;
 * ENOTDIR if path exists but is not a directory).
 */
int fileio_ensure_dir(const char *path, mode_t mode);

/* As fileio_ensure_dir(), creating missing parents too (mode for each). */
int fileio_ensure_dirs(const char *path, mode_t mode);

#endif
