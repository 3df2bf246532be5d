/* Ending a run through QEMU's isa-debug-exit device (boot/boot.h). */
#ifndef FW_EXIT_H
#define FW_EXIT_H

#include <stdint.h>

__attribute__((noreturn)) void debug_exit(uint32_t value);

#endif
