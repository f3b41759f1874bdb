/*
 * tty.h - asking the user: passphrases with echo off, and plain answers.
 *
 * Contract:
 *  - tty_read_passphrase() prompts on and reads from /dev/tty with echo
 *    off. The terminal's settings are restored on every path: normal
 *    return, error, and signals (SIGINT, SIGTERM, SIGHUP, SIGQUIT,
 *    SIGALRM, SIGTSTP, SIGTTIN, SIGTTOU) arriving during the read. After
 *    restoring, a caught signal is re-raised with the caller's original
 *    disposition; for the job-control stops the read starts over when the
 *    process continues.
 *  - Without a controlling terminal (open("/dev/tty") fails) it falls back
 *    as ssh-keygen does: the prompt goes to stderr and the line is read
 *    from standard input (no echo control is possible or needed).
 *  - End of input before a newline yields what was read so far (so an
 *    immediate EOF is the empty passphrase, as with ssh-keygen).
 *  - Reads are unbuffered (one byte at a time), so several prompts can
 *    share a piped standard input without stealing each other's lines.
 *  - Returned strings are heap strings the caller frees with
 *    mem_free_string_secret(); intermediate buffers are wiped.
 */
#ifndef SESH_APP_TTY_H
#define SESH_APP_TTY_H

#include <stdbool.h>

/* Longest accepted line, newline excluded. */
#define TTY_LINE_MAX 1023

/*
 * Prints prompt and reads one line with echo off (newline dropped).
 * Returns 0 with *out set, SESH_ERR_LIMIT (line longer than TTY_LINE_MAX;
 * the rest of the line is consumed and wiped), SESH_ERR_NOMEM, or
 * SESH_ERR_SYSTEM (read error, or interrupted by a signal whose original
 * disposition let the process live; errno EINTR). *out is NULL on error.
 */
int tty_read_passphrase(const char *prompt, char **out);

/*
 * Reads one line from standard input, unbuffered (for questions such as
 * "Overwrite (y/n)? " that ssh-keygen prints on stdout and answers from
 * stdin). The caller prints the prompt. *eof is set when input ended
 * before any byte was read. Returns as tty_read_passphrase().
 */
int tty_read_stdin_line(char **out, bool *eof);

/* Is there a controlling terminal we could prompt on? */
bool tty_available(void);

#endif
