/*
 * The cost model: a named profile of modelled cycle costs. The machine's
 * clock (and so the TSC) advances by these, never by host time.
 */
#ifndef EMU_CYCLES_PROFILE_H
#define EMU_CYCLES_PROFILE_H

#include <stdint.h>

typedef struct emu_cost_profile {
    const char *name;
    uint32_t insn_base;         /* every retired instruction */
    uint32_t page_walk_level;   /* each paging-structure read by the walker */
    uint32_t port_io;           /* IN/OUT and string port I/O per element */
    uint32_t serializing;       /* CPUID, WRMSR, MOV CR, LGDT/LIDT, ... */
    uint32_t delivery_step;     /* each step of a trap delivery or return (emu_trap) */
    uint32_t xapic_mmio;        /* each access to the xAPIC page: an uncached MMIO round trip */
    uint32_t x2apic_msr;        /* RDMSR/WRMSR of an x2APIC MSR, in place of `serializing` (not serialising) */
} emu_cost_profile;

/* The default profile ("simple"): see docs/cycles.md. */
extern const emu_cost_profile emu_cost_simple;

#endif
