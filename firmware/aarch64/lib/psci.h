/* PSCI calls over HVC, the conduit QEMU's -kernel and emu give EL1 firmware (DEN0022D). */
#ifndef FW_A64_PSCI_H
#define FW_A64_PSCI_H

#include <stdint.h>

#define PSCI_VERSION 0x84000000u
#define PSCI_SYSTEM_OFF 0x84000008u

uint64_t psci_call(uint32_t fid, uint64_t a1, uint64_t a2, uint64_t a3);
void psci_system_off(void) __attribute__((noreturn));

#endif
