/*
 * client_tty.c - raw mode, window size and pty modes for the client (see
 * client_tty.h).
 */
#include "app/client_tty.h"

#include <stddef.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "base/err.h"
#include "ssh/channel.h"

static struct termios ctty_saved;
static int ctty_fd = -1;
static volatile int ctty_raw;

int
ctty_enter_raw(int fd)
{
	struct termios t;

	if (ctty_raw) {
		return 0;
	}
	if (tcgetattr(fd, &t) != 0) {
		return SESH_ERR_SYSTEM;
	}
	ctty_saved = t;
	ctty_fd = fd;
	/* ssh's raw mode: input untouched, no echo, no signals, no
	 * canonical processing, no output post-processing. */
	t.c_iflag |= IGNPAR;
	t.c_iflag &= ~(ISTRIP | INLCR | IGNCR | ICRNL | IXON | IXANY | IXOFF);
#ifdef IUCLC
	t.c_iflag &= ~IUCLC;
#endif
	t.c_lflag &= ~(ISIG | ICANON | ECHO | ECHOE | ECHOK | ECHONL);
#ifdef IEXTEN
	t.c_lflag &= ~IEXTEN;
#endif
	t.c_oflag &= ~OPOST;
	t.c_cc[VMIN] = 1;
	t.c_cc[VTIME] = 0;
	if (tcsetattr(fd, TCSADRAIN, &t) != 0) {
		return SESH_ERR_SYSTEM;
	}
	ctty_raw = 1;
	return 0;
}

void
ctty_leave_raw(void)
{
	if (!ctty_raw) {
		return;
	}
	(void)tcsetattr(ctty_fd, TCSADRAIN, &ctty_saved);
	ctty_raw = 0;
}

bool
ctty_is_raw(void)
{
	return ctty_raw != 0;
}

bool
ctty_winsize(int fd, uint32_t *cols, uint32_t *rows, uint32_t *xpix,
             uint32_t *ypix)
{
	struct winsize ws;

	*cols = *rows = *xpix = *ypix = 0;
	if (ioctl(fd, TIOCGWINSZ, &ws) != 0) {
		return false;
	}
	*cols = ws.ws_col;
	*rows = ws.ws_row;
	*xpix = ws.ws_xpixel;
	*ypix = ws.ws_ypixel;
	return true;
}

uint32_t
ctty_speed_to_baud(speed_t s)
{
	static const struct {
		speed_t sp;
		uint32_t baud;
	} tab[] = {
	    {B0, 0},           {B50, 50},       {B75, 75},
	    {B110, 110},       {B134, 134},     {B150, 150},
	    {B200, 200},       {B300, 300},     {B600, 600},
	    {B1200, 1200},     {B1800, 1800},   {B2400, 2400},
	    {B4800, 4800},     {B9600, 9600},   {B19200, 19200},
	    {B38400, 38400},   {B57600, 57600}, {B115200, 115200},
	    {B230400, 230400},
	};
	size_t i;

	for (i = 0; i < sizeof(tab) / sizeof(tab[0]); i++) {
		if (tab[i].sp == s) {
			return tab[i].baud;
		}
	}
	return 0;
}

/* RFC 4254 §8 opcodes paired with their termios members. */
struct ctty_cc {
	uint8_t op;
	int idx;
};
struct ctty_flag {
	uint8_t op;
	int which; /* 0 iflag, 1 lflag, 2 oflag, 3 cflag */
	tcflag_t bit;
};

static const struct ctty_cc ctty_ccs[] = {
    {1, VINTR},     {2, VQUIT},    {3, VERASE},  {4, VKILL},     {5, VEOF},
    {6, VEOL},      {7, VEOL2},    {8, VSTART},  {9, VSTOP},     {10, VSUSP},
    {12, VREPRINT}, {13, VWERASE}, {14, VLNEXT}, {18, VDISCARD},
};

static const struct ctty_flag ctty_flags[] = {
    {30, 0, IGNPAR},  {31, 0, PARMRK}, {32, 0, INPCK},  {33, 0, ISTRIP},
    {34, 0, INLCR},   {35, 0, IGNCR},  {36, 0, ICRNL},
#ifdef IUCLC
    {37, 0, IUCLC},
#endif
    {38, 0, IXON},    {39, 0, IXANY},  {40, 0, IXOFF},
#ifdef IMAXBEL
    {41, 0, IMAXBEL},
#endif
#ifdef IUTF8
    {42, 0, IUTF8},
#endif
    {50, 1, ISIG},    {51, 1, ICANON},
#ifdef XCASE
    {52, 1, XCASE},
#endif
    {53, 1, ECHO},    {54, 1, ECHOE},  {55, 1, ECHOK},  {56, 1, ECHONL},
    {57, 1, NOFLSH},  {58, 1, TOSTOP}, {59, 1, IEXTEN},
#ifdef ECHOCTL
    {60, 1, ECHOCTL},
#endif
#ifdef ECHOKE
    {61, 1, ECHOKE},
#endif
#ifdef PENDIN
    {62, 1, PENDIN},
#endif
    {70, 2, OPOST},
#ifdef OLCUC
    {71, 2, OLCUC},
#endif
    {72, 2, ONLCR},   {73, 2, OCRNL},  {74, 2, ONOCR},  {75, 2, ONLRET},
    {90, 3, CS7},     {91, 3, CS8},    {92, 3, PARENB}, {93, 3, PARODD},
};

static tcflag_t
flag_word(const struct termios *t, int which)
{
	switch (which) {
	case 0:
		return t->c_iflag;
	case 1:
		return t->c_lflag;
	case 2:
		return t->c_oflag;
	default:
		return t->c_cflag;
	}
}

int
ctty_modes_build(const struct termios *t, struct buf *out)
{
	struct chan_pty_mode m[64];
	size_t n = 0, i;
	tcflag_t w;

	for (i = 0; i < sizeof(ctty_ccs) / sizeof(ctty_ccs[0]); i++) {
		m[n].op = ctty_ccs[i].op;
		m[n].value = t->c_cc[ctty_ccs[i].idx];
		/* _POSIX_VDISABLE (0 on Linux) is sent as 255, as ssh
		 * does, so the server disables the character too */
		if (m[n].value == 0) {
			m[n].value = 255;
		}
		n++;
	}
	for (i = 0; i < sizeof(ctty_flags) / sizeof(ctty_flags[0]); i++) {
		w = flag_word(t, ctty_flags[i].which);
		m[n].op = ctty_flags[i].op;
		if (ctty_flags[i].op == 90 || ctty_flags[i].op == 91) {
			/* character size: a field, not a bit */
			m[n].value = (w & CSIZE) == ctty_flags[i].bit;
		} else {
			m[n].value = (w & ctty_flags[i].bit) != 0;
		}
		n++;
	}
	m[n].op = CHAN_TTY_OP_ISPEED;
	m[n++].value = ctty_speed_to_baud(cfgetispeed(t));
	m[n].op = CHAN_TTY_OP_OSPEED;
	m[n++].value = ctty_speed_to_baud(cfgetospeed(t));
	return chan_pty_modes_build(m, n, out);
}
