/* The port 0xe9 debug console of Bochs and QEMU's -debugcon: bytes written go to the console. */
#include "platform/pc/pc.h"

void debugcon_write(emu_machine *m, uint8_t val)
{
    machine_console_write(m, &val, 1);
}
