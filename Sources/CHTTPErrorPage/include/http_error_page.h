#ifndef HTTP_ERROR_PAGE_H
#define HTTP_ERROR_PAGE_H

/* libevent 2.1 answers a request it cannot parse (a bad request line, an oversized header block, a bad chunk
 * size, a body over its limit, an unknown method) with an HTML page of its own, written by evhttp_send_error,
 * and has no hook to change it (evhttp_set_errorcb arrived in 2.2). This target defines evhttp_send_error
 * itself: the dynamic linker binds libevent's own calls to the executable's definition (libevent calls it
 * through its PLT), so each such reply is written by the transport (ErrorPages.swift), which renders the
 * API's error envelope.
 *
 * Swift does not import this target (it only links it): the transport defines the function below. */

struct evhttp_request;

/* Writes the reply to a request libevent refused with `status` (400, 413, 417, 501...). */
void emulator_transport_refuse(struct evhttp_request *request, int status);

#endif
