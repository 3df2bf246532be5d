/*
 * Device interrupts through the two routes of QEMU's pc machine, raised by
 * pc-testdev's ISA IRQ ports (0x2000 + n): the 8259 pair through the local
 * APIC's LINT0 in ExtINT mode (or straight to INTR with the APIC disabled),
 * and the I/O APIC's redirection entries, edge and level with remote IRR
 * and the EOI broadcast. Each record names its route.
 */
#include "../apic/apic_test.h"

#define DATA 0x300000u
#define IOAPIC 0xfec00000u
#define IOWIN (IOAPIC + 0x10)
#define REDIR(pin) (0x10u + 2u * (pin))
#define REDIR_LEVEL (1u << 15)
#define REDIR_REMOTE_IRR (1u << 14)
#define REDIR_MASKED (1u << 16)
#define LINT0_EXTINT 0x700u

static void outb(code *c, uint16_t port, uint8_t val)
{
    E(c, 0x66, 0xba, (uint8_t)port, (uint8_t)(port >> 8), 0xb0, val, 0xee);   /* mov dx, port; mov al, val; out dx, al */
}

static void irq_line(code *c, unsigned irq, bool level)
{
    outb(c, (uint16_t)(0x2000 + irq), level);
}

static void ioapic_write(code *c, uint32_t index, uint32_t val)
{
    e_mmio_write(c, IOAPIC, index);
    e_mmio_write(c, IOWIN, val);
}

static void expect_halt(emu_stop stop, const char *what)
{
    ck_assert_msg(stop.kind == EMU_STOP_HALT, "%s: want the final HLT, got %s: %s", what,
                  emu_stop_kind_name(stop.kind), stop.message);
}

/* 8259 handler: non-specific EOI to slave and master, IRETQ. */
static void pic_handler(emu_machine *m, unsigned vector)
{
    code h = { .n = 0 };
    E(&h, 0xb0, 0x20, 0xe6, 0xa0, 0xe6, 0x20, I_IRETQ);     /* mov al, 0x20; out 0xa0, al; out 0x20, al */
    a_set_handler(m, vector, &h);
}

static void program_pics(code *c, uint8_t master_base, uint8_t slave_base)
{
    outb(c, 0x20, 0x11); outb(c, 0x21, master_base); outb(c, 0x21, 0x04); outb(c, 0x21, 0x01);
    outb(c, 0xa0, 0x11); outb(c, 0xa1, slave_base); outb(c, 0xa1, 0x02); outb(c, 0xa1, 0x01);
    outb(c, 0x21, 0xf9);                                    /* IRQ1 and the cascade */
    outb(c, 0xa1, 0xfb);                                    /* IRQ10 */
}

START_TEST(pic_through_lint0_extint)
{
    t_trap_log log;
    emu_machine *m = a_machine(NULL, &log, false);
    pic_handler(m, 0x21);
    pic_handler(m, 0x2a);
    code c = { .n = 0 };
    a_enable(&c, false);
    e_mmio_write(&c, XA(R_LVT_LINT0), LINT0_EXTINT);
    program_pics(&c, 0x20, 0x28);
    irq_line(&c, 1, true);
    irq_line(&c, 1, false);
    irq_line(&c, 10, true);
    irq_line(&c, 10, false);
    E(&c, I_STI, I_NOP, I_NOP, I_CLI, I_HLT);
    expect_halt(a_run(m, &c, 1000), "8259");
    A_EXPECT_INTERRUPT(&log, 0, 0x21, "LINT0 ExtINT 8259 IRQ 1");
    A_EXPECT_INTERRUPT(&log, 1, 0x2a, "LINT0 ExtINT 8259 IRQ 10");
    ck_assert_msg(a_interrupt(&log, 2) == NULL, "edge-triggered: one interrupt each");
    emu_close(m);
}
END_TEST

/* Without firmware that programs them, the pair is where a BIOS leaves it: bases 0x08 and 0x70. */
START_TEST(pic_bios_state_and_apic_disabled)
{
    t_trap_log log;
    emu_machine *m = a_machine(NULL, &log, false);
    pic_handler(m, 0x09);
    pic_handler(m, 0x72);
    code c = { .n = 0 };
    e_wrmsr(&c, MSR_APIC_BASE, APIC_BASE_OFF);              /* the 8259 drives INTR itself */
    outb(&c, 0x21, 0xf9);
    outb(&c, 0xa1, 0xfb);
    irq_line(&c, 1, true);
    irq_line(&c, 10, true);
    E(&c, I_STI, I_NOP, I_NOP, I_CLI, I_HLT);
    expect_halt(a_run(m, &c, 1000), "BIOS state");
    A_EXPECT_INTERRUPT(&log, 0, 0x09, "8259 IRQ 1");
    A_EXPECT_INTERRUPT(&log, 1, 0x72, "8259 IRQ 10");
    emu_close(m);
}
END_TEST

START_TEST(pic_registers)
{
    emu_machine *m = a_bare(NULL);
    code c = { .n = 0 };
    irq_line(&c, 3, true);
    E(&c, 0xe4, 0x20);                                      /* in al, 0x20: IRR */
    E(&c, 0x88, 0xc3);                                      /* mov bl, al */
    E(&c, 0xe4, 0x21);                                      /* in al, 0x21: IMR */
    E(&c, 0x88, 0xc7);                                      /* mov bh, al */
    outb(&c, 0x20, 0x0b);                                   /* OCW3: read ISR */
    E(&c, 0xe4, 0x20, 0x88, 0xc1);                          /* in al, 0x20; mov cl, al */
    E(&c, 0xe4, 0xa1, 0x88, 0xc5);                          /* in al, 0xa1; mov ch, al */
    E(&c, I_HLT);
    emu_stop stop = a_run(m, &c, 100);
    ck_assert_msg(stop.kind == EMU_STOP_HALT, "runs to HLT: %s", stop.message);
    T_EXPECT_REG(m, EMU_X86_RBX, 0xfb08, "IMR 0xfb (BIOS state), IRR bit 3");
    T_EXPECT_REG(m, EMU_X86_RCX, 0xff00, "slave IMR 0xff, ISR 0 (nothing acknowledged)");
    emu_close(m);
}
END_TEST

/* Fully nested: an IRQ in service holds lower-priority ones and lets higher ones nest; EOIs release them. */
START_TEST(pic_priority_and_eoi)
{
    t_trap_log log;
    emu_machine *m = a_machine(NULL, &log, false);
    code h = { .n = 0 };
    E(&h, I_IRETQ);                                          /* no EOI: the test sends them */
    a_set_handler(m, 0x09, &h);
    a_set_handler(m, 0x0b, &h);
    a_set_handler(m, 0x0d, &h);
    code c = { .n = 0 };
    e_wrmsr(&c, MSR_APIC_BASE, APIC_BASE_OFF);
    outb(&c, 0x21, 0x00);
    irq_line(&c, 3, true);
    E(&c, I_STI, I_NOP, I_NOP);                              /* IRQ3 in service */
    irq_line(&c, 5, true);                                   /* lower priority: held */
    E(&c, I_NOP, I_NOP);
    irq_line(&c, 1, true);                                   /* higher: nests */
    E(&c, I_NOP, I_CLI);
    outb(&c, 0x20, 0x0b);                                    /* OCW3: read ISR */
    E(&c, 0xe4, 0x20, 0x88, 0xc3);                           /* in al, 0x20; mov bl, al */
    outb(&c, 0x20, 0x61);                                    /* specific EOI, IR1 */
    outb(&c, 0x20, 0x20);                                    /* non-specific EOI: IR3 */
    E(&c, I_STI, I_NOP, I_NOP, I_CLI);
    E(&c, 0xe4, 0x20, 0x88, 0xc7);                           /* in al, 0x20; mov bh, al */
    E(&c, I_HLT);
    expect_halt(a_run(m, &c, 1000), "8259 priority");
    A_EXPECT_INTERRUPT(&log, 0, 0x0b, "8259 IRQ 3");
    A_EXPECT_INTERRUPT(&log, 1, 0x09, "8259 IRQ 1");
    A_EXPECT_INTERRUPT(&log, 2, 0x0d, "8259 IRQ 5");
    ck_assert_msg(a_interrupt(&log, 3) == NULL, "three interrupts");
    T_EXPECT_REG(m, EMU_X86_RBX, 0x200a, "ISR: IR1 and IR3 before the EOIs, IR5 after");
    emu_close(m);
}
END_TEST

START_TEST(ioapic_edge_and_mask)
{
    t_trap_log log;
    emu_machine *m = a_machine(NULL, &log, false);
    code c = { .n = 0 };
    a_enable(&c, false);
    ioapic_write(&c, REDIR(10), 0x50);
    ioapic_write(&c, REDIR(10) + 1, 0);
    ioapic_write(&c, REDIR(2), 0x60);                        /* ISA IRQ 0 is pin 2 */
    ioapic_write(&c, REDIR(5), REDIR_MASKED | 0x55);
    irq_line(&c, 5, true);                                   /* masked edge: lost */
    ioapic_write(&c, REDIR(5), 0x55);                        /* unmasking does not bring it back */
    irq_line(&c, 10, true);
    irq_line(&c, 0, true);
    E(&c, I_STI, I_NOP, I_NOP, I_CLI, I_HLT);
    expect_halt(a_run(m, &c, 1000), "I/O APIC edge");
    A_EXPECT_INTERRUPT(&log, 0, 0x60, "I/O APIC pin 2; IRR 0x60->0x50 ISR -->0x60 PPR 0x00->0x60");
    A_EXPECT_INTERRUPT(&log, 1, 0x50, "I/O APIC pin 10; IRR 0x50->- ISR -->0x50 PPR 0x00->0x50");
    ck_assert_msg(a_interrupt(&log, 2) == NULL, "the masked edge on pin 5 was lost");
    emu_close(m);
}
END_TEST

/* Level: remote IRR holds the pin until the local APIC's EOI; still asserted, it comes again. */
START_TEST(ioapic_level_remote_irr)
{
    t_trap_log log;
    emu_machine *m = a_machine(NULL, &log, false);
    code h = { .n = 0 };
    emit_imm32(&h, OP_MOV_EDI, DATA);
    E(&h, 0xff, 0x07);                                       /* inc dword [rdi] */
    E(&h, 0x83, 0x3f, 0x02);                                 /* cmp dword [rdi], 2 */
    E(&h, 0x72, 0x07);                                       /* jb over the next 7 bytes */
    irq_line(&h, 12, false);
    a_eoi(&h, false);
    E(&h, I_IRETQ);
    a_set_handler(m, 0x52, &h);
    code c = { .n = 0 };
    a_enable(&c, false);
    ioapic_write(&c, REDIR(12), REDIR_LEVEL | 0x52);
    irq_line(&c, 12, true);
    /* Remote IRR is set once the message is sent (before the CPU takes it). */
    e_mmio_write(&c, IOAPIC, REDIR(12));
    emit_imm32(&c, OP_MOV_EDI, IOWIN);
    E(&c, 0x8b, 0x1f);                                       /* mov ebx, [rdi] */
    E(&c, I_STI, I_NOP, I_NOP, I_NOP);
    e_mmio_write(&c, IOAPIC, REDIR(12));
    emit_imm32(&c, OP_MOV_EDI, IOWIN);
    E(&c, 0x8b, 0x0f);                                       /* mov ecx, [rdi] */
    E(&c, I_CLI, I_HLT);
    expect_halt(a_run(m, &c, 1000), "I/O APIC level");
    A_EXPECT_INTERRUPT(&log, 0, 0x52, "I/O APIC pin 12; IRR 0x52->- ISR -->0x52 PPR 0x00->0x50");
    A_EXPECT_INTERRUPT(&log, 1, 0x52, "I/O APIC pin 12; IRR 0x52->- ISR -->0x52 PPR 0x00->0x50");
    ck_assert_msg(a_interrupt(&log, 2) == NULL, "two deliveries: the handler lowered the line the second time");
    T_EXPECT_REG(m, EMU_X86_RBX, REDIR_LEVEL | REDIR_REMOTE_IRR | 0x52, "remote IRR while in service");
    T_EXPECT_REG(m, EMU_X86_RCX, REDIR_LEVEL | 0x52, "remote IRR cleared by the EOI");
    emu_close(m);
}
END_TEST

START_TEST(ioapic_registers)
{
    emu_machine *m = a_bare(NULL);
    a_mmio_write(m, IOAPIC, 1);
    ck_assert_msg(a_mmio_read(m, IOWIN) == 0x00170020u, "version: 24 entries, version 0x20");
    a_mmio_write(m, IOAPIC, 0);
    a_mmio_write(m, IOWIN, 0xffffffffu);
    ck_assert_msg(a_mmio_read(m, IOWIN) == 0x0f000000u, "ID bits 27:24 only");
    a_mmio_write(m, IOAPIC, 2);
    ck_assert_msg(a_mmio_read(m, IOWIN) == 0x0f000000u, "arbitration ID reads as the ID");
    a_mmio_write(m, IOAPIC, REDIR(23));
    ck_assert_msg(a_mmio_read(m, IOWIN) == REDIR_MASKED, "entries masked after reset");
    a_mmio_write(m, IOWIN, 0xffffffffu);
    ck_assert_msg(a_mmio_read(m, IOWIN) == 0x1afffu, "delivery status and remote IRR are read-only");
    a_mmio_write(m, IOAPIC, REDIR(23) + 1);
    a_mmio_write(m, IOWIN, 0xffffffffu);
    ck_assert_msg(a_mmio_read(m, IOWIN) == 0xff000000u, "high half: destination 63:56");
    emu_close(m);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("pic_ioapic");
    TCase *tc = tcase_create("routes");
    tcase_add_test(tc, pic_through_lint0_extint);
    tcase_add_test(tc, pic_bios_state_and_apic_disabled);
    tcase_add_test(tc, pic_registers);
    tcase_add_test(tc, pic_priority_and_eoi);
    tcase_add_test(tc, ioapic_edge_and_mask);
    tcase_add_test(tc, ioapic_level_remote_irr);
    tcase_add_test(tc, ioapic_registers);
    suite_add_tcase(s, tc);
    return t_run_suite(s);
}
