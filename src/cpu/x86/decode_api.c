/*
 * emu_x86_decode(): the interpreter's decoder behind the public API, for
 * disassembly views and tests. A form is "supported" when the table gives it
 * a handler that executes it: not x86_op_unsupported, nor the x87/SSE/AVX
 * handlers that only check CR0/CR4 before stopping (fpu_sse.c).
 */
#include <string.h>

#include "emu/emu.h"
#include "cpu/x86/fpu_sse.h"
#include "cpu/x86/handlers.h"

emu_err emu_x86_decode(const uint8_t *bytes, size_t len, emu_x86_mode mode, emu_x86_insn_info *info)
{
    unsigned code_size;
    switch (mode) {
    case EMU_X86_MODE_16: code_size = 2; break;
    case EMU_X86_MODE_32: code_size = 4; break;
    case EMU_X86_MODE_64: code_size = 8; break;
    default: return EMU_ERR_INVALID_ARG;
    }
    if (!bytes || !info)
        return EMU_ERR_INVALID_ARG;

    x86_insn insn;
    unsigned avail = len > 16 ? 16 : (unsigned)len;
    int n = x86_decode(bytes, avail, code_size, &insn);
    if (n == X86_DECODE_SHORT)
        return EMU_ERR_BAD_ADDRESS;
    if (n < 0)
        return EMU_ERR_INVALID_ARG;

    memset(info, 0, sizeof *info);
    info->length = (unsigned)n;
    strncpy(info->mnemonic, insn.mnemonic, sizeof info->mnemonic - 1);
    info->supported = insn.handler != x86_op_unsupported && !x86_fp_unmodelled(insn.handler);
    return EMU_OK;
}
