/*
 * Reset requests. emu behaves as QEMU with -no-reboot: a guest-requested
 * reset ends the run with the documented "reset requested" status.
 */
#include "platform/pc/pc.h"

/* i8042 command "pulse output port": bit 0 low pulses the CPU reset line. */
#define KBC_CMD_PULSE_RESET 0xfe
/* Reset control register (Intel ICH/PIIX "RST_CNT"): SYS_RST selects a full reset, RST_CPU starts it. */
#define CF9_SYS_RST 0x02
#define CF9_RST_CPU 0x04

void reset_kbc_write(emu_machine *m, uint8_t command)
{
    if (command == KBC_CMD_PULSE_RESET) {
        machine_stop(m, EMU_STOP_RESET, "reset requested: 0xfe written to the keyboard controller (port 0x64)");
        return;
    }
    machine_stop(m, EMU_STOP_ERROR,
                 "keyboard controller command 0x%02x on port 0x64 is not modelled (only 0xfe, reset, is)",
                 command);
}

void reset_cf9_write(emu_machine *m, uint8_t val)
{
    if (val & CF9_RST_CPU)
        machine_stop(m, EMU_STOP_RESET, "reset requested: 0x%02x written to the reset control register (port 0xcf9)%s",
                     val, (val & CF9_SYS_RST) ? " (full reset)" : "");
}
