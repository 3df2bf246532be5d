/*
 * Fuzz the x86 decoder: any byte string, in every mode, must decode to a
 * length within bounds or a clean rejection.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "emu/emu.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const emu_x86_mode modes[] = { EMU_X86_MODE_16, EMU_X86_MODE_32, EMU_X86_MODE_64 };
    for (size_t i = 0; i < sizeof modes / sizeof modes[0]; i++) {
        emu_x86_insn_info info;
        emu_err err = emu_x86_decode(data, size, modes[i], &info);
        if (err == EMU_OK && (info.length == 0 || info.length > 15 || info.length > size))
            abort();
    }
    return 0;
}
