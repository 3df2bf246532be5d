/*
 * Fuzz the ELF and multiboot loaders, and what runs after them: any file
 * must either be refused with a reason or load and run to a clean stop.
 * A short instruction budget keeps each input fast.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "emu/emu.h"

#define FUZZ_MEMORY (8ull << 20)
#define FUZZ_INSNS 20000

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    emu_options opts;
    emu_options_init(&opts);
    opts.memory_bytes = FUZZ_MEMORY;
    emu_machine *m = NULL;
    char why[256];
    emu_err err = emu_open_image(data, size, &opts, &m, why, sizeof why);
    if (err != EMU_OK) {
        if (m != NULL || why[0] == '\0')
            abort();    /* a refusal must leave no machine and say why */
        return 0;
    }
    emu_stop stop;
    if (emu_run(m, FUZZ_INSNS, &stop) != EMU_OK || stop.kind == EMU_STOP_NONE)
        abort();
    emu_close(m);
    return 0;
}
