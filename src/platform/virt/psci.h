/*
 * PSCI 1.0 firmware for the virt machine's one CPU (Arm Power State
 * Coordination Interface, DEN0022D), reached by HVC or SMC #0 as the device
 * tree's /psci/method says. The conduit decodes nothing: it passes X0-X3
 * here and writes the result to X0.
 */
#ifndef EMU_PLATFORM_VIRT_PSCI_H
#define EMU_PLATFORM_VIRT_PSCI_H

#include <stdint.h>

/* Function IDs (DEN0022D 5.1, table 5). SMC64 forms have bit 30 set. */
#define PSCI_0_2_FN_BASE            0x84000000u
#define PSCI_0_2_64BIT              0x40000000u
#define PSCI_VERSION                0x84000000u
#define PSCI_CPU_SUSPEND            0x84000001u
#define PSCI_CPU_OFF                0x84000002u
#define PSCI_CPU_ON                 0x84000003u
#define PSCI_AFFINITY_INFO          0x84000004u
#define PSCI_MIGRATE                0x84000005u
#define PSCI_MIGRATE_INFO_TYPE      0x84000006u
#define PSCI_MIGRATE_INFO_UP_CPU    0x84000007u
#define PSCI_SYSTEM_OFF             0x84000008u
#define PSCI_SYSTEM_RESET           0x84000009u
#define PSCI_FEATURES               0x8400000au
#define PSCI_CPU_SUSPEND_64         0xc4000001u
#define PSCI_CPU_ON_64              0xc4000003u
#define PSCI_AFFINITY_INFO_64       0xc4000004u
#define PSCI_MIGRATE_64             0xc4000005u
#define PSCI_MIGRATE_INFO_UP_CPU_64 0xc4000007u

/* Return codes (DEN0022D 5.2.2, table 6). */
#define PSCI_RET_SUCCESS            0
#define PSCI_RET_NOT_SUPPORTED      (-1)
#define PSCI_RET_INVALID_PARAMETERS (-2)
#define PSCI_RET_DENIED             (-3)
#define PSCI_RET_ALREADY_ON         (-4)

#define PSCI_VERSION_1_0            0x00010000u     /* major 1 [31:16], minor 0 */
#define PSCI_AFFINITY_ON            0               /* AFFINITY_INFO: ON */
/* MIGRATE_INFO_TYPE 2: no Trusted OS, nothing to migrate (5.8). */
#define PSCI_TOS_NOT_PRESENT_MP     2

typedef enum psci_stop {
    PSCI_STOP_SYSTEM_OFF,       /* SYSTEM_OFF: power the machine down */
    PSCI_STOP_SYSTEM_RESET,     /* SYSTEM_RESET: reset (emu stops, as QEMU -no-reboot) */
    PSCI_STOP_CPU_OFF,          /* CPU_OFF on the only CPU: nothing left to run */
} psci_stop;

/* The platform's stop request: the run loop ends after the calling
 * instruction. PSCI calls that stop do not return to the guest. */
typedef void (*psci_stop_fn)(void *ctx, psci_stop why);

typedef struct psci {
    uint64_t mpidr;             /* the one CPU's MPIDR_EL1 affinity (0 on virt) */
    psci_stop_fn stop;
    void *stop_ctx;
} psci;

void psci_init(psci *p, uint64_t mpidr, psci_stop_fn stop, void *stop_ctx);

/* Run function `fid` with arguments X1-X3 and return the value for X0
 * (sign-extended return codes). Unknown function IDs: NOT_SUPPORTED. */
int64_t psci_call(psci *p, uint32_t fid, uint64_t x1, uint64_t x2, uint64_t x3);

const char *psci_stop_name(psci_stop why);

#endif
