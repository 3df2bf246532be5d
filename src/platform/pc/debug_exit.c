/*
 * QEMU's isa-debug-exit: a write of value v ends the run with exit status
 * (v << 1) | 1, exactly as QEMU does, so a test harness reads the same status
 * from both.
 */
#include "platform/pc/pc.h"

void debug_exit_write(emu_machine *m, uint32_t val)
{
    int status = (int)(((val << 1) | 1) & 0xff);
    machine_stop(m, EMU_STOP_EXIT, "guest exit through isa-debug-exit: value 0x%x, status %d",
                 val, status);
    m->stop.exit_code = status;
}
