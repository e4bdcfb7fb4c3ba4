#ifndef CLIBEVENT_SHIM_H
#define CLIBEVENT_SHIM_H
/* event2/event-config.h defines _GNU_SOURCE; glibc headers first reached through it
   differ from SwiftGlibc's copy (fd_set) and the modules refuse to merge. So the libc
   headers come first, with Swift's own feature macros. */
#include <sys/types.h>
#include <sys/time.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdarg.h>

#include <event2/event.h>
#include <event2/http.h>
#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/keyvalq_struct.h>
#include <event2/listener.h>
#include <event2/thread.h>
#include <event2/util.h>
#endif
