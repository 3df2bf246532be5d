/*
 * The `pc` platform, laid out like QEMU's `-M pc` so one firmware binary runs
 * on both: RAM from physical 0, COM1 at 0x3f8, isa-debug-exit at 0xf4, the
 * 0xe9 debug console, and reset through the keyboard controller (0x64) and
 * the reset control register (0xcf9). The port table in pc.c is the
 * documented list (docs/pc-platform.md); any other port stops the machine.
 */
#ifndef EMU_PLATFORM_PC_H
#define EMU_PLATFORM_PC_H

#include <stdbool.h>
#include <stdint.h>

#include "apic/ioapic.h"
#include "core/machine.h"
#include "platform/pc/fw_cfg.h"
#include "platform/pc/i8259.h"
#include "platform/pc/pc_testdev.h"

/* COM1: a 16550A UART (National Semiconductor PC16550D data sheet). */
typedef struct uart16550 {
    uint8_t ier, lcr, mcr, scr, fcr;
    uint8_t dll, dlm;
    int input_fd;               /* -1: no receive source */
    bool input_eof;
    bool rx_full;
    uint8_t rx_byte;
} uart16550;

struct lapic;

typedef struct pc_platform {
    uart16550 com1;
    struct lapic *lapic;        /* the CPU's local APIC (src/apic) */
    ioapic ioapic;
    i8259 pic;
    pc_testdev testdev;
    fw_cfg fw_cfg;
    uint8_t reset_control;      /* last value written to port 0xcf9 */
} pc_platform;

int pc_create(emu_machine *m);
void pc_destroy(emu_machine *m);

/* Port dispatch: 0 handled, -1 nothing there (the caller stops). MMIO
 * devices (local APIC, I/O APIC, pc-testdev's window) are in the machine's
 * MMIO table (core/mmio.h). */
int pc_port_read(emu_machine *m, uint16_t port, unsigned size, uint32_t *val);
int pc_port_write(emu_machine *m, uint16_t port, unsigned size, uint32_t val);

/* Devices (one file each). offset is the port minus the device's base. */
void uart16550_init(uart16550 *u, int input_fd);
uint8_t uart16550_read(emu_machine *m, uart16550 *u, unsigned offset);
void uart16550_write(emu_machine *m, uart16550 *u, unsigned offset, uint8_t val);

/* ISA IRQ line n (0-23): to the 8259 pair (n < 16) and the I/O APIC (ISA IRQ 0 is its pin 2). */
void pc_set_isa_irq(emu_machine *m, unsigned irq, bool level);

void debug_exit_write(emu_machine *m, uint32_t val);
void debugcon_write(emu_machine *m, uint8_t val);
void reset_kbc_write(emu_machine *m, uint8_t command);
void reset_cf9_write(emu_machine *m, uint8_t val);

#define PC_COM1_BASE        0x3f8
#define PC_COM1_PORTS       8
#define PC_DEBUG_EXIT_PORT  0xf4    /* QEMU -device isa-debug-exit,iobase=0xf4,iosize=0x04 */
#define PC_DEBUG_EXIT_PORTS 4
#define PC_DEBUGCON_PORT    0xe9    /* Bochs port E9 hack, QEMU -debugcon */
#define PC_KBC_DATA_PORT    0x60
#define PC_KBC_STATUS_PORT  0x64    /* read: status, write: command */
#define PC_POST_PORT        0x80    /* POST diagnostics / I/O delay */
#define PC_RESET_CONTROL_PORT 0xcf9
#define PC_BSP_APIC_ID      0       /* CPUID.1:EBX[31:24] of the one CPU */

#endif
