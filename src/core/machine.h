/*
 * The machine: RAM, the port and MMIO maps, the CPU, modelled time and the
 * pending stop. Internal to libemu; front ends see only include/emu/emu.h.
 */
#ifndef EMU_CORE_MACHINE_H
#define EMU_CORE_MACHINE_H

#include <stdarg.h>
#include <stdint.h>
#include <stdbool.h>

#include "emu/emu.h"
#include "cpu/x86/x86.h"
#include "cycles/profile.h"
#include "core/events.h"
#include "core/intr.h"
#include "core/mmio.h"
#include "loader/symbols.h"

struct pc_platform;
struct virt_machine;

#define EMU_DEFAULT_MEMORY (128ull << 20)
#define EMU_MAX_BREAKPOINTS 64
#define EMU_MAX_INJECTIONS 32

/* One --inject request (emu_inject): pending until its PC or cycle is reached. */
typedef struct machine_injection {
    emu_injection req;
    bool done;
} machine_injection;

struct emu_machine {
    emu_arch arch;
    emu_options opts;
    char *firmware_path;        /* as given to emu_open (the multiboot command line starts with it) */

    /* RAM: physical [ram_base, ram_base + ram_size): base 0 on pc, VIRT_RAM_BASE on virt. */
    uint8_t *ram;
    uint64_t ram_base;
    uint64_t ram_size;

    /* The arch tags which of these is in use. */
    struct pc_platform *pc;     /* EMU_ARCH_X86_64: devices of the pc platform (the CPU is `cpu`) */
    machine_mmio *mmio[MACHINE_MAX_MMIO]; /* pc: device windows outside RAM (mmio.h) */
    unsigned n_mmio;
    struct virt_machine *virt; /* EMU_ARCH_AARCH64: the A64 CPU, its MMU and the virt devices */

    x86_cpu cpu;                /* EMU_ARCH_X86_64 only */

    uint64_t insns;             /* instructions retired */
    uint64_t cycles;            /* modelled cycles: the machine's clock */
    const emu_cost_profile *cost;

    bool stop_pending;          /* set by machine_stop(); the run loop returns it */
    emu_stop stop;
    bool stopped_for_good;      /* exit/shutdown/reset: emu_run refuses to continue */

    emu_trap_fn trap_hook;      /* emu_set_trap_hook */
    void *trap_hook_ctx;
    uint64_t trap_seq;
    bool delivery_pending;      /* break_on_exception stopped before delivering cpu->fault */

    /* Modelled time (events.h): the run loop services events once cycles >= next_event. */
    uint64_t next_event;
    machine_timer *timers[MACHINE_MAX_TIMERS];
    unsigned n_timers;

    /* Interrupt requests (intr.h). */
    bool nmi_latched;
    const char *nmi_source;
    bool intr_line;             /* the controller's INTR output */
    machine_intc intc;
    uint64_t injected_vectors[4]; /* maskable vectors injected and not yet accepted (bit per vector) */
    machine_injection injections[EMU_MAX_INJECTIONS];
    machine_timer inject_timer; /* the earliest injection at a cycle not yet fired */
    unsigned n_injections;
    unsigned n_pc_injections;   /* injections at a PC not yet fired: the run loop checks each RIP */

    loader_symbols symbols;     /* the firmware's ELF symbol table */

    uint64_t breakpoints[EMU_MAX_BREAKPOINTS];
    unsigned n_breakpoints;
    uint64_t skip_breakpoint_at; /* resume over the breakpoint we stopped at */
    bool skip_breakpoint;
};

/* Request a stop; the run loop returns it after the current instruction. */
void machine_stop(emu_machine *m, emu_stop_kind kind, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void machine_vstop(emu_machine *m, emu_stop_kind kind, const char *fmt, va_list ap);

/* Number a completed trap record and hand it to the front end's hook. */
static inline void machine_trap_record(emu_machine *m, emu_trap *rec)
{
    m->cycles += rec->cycles;   /* the steps' costs, charged once the record is complete */
    rec->seq = ++m->trap_seq;
    if (m->trap_hook)
        m->trap_hook(m->trap_hook_ctx, rec);
}

/* The PC of the architecture's CPU (stop messages). */
uint64_t machine_pc(const emu_machine *m);

/* The AArch64 run loop (run_arm64.c), emu_run's and emu_step's work on a virt machine. */
emu_err arm64_run(emu_machine *m, uint64_t max_insns, emu_stop *stop);
emu_err arm64_step(emu_machine *m, emu_stop *stop);

/* Guest console output (COM1, port 0xe9; the PL011 on virt). */
void machine_console_write(emu_machine *m, const uint8_t *bytes, size_t len);

#endif
