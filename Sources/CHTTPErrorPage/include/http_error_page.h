#ifndef HTTP_ERROR_PAGE_H
#define HTTP_ERROR_PAGE_H

/* libevent 2.1 answers a request it cannot parse (a bad request line, an oversized header block, a bad chunk
 * size, a body over its limit, an unknown method) with an HTML page of its own, written by evhttp_send_error,
 * and has no hook to change it (evhttp_set_errorcb arrived in 2.2). This target defines evhttp_send_error
 * itself: the dynamic linker binds libevent's own calls to the executable's definition (libevent calls it
 * through its PLT), so each such reply goes to the renderer set here, which writes the API's error envelope.
 * Without a renderer, libevent's own page is sent. */

struct evhttp_request;

/* Writes the reply to a request libevent refused with `status` (400, 413, 417, 501...). */
typedef void (*http_error_page_renderer)(struct evhttp_request *request, int status);

void http_error_page_set_renderer(http_error_page_renderer renderer);

#endif
