/*
 * The events the firmware provokes, in order, and what the SDM says the
 * handler must see for each (vol. 3, chapter 6; vol. 2, INT n).
 */
#ifndef FW_TRAPS_EXPECT_H
#define FW_TRAPS_EXPECT_H

#include <stdbool.h>
#include <stdint.h>

#define NO_ERROR_CODE (-1)

/*
 * Where QEMU's TCG departs from the SDM (README.md), the line shows and the
 * self-check compares only what both agree on.
 */
#define ERROR_SELECTOR_FLAGS 0x7    /* EXT, IDT, TI: not the index */

enum stack_kind {
    STACK_SAME,     /* no privilege change, no IST: the interrupted stack */
    STACK_RSP0,     /* CPL3 -> CPL0 without IST: TSS.RSP0 */
    STACK_IST1,     /* the gate's IST field is 1: TSS.IST1, always */
};

struct expect {
    const char *name;       /* mnemonic, e.g. "#GP" */
    const char *what;       /* what provoked it */
    unsigned vector;
    int64_t error;          /* NO_ERROR_CODE where the CPU pushes none */
    uint64_t cr2;           /* #PF only */
    uint16_t cs, ss;        /* saved selectors */
    enum stack_kind stack;
    bool fault;             /* saved RIP is the instruction; resume after it */
    const char *insn, *resume;
    uint64_t error_shown;   /* mask of error code bits printed; 0 means all */
    bool hide_handler_ss;   /* IST at CPL0: QEMU loads a null SS */
};

extern const struct expect expected_events[];
extern const unsigned expected_count;

#endif
