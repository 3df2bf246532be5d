/* The 256-entry IDT of 64-bit gates (SDM vol. 3, 6.14.1). */
#ifndef FW_ENTRY_IDT_H
#define FW_ENTRY_IDT_H

#include <stdbool.h>
#include <stdint.h>

enum gate_type {
    GATE_INTERRUPT = 0xe,   /* clears IF on entry */
    GATE_TRAP = 0xf,        /* leaves IF as it was */
};

/* The entry stubs in entry/vectors.S, one per vector. */
extern const uint64_t trap_stub_table[256];

/* Point VECTOR at its stub through a gate of TYPE, DPL and IST index (0: none). */
void idt_set(unsigned vector, enum gate_type type, unsigned dpl, unsigned ist);

/* The same, with a handler of the caller's own instead of the stub. */
void idt_set_handler(unsigned vector, uint64_t handler, enum gate_type type, unsigned dpl,
                     unsigned ist);

/* Set or clear the gate's P bit: delivery through a gate with P = 0 is #NP (6.12.1.2). */
void idt_set_present(unsigned vector, bool present);

/* Every vector gets a DPL0 interrupt gate without IST; then LIDT. */
void idt_init(void);

#endif
