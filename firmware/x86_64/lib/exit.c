/*
 * isa-debug-exit: one 32-bit OUT ends the machine. If no such device is
 * present the write is ignored, so halt rather than run on.
 */
#include "lib/exit.h"

#include "boot/boot.h"
#include "lib/io.h"

void debug_exit(uint32_t value)
{
    outl(DEBUG_EXIT_PORT, value);
    for (;;)
        __asm__ volatile("hlt");
}
