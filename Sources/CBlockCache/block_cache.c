#include "block_cache.h"

#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Size classes: 16-byte steps up to 1 KiB, where most blocks are (SQLite's schema and prepared statements keep
 * thousands of small ones for good, so coarser steps cost idle memory: 0.7 MB with 64-byte steps), then 128-byte
 * steps up to 8 KiB, for SQLite's page buffers (4 KiB pages and their headers), the largest blocks made on every
 * request. Anything larger (memdb's database buffer) goes to malloc and realloc as is.
 * The header is 16 bytes, so blocks keep malloc's alignment (libevent's structures may need it). */
enum { small_step = 16, small_limit = 1024, large_step = 128, largest_cached = 8192, header = 16 };
enum { classes = small_limit / small_step + (largest_cached - small_limit) / large_step };
static const size_t cache_limit = 1 << 20;

typedef struct free_block { struct free_block *next; } free_block;

static _Thread_local free_block *free_lists[classes];
static _Thread_local size_t cached_bytes;
static _Thread_local size_t cached_blocks;
static _Thread_local int thread_registered;

static pthread_key_t thread_end_key;
static pthread_once_t thread_end_once = PTHREAD_ONCE_INIT;

/* The header's first word is the block's usable size; the caller's pointer follows the header. */
static inline size_t *header_of(void *block) { return (size_t *)((char *)block - header); }

static void release_thread_cache(void *unused) {
    (void)unused;
    for (int index = 0; index < classes; index++) {
        free_block *block = free_lists[index];
        while (block) {
            free_block *next = block->next;
            free(header_of(block));
            block = next;
        }
        free_lists[index] = NULL;
    }
    cached_bytes = 0;
    cached_blocks = 0;
    /* A block freed after this (by a later thread-exit destructor) arms the destructor again, rather than
     * joining a cache that nothing would give back. */
    thread_registered = 0;
}

static void make_thread_end_key(void) { pthread_key_create(&thread_end_key, release_thread_cache); }

/* A thread's first cached block arms a destructor that gives its cache back when the thread ends. */
static void register_thread(void) {
    pthread_once(&thread_end_once, make_thread_end_key);
    pthread_setspecific(thread_end_key, (void *)1);
    thread_registered = 1;
}

size_t block_cache_roundup(size_t size) {
    if (size == 0) size = 1;
    if (size <= small_limit) return (size + small_step - 1) / small_step * small_step;
    if (size <= largest_cached) return small_limit + (size - small_limit + large_step - 1) / large_step * large_step;
    return (size + 15) & ~(size_t)15;
}

/* The free list of a rounded size up to largest_cached. */
static inline size_t class_of(size_t usable) {
    if (usable <= small_limit) return usable / small_step - 1;
    return small_limit / small_step + (usable - small_limit) / large_step - 1;
}

static void *allocate(size_t usable) {
    size_t *raw = malloc(usable + header);
    if (!raw) return NULL;
    *raw = usable;
    return (char *)raw + header;
}

void *block_cache_malloc(size_t size) {
    size_t usable = block_cache_roundup(size);
    if (usable <= largest_cached) {
        size_t index = class_of(usable);
        free_block *block = free_lists[index];
        if (block) {
            free_lists[index] = block->next;
            cached_bytes -= usable;
            cached_blocks -= 1;
            return block;
        }
    }
    return allocate(usable);
}

void block_cache_free(void *block) {
    if (!block) return;
    size_t usable = *header_of(block);
    if (usable <= largest_cached && cached_bytes + usable <= cache_limit) {
        if (!thread_registered) register_thread();
        size_t index = class_of(usable);
        free_block *entry = block;
        entry->next = free_lists[index];
        free_lists[index] = entry;
        cached_bytes += usable;
        cached_blocks += 1;
        return;
    }
    free(header_of(block));
}

void *block_cache_realloc(void *block, size_t size) {
    if (!block) return block_cache_malloc(size);
    size_t usable = *header_of(block);
    if (size <= usable) return block;
    size_t wanted = block_cache_roundup(size);
    if (usable > largest_cached && wanted > largest_cached) {
        /* Large to larger (memdb's buffer as the database grows): realloc may move pages instead of copying. */
        size_t *raw = realloc(header_of(block), wanted + header);
        if (!raw) return NULL;
        *raw = wanted;
        return (char *)raw + header;
    }
    void *moved = block_cache_malloc(size);
    if (!moved) return NULL;
    memcpy(moved, block, usable);
    block_cache_free(block);
    return moved;
}

size_t block_cache_size(void *block) { return block ? *header_of(block) : 0; }

void block_cache_release(void) { release_thread_cache(NULL); }

size_t block_cache_cached_blocks(void) { return cached_blocks; }

size_t block_cache_cached_bytes(void) { return cached_bytes; }
