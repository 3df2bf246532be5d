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
    i8259_init(&m->pc->pic, m, m->pc->lapic);
    if (ioapic_init(&m->pc->ioapic, m, m->pc->lapic) != 0 || pc_testdev_init(&m->pc->testdev, m) != 0)
        return -1;
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

/* ISA IRQ 0 (the PIT) is wired to I/O APIC pin 2, as the MP/ACPI override in QEMU's pc says. */
#define ISA_IRQ0_IOAPIC_PIN 2

void pc_set_isa_irq(emu_machine *m, unsigned irq, bool level)
{
    if (irq < 16)
        i8259_set_irq(&m->pc->pic, irq, level);
    ioapic_set_pin(&m->pc->ioapic, irq == 0 ? ISA_IRQ0_IOAPIC_PIN : irq, level);
}

static bool is_pic_port(uint16_t p)
{
    return p == I8259_MASTER_PORT || p == I8259_MASTER_PORT + 1 || p == I8259_SLAVE_PORT ||
           p == I8259_SLAVE_PORT + 1;
}

/* Byte-wide devices (the 8259s, fw_cfg data): a wider access covers consecutive ports. */
static bool byte_port_read(emu_machine *m, uint16_t p, uint8_t *b)
{
    pc_platform *pc = m->pc;
    if (is_pic_port(p)) {
        *b = i8259_read(&pc->pic, p);
        return true;
    }
    if (p == FW_CFG_DATA_PORT) {
        *b = fw_cfg_read_byte(&pc->fw_cfg, m);
        return true;
    }
    return false;
}

static bool byte_port_write(emu_machine *m, uint16_t p, uint8_t b)
{
    if (is_pic_port(p)) {
        i8259_write(&m->pc->pic, p, b);
        return true;
    }
    if (p >= PC_TESTDEV_IRQ_PORT && p < PC_TESTDEV_IRQ_PORT + PC_TESTDEV_IRQ_LINES) {
        pc_set_isa_irq(m, p - PC_TESTDEV_IRQ_PORT, b != 0);
        return true;
    }
    return false;
}

static int testdev_read(emu_machine *m, uint16_t port, unsigned size, uint32_t *val)
{
    pc_testdev *t = &m->pc->testdev;
    if (in_range(port, size, PC_TESTDEV_LATCH_PORT, 4)) {
        *val = pc_testdev_latch_read(t, port - PC_TESTDEV_LATCH_PORT, size);
        return 0;
    }
    if (port != PC_DEBUGCON_PORT && in_range(port, size, PC_TESTDEV_BYTE_LATCH_PORT, 4)) {
        *val = pc_testdev_latch_read(t, port - PC_TESTDEV_BYTE_LATCH_PORT, size);
        return 0;
    }
    return -1;
}

static int testdev_write(emu_machine *m, uint16_t port, unsigned size, uint32_t val)
{
    pc_testdev *t = &m->pc->testdev;
    if (in_range(port, size, PC_TESTDEV_LATCH_PORT, 4)) {
        pc_testdev_latch_write(t, port - PC_TESTDEV_LATCH_PORT, size, val);
        return 0;
    }
    if (port == PC_TESTDEV_FLUSH_PORT && size == 4)
        return 0;           /* QEMU re-protects the host page for KVM; emu has no such mapping to flush */
    if (port != PC_DEBUGCON_PORT && in_range(port, size, PC_TESTDEV_BYTE_LATCH_PORT, 4)) {
        pc_testdev_latch_write(t, port - PC_TESTDEV_BYTE_LATCH_PORT, size, val);
        return 0;
    }
    if (port == FW_CFG_SELECTOR_PORT && size == 2) {
        fw_cfg_select(&m->pc->fw_cfg, (uint16_t)val);
        return 0;
    }
    return -1;
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
    if (testdev_read(m, port, size, val) == 0)
        return 0;
    uint32_t v = 0;
    for (unsigned i = 0; i < size; i++) {
        uint8_t b;
        if (!byte_port_read(m, (uint16_t)(port + i), &b))
            return -1;
        v |= (uint32_t)b << (8 * i);
    }
    *val = v;
    return 0;
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
        break;
    }
    if (testdev_write(m, port, size, val) == 0)
        return 0;
    for (unsigned i = 0; i < size; i++)
        if (!byte_port_write(m, (uint16_t)(port + i), (uint8_t)(val >> (8 * i))))
            return -1;
    return 0;
}
