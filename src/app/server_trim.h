/*
 * server_trim.h - server_trim_memory(): after authentication, gives the
 * free heap pages and the dead stack below the caller back to the
 * kernel (server_trim.c). Own header: <sys/mman.h> there declares a
 * pkey_free() of its own, which server_int.h's includes clash with.
 */
#ifndef SESH_APP_SERVER_TRIM_H
#define SESH_APP_SERVER_TRIM_H

void server_trim_memory(void);

#endif
