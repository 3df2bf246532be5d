/* AArch64 register access behind emu_reg_read/emu_reg_write (regs_arm64.c). */
#ifndef EMU_CORE_REGS_ARM64_H
#define EMU_CORE_REGS_ARM64_H

#include "emu/emu.h"

const char *a64_reg_name(emu_reg reg);     /* NULL: not an AArch64 register */
emu_err a64_reg_read(emu_machine *m, emu_reg reg, uint64_t *value);
emu_err a64_reg_write(emu_machine *m, emu_reg reg, uint64_t value);

#endif
