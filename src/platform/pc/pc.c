/*
 * The pc platform's port map. Each row is a device QEMU's `pc` machine has
 * at that address; docs/pc-platform.md lists the same rows for users.
 */
#include "platform/pc/pc.h"

#include <stdlib.h>

#include "apic/lapic.h"

/* i8042 status: output buffer empty, input buffer empty, self-test passed. */
#define KBC_STATUS_SYSTEM_FLAG 0x04

int pc_create(emu_machine *m)
{
    m->pc = calloc(1, sizeof *m->pc);
    if (!m->pc)
        return -1;
    uart16550_init(&m->pc->com1, m->opts.console_input_fd);
    m->pc->lapic = lapic_create(m, &m->cpu, PC_BSP_APIC_ID);
    if (!m->pc->lapic)
        return -1;
    m->cpu.apic = m->pc->lapic;
    return 0;
}

void pc_destroy(emu_machine *m)
{
    if (!m->pc)
        return;
    lapic_destroy(m->pc->lapic);
    m->cpu.apic = NULL;
    free(m->pc);
    m->pc = NULL;
}

static bool in_range(uint16_t port, unsigned size, uint16_t base, unsigned count)
{
    return port >= base && (unsigned)port + size <= (unsigned)base + count;
}

int pc_port_read(emu_machine *m, uint16_t port, unsigned size, uint32_t *val)
{
    pc_platform *pc = m->pc;
    if (in_range(port, 1, PC_COM1_BASE, PC_COM1_PORTS)) {
        /* Wider accesses read consecutive registers, as on the ISA bus. */
        uint32_t v = 0;
        for (unsigned i = 0; i < size; i++) {
            uint16_t p = (uint16_t)(port + i);
            uint8_t b = in_range(p, 1, PC_COM1_BASE, PC_COM1_PORTS)
                            ? uart16550_read(m, &pc->com1, p - PC_COM1_BASE) : 0xff;
            v |= (uint32_t)b << (8 * i);
        }
        *val = v;
        return 0;
    }
    switch (port) {
    case PC_DEBUGCON_PORT:
        *val = PC_DEBUGCON_PORT;        /* reads identify the device, as in Bochs and QEMU */
        return 0;
    case PC_KBC_STATUS_PORT:
        *val = KBC_STATUS_SYSTEM_FLAG;  /* nothing pending either way */
        return 0;
    case PC_RESET_CONTROL_PORT:
        *val = pc->reset_control;
        return 0;
    case PC_POST_PORT:
        *val = size == 1 ? 0xff : size == 2 ? 0xffff : 0xffffffff;
        return 0;
    default:
        break;
    }
    if (in_range(port, size, PC_DEBUG_EXIT_PORT, PC_DEBUG_EXIT_PORTS)) {
        *val = 0;                       /* isa-debug-exit reads as 0 in QEMU */
        return 0;
    }
    return -1;
}

int pc_port_write(emu_machine *m, uint16_t port, unsigned size, uint32_t val)
{
    pc_platform *pc = m->pc;
    if (in_range(port, 1, PC_COM1_BASE, PC_COM1_PORTS)) {
        for (unsigned i = 0; i < size; i++) {
            uint16_t p = (uint16_t)(port + i);
            if (in_range(p, 1, PC_COM1_BASE, PC_COM1_PORTS))
                uart16550_write(m, &pc->com1, p - PC_COM1_BASE, (uint8_t)(val >> (8 * i)));
        }
        return 0;
    }
    if (in_range(port, size, PC_DEBUG_EXIT_PORT, PC_DEBUG_EXIT_PORTS)) {
        debug_exit_write(m, val);
        return 0;
    }
    switch (port) {
    case PC_DEBUGCON_PORT:
        debugcon_write(m, (uint8_t)val);
        return 0;
    case PC_KBC_STATUS_PORT:
        reset_kbc_write(m, (uint8_t)val);
        return 0;
    case PC_RESET_CONTROL_PORT:
        pc->reset_control = (uint8_t)val;
        reset_cf9_write(m, (uint8_t)val);
        return 0;
    case PC_POST_PORT:
        return 0;                       /* POST codes and I/O delays: nothing listens */
    default:
        return -1;
    }
}
