/*
 * The firmware's ELF symbol table, kept for naming addresses: --inject
 * nmi@entry_syscall+3, and front ends that show symbol+offset.
 */
#ifndef EMU_LOADER_SYMBOLS_H
#define EMU_LOADER_SYMBOLS_H

#include <stddef.h>
#include <stdint.h>

#include "emu/emu.h"

typedef struct loader_symbol {
    char *name;
    uint64_t value;
    uint64_t size;
} loader_symbol;

typedef struct loader_symbols {
    loader_symbol *syms;
    size_t count;
} loader_symbols;

/* Read SHT_SYMTAB (functions, objects and untyped labels with a name). An image without one gives
 * an empty table; a malformed table is an error. */
emu_err loader_symbols_read(const uint8_t *image, size_t size, loader_symbols *out, char *why, size_t why_len);

void loader_symbols_free(loader_symbols *syms);

/* The value of a symbol by name; -1 if there is none. */
int loader_symbols_find(const loader_symbols *syms, const char *name, uint64_t *value);

#endif
