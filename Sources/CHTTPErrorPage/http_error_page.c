#define _GNU_SOURCE
#include "http_error_page.h"

#include <dlfcn.h>
#include <stdatomic.h>
#include <stddef.h>

#include <event2/http.h>
#include <event2/http_struct.h>

static _Atomic(http_error_page_renderer) current_renderer;

void http_error_page_set_renderer(http_error_page_renderer renderer) {
    atomic_store(&current_renderer, renderer);
}

void evhttp_send_error(struct evhttp_request *request, int status, const char *reason) {
    http_error_page_renderer renderer = atomic_load(&current_renderer);
    if (renderer != NULL) {
        /* A request line that could not be read leaves the version at 0.0: the reply would start "HTTP/0.0"
           and, evhttp adding Content-Length only to HTTP/1.x replies, carry none. */
        if (request->major != 1) {
            request->major = 1;
            request->minor = 1;
        }
        renderer(request, status);
        return;
    }
    void (*original)(struct evhttp_request *, int, const char *) =
        (void (*)(struct evhttp_request *, int, const char *))dlsym(RTLD_NEXT, "evhttp_send_error");
    if (original != NULL) {
        original(request, status, reason);
    } else {
        evhttp_send_reply(request, status, reason != NULL ? reason : "Error", NULL);
    }
}
