/*
 * The 8259A pair (Intel 8259A data sheet): ICW1-ICW4 initialisation, OCW1
 * masking, OCW2 end-of-interrupt, OCW3 register selection; fully nested
 * priority (IR0 highest), edge or level sensing (ICW1.LTIM), and the
 * cascade through the master's IRQ2. Rotation, poll mode, special mask
 * mode and 8080 mode stop the machine naming the command: not modelled.
 */
#include "platform/pc/i8259.h"

#include <stdio.h>

#include "apic/lapic.h"
#include "core/machine.h"

#define ICW1_IC4   0x01
#define ICW1_SNGL  0x02
#define ICW1_LTIM  0x08
#define ICW1_INIT  0x10
#define ICW4_UPM   0x01         /* 8086 mode */
#define ICW4_AEOI  0x02
#define OCW3_SEL   0x08
#define OCW3_RIS   0x01
#define OCW3_RR    0x02
#define OCW3_POLL  0x04
#define OCW3_SMM   0x20
#define OCW3_ESMM  0x40
#define OCW2_CMD_SHIFT 5
#define OCW2_LEVEL 0x07
#define OCW2_NONSPECIFIC_EOI 1u
#define OCW2_NOP   2u
#define OCW2_SPECIFIC_EOI 3u
#define ICW2_BASE_MASK 0xf8
#define SPURIOUS_IRQ 7
#define BIOS_MASTER_BASE 0x08
#define BIOS_SLAVE_BASE  0x70
#define BIOS_MASTER_IMR  0xfb   /* everything masked but the cascade */
#define BIOS_SLAVE_IMR   0xff
#define SLAVE_ID 2

static void stop_unmodelled(i8259 *pic, const char *what, uint8_t val)
{
    machine_stop(pic->m, EMU_STOP_ERROR, "8259: %s (0x%02x) is not modelled", what, val);
}

/* The IR that would be presented: highest-priority requested, unmasked, above everything in service. */
static int chip_pending(const i8259_chip *c)
{
    uint8_t req = c->irr & ~c->imr;
    if (!req)
        return -1;
    int irq = __builtin_ctz(req);
    if (c->isr && __builtin_ctz(c->isr) <= irq)
        return -1;
    return irq;
}

/* Edge mode latches a rising edge in IRR; level mode follows the line (8259A: LTIM). */
static void chip_set_line(i8259_chip *c, unsigned irq, bool level)
{
    uint8_t bit = (uint8_t)(1u << irq);
    bool was = (c->line & bit) != 0;
    c->line = level ? c->line | bit : c->line & ~bit;
    if (c->level_mode)
        c->irr = level ? c->irr | bit : c->irr & ~bit;
    else if (level && !was)
        c->irr |= bit;
}

static void update(i8259 *pic)
{
    chip_set_line(&pic->chip[0], I8259_CASCADE_IRQ, chip_pending(&pic->chip[1]) >= 0);
    bool out = chip_pending(&pic->chip[0]) >= 0;
    bool changed = out != pic->int_out;
    pic->int_out = out;
    if (changed)
        lapic_set_lint(pic->lapic, 0, out);
}

void i8259_set_irq(i8259 *pic, unsigned irq, bool level)
{
    if (irq >= 16)
        return;
    chip_set_line(&pic->chip[irq / 8], irq % 8, level);
    update(pic);
}

/* INTA on one chip: its vector, with IRR/ISR moved on; a request that vanished gives IR7 (spurious). */
static int chip_ack(i8259_chip *c, int *irq_out)
{
    int irq = chip_pending(c);
    if (irq < 0) {
        *irq_out = -1;
        return c->base | SPURIOUS_IRQ;
    }
    uint8_t bit = (uint8_t)(1u << irq);
    if (!c->level_mode)
        c->irr &= ~bit;
    if (!c->auto_eoi)
        c->isr |= bit;
    *irq_out = irq;
    return c->base + irq;
}

static bool int_asserted(void *ctx)
{
    return ((i8259 *)ctx)->int_out;
}

static int acknowledge(void *ctx, char *why, unsigned why_len)
{
    i8259 *pic = ctx;
    int irq = -1;
    int vector = chip_ack(&pic->chip[0], &irq);
    if (irq == I8259_CASCADE_IRQ && !pic->chip[0].single) {
        int sirq = -1;
        vector = chip_ack(&pic->chip[1], &sirq);
        irq = sirq < 0 ? -1 : 8 + sirq;
    }
    if (irq < 0)
        snprintf(why, why_len, "8259 spurious");
    else
        snprintf(why, why_len, "8259 IRQ %d", irq);
    update(pic);
    return vector;
}

void i8259_init(i8259 *pic, struct emu_machine *m, struct lapic *apic)
{
    *pic = (i8259){ .m = m, .lapic = apic };
    pic->chip[0] = (i8259_chip){ .base = BIOS_MASTER_BASE, .imr = BIOS_MASTER_IMR, .cascade = 1u << SLAVE_ID,
                                 .icw4_needed = true };
    pic->chip[1] = (i8259_chip){ .base = BIOS_SLAVE_BASE, .imr = BIOS_SLAVE_IMR, .cascade = SLAVE_ID,
                                 .icw4_needed = true };
    apic->pic = (lapic_legacy_pic){ int_asserted, acknowledge, pic };
}

static void write_command(i8259 *pic, i8259_chip *c, uint8_t val)
{
    if (val & ICW1_INIT) {
        /* ICW1 clears IMR and ISR, selects IRR for reading, and starts the ICW sequence. */
        c->imr = c->isr = c->irr = 0;
        c->read_isr = false;
        c->auto_eoi = false;
        c->icw4_needed = (val & ICW1_IC4) != 0;
        c->single = (val & ICW1_SNGL) != 0;
        c->level_mode = (val & ICW1_LTIM) != 0;
        c->icw_step = 2;
        return;
    }
    if (val & OCW3_SEL) {
        if (val & OCW3_POLL) {
            stop_unmodelled(pic, "OCW3 poll command", val);
            return;
        }
        if ((val & OCW3_ESMM) && (val & OCW3_SMM)) {
            stop_unmodelled(pic, "OCW3 special mask mode", val);
            return;
        }
        if (val & OCW3_RR)
            c->read_isr = (val & OCW3_RIS) != 0;
        return;
    }
    unsigned cmd = val >> OCW2_CMD_SHIFT;
    switch (cmd) {
    case OCW2_NONSPECIFIC_EOI:
        if (c->isr)
            c->isr &= (uint8_t)(c->isr - 1);    /* the highest-priority (lowest) ISR bit */
        break;
    case OCW2_SPECIFIC_EOI:
        c->isr &= (uint8_t)~(1u << (val & OCW2_LEVEL));
        break;
    case OCW2_NOP:
        break;
    default:
        stop_unmodelled(pic, "OCW2 rotation or priority command", val);
        return;
    }
    update(pic);
}

static void write_data(i8259 *pic, i8259_chip *c, uint8_t val)
{
    switch (c->icw_step) {
    case 2:
        c->base = val & ICW2_BASE_MASK;
        c->icw_step = c->single ? (c->icw4_needed ? 4 : 0) : 3;
        break;
    case 3:
        c->cascade = val;
        c->icw_step = c->icw4_needed ? 4 : 0;
        break;
    case 4:
        if (!(val & ICW4_UPM)) {
            stop_unmodelled(pic, "ICW4 8080/8085 mode", val);
            return;
        }
        c->auto_eoi = (val & ICW4_AEOI) != 0;
        c->icw_step = 0;
        break;
    default:
        c->imr = val;                           /* OCW1 */
        break;
    }
    update(pic);
}

uint8_t i8259_read(i8259 *pic, uint16_t port)
{
    i8259_chip *c = &pic->chip[port >= I8259_SLAVE_PORT];
    if (port & 1)
        return c->imr;
    return c->read_isr ? c->isr : c->irr;
}

void i8259_write(i8259 *pic, uint16_t port, uint8_t val)
{
    i8259_chip *c = &pic->chip[port >= I8259_SLAVE_PORT];
    if (port & 1)
        write_data(pic, c, val);
    else
        write_command(pic, c, val);
}
