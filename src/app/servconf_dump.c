/*
 * servconf_dump.c - `seshd -T`: the effective configuration as `sshd -T`
 * prints it, one "keyword value" per line, keywords in lower case,
 * multi-valued keywords once per value (port, listenaddress, hostkey,
 * acceptenv, allowusers, subsystem, ...). Expects a finished config.
 */
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "app/servconf.h"
#include "base/err.h"
#include "base/log.h"

static const char *
yn(int v)
{
	return v > 0 ? "yes" : "no";
}

static const char *
nz(const char *s)
{
	return s != NULL ? s : "none";
}

static void
dump_strv(FILE *f, const char *kw, char *const *v, bool one_line)
{
	size_t i;

	if (v == NULL || v[0] == NULL) {
		if (one_line) {
			fprintf(f, "%s none\n", kw);
		}
		return;
	}
	if (one_line) {
		fprintf(f, "%s", kw);
		for (i = 0; v[i] != NULL; i++) {
			fprintf(f, " %s", v[i]);
		}
		fprintf(f, "\n");
		return;
	}
	for (i = 0; v[i] != NULL; i++) {
		fprintf(f, "%s %s\n", kw, v[i]);
	}
}

static const char *
root_name(enum servconf_root r)
{
	switch (r) {
	case SERVCONF_ROOT_NO:
		return "no";
	case SERVCONF_ROOT_YES:
		return "yes";
	case SERVCONF_ROOT_FORCED_COMMANDS_ONLY:
		return "forced-commands-only";
	default:
		return "prohibit-password";
	}
}

static const char *
fwd_name(int v)
{
	switch (v) {
	case 0:
		return "no";
	case 1:
		return "local";
	case 2:
		return "remote";
	default:
		return "yes";
	}
}

static void
dump_listen(FILE *f, const struct servconf *c)
{
	size_t i, j;
	const struct servconf_listen *l;

	for (i = 0; i < c->nlisten; i++) {
		l = &c->listen[i];
		for (j = 0; j < c->nports; j++) {
			unsigned int port =
			    l->port != 0 ? l->port : c->ports[j];

			if (l->port != 0 && j > 0) {
				break;
			}
			if (l->addr == NULL) {
				if (c->address_family != AF_INET) {
					fprintf(f, "listenaddress [::]:%u\n",
					        port);
				}
				if (c->address_family != AF_INET6) {
					fprintf(f, "listenaddress 0.0.0.0:%u\n",
					        port);
				}
			} else if (strchr(l->addr, ':') != NULL) {
				fprintf(f, "listenaddress [%s]:%u\n", l->addr,
				        port);
			} else {
				fprintf(f, "listenaddress %s:%u\n", l->addr,
				        port);
			}
		}
	}
}

int
servconf_dump(const struct servconf *c, FILE *f)
{
	const char *fac = log_facility_name(c->syslog_facility);
	size_t i;

	for (i = 0; i < c->nports; i++) {
		fprintf(f, "port %u\n", c->ports[i]);
	}
	fprintf(f, "addressfamily %s\n",
	        c->address_family == AF_INET    ? "inet"
	        : c->address_family == AF_INET6 ? "inet6"
	                                        : "any");
	dump_listen(f, c);
	fprintf(f, "usepam %s\n", yn(c->use_pam));
	fprintf(f, "pamservicename %s\n", nz(c->pam_service_name));
	fprintf(f, "logingracetime %d\n", c->login_grace_time);
	fprintf(f, "maxauthtries %d\n", c->max_auth_tries);
	fprintf(f, "maxsessions %d\n", c->max_sessions);
	fprintf(f, "clientaliveinterval %d\n", c->client_alive_interval);
	fprintf(f, "clientalivecountmax %d\n", c->client_alive_count_max);
	fprintf(f, "permitrootlogin %s\n", root_name(c->permit_root_login));
	fprintf(f, "pubkeyauthentication %s\n", yn(c->pubkey_authentication));
	fprintf(f, "passwordauthentication %s\n",
	        yn(c->password_authentication));
	fprintf(f, "kbdinteractiveauthentication %s\n",
	        yn(c->kbd_interactive_authentication));
	fprintf(f, "printmotd %s\n", yn(c->print_motd));
	fprintf(f, "printlastlog %s\n", yn(c->print_last_log));
	fprintf(f, "x11forwarding %s\n", yn(c->x11_forwarding));
	fprintf(f, "permittty %s\n", yn(c->permit_tty));
	fprintf(f, "strictmodes %s\n", yn(c->strict_modes));
	fprintf(f, "tcpkeepalive %s\n", c->tcp_keep_alive ? "yes" : "no");
	fprintf(f, "permitemptypasswords %s\n", yn(c->permit_empty_passwords));
	fprintf(f, "usedns %s\n", yn(c->use_dns));
	fprintf(f, "allowtcpforwarding %s\n",
	        fwd_name(c->allow_tcp_forwarding));
	fprintf(f, "allowagentforwarding %s\n", yn(c->allow_agent_forwarding));
	fprintf(f, "permituserenvironment %s\n",
	        yn(c->permit_user_environment));
	{
		char pen[512];
		struct penalty_conf pc = c->penalty;

		pc.enabled = c->per_source_penalties != 0;
		(void)penalty_conf_format(&pc, pen, sizeof(pen));
		fprintf(f, "persourcepenalties %s\n", pen);
	}
	fprintf(f, "persourcepenaltyexemptlist %s\n",
	        nz(c->per_source_penalty_exempt));
	if (c->per_source_max_startups > 0) {
		fprintf(f, "persourcemaxstartups %d\n",
		        c->per_source_max_startups);
	} else {
		fprintf(f, "persourcemaxstartups none\n");
	}
	fprintf(f, "persourcenetblocksize %d:%d\n", c->per_source_netblock4,
	        c->per_source_netblock6);
	fprintf(f, "pidfile %s\n", nz(c->pid_file));
	fprintf(f, "ciphers %s\n", nz(c->ciphers));
	fprintf(f, "macs %s\n", nz(c->macs));
	fprintf(f, "banner %s\n", nz(c->banner));
	fprintf(f, "forcecommand %s\n", nz(c->force_command));
	fprintf(f, "chrootdirectory %s\n", nz(c->chroot_directory));
	fprintf(f, "versionaddendum %s\n", nz(c->version_addendum));
	fprintf(f, "sandboxuser %s\n", nz(c->sandbox_user));
	fprintf(f, "kexalgorithms %s\n", nz(c->kex_algorithms));
	fprintf(f, "hostkeyalgorithms %s\n", nz(c->host_key_algorithms));
	fprintf(f, "pubkeyacceptedalgorithms %s\n",
	        nz(c->pubkey_accepted_algorithms));
	fprintf(f, "loglevel %s\n", log_level_name(c->log_level));
	fprintf(f, "syslogfacility %s\n", fac != NULL ? fac : "AUTH");
	dump_strv(f, "authorizedkeysfile", c->authorized_keys_files, true);
	dump_strv(f, "hostkey", c->host_key_files, false);
	if (c->authentication_methods == NULL) {
		fprintf(f, "authenticationmethods any\n");
	} else {
		dump_strv(f, "authenticationmethods", c->authentication_methods,
		          true);
	}
	fprintf(f, "maxstartups %d:%d:%d\n", c->max_startups_begin,
	        c->max_startups_rate, c->max_startups_full);
	fprintf(f, "rekeylimit %llu %u\n",
	        (unsigned long long)c->rekey_limit_bytes, c->rekey_limit_secs);
	dump_strv(f, "allowusers", c->allow_users, false);
	dump_strv(f, "denyusers", c->deny_users, false);
	dump_strv(f, "allowgroups", c->allow_groups, false);
	dump_strv(f, "denygroups", c->deny_groups, false);
	dump_strv(f, "acceptenv", c->accept_env, false);
	for (i = 0; i < c->nsubsystems; i++) {
		fprintf(f, "subsystem %s %s\n", c->subsystems[i].name,
		        c->subsystems[i].command);
	}
	if (ferror(f)) {
		return SESH_ERR_SYSTEM;
	}
	return 0;
}
