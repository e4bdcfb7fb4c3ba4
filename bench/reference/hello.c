/* The reference: a bare libevent evhttp server that answers every request with a constant JSON
 * body of the size of a CreateBackup reply. The emulator's throughput is reported as a ratio to it. */
#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <netinet/in.h>

static const char body[] = "{\"RequestId\":\"2C125605-266F-41CA-8AC5-3A643D4F42C5\",\"BackupJobId\":\"5073731\"}";

static void reply(struct evhttp_request *request, void *unused) {
    (void)unused;
    struct evbuffer *buffer = evbuffer_new();
    evbuffer_add(buffer, body, sizeof body - 1);
    evhttp_add_header(evhttp_request_get_output_headers(request), "Content-Type", "application/json;charset=utf-8");
    evhttp_send_reply(request, 200, "OK", buffer);
    evbuffer_free(buffer);
}

static void stop(evutil_socket_t signal, short events, void *base) {
    (void)signal; (void)events;
    event_base_loopbreak(base);
}

int main(void) {
    struct event_base *base = event_base_new();
    struct evhttp *http = evhttp_new(base);
    evhttp_set_gencb(http, reply, NULL);
    struct evhttp_bound_socket *socket = evhttp_bind_socket_with_handle(http, "127.0.0.1", 0);
    if (!socket) { perror("bind"); return 1; }
    struct sockaddr_in address; socklen_t length = sizeof address;
    getsockname(evhttp_bound_socket_get_fd(socket), (struct sockaddr *)&address, &length);
    printf("reference listening on http://127.0.0.1:%d\n", ntohs(address.sin_port));
    fflush(stdout);
    struct event *term = evsignal_new(base, SIGTERM, stop, base);
    event_add(term, NULL);
    event_base_dispatch(base);
    return 0;
}
