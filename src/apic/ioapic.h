/*
 * The I/O APIC (Intel 82093AA data sheet; QEMU's `pc` has one at
 * 0xfec00000 with 24 pins, version 0x20): IOREGSEL/IOWIN indirect access to
 * the ID, version and arbitration registers and 24 redirection entries,
 * which turn pin changes into interrupt messages for the local APICs.
 */
#ifndef EMU_APIC_IOAPIC_H
#define EMU_APIC_IOAPIC_H

#include <stdbool.h>
#include <stdint.h>

#include "core/mmio.h"

struct emu_machine;
struct lapic;

#define IOAPIC_BASE     0xfec00000u
#define IOAPIC_MMIO_SIZE 0x1000u
#define IOAPIC_PINS     24

typedef struct ioapic {
    struct emu_machine *m;
    struct lapic *lapic;        /* the local APICs messages go to (one CPU today) */
    uint8_t regsel;
    uint32_t id;                /* ID register: bits 27:24 */
    uint64_t redir[IOAPIC_PINS];
    bool pin_level[IOAPIC_PINS];/* the input as driven (before polarity) */
    char source[IOAPIC_PINS][24];
    machine_mmio mmio;
} ioapic;

int ioapic_init(ioapic *io, struct emu_machine *m, struct lapic *apic);

/* A device drives pin `pin` to `level` (active high as the ISA bus presents it). */
void ioapic_set_pin(ioapic *io, unsigned pin, bool level);

/* The local APIC's EOI for a level-triggered vector (82093AA: remote IRR clears). */
void ioapic_eoi(void *ctx, uint8_t vector);

#endif
