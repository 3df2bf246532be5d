/*
 * The PC's pair of 8259A programmable interrupt controllers (Intel 8259A
 * data sheet): master at 0x20/0x21, slave at 0xa0/0xa1 cascaded on the
 * master's IRQ2. The master's INT output is the local APIC's LINT0 (ExtINT
 * there), or INTR itself while the local APIC is globally disabled.
 */
#ifndef EMU_PLATFORM_PC_I8259_H
#define EMU_PLATFORM_PC_I8259_H

#include <stdbool.h>
#include <stdint.h>

struct emu_machine;
struct lapic;

#define I8259_MASTER_PORT 0x20
#define I8259_SLAVE_PORT  0xa0
#define I8259_CASCADE_IRQ 2

typedef struct i8259_chip {
    uint8_t irr, isr, imr;
    uint8_t line;               /* input levels as driven */
    uint8_t base;               /* ICW2: vector of IR0 (bits 7:3) */
    uint8_t cascade;            /* ICW3 */
    uint8_t icw_step;           /* 0: operational; 2, 3, 4: the ICW expected next on the odd port */
    bool icw4_needed, single, level_mode, auto_eoi, read_isr;
} i8259_chip;

typedef struct i8259 {
    struct emu_machine *m;
    struct lapic *lapic;
    i8259_chip chip[2];         /* [0] master, [1] slave */
    bool int_out;               /* the master's INT pin */
} i8259;

/* Initialised as a BIOS leaves the pair: master base 0x08, slave base 0x70, all masked but the cascade. */
void i8259_init(i8259 *pic, struct emu_machine *m, struct lapic *apic);

/* ISA IRQ line 0-15 driven to level. */
void i8259_set_irq(i8259 *pic, unsigned irq, bool level);

uint8_t i8259_read(i8259 *pic, uint16_t port);
void i8259_write(i8259 *pic, uint16_t port, uint8_t val);

#endif
