/*
 * client_tty.h - the client's local terminal: raw mode entered for a
 * remote pty and restored on every exit path, the window size, and the
 * terminal modes of a pty-req (RFC 4254 §8) encoded from termios.
 *
 * Contract:
 *  - ctty_enter_raw() saves the settings of fd's terminal once and makes
 *    it raw (ssh's enter_raw_mode: no echo, no canonical input, no
 *    signals, no output processing... OPOST kept off, as ssh does).
 *    ctty_leave_raw() restores the saved settings; both are idempotent
 *    and ctty_leave_raw() is async-signal-safe (tcsetattr only).
 *  - ctty_modes_build() appends the opcode/value pairs of t's control
 *    characters, flags and speeds, then TTY_OP_END, to out (raw bytes,
 *    the pty-req "encoded terminal modes" string without its length).
 *    Returns 0 or the writer's errors.
 */
#ifndef SESH_APP_CLIENT_TTY_H
#define SESH_APP_CLIENT_TTY_H

#include <stdbool.h>
#include <stdint.h>
#include <termios.h>

#include "base/buf.h"

int ctty_enter_raw(int fd);
void ctty_leave_raw(void);
bool ctty_is_raw(void);

/* Columns, rows and pixels of fd's terminal; false if not a terminal. */
bool ctty_winsize(int fd, uint32_t *cols, uint32_t *rows, uint32_t *xpix,
                  uint32_t *ypix);

int ctty_modes_build(const struct termios *t, struct buf *out);

/* Baud rate in bits per second for a termios speed constant (0 if
 * unknown). */
uint32_t ctty_speed_to_baud(speed_t s);

#endif
