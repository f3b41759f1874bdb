/*
 * escape.h - the client's escape character state machine (ssh(1)
 * ESCAPE CHARACTERS), pure: bytes typed on the local terminal go in,
 * the bytes to send to the server and the commands recognised come out.
 *
 * Contract:
 *  - The escape character is recognised only at the start of a line:
 *    at the very beginning and after a '\r' or '\n' that was sent.
 *  - Escape followed by '.', ^Z, '#', '?', 'C', 'R', 'B', 'V' or 'v' is a
 *    command (ESCAPE_* below); neither byte is sent. Escape twice sends
 *    one escape character. Escape followed by any other byte sends both.
 *  - escape_feed() stops after the first command so that the caller can
 *    act on it before the rest of the input (e.g. "~." then more
 *    bytes); *used tells how many input bytes were consumed. out must
 *    have room for n + 1 bytes (a pending escape character and the byte
 *    after it).
 *  - An escape_char of ESCAPE_NONE passes everything through.
 */
#ifndef SESH_APP_ESCAPE_H
#define SESH_APP_ESCAPE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ESCAPE_NONE (-1)

enum escape_cmd {
	ESCAPE_CMD_NONE = 0,
	ESCAPE_CMD_DISCONNECT,   /* ~. */
	ESCAPE_CMD_SUSPEND,      /* ~^Z */
	ESCAPE_CMD_LIST,         /* ~# */
	ESCAPE_CMD_HELP,         /* ~? */
	ESCAPE_CMD_COMMANDLINE,  /* ~C */
	ESCAPE_CMD_REKEY,        /* ~R */
	ESCAPE_CMD_BREAK,        /* ~B */
	ESCAPE_CMD_LESS_VERBOSE, /* ~V */
	ESCAPE_CMD_MORE_VERBOSE, /* ~v */
};

struct escape {
	int ch;          /* the escape character or ESCAPE_NONE */
	bool line_start; /* the next byte starts a line */
	bool pending;    /* the escape character was typed at line start */
};

/* A machine at the start of a line. */
void escape_init(struct escape *e, int ch);

/*
 * Processes in[0..n): appends the bytes to send to out (*outlen set),
 * stops after a command and returns it (ESCAPE_CMD_NONE when all input
 * was consumed without one). *used is the number of bytes consumed.
 */
enum escape_cmd escape_feed(struct escape *e, const uint8_t *in, size_t n,
                            uint8_t *out, size_t *outlen, size_t *used);

/* The ~? help text (lines end in "\r\n", for a raw terminal) for the
 * escape character ch. Writes at most size bytes (NUL-terminated). */
void escape_help(int ch, char *buf, size_t size);

#endif
