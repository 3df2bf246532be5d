/*
 * Fuzz the interpreter and trap delivery: arbitrary bytes as 64-bit (or, by
 * the first byte, 32-bit protected mode) code on a bare machine, and the same
 * bytes as its IDT. Every input must end in a
 * clean stop within the instruction budget: no crash, hang or sanitizer report.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "emu/emu.h"

#define FUZZ_MEMORY (4ull << 20)
#define FUZZ_CODE   0x100000ull
#define FUZZ_STACK  0x200000ull
#define FUZZ_INSNS  5000
#define FUZZ_IDT    0x10000ull  /* the same bytes again, as an IDT: random gates exercise delivery */
#define FUZZ_IDT_LIMIT 0xfff

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1 || size > 4096)
        return 0;
    emu_options opts;
    emu_options_init(&opts);
    opts.memory_bytes = FUZZ_MEMORY;
    opts.x86_start = (data[0] & 1) ? EMU_X86_START_PROT32 : EMU_X86_START_LONG64;
    emu_machine *m = NULL;
    if (emu_create(&opts, &m) != EMU_OK)
        abort();
    if (emu_mem_write_phys(m, FUZZ_CODE, data + 1, size - 1) != EMU_OK ||
        emu_reg_write(m, EMU_X86_RIP, FUZZ_CODE) != EMU_OK ||
        emu_reg_write(m, EMU_X86_RSP, FUZZ_STACK) != EMU_OK ||
        emu_mem_write_phys(m, FUZZ_IDT, data + 1, size - 1) != EMU_OK ||
        emu_reg_write(m, EMU_X86_IDTR_BASE, FUZZ_IDT) != EMU_OK ||
        emu_reg_write(m, EMU_X86_IDTR_LIMIT, FUZZ_IDT_LIMIT) != EMU_OK)
        abort();
    emu_stop stop;
    if (emu_run(m, FUZZ_INSNS, &stop) != EMU_OK || stop.kind == EMU_STOP_NONE || stop.message[0] == '\0')
        abort();
    emu_close(m);
    return 0;
}
