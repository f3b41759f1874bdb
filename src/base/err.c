/* err.c - lookups over the SESH_ERR_TABLE X-macro (see err.h). */
#include "base/err.h"

#include <stddef.h>

struct err_info {
	const char *name;
	const char *msg;
	int reason;
};

static const struct err_info err_infos[] = {
#define SESH_ERR_INFO_(name, msg, reason) {"SESH_ERR_" #name, msg, reason},
    SESH_ERR_TABLE(SESH_ERR_INFO_)
#undef SESH_ERR_INFO_
};

static const struct err_info *
err_lookup(int err)
{
	int idx = err - (SESH_ERR_FIRST_ + 1);

	if (err >= 0 || err <= SESH_ERR_FIRST_ || err >= SESH_ERR_LAST_)
		return NULL;
	if (idx < 0 || (size_t)idx >= sizeof(err_infos) / sizeof(err_infos[0]))
		return NULL;
	return &err_infos[idx];
}

const char *
sesh_err_str(int err)
{
	const struct err_info *e;

	if (err == 0)
		return "success";
	e = err_lookup(err);
	return e != NULL ? e->msg : "unknown error";
}

const char *
sesh_err_name(int err)
{
	const struct err_info *e;

	if (err == 0)
		return "SESH_OK";
	e = err_lookup(err);
	return e != NULL ? e->name : "SESH_ERR_UNKNOWN";
}

int
sesh_err_disconnect_reason(int err)
{
	const struct err_info *e = err_lookup(err);

	return e != NULL ? e->reason : SSH_DISCONNECT_BY_APPLICATION;
}
