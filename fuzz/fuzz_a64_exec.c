/*
 * Fuzz the A64 interpreter and the AArch64 exception model on the virt
 * machine: arbitrary bytes as code at EL1 (or, by the first byte, EL2, with
 * GICv3 and semihosting chosen the same way), the same bytes again as the
 * EL1 vector table, so exceptions run random handlers. Every input must end
 * in a clean stop within the instruction budget: no crash, hang or sanitizer
 * report.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "emu/emu.h"

#define FUZZ_MEMORY (16ull << 20)
#define FUZZ_RAM 0x40000000ull
#define FUZZ_CODE (FUZZ_RAM + 0x80000)
#define FUZZ_VBAR (FUZZ_RAM + 0x100000)   /* 2 KiB aligned */
#define FUZZ_STACK (FUZZ_RAM + 0x200000)
#define FUZZ_INSNS 5000
#define FUZZ_MAX_INPUT 4096

#define SEL_EL2 1u
#define SEL_GICV3 2u
#define SEL_SEMIHOSTING 4u

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1 || size > FUZZ_MAX_INPUT)
        return 0;
    const uint8_t sel = data[0];
    emu_options opts;
    emu_options_init(&opts);
    opts.arch = EMU_ARCH_AARCH64;
    opts.memory_bytes = FUZZ_MEMORY;
    opts.start_el = (sel & SEL_EL2) ? 2 : 1;
    opts.gic_version = (sel & SEL_GICV3) ? 3 : 2;
    opts.semihosting = (sel & SEL_SEMIHOSTING) != 0;
    emu_machine *m = NULL;
    if (emu_create(&opts, &m) != EMU_OK)
        abort();
    if (emu_mem_write_phys(m, FUZZ_CODE, data + 1, size - 1) != EMU_OK ||
        emu_mem_write_phys(m, FUZZ_VBAR, data + 1, size - 1) != EMU_OK ||
        emu_reg_write(m, EMU_A64_PC, FUZZ_CODE) != EMU_OK ||
        emu_reg_write(m, EMU_A64_VBAR_EL1, FUZZ_VBAR) != EMU_OK ||
        emu_reg_write(m, EMU_A64_SP_EL1, FUZZ_STACK) != EMU_OK ||
        emu_reg_write(m, EMU_A64_SP_EL0, FUZZ_STACK - 0x1000) != EMU_OK)
        abort();
    emu_stop stop;
    emu_err err = emu_run(m, FUZZ_INSNS, &stop);
    if ((err != EMU_OK && err != EMU_ERR_STOPPED) || stop.kind == EMU_STOP_NONE || stop.message[0] == '\0')
        abort();
    emu_close(m);
    return 0;
}
