#ifndef CSQLITE_SHIM_H
#define CSQLITE_SHIM_H
#include <sqlite3.h>

/* sqlite3_config is variadic, which Swift cannot call: one fixed-arity wrapper per use. */

/* Turns off SQLite's allocation statistics (sqlite3_memory_used and friends), which take a global
   mutex around every malloc and free. Must run before SQLite initialises. */
static inline int csqlite_disable_memory_statistics(void) {
    return sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}
/* Sends SQLite's allocations to `methods` (SQLite copies the structure). Must run before SQLite initialises. */
static inline int csqlite_use_allocator(const sqlite3_mem_methods *methods) {
    return sqlite3_config(SQLITE_CONFIG_MALLOC, methods);
}
#endif
