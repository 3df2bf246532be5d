/*
 * The virt machine's physical address space as the A64 CPU sees it: stage-1
 * translation, then RAM, the MMIO devices (PL011, GIC distributor, GICv2 CPU
 * interface, GICv3 redistributor), or a synchronous external abort where
 * nothing is (virt_map.h).
 */
#ifndef EMU_PLATFORM_VIRT_MEM_H
#define EMU_PLATFORM_VIRT_MEM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cpu/arm64/a64.h"
#include "emu/emu.h"

/* The a64_ops access callback; ctx is the emu_machine. */
a64_mem_status virt_access(void *ctx, const a64_access *acc, void *data, a64_mem_fault *fault);

/* The MMU's table walker reads descriptors from RAM only: 0, or -1 where no RAM is. */
int virt_read_pte(void *ctx, uint64_t pa, uint64_t *value);

/* Copy between host buf and guest virtual memory (EL1 translation, RAM only), for the API and
 * semihosting; copy_out reads the guest. */
emu_err virt_copy_virt(emu_machine *m, uint64_t va, void *buf, size_t len, bool copy_out);

#endif
