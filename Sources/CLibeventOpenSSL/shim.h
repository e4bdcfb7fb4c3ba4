#ifndef CLIBEVENTOPENSSL_SHIM_H
#define CLIBEVENTOPENSSL_SHIM_H
/* The libc headers first, as in CLibevent's shim (event2/event-config.h defines _GNU_SOURCE). */
#include <sys/types.h>
#include <sys/time.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdarg.h>

#include <openssl/ssl.h>
#include <openssl/err.h>
#include <event2/bufferevent.h>
#include <event2/bufferevent_ssl.h>

/* OpenSSL's setters are macros over SSL_CTX_ctrl, which Swift does not import: the server's settings in one call.
   TLS 1.2 and 1.3 only; no renegotiation (a client could make the server redo handshakes at will) and no
   compression; buffers released while a connection is idle (about 34 KiB each otherwise). 1 on success. */
static inline int clibeventopenssl_configure_server(SSL_CTX *context) {
    if (!SSL_CTX_set_min_proto_version(context, TLS1_2_VERSION)) return 0;
    SSL_CTX_set_options(context, SSL_OP_NO_RENEGOTIATION | SSL_OP_NO_COMPRESSION | SSL_OP_CIPHER_SERVER_PREFERENCE);
    SSL_CTX_set_mode(context, SSL_MODE_RELEASE_BUFFERS);
    return 1;
}
#endif
