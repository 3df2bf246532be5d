/* PSCI calls over HVC, the conduit QEMU's -kernel and emu give EL1 firmware, and over SMC, the
 * conduit when EL2 is implemented (DEN0022D). */
#ifndef FW_A64_PSCI_H
#define FW_A64_PSCI_H

#include <stdint.h>

#define PSCI_VERSION 0x84000000u
#define PSCI_SYSTEM_OFF 0x84000008u

uint64_t psci_call(uint32_t fid, uint64_t a1, uint64_t a2, uint64_t a3);
void psci_system_off(void) __attribute__((noreturn));

/* A PSCI call with no arguments over SMC #0 (SMCCC), as firmware running at EL2 makes it. */
static inline uint64_t psci_smc(uint32_t fid)
{
    register uint64_t x0 __asm__("x0") = fid;
    __asm__ volatile("smc #0" : "+r"(x0) : : "x1", "x2", "x3", "memory");
    return x0;
}

#endif
