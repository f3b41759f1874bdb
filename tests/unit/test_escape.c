/*
 * test_escape.c - the client's escape character state machine
 * (src/app/escape.h) and the pty-req terminal modes encoder
 * (src/app/client_tty.h): commands only at the start of a line, "~~",
 * an escape followed by an ordinary byte, input split anywhere (one byte
 * at a time gives the same output), a command stopping the feed, the
 * "none" escape, a custom escape character; modes that decode with
 * chan_pty_modes_parse and carry the termios values.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "app/client_tty.h"
#include "app/escape.h"
#include "base/buf.h"
#include "ssh/channel.h"

/* Feeds all of in (chunk bytes at a time, 0 = all at once), collecting
 * the output and the commands in order (as letters, see cmd_letter). */
static const char cmd_letters[] = "-.Z#?CRBVv";

static void
feed_all(int ch, const char *in, size_t chunk, char *out, char *cmds)
{
	struct escape e;
	uint8_t buf[256];
	size_t n = strlen(in), off = 0, olen = 0, nc = 0, used, got, step;
	enum escape_cmd c;

	escape_init(&e, ch);
	while (off < n) {
		step = chunk == 0 || chunk > n - off ? n - off : chunk;
		c = escape_feed(&e, (const uint8_t *)in + off, step, buf, &got,
		                &used);
		assert_true(used >= 1 && used <= step);
		assert_true(got <= used + 1);
		memcpy(out + olen, buf, got);
		olen += got;
		off += used;
		if (c != ESCAPE_CMD_NONE) {
			cmds[nc++] = cmd_letters[c];
		} else {
			assert_int_equal(used, step);
		}
	}
	out[olen] = '\0';
	cmds[nc] = '\0';
}

static void
check(int ch, const char *in, const char *want_out, const char *want_cmds)
{
	char out[256], cmds[64];
	size_t chunk;

	for (chunk = 0; chunk <= 3; chunk++) {
		feed_all(ch, in, chunk, out, cmds);
		assert_string_equal(out, want_out);
		assert_string_equal(cmds, want_cmds);
	}
}

static void
test_commands_at_line_start(void **state)
{
	(void)state;
	check('~', "~.", "", ".");
	check('~', "ls\r~.", "ls\r", ".");
	check('~', "ls\n~.", "ls\n", ".");
	check('~', "a~.", "a~.", "");
	check('~', "~?~#", "", "?#");
	check('~', "~?\r~#", "\r", "?#");
	check('~', "~\x1a", "", "Z");
	check('~', "~C~R~B", "", "CRB");
	check('~', "~V\n~v", "\n", "Vv");
	/* a command leaves the machine at a line start */
	check('~', "~?~.", "", "?.");
}

static void
test_literal_and_other(void **state)
{
	(void)state;
	check('~', "~~", "~", "");
	check('~', "~~.", "~.", "");
	check('~', "~x", "~x", "");
	check('~', "~\r~.", "~\r", ".");
	check('~', "", "", "");
	check('~', "hello world\r\n", "hello world\r\n", "");
}

static void
test_none_and_custom(void **state)
{
	(void)state;
	check(ESCAPE_NONE, "~.~?\r~.", "~.~?\r~.", "");
	check('^', "~.", "~.", "");
	check('^', "^.", "", ".");
	check('^', "x\r^^", "x\r^", "");
}

static void
test_stops_after_command(void **state)
{
	struct escape e;
	uint8_t out[16];
	size_t olen, used;

	(void)state;
	escape_init(&e, '~');
	assert_int_equal(escape_feed(&e, (const uint8_t *)"ab\r~.rest", 9, out,
	                             &olen, &used),
	                 ESCAPE_CMD_DISCONNECT);
	assert_int_equal(used, 5);
	assert_int_equal(olen, 3);
	assert_memory_equal(out, "ab\r", 3);
	assert_int_equal(
	    escape_feed(&e, (const uint8_t *)"rest", 4, out, &olen, &used),
	    ESCAPE_CMD_NONE);
	assert_int_equal(used, 4);
	assert_memory_equal(out, "rest", 4);
}

static void
test_help_text(void **state)
{
	char buf[1024];

	(void)state;
	escape_help('~', buf, sizeof(buf));
	assert_non_null(strstr(buf, " ~.   - terminate connection"));
	assert_non_null(strstr(buf, " ~~   - send the escape character"));
	escape_help('%', buf, sizeof(buf));
	assert_non_null(strstr(buf, " %?   - this message"));
	/* truncation is safe */
	escape_help('~', buf, 8);
	assert_int_equal(strlen(buf), 7);
}

static uint32_t
mode_value(const struct chan_pty_mode *m, size_t n, uint8_t op, bool *found)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (m[i].op == op) {
			*found = true;
			return m[i].value;
		}
	}
	*found = false;
	return 0;
}

static void
test_pty_modes(void **state)
{
	struct termios t;
	struct buf b;
	struct chan_pty_mode m[CHAN_MAX_PTY_MODES];
	size_t n = 0;
	bool found;

	(void)state;
	memset(&t, 0, sizeof(t));
	t.c_cc[VINTR] = 0x18; /* ^X */
	t.c_cc[VERASE] = 0x7f;
	t.c_cc[VKILL] = 0; /* disabled: sent as 255 */
	t.c_iflag = ICRNL | IXON;
	t.c_lflag = ISIG | ICANON | ECHO;
	t.c_oflag = OPOST | ONLCR;
	t.c_cflag = CS8;
	assert_int_equal(cfsetispeed(&t, B38400), 0);
	assert_int_equal(cfsetospeed(&t, B38400), 0);
	buf_init(&b, 0);
	assert_int_equal(ctty_modes_build(&t, &b), 0);
	assert_int_equal(buf_data(&b)[buf_len(&b) - 1], CHAN_TTY_OP_END);
	assert_int_equal(chan_pty_modes_parse(buf_data(&b), buf_len(&b), m,
	                                      CHAN_MAX_PTY_MODES, &n),
	                 0);
	assert_true(n > 30);
	assert_int_equal(mode_value(m, n, 1, &found), 0x18);
	assert_true(found);
	assert_int_equal(mode_value(m, n, 3, &found), 0x7f);
	assert_int_equal(mode_value(m, n, 4, &found), 255);
	assert_int_equal(mode_value(m, n, 36, &found), 1); /* ICRNL */
	assert_int_equal(mode_value(m, n, 35, &found), 0); /* IGNCR */
	assert_true(found);
	assert_int_equal(mode_value(m, n, 53, &found), 1); /* ECHO */
	assert_int_equal(mode_value(m, n, 72, &found), 1); /* ONLCR */
	assert_int_equal(mode_value(m, n, 91, &found), 1); /* CS8 */
	assert_int_equal(mode_value(m, n, 90, &found), 0); /* CS7 */
	assert_int_equal(mode_value(m, n, CHAN_TTY_OP_ISPEED, &found), 38400);
	assert_int_equal(mode_value(m, n, CHAN_TTY_OP_OSPEED, &found), 38400);
	buf_clear(&b);
	assert_int_equal(ctty_speed_to_baud(B115200), 115200);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_commands_at_line_start),
	    cmocka_unit_test(test_literal_and_other),
	    cmocka_unit_test(test_none_and_custom),
	    cmocka_unit_test(test_stops_after_command),
	    cmocka_unit_test(test_help_text),
	    cmocka_unit_test(test_pty_modes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
