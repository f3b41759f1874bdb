/*
 * session_pty.c - pseudo-terminals for seshd sessions (see session.h):
 * allocation through /dev/ptmx, ownership and mode of the slave as
 * sshd sets them, pty-req terminal modes (RFC 4254 §8, IUTF8 from
 * RFC 8160) mapped onto termios, and the window size.
 *
 * Mode mapping: characters (opcodes 1-18) take the value as a byte, 255
 * meaning "disabled" (_POSIX_VDISABLE); flags (30-93) are set when the
 * value is non-zero and cleared when zero; opcodes 128/129 carry a baud
 * rate. Opcodes this system has no termios field for, and unknown ones,
 * are ignored as the RFC asks. CS7/CS8 pick the character size: OpenSSH
 * clients send both as 1 for an 8-bit terminal (CS8's bits include
 * CS7's), so CS8 wins when both are set. Linux ptys keep their own
 * control flags (CS8, no parity) whatever is asked; sshd has the same
 * limitation.
 */
#include "app/session_int.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#include "base/err.h"
#include "base/log.h"

enum mode_kind { MK_CHAR, MK_IFLAG, MK_LFLAG, MK_OFLAG, MK_CFLAG };

struct mode_map {
	uint8_t op;
	uint8_t kind;  /* enum mode_kind */
	int cc;        /* MK_CHAR: index into c_cc */
	tcflag_t flag; /* flag kinds: the bit(s) */
};

/* RFC 4254 §8 opcodes (and RFC 8160's IUTF8) this system can express. */
static const struct mode_map mode_table[] = {
    {1, MK_CHAR, VINTR, 0},
    {2, MK_CHAR, VQUIT, 0},
    {3, MK_CHAR, VERASE, 0},
    {4, MK_CHAR, VKILL, 0},
    {5, MK_CHAR, VEOF, 0},
    {6, MK_CHAR, VEOL, 0},
    {7, MK_CHAR, VEOL2, 0},
    {8, MK_CHAR, VSTART, 0},
    {9, MK_CHAR, VSTOP, 0},
    {10, MK_CHAR, VSUSP, 0},
#ifdef VDSUSP
    {11, MK_CHAR, VDSUSP, 0},
#endif
    {12, MK_CHAR, VREPRINT, 0},
    {13, MK_CHAR, VWERASE, 0},
    {14, MK_CHAR, VLNEXT, 0},
#ifdef VFLUSH
    {15, MK_CHAR, VFLUSH, 0},
#endif
#if defined(VSWTCH)
    {16, MK_CHAR, VSWTCH, 0},
#elif defined(VSWTC)
    {16, MK_CHAR, VSWTC, 0},
#endif
#ifdef VSTATUS
    {17, MK_CHAR, VSTATUS, 0},
#endif
    {18, MK_CHAR, VDISCARD, 0},

    {30, MK_IFLAG, 0, IGNPAR},
    {31, MK_IFLAG, 0, PARMRK},
    {32, MK_IFLAG, 0, INPCK},
    {33, MK_IFLAG, 0, ISTRIP},
    {34, MK_IFLAG, 0, INLCR},
    {35, MK_IFLAG, 0, IGNCR},
    {36, MK_IFLAG, 0, ICRNL},
#ifdef IUCLC
    {37, MK_IFLAG, 0, IUCLC},
#endif
    {38, MK_IFLAG, 0, IXON},
    {39, MK_IFLAG, 0, IXANY},
    {40, MK_IFLAG, 0, IXOFF},
#ifdef IMAXBEL
    {41, MK_IFLAG, 0, IMAXBEL},
#endif
#ifdef IUTF8
    {42, MK_IFLAG, 0, IUTF8},
#endif

    {50, MK_LFLAG, 0, ISIG},
    {51, MK_LFLAG, 0, ICANON},
#ifdef XCASE
    {52, MK_LFLAG, 0, XCASE},
#endif
    {53, MK_LFLAG, 0, ECHO},
    {54, MK_LFLAG, 0, ECHOE},
    {55, MK_LFLAG, 0, ECHOK},
    {56, MK_LFLAG, 0, ECHONL},
    {57, MK_LFLAG, 0, NOFLSH},
    {58, MK_LFLAG, 0, TOSTOP},
    {59, MK_LFLAG, 0, IEXTEN},
#ifdef ECHOCTL
    {60, MK_LFLAG, 0, ECHOCTL},
#endif
#ifdef ECHOKE
    {61, MK_LFLAG, 0, ECHOKE},
#endif
#ifdef PENDIN
    {62, MK_LFLAG, 0, PENDIN},
#endif

    {70, MK_OFLAG, 0, OPOST},
#ifdef OLCUC
    {71, MK_OFLAG, 0, OLCUC},
#endif
    {72, MK_OFLAG, 0, ONLCR},
    {73, MK_OFLAG, 0, OCRNL},
    {74, MK_OFLAG, 0, ONOCR},
    {75, MK_OFLAG, 0, ONLRET},

    /* 90 CS7 and 91 CS8 are handled apart (a field, not a flag). */
    {92, MK_CFLAG, 0, PARENB},
    {93, MK_CFLAG, 0, PARODD},
};

#define MODE_CS7    90
#define MODE_CS8    91
#define MODE_ISPEED 128
#define MODE_OSPEED 129
/* A terminal-mode character of 255 means "none" (RFC 4254 §8). */
#define MODE_CHAR_NONE 255

struct speed_map {
	uint32_t baud;
	speed_t speed;
};

static const struct speed_map speed_table[] = {
    {0, B0},
    {50, B50},
    {75, B75},
    {110, B110},
    {134, B134},
    {150, B150},
    {200, B200},
    {300, B300},
    {600, B600},
    {1200, B1200},
    {1800, B1800},
    {2400, B2400},
    {4800, B4800},
    {9600, B9600},
    {19200, B19200},
    {38400, B38400},
#ifdef B57600
    {57600, B57600},
#endif
#ifdef B115200
    {115200, B115200},
#endif
#ifdef B230400
    {230400, B230400},
#endif
#ifdef B460800
    {460800, B460800},
#endif
#ifdef B500000
    {500000, B500000},
#endif
#ifdef B576000
    {576000, B576000},
#endif
#ifdef B921600
    {921600, B921600},
#endif
#ifdef B1000000
    {1000000, B1000000},
#endif
#ifdef B1152000
    {1152000, B1152000},
#endif
#ifdef B1500000
    {1500000, B1500000},
#endif
#ifdef B2000000
    {2000000, B2000000},
#endif
#ifdef B2500000
    {2500000, B2500000},
#endif
#ifdef B3000000
    {3000000, B3000000},
#endif
#ifdef B3500000
    {3500000, B3500000},
#endif
#ifdef B4000000
    {4000000, B4000000},
#endif
};

static bool
baud_to_speed(uint32_t baud, speed_t *out)
{
	size_t i;

	for (i = 0; i < sizeof(speed_table) / sizeof(speed_table[0]); i++) {
		if (speed_table[i].baud == baud) {
			*out = speed_table[i].speed;
			return true;
		}
	}
	return false;
}

static const struct mode_map *
mode_lookup(uint8_t op)
{
	size_t i;

	for (i = 0; i < sizeof(mode_table) / sizeof(mode_table[0]); i++) {
		if (mode_table[i].op == op) {
			return &mode_table[i];
		}
	}
	return NULL;
}

static void
set_flag(tcflag_t *field, tcflag_t flag, uint32_t value)
{
	if (value != 0) {
		*field |= flag;
	} else {
		*field &= ~flag;
	}
}

/* The tty group's gid, or -1 when there is none. */
static gid_t
tty_group(void)
{
	struct group *gr = getgrnam("tty");

	return gr != NULL ? gr->gr_gid : (gid_t)-1;
}

int
session_pty_open(uid_t uid, gid_t gid, struct session_pty *out)
{
	struct session_pty p = {.master = -1, .slave = -1};
	int ret = SESH_ERR_SYSTEM, r;

	out->master = -1;
	out->slave = -1;
	out->name[0] = '\0';
	p.master = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (p.master < 0) {
		log_error("posix_openpt: %s", strerror(errno));
		goto out;
	}
	if (grantpt(p.master) != 0 || unlockpt(p.master) != 0) {
		log_error("grantpt/unlockpt: %s", strerror(errno));
		goto out;
	}
	if ((r = ptsname_r(p.master, p.name, sizeof(p.name))) != 0) {
		log_error("ptsname_r: %s", strerror(r));
		goto out;
	}
	p.slave = open(p.name, O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (p.slave < 0) {
		log_error("open %s: %s", p.name, strerror(errno));
		goto out;
	}
	if (geteuid() == 0) {
		gid_t tgid = tty_group();
		/* As sshd: group tty and 0620 (write(1)/wall(1) reach the
		 * user through the tty group), else the user's group and
		 * 0600. */
		mode_t mode = tgid != (gid_t)-1 ? 0620 : 0600;

		if (tgid == (gid_t)-1) {
			tgid = gid;
		}
		if (fchown(p.slave, uid, tgid) != 0 ||
		    fchmod(p.slave, mode) != 0) {
			log_error("chown/chmod %s: %s", p.name,
			          strerror(errno));
			goto out;
		}
	}
	if ((r = fcntl(p.master, F_GETFL)) < 0 ||
	    fcntl(p.master, F_SETFL, r | O_NONBLOCK) != 0) {
		log_error("fcntl %s master: %s", p.name, strerror(errno));
		goto out;
	}
	*out = p;
	p.master = p.slave = -1;
	ret = 0;
out:
	session_pty_close(&p);
	return ret;
}

void
session_pty_modes_apply(struct termios *tio, const struct chan_pty_mode *m,
                        size_t n)
{
	bool cs7 = false, cs8 = false;
	size_t i;

	for (i = 0; i < n; i++) {
		const struct mode_map *mm = mode_lookup(m[i].op);
		speed_t sp;

		switch (m[i].op) {
		case MODE_CS7:
			cs7 = m[i].value != 0;
			continue;
		case MODE_CS8:
			cs8 = m[i].value != 0;
			continue;
		case MODE_ISPEED:
			if (baud_to_speed(m[i].value, &sp)) {
				cfsetispeed(tio, sp);
			}
			continue;
		case MODE_OSPEED:
			if (baud_to_speed(m[i].value, &sp)) {
				cfsetospeed(tio, sp);
			}
			continue;
		default:
			break;
		}
		if (mm == NULL) {
			continue;
		}
		switch (mm->kind) {
		case MK_CHAR:
			tio->c_cc[mm->cc] = m[i].value == MODE_CHAR_NONE
			                        ? _POSIX_VDISABLE
			                        : (cc_t)m[i].value;
			break;
		case MK_IFLAG:
			set_flag(&tio->c_iflag, mm->flag, m[i].value);
			break;
		case MK_LFLAG:
			set_flag(&tio->c_lflag, mm->flag, m[i].value);
			break;
		case MK_OFLAG:
			set_flag(&tio->c_oflag, mm->flag, m[i].value);
			break;
		case MK_CFLAG:
			set_flag(&tio->c_cflag, mm->flag, m[i].value);
			break;
		}
	}
	if (cs8 || cs7) {
		tio->c_cflag &= ~CSIZE;
		tio->c_cflag |= cs8 ? CS8 : CS7;
	}
}

int
session_pty_modes(const struct session_pty *p, const struct chan_pty_mode *m,
                  size_t n)
{
	struct termios tio;

	if (p->slave < 0) {
		return SESH_ERR_INVALID_ARGUMENT;
	}
	if (tcgetattr(p->slave, &tio) != 0) {
		log_error("tcgetattr %s: %s", p->name, strerror(errno));
		return SESH_ERR_SYSTEM;
	}
	session_pty_modes_apply(&tio, m, n);
	if (tcsetattr(p->slave, TCSANOW, &tio) != 0) {
		log_error("tcsetattr %s: %s", p->name, strerror(errno));
		return SESH_ERR_SYSTEM;
	}
	return 0;
}

int
session_pty_winsize(const struct session_pty *p, uint32_t cols, uint32_t rows,
                    uint32_t xpix, uint32_t ypix)
{
	struct winsize ws;

	if (p->master < 0) {
		return SESH_ERR_INVALID_ARGUMENT;
	}
	/* The kernel's fields are 16 bits; clamp rather than wrap. */
	ws.ws_col = (unsigned short)(cols > 0xffff ? 0xffff : cols);
	ws.ws_row = (unsigned short)(rows > 0xffff ? 0xffff : rows);
	ws.ws_xpixel = (unsigned short)(xpix > 0xffff ? 0xffff : xpix);
	ws.ws_ypixel = (unsigned short)(ypix > 0xffff ? 0xffff : ypix);
	if (ioctl(p->master, TIOCSWINSZ, &ws) != 0) {
		log_error("TIOCSWINSZ %s: %s", p->name, strerror(errno));
		return SESH_ERR_SYSTEM;
	}
	return 0;
}

void
session_pty_close(struct session_pty *p)
{
	if (p == NULL) {
		return;
	}
	if (p->slave >= 0) {
		close(p->slave);
	}
	if (p->master >= 0) {
		close(p->master);
	}
	p->slave = -1;
	p->master = -1;
}
