#include "http_error_page.h"

#include <event2/http.h>
#include <event2/http_struct.h>

void evhttp_send_error(struct evhttp_request *request, int status, const char *reason) {
    (void)reason;
    /* A request line that could not be read leaves the version at 0.0: the reply would start "HTTP/0.0"
       and, evhttp adding Content-Length only to HTTP/1.x replies, carry none. */
    if (request->major != 1) {
        request->major = 1;
        request->minor = 1;
    }
    emulator_transport_refuse(request, status);
}
