/*
 * fuzz_channel.c - libFuzzer target for the connection protocol
 * (src/ssh/channel.h), both roles.
 *
 * A client and a server chan_set start joined, with one session open
 * (channel 0 on both sides). The input is then a list of records:
 *	byte    control: bit 0 picks the side (0 client, 1 server), bit 1
 *	        answers owed requests ok/fail, bit 2 sends some data on
 *	        channel 0, bit 3 consumes received data, bit 4 sends EOF,
 *	        bit 5 closes channel 0, bit 6 accepts (else refuses) open
 *	        requests, bit 7 sends a want_reply request
 *	uint16  payload length (big-endian), then the payload
 * Each payload goes to the chosen side's chan_input(); after it, the
 * outputs of both sides are exchanged. A side whose input failed is
 * dead (errors are fatal for a connection) and gets nothing more.
 * Checked: errors are negative, event views lie inside the payload
 * being processed, nothing leaks.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/err.h"
#include "ssh/channel.h"
#include "ssh/msg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_OUT_MAX (1024u * 1024u)

struct fside {
	struct chan_set cs;
	struct buf out;
	bool dead;
	uint32_t received; /* unconsumed bytes of channel 0 */
};

static volatile uint8_t fuzz_sink;

static void
check_view(struct chan_str v, const uint8_t *p, size_t n)
{
	size_t i;
	uint8_t x = 0;

	if (v.n == 0) {
		return;
	}
	if (v.p < p || v.n > n || (size_t)(v.p - p) > n - v.n) {
		abort();
	}
	for (i = 0; i < v.n; i++) {
		x ^= v.p[i];
	}
	fuzz_sink ^= x;
}

/* The application: reacts to every event of one payload. */
static void
drain(struct fside *s, uint8_t ctl, const uint8_t *p, size_t n)
{
	struct chan_event ev;

	while (chan_next_event(&s->cs, &ev)) {
		check_view(ev.dtcp_host, p, n);
		check_view(ev.dtcp_orig_host, p, n);
		check_view(ev.text, p, n);
		check_view(ev.data, p, n);
		check_view(ev.req.name, p, n);
		check_view(ev.req.term, p, n);
		check_view(ev.req.modes, p, n);
		check_view(ev.req.arg, p, n);
		check_view(ev.req.value, p, n);
		check_view(ev.req.msg, p, n);
		check_view(ev.req.lang, p, n);
		switch (ev.type) {
		case CHAN_EV_OPEN_REQUEST:
			if (ctl & 0x40) {
				(void)chan_accept(&s->cs, ev.id, &s->out);
			} else {
				(void)chan_refuse(&s->cs, ev.id,
				                  SSH2_OPEN_CONNECT_FAILED,
				                  "no", &s->out);
			}
			break;
		case CHAN_EV_DATA:
			if (ev.id == 0) {
				s->received += (uint32_t)ev.data.n;
			} else {
				(void)chan_consumed(&s->cs, ev.id, ev.data.n,
				                    &s->out);
			}
			break;
		case CHAN_EV_REQUEST:
			if (ev.req.want_reply) {
				(void)chan_reply(&s->cs, ev.id, ctl & 2,
				                 &s->out);
			}
			break;
		case CHAN_EV_GLOBAL_REQUEST:
			/* answered (its data echoed on success) unless ctl
			 * says to leave it owed, so the reply queue both
			 * drains and fills */
			if (!(ctl & 0x10)) {
				(void)chan_global_reply(
				    &s->cs, ctl & 2, ctl & 2 ? ev.data.p : NULL,
				    ctl & 2 ? ev.data.n : 0, &s->out);
			}
			break;
		case CHAN_EV_CLOSED:
			if (ev.id == 0) {
				s->received = 0;
			}
			break;
		default:
			break;
		}
	}
}

static void
feed(struct fside *s, uint8_t ctl, const uint8_t *p, size_t n)
{
	int ret;

	if (s->dead) {
		return;
	}
	ret = chan_input(&s->cs, p, n, &s->out);
	if (ret > 0) {
		abort();
	}
	drain(s, ctl, p, n);
	if (ret < 0) {
		s->dead = true;
	}
}

/* Delivers every record of from's output to `to`. */
static void
pump(struct fside *from, struct fside *to, uint8_t ctl)
{
	struct rd r;
	const uint8_t *p;
	size_t n;

	rd_init(&r, buf_data(&from->out), buf_len(&from->out));
	while (rd_left(&r) > 0) {
		if (rd_string(&r, &p, &n) != 0) {
			abort(); /* our own framing */
		}
		feed(to, ctl, p, n);
	}
	buf_reset(&from->out);
}

static void
act(struct fside *s, uint8_t ctl)
{
	static const uint8_t junk[3000];
	struct chan_req q = {0};
	size_t sent;

	if (s->dead) {
		return;
	}
	if (ctl & 4) {
		(void)chan_send_data(&s->cs, 0, ctl & 1, junk, sizeof(junk),
		                     &s->out, &sent);
	}
	if ((ctl & 8) && s->received > 0) {
		(void)chan_consumed(&s->cs, 0, s->received, &s->out);
		s->received = 0;
	}
	if (ctl & 0x10) {
		(void)chan_send_eof(&s->cs, 0, &s->out);
	}
	if (ctl & 0x20) {
		(void)chan_close(&s->cs, 0, &s->out);
	}
	if (ctl & 0x80) {
		q.type = (ctl & 1) ? CHAN_REQ_EXIT_STATUS : CHAN_REQ_EXEC;
		q.want_reply = true;
		q.arg = chan_str_c("true");
		(void)chan_request(&s->cs, 0, &q, &s->out);
		(void)chan_global_request(&s->cs, "keepalive@openssh.com", true,
		                          &s->out);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fside side[2];
	struct rd r;
	const uint8_t *p;
	uint32_t id;
	uint16_t len;
	uint8_t ctl;

	memset(side, 0, sizeof(side));
	chan_set_init(&side[0].cs, false);
	chan_set_init(&side[1].cs, true);
	buf_init(&side[0].out, FUZZ_OUT_MAX);
	buf_init(&side[1].out, FUZZ_OUT_MAX);
	/* Small windows so that flow control is reached. */
	(void)chan_set_params(&side[0].cs, 8192, 1024);
	(void)chan_set_params(&side[1].cs, 8192, 1024);
	if (chan_open_session(&side[0].cs, &side[0].out, &id) != 0) {
		abort();
	}
	pump(&side[0], &side[1], 0x40);
	pump(&side[1], &side[0], 0x40);
	if (side[0].dead || side[1].dead) {
		abort();
	}

	rd_init(&r, data, size);
	while (rd_u8(&r, &ctl) == 0) {
		uint8_t b[2];

		if (rd_bytes(&r, b, 2) != 0) {
			break;
		}
		len = (uint16_t)(b[0] << 8 | b[1]);
		if (len > rd_left(&r)) {
			len = (uint16_t)rd_left(&r);
		}
		if (rd_view(&r, len, &p) != 0) {
			break;
		}
		feed(&side[ctl & 1], ctl, p, len);
		act(&side[ctl & 1], ctl);
		pump(&side[0], &side[1], ctl);
		pump(&side[1], &side[0], ctl);
		pump(&side[0], &side[1], ctl);
		buf_reset(&side[0].out);
		buf_reset(&side[1].out);
	}
	chan_set_clear(&side[0].cs);
	chan_set_clear(&side[1].cs);
	buf_clear(&side[0].out);
	buf_clear(&side[1].out);
	return 0;
}
