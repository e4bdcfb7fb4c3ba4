#ifndef BLOCK_CACHE_H
#define BLOCK_CACHE_H
#include <stddef.h>

/* An allocator for SQLite and libevent: malloc with a per-thread cache of freed blocks in front of it.
 *
 * Debian's SQLite is built without its lookaside allocator (SQLITE_OMIT_LOOKASIDE), so every allocation it
 * makes goes to malloc: about forty a request, a quarter of them 1 KiB chunks of the in-memory rollback journal.
 * glibc's own per-thread cache keeps seven blocks of a size, fewer than a commit frees at once, so most of those
 * went through malloc's bins (measured under callgrind: 160 instructions a malloc, against 41 for Swift's).
 * Here a freed block of up to 8 KiB waits in its thread's list for the next request of its size class (16-byte
 * steps up to 1 KiB, 128-byte steps above).
 *
 * Blocks carry their size in a 16-byte header (which keeps malloc's alignment), so a block may be freed on any
 * thread (it then joins that thread's cache) and its usable size is known (SQLite asks). Each thread caches at
 * most 1 MiB, and a thread's cache is returned to malloc when the thread ends. */

void *block_cache_malloc(size_t size);
void *block_cache_realloc(void *block, size_t size);
void block_cache_free(void *block);
/* The usable size of a block from block_cache_malloc or block_cache_realloc. */
size_t block_cache_size(void *block);
/* The size block_cache_malloc(size) would make usable. */
size_t block_cache_roundup(size_t size);
/* Gives the calling thread's cached blocks back to malloc. */
void block_cache_release(void);
/* Blocks and bytes cached by the calling thread (for tests). */
size_t block_cache_cached_blocks(void);
size_t block_cache_cached_bytes(void);

#endif
