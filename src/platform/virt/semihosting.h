/*
 * Arm semihosting (Arm "Semihosting for AArch32 and AArch64", version 2.0,
 * ARM DUI 0471 / the semihosting specification): a guest asks the host for
 * console output and to exit by executing HLT #0xF000 in A64 with the
 * operation number in W0 and a parameter (usually the address of a
 * parameter block of 64-bit fields) in X1; the result goes back to X0.
 *
 * Off unless the machine enables it (as QEMU's -semihosting): with it off,
 * HLT #0xF000 is an ordinary HLT. The guest cannot reach host files: every
 * SYS_OPEN of anything but the console ":tt" fails (see semihosting.c).
 * Guest memory is read and written through callbacks taking virtual
 * addresses, so the CPU's MMU translates them.
 */
#ifndef EMU_PLATFORM_VIRT_SEMIHOSTING_H
#define EMU_PLATFORM_VIRT_SEMIHOSTING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SEMIHOST_A64_HLT_IMM    0xf000u
#define A64_HLT_BASE            0xd4400000u     /* HLT #imm16: imm16 in bits [20:5] */
#define SEMIHOST_A64_INSN       (A64_HLT_BASE | (SEMIHOST_A64_HLT_IMM << 5))

/* Operation numbers (semihosting spec, chapter 5). */
enum {
    SYS_OPEN = 0x01,
    SYS_CLOSE = 0x02,
    SYS_WRITEC = 0x03,
    SYS_WRITE0 = 0x04,
    SYS_WRITE = 0x05,
    SYS_READ = 0x06,
    SYS_READC = 0x07,
    SYS_ISERROR = 0x08,
    SYS_ISTTY = 0x09,
    SYS_SEEK = 0x0a,
    SYS_FLEN = 0x0c,
    SYS_TMPNAM = 0x0d,
    SYS_REMOVE = 0x0e,
    SYS_RENAME = 0x0f,
    SYS_CLOCK = 0x10,
    SYS_TIME = 0x11,
    SYS_SYSTEM = 0x12,
    SYS_ERRNO = 0x13,
    SYS_GET_CMDLINE = 0x15,
    SYS_HEAPINFO = 0x16,
    SYS_EXIT = 0x18,
    SYS_EXIT_EXTENDED = 0x20,
    SYS_ELAPSED = 0x30,
    SYS_TICKFREQ = 0x31,
};

/* SYS_EXIT reason codes (spec 5.17, table 5-6). */
#define ADP_STOPPED_APPLICATION_EXIT 0x20026u

/* Console handles SYS_OPEN(":tt") hands out by mode (spec 5.1: "w" modes
 * give standard output, "a" modes standard error, "r" modes standard
 * input). 1 and 2 are also accepted without an open, the numbering
 * freestanding code that skips SYS_OPEN uses. */
#define SEMIHOST_HANDLE_STDOUT  1
#define SEMIHOST_HANDLE_STDERR  2
#define SEMIHOST_HANDLE_STDIN   3

/* Host errno values the guest sees through SYS_ERRNO (Linux numbering,
 * as QEMU passes through). */
#define SEMIHOST_EBADF          9
#define SEMIHOST_EACCES         13
#define SEMIHOST_EFAULT         14

typedef struct semihost_io {
    /* Read/write guest memory at a virtual address; false on a fault. */
    bool (*read)(void *ctx, uint64_t va, void *buf, size_t len);
    bool (*write)(void *ctx, uint64_t va, const void *buf, size_t len);
    void (*console)(void *ctx, const uint8_t *bytes, size_t len);
    void *ctx;
} semihost_io;

typedef struct semihost {
    bool enabled;
    semihost_io io;
    int last_errno;             /* SYS_ERRNO */
    /* SYS_HEAPINFO's answer, chosen by the platform (0: unknown). */
    uint64_t heap_base, heap_limit, stack_base, stack_limit;
    const char *cmdline;        /* SYS_GET_CMDLINE; NULL: empty */
} semihost;

typedef enum semihost_status {
    SEMIHOST_DONE,              /* result in x0; continue after the HLT */
    SEMIHOST_EXIT,              /* the guest asked to exit with exit_status */
    SEMIHOST_UNSUPPORTED,       /* an operation emu does not model: stop, naming it */
} semihost_status;

typedef struct semihost_result {
    uint64_t x0;
    int exit_status;            /* SEMIHOST_EXIT: 0-255 as a process exit status */
    uint64_t exit_reason;       /* SEMIHOST_EXIT: the ADP_Stopped_* code */
    const char *op_name;        /* SEMIHOST_UNSUPPORTED: "SYS_SYSTEM", ... */
} semihost_result;

void semihost_init(semihost *s, bool enabled, semihost_io io);

/* Is insn (an A64 instruction word) the semihosting trap? */
static inline bool semihost_is_a64_trap(uint32_t insn)
{
    return insn == SEMIHOST_A64_INSN;
}

/* Perform operation `op` (W0) with parameter `param` (X1). The cycle count
 * serves SYS_CLOCK/SYS_ELAPSED (modelled time). */
semihost_status semihost_call(semihost *s, uint32_t op, uint64_t param, uint64_t cycles,
                              semihost_result *r);

const char *semihost_op_name(uint32_t op);

#endif
