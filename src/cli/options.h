/* Command-line options of `emu` (docs/cli.md). */
#ifndef EMU_CLI_OPTIONS_H
#define EMU_CLI_OPTIONS_H

#include <stdbool.h>
#include <stdint.h>

#include "emu/emu.h"

#define CLI_MAX_INITRD 32
#define CLI_MAX_INJECT 32

/* Exit statuses. Guest exits through isa-debug-exit are odd ((value << 1) | 1, as QEMU);
 * emu's own outcomes are even so the two never collide. */
enum cli_status {
    CLI_STATUS_HALT = 0,            /* HLT with interrupts disabled: the guest finished */
    CLI_STATUS_USAGE = 2,           /* bad command line or unloadable firmware */
    CLI_STATUS_SHUTDOWN = 4,        /* shutdown / triple fault */
    CLI_STATUS_RESET = 6,           /* guest requested a reset (as QEMU -no-reboot) */
    CLI_STATUS_INSN_LIMIT = 8,      /* --max-insns reached */
    CLI_STATUS_EMU_ERROR = 10,      /* unsupported instruction, register or device */
    CLI_STATUS_EXCEPTION = 12,      /* --break-on-exception: stopped before delivering one */
    CLI_STATUS_BREAKPOINT = 14,
};

typedef struct cli_options {
    const char *firmware;
    uint64_t max_insns;
    uint64_t memory_bytes;
    const char *cpu;
    const char *append;
    const char *initrd[CLI_MAX_INITRD];
    unsigned n_initrd;
    emu_boot boot;
    bool stats;                 /* counts, and the trap summary */
    bool trace_traps;           /* --trace-traps (alias --log-traps): a line per record */
    bool explain;               /* --explain: each record narrated */
    bool summary;               /* --summary: the trap summary alone */
    const char *trace_path;
    bool break_on_exception;
    const char *inject[CLI_MAX_INJECT];
    unsigned n_inject;
} cli_options;

/* Parse argv. Returns -1 to exit with status *exit_status (help, version, errors), 0 to run. */
int cli_parse(int argc, char **argv, cli_options *opts, int *exit_status);

#endif
