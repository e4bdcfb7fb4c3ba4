#ifndef CMIMALLOC_SHIM_H
#define CMIMALLOC_SHIM_H
/* Debian's libmimalloc replaces malloc, free and realloc for the whole process once it is linked; its own
   mi_ functions are given to SQLite and libevent explicitly. */
#include <mimalloc.h>
#endif
