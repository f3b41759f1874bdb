/*
 * escape.c - the escape character state machine (see escape.h).
 */
#include "app/escape.h"

#include <stdio.h>
#include <string.h>

void
escape_init(struct escape *e, int ch)
{
	memset(e, 0, sizeof(*e));
	e->ch = ch;
	e->line_start = true;
}

static enum escape_cmd
command_for(uint8_t b)
{
	switch (b) {
	case '.':
		return ESCAPE_CMD_DISCONNECT;
	case 0x1a: /* ^Z */
		return ESCAPE_CMD_SUSPEND;
	case '#':
		return ESCAPE_CMD_LIST;
	case '?':
		return ESCAPE_CMD_HELP;
	case 'C':
		return ESCAPE_CMD_COMMANDLINE;
	case 'R':
		return ESCAPE_CMD_REKEY;
	case 'B':
		return ESCAPE_CMD_BREAK;
	case 'V':
		return ESCAPE_CMD_LESS_VERBOSE;
	case 'v':
		return ESCAPE_CMD_MORE_VERBOSE;
	default:
		return ESCAPE_CMD_NONE;
	}
}

enum escape_cmd
escape_feed(struct escape *e, const uint8_t *in, size_t n, uint8_t *out,
            size_t *outlen, size_t *used)
{
	enum escape_cmd cmd = ESCAPE_CMD_NONE;
	size_t i, o = 0;
	uint8_t b;

	for (i = 0; i < n && cmd == ESCAPE_CMD_NONE; i++) {
		b = in[i];
		if (e->ch == ESCAPE_NONE) {
			out[o++] = b;
			continue;
		}
		if (e->pending) {
			e->pending = false;
			if (b == (uint8_t)e->ch) {
				out[o++] = b;
				e->line_start = false;
				continue;
			}
			cmd = command_for(b);
			if (cmd != ESCAPE_CMD_NONE) {
				/* a command leaves us at the start of a
				 * line, as ssh does */
				e->line_start = true;
				continue;
			}
			out[o++] = (uint8_t)e->ch;
			out[o++] = b;
			e->line_start = b == '\r' || b == '\n';
			continue;
		}
		if (e->line_start && b == (uint8_t)e->ch) {
			e->pending = true;
			continue;
		}
		out[o++] = b;
		e->line_start = b == '\r' || b == '\n';
	}
	*outlen = o;
	*used = i;
	return cmd;
}

void
escape_help(int ch, char *buf, size_t size)
{
	char c = (char)ch;

	(void)snprintf(
	    buf, size,
	    "Supported escape sequences:\r\n"
	    " %c.   - terminate connection (and any multiplexed sessions)\r\n"
	    " %cB   - send a BREAK to the remote system\r\n"
	    " %cC   - open a command line\r\n"
	    " %cR   - request rekey\r\n"
	    " %cV/v - decrease/increase verbosity (LogLevel)\r\n"
	    " %c^Z  - suspend sesh\r\n"
	    " %c#   - list forwarded connections\r\n"
	    " %c?   - this message\r\n"
	    " %c%c   - send the escape character by typing it twice\r\n"
	    "(Note that escapes are only recognized immediately after "
	    "newline.)\r\n",
	    c, c, c, c, c, c, c, c, c, c);
}
