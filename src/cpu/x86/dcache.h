/*
 * The predecode cache's lifecycle, for cpu.c. The cache itself (exec.c) is
 * private to the execution loop.
 */
#ifndef EMU_CPU_X86_DCACHE_H
#define EMU_CPU_X86_DCACHE_H

#include "cpu/x86/x86.h"

/* A new, empty predecode cache, or NULL if the host is out of memory. */
struct x86_dcache *x86_dcache_new(void);
void x86_dcache_free(struct x86_dcache *dc);

#endif
