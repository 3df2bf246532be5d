/*
 * What the shared multiboot entry (boot/multiboot.S) and the C side of every
 * x86-64 firmware image agree on: GDT selectors, the exit codes written to
 * QEMU's isa-debug-exit device, and kmain, the 64-bit entry point.
 */
#ifndef FW_BOOT_H
#define FW_BOOT_H

/* Selectors into the boot GDT (index << 3, TI = 0, RPL = 0). */
#define GDT_CODE64 0x08
#define GDT_DATA   0x10
#define GDT_CODE32 0x18

#define BOOT_STACK_SIZE 0x4000

/*
 * isa-debug-exit (QEMU -device isa-debug-exit,iobase=0xf4,iosize=0x04):
 * a 32-bit write of V ends the run with exit status (V << 1) | 1.
 */
#define DEBUG_EXIT_PORT         0xf4
#define DEBUG_EXIT_SUCCESS      0x10    /* exit status 33 */
#define DEBUG_EXIT_FAILURE      0x11    /* exit status 35: a self-check failed */
#define DEBUG_EXIT_NO_LONG_MODE 0x12    /* exit status 37: CPUID lacks LM */

#ifndef __ASSEMBLER__
#include <stdint.h>

/* Called in 64-bit mode with the loader's EAX and EBX; never returns. */
void kmain(uint32_t magic, uint32_t info_addr);
#endif

#endif
