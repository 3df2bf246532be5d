/*
 * Delivery through the local APIC (SDM vol. 3, 11.8): highest vector
 * first, nesting only by a higher priority class, TPR masking and the PPR,
 * the STI shadow with a real APIC source, IPIs by ICR (fixed, NMI, INIT,
 * SIPI, destinations and shorthands), illegal vectors, and the modelled
 * cost of EOI by MSR and by MMIO. Each delivery's record names its source
 * and the IRR/ISR/PPR change that chose it.
 */
#include "apic_test.h"

#define DATA 0x300000u

static void self_ipi(code *c, uint8_t vector)
{
    e_wrmsr(c, X2(R_SELF_IPI), vector);
}

static uint32_t peek32(emu_machine *m, uint64_t pa)
{
    uint32_t v = 0;
    ck_assert(emu_mem_read_phys(m, pa, &v, 4) == EMU_OK);
    return v;
}

static void expect_halt(emu_stop stop, const char *what)
{
    ck_assert_msg(stop.kind == EMU_STOP_HALT, "%s: want the final HLT, got %s: %s", what,
                  emu_stop_kind_name(stop.kind), stop.message);
}

START_TEST(highest_vector_first_same_class_waits)
{
    t_trap_log log;
    emu_machine *m = a_machine(NULL, &log, true);
    code c = { .n = 0 };
    a_enable(&c, true);
    self_ipi(&c, 0x40);
    self_ipi(&c, 0x62);
    self_ipi(&c, 0x61);
    E(&c, I_STI, I_NOP, I_NOP, I_CLI, I_HLT);
    expect_halt(a_run(m, &c, 1000), "order");
    A_EXPECT_INTERRUPT(&log, 0, 0x62, "self IPI; IRR 0x62->0x61 ISR -->0x62 PPR 0x00->0x60");
    /* 0x61 is in 0x62's class: it waits for the EOI although the handler sets IF (11.8.3). */
    A_EXPECT_INTERRUPT(&log, 1, 0x61, "self IPI; IRR 0x61->0x40 ISR -->0x61 PPR 0x00->0x60");
    A_EXPECT_INTERRUPT(&log, 2, 0x40, "self IPI; IRR 0x40->- ISR -->0x40 PPR 0x00->0x40");
    ck_assert_msg(a_interrupt(&log, 3) == NULL, "three interrupts only");
    emu_close(m);
}
END_TEST

START_TEST(higher_class_nests)
{
    t_trap_log log;
    emu_machine *m = a_machine(NULL, &log, true);
    code h = { .n = 0 };
    E(&h, I_STI);
    self_ipi(&h, 0x80);
    self_ipi(&h, 0x45);
    E(&h, I_NOP);
    a_eoi(&h, true);
    E(&h, I_IRETQ);
    a_set_handler(m, 0x40, &h);
    code c = { .n = 0 };
    a_enable(&c, true);
    self_ipi(&c, 0x40);
    E(&c, I_STI, I_NOP, I_CLI, I_HLT);
    expect_halt(a_run(m, &c, 1000), "nesting");
    A_EXPECT_INTERRUPT(&log, 0, 0x40, "self IPI; IRR 0x40->- ISR -->0x40 PPR 0x00->0x40");
    A_EXPECT_INTERRUPT(&log, 1, 0x80, "self IPI; IRR 0x80->- ISR 0x40->0x80 PPR 0x40->0x80");
    A_EXPECT_INTERRUPT(&log, 2, 0x45, "self IPI; IRR 0x45->- ISR -->0x45 PPR 0x00->0x40");
    emu_close(m);
}
END_TEST

START_TEST(tpr_masks_a_class)
{
    t_trap_log log;
    emu_machine *m = a_machine(NULL, &log, true);
    code c = { .n = 0 };
    a_enable(&c, true);
    e_wrmsr(&c, X2(R_TPR), 0x50);
    self_ipi(&c, 0x45);
    self_ipi(&c, 0x55);
    E(&c, I_STI, I_NOP, I_NOP);
    e_wrmsr(&c, X2(R_TPR), 0x00);
    uint64_t after_tpr = T_CODE_ADDR + c.n;
    E(&c, I_NOP, I_NOP, I_CLI, I_HLT);
    expect_halt(a_run(m, &c, 1000), "TPR");
    /* Both were held while TPR was 0x50 (0x55's class is not above it); lowering TPR releases them. */
    A_EXPECT_INTERRUPT(&log, 0, 0x55, "self IPI; IRR 0x55->0x45 ISR -->0x55 PPR 0x00->0x50");
    ck_assert_msg(a_interrupt(&log, 0)->from_pc == after_tpr, "delivered right after the TPR write: 0x%llx",
                  (unsigned long long)a_interrupt(&log, 0)->from_pc);
    A_EXPECT_INTERRUPT(&log, 1, 0x45, "self IPI; IRR 0x45->- ISR -->0x45 PPR 0x00->0x40");
    emu_close(m);
}
END_TEST

/* PPR = TPR when TPR's class >= the in-service class, else the in-service class (11.8.3.1). */
START_TEST(ppr_computation)
{
    t_trap_log log;
    emu_machine *m = a_machine(NULL, &log, true);
    code h = { .n = 0 };
    emit_imm32(&h, OP_MOV_ECX, X2(R_PPR));
    E(&h, 0x0f, 0x32);                                  /* rdmsr */
    emit_imm32(&h, OP_MOV_EDI, DATA);
    E(&h, 0x89, 0x07);                                  /* mov [rdi], eax */
    a_eoi(&h, true);
    E(&h, I_IRETQ);
    a_set_handler(m, 0x51, &h);
    code c = { .n = 0 };
    a_enable(&c, true);
    e_wrmsr(&c, X2(R_TPR), 0x35);
    emit_imm32(&c, OP_MOV_ECX, X2(R_PPR));
    E(&c, 0x0f, 0x32);
    emit_imm32(&c, OP_MOV_EDI, DATA + 4);
    E(&c, 0x89, 0x07);
    self_ipi(&c, 0x51);
    E(&c, I_STI, I_NOP, I_CLI, I_HLT);
    expect_halt(a_run(m, &c, 1000), "PPR");
    ck_assert_msg(peek32(m, DATA + 4) == 0x35, "TPR 0x35, nothing in service: PPR 0x%x, want 0x35",
                  peek32(m, DATA + 4));
    ck_assert_msg(peek32(m, DATA) == 0x50, "TPR 0x35, 0x51 in service: PPR 0x%x, want 0x50", peek32(m, DATA));
    A_EXPECT_INTERRUPT(&log, 0, 0x51, "self IPI; IRR 0x51->- ISR -->0x51 PPR 0x35->0x50");
    emu_close(m);
}
END_TEST

/* STI: interrupts are recognised after the instruction that follows it (6.8.3). */
START_TEST(sti_shadow_with_apic_source)
{
    t_trap_log log;
    emu_machine *m = a_machine(NULL, &log, false);
    code c = { .n = 0 };
    a_enable(&c, false);
    e_mmio_write(&c, XA(R_ICR), ICR_SELF | 0x40);
    uint64_t sti_at = T_CODE_ADDR + c.n;
    E(&c, I_STI, I_NOP, I_NOP, I_CLI, I_HLT);
    expect_halt(a_run(m, &c, 1000), "STI shadow");
    const emu_trap *t = a_interrupt(&log, 0);
    ck_assert_msg(t && t->from_pc == sti_at + 2, "delivered after STI's next instruction: from 0x%llx, want 0x%llx",
                  t ? (unsigned long long)t->from_pc : 0ull, (unsigned long long)(sti_at + 2));
    A_EXPECT_INTERRUPT(&log, 0, 0x40, "IPI; IRR 0x40->- ISR -->0x40 PPR 0x00->0x40");
    emu_close(m);
}
END_TEST

START_TEST(icr_destinations)
{
    t_trap_log log;
    emu_machine *m = a_machine(NULL, &log, true);
    code c = { .n = 0 };
    a_enable(&c, true);
    e_wrmsr(&c, X2(R_ICR), 0x41);                           /* physical, destination 0: this CPU */
    e_wrmsr(&c, X2(R_ICR), (1ull << 32) | 0x42);            /* physical, destination 1: nobody */
    e_wrmsr(&c, X2(R_ICR), ICR_OTHERS | 0x43);              /* all but self: nobody */
    e_wrmsr(&c, X2(R_ICR), ICR_ALL | 0x44);                 /* all including self */
    e_wrmsr(&c, X2(R_ICR), (0xffffffffull << 32) | 0x45);   /* x2APIC broadcast */
    e_wrmsr(&c, X2(R_ICR), (1ull << 32) | (1u << 11) | 0x46); /* logical cluster 0, member bit 0: this CPU */
    e_wrmsr(&c, X2(R_ICR), (2ull << 32) | (1u << 11) | 0x47); /* logical member bit 1: nobody */
    E(&c, I_STI, I_NOP, I_CLI, I_HLT);
    expect_halt(a_run(m, &c, 1000), "ICR");
    static const int want[] = { 0x46, 0x45, 0x44, 0x41 };
    for (unsigned i = 0; i < 4; i++) {
        const emu_trap *t = a_interrupt(&log, i);
        ck_assert_msg(t && t->vector == want[i], "IPI #%u: want 0x%x got %d", i, want[i], t ? t->vector : -1);
    }
    ck_assert_msg(a_interrupt(&log, 4) == NULL, "0x42, 0x43 and 0x47 were for other CPUs: dropped");
    emu_close(m);
}
END_TEST

START_TEST(icr_nmi_and_sipi)
{
    t_trap_log log;
    emu_machine *m = a_machine(NULL, &log, true);
    code c = { .n = 0 };
    a_enable(&c, true);
    e_wrmsr(&c, X2(R_ICR), ICR_SIPI | ICR_SELF | 0x10);    /* a running CPU ignores SIPI */
    e_wrmsr(&c, X2(R_ICR), ICR_NMI | ICR_SELF);
    E(&c, I_NOP, I_CLI, I_HLT);
    expect_halt(a_run(m, &c, 1000), "NMI by ICR");
    A_EXPECT_INTERRUPT(&log, 0, V_NMI, "IPI NMI");
    ck_assert_msg(a_interrupt(&log, 0)->kind == EMU_TRAP_NMI, "an NMI record");
    emu_close(m);
}
END_TEST

START_TEST(init_to_self_is_unmodelled)
{
    t_trap_log log;
    emu_machine *m = a_machine(NULL, &log, true);
    code c = { .n = 0 };
    a_enable(&c, true);
    e_wrmsr(&c, X2(R_ICR), ICR_INIT | ICR_LEVEL_ASSERT | ICR_ALL);
    E(&c, I_CLI, I_HLT);
    emu_stop stop = a_run(m, &c, 1000);
    ck_assert_msg(stop.kind == EMU_STOP_ERROR && strstr(stop.message, "INIT"), "INIT to self stops: %s",
                  stop.message);
    emu_close(m);
}
END_TEST

/* Illegal vectors (0-15): the sender's ESR bit 5, the receiver's bit 6 (11.5.3). */
START_TEST(illegal_vectors)
{
    emu_machine *m = a_bare(NULL);
    a_wrmsr_ok(m, MSR_APIC_BASE, APIC_BASE_X2APIC, "x2APIC");
    a_wrmsr_ok(m, X2(R_SVR), SVR_ENABLE, "enable");
    a_wrmsr_ok(m, X2(R_SELF_IPI), 5, "self IPI vector 5");
    a_wrmsr_ok(m, X2(R_ESR), 0, "latch ESR");
    ck_assert_msg(a_msr(m, X2(R_ESR), "ESR") == 0x40, "self IPI vector 5: receive illegal vector");
    a_wrmsr_ok(m, X2(R_ICR), ICR_SELF | 5, "fixed IPI vector 5");
    a_wrmsr_ok(m, X2(R_ESR), 0, "latch ESR");
    ck_assert_msg(a_msr(m, X2(R_ESR), "ESR") == 0x20, "ICR vector 5: send illegal vector");
    emu_close(m);
}
END_TEST

/* ESR errors raise the error LVT's vector when it is unmasked (11.5.3). */
START_TEST(error_lvt_fires)
{
    t_trap_log log;
    emu_machine *m = a_machine(NULL, &log, true);
    code c = { .n = 0 };
    a_enable(&c, true);
    e_wrmsr(&c, X2(R_LVT_ERROR), 0x3e);
    e_wrmsr(&c, X2(R_ICR), ICR_SELF | 7);                   /* send illegal vector */
    E(&c, I_STI, I_NOP, I_CLI, I_HLT);
    expect_halt(a_run(m, &c, 1000), "error LVT");
    A_EXPECT_INTERRUPT(&log, 0, 0x3e, "APIC error; IRR 0x3e->- ISR -->0x3e PPR 0x00->0x30");
    emu_close(m);
}
END_TEST

/* xAPIC logical destinations: flat model (a bitmap) and cluster model (11.6.2.2). */
START_TEST(xapic_logical_destinations)
{
    t_trap_log log;
    emu_machine *m = a_machine(NULL, &log, false);
    code c = { .n = 0 };
    a_enable(&c, false);
    e_mmio_write(&c, XA(R_LDR), 0x04000000);                 /* logical ID 0x04 */
    e_mmio_write(&c, XA(R_ICR_HI), 0x06000000);              /* flat: bit 2 set: this CPU */
    e_mmio_write(&c, XA(R_ICR), (1u << 11) | 0x41);
    e_mmio_write(&c, XA(R_ICR_HI), 0x08000000);              /* flat: bit 3 only: nobody */
    e_mmio_write(&c, XA(R_ICR), (1u << 11) | 0x42);
    e_mmio_write(&c, XA(R_DFR), 0x0fffffff);                 /* cluster model */
    e_mmio_write(&c, XA(R_LDR), 0x21000000);                 /* cluster 2, member bit 0 */
    e_mmio_write(&c, XA(R_ICR_HI), 0x23000000);              /* cluster 2, members 0-1: this CPU */
    e_mmio_write(&c, XA(R_ICR), (1u << 11) | 0x43);
    e_mmio_write(&c, XA(R_ICR_HI), 0x11000000);              /* cluster 1: nobody */
    e_mmio_write(&c, XA(R_ICR), (1u << 11) | 0x44);
    E(&c, I_STI, I_NOP, I_CLI, I_HLT);
    expect_halt(a_run(m, &c, 1000), "logical");
    ck_assert_msg(a_interrupt(&log, 0) && a_interrupt(&log, 0)->vector == 0x43, "cluster match 0x43 first");
    ck_assert_msg(a_interrupt(&log, 1) && a_interrupt(&log, 1)->vector == 0x41, "flat match 0x41");
    ck_assert_msg(a_interrupt(&log, 2) == NULL, "0x42 and 0x44 selected nobody");
    emu_close(m);
}
END_TEST

/* LINT0 in fixed mode: the 8259's INT edge becomes an ordinary APIC request (11.5.1). */
START_TEST(lint0_fixed_mode)
{
    t_trap_log log;
    emu_machine *m = a_machine(NULL, &log, false);
    code c = { .n = 0 };
    a_enable(&c, false);
    e_mmio_write(&c, XA(R_LVT_LINT0), 0x70);
    E(&c, 0x66, 0xba, 0x21, 0x00, 0xb0, 0xfd, 0xee);         /* 8259 master: unmask IRQ1 only */
    E(&c, 0x66, 0xba, 0x01, 0x20, 0xb0, 0x01, 0xee);         /* pc-testdev: ISA IRQ1 high */
    E(&c, I_STI, I_NOP, I_CLI, I_HLT);
    expect_halt(a_run(m, &c, 1000), "LINT0 fixed");
    A_EXPECT_INTERRUPT(&log, 0, 0x70, "LINT0; IRR 0x70->- ISR -->0x70 PPR 0x00->0x70");
    emu_close(m);
}
END_TEST

/* A software-disabled APIC holds requests but presents none (11.4.7.2). */
START_TEST(software_disabled_presents_nothing)
{
    t_trap_log log;
    emu_machine *m = a_machine(NULL, &log, true);
    code c = { .n = 0 };
    e_wrmsr(&c, MSR_APIC_BASE, APIC_BASE_X2APIC);
    self_ipi(&c, 0x40);
    E(&c, I_STI, I_NOP, I_NOP);
    e_wrmsr(&c, X2(R_SVR), SVR_ENABLE);
    E(&c, I_NOP, I_CLI, I_HLT);
    expect_halt(a_run(m, &c, 1000), "software enable");
    A_EXPECT_INTERRUPT(&log, 0, 0x40, "self IPI; IRR 0x40->- ISR -->0x40 PPR 0x00->0x40");
    ck_assert_msg(a_interrupt(&log, 0)->from_pc == T_CODE_ADDR + c.n - 3, "delivered once enabled");
    emu_close(m);
}
END_TEST

/* x2APIC WRMSR is not serialising (11.12.3); an xAPIC access is an uncached MMIO round trip. */
START_TEST(eoi_costs_differ_by_mode)
{
    emu_machine *x2 = a_bare(NULL);
    a_wrmsr_ok(x2, MSR_APIC_BASE, APIC_BASE_X2APIC, "x2APIC");
    uint64_t c0 = emu_cycle_count(x2);
    a_wrmsr_ok(x2, X2(R_EOI), 0, "EOI by MSR");
    uint64_t msr_eoi = emu_cycle_count(x2) - c0;
    c0 = emu_cycle_count(x2);
    a_wrmsr_ok(x2, 0xc0000103u, 0, "IA32_TSC_AUX (serialising)");
    uint64_t serialising = emu_cycle_count(x2) - c0;
    emu_machine *xa = a_bare(NULL);
    c0 = emu_cycle_count(xa);
    a_mmio_write(xa, XA(R_EOI), 0);
    uint64_t mmio_eoi = emu_cycle_count(xa) - c0;
    ck_assert_msg(msr_eoi < serialising, "x2APIC EOI (%llu cycles) cheaper than a serialising WRMSR (%llu)",
                  (unsigned long long)msr_eoi, (unsigned long long)serialising);
    ck_assert_msg(msr_eoi < mmio_eoi, "x2APIC EOI (%llu cycles) cheaper than xAPIC MMIO EOI (%llu)",
                  (unsigned long long)msr_eoi, (unsigned long long)mmio_eoi);
    emu_close(x2);
    emu_close(xa);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("lapic_delivery");
    TCase *tc = tcase_create("delivery");
    tcase_add_test(tc, highest_vector_first_same_class_waits);
    tcase_add_test(tc, higher_class_nests);
    tcase_add_test(tc, tpr_masks_a_class);
    tcase_add_test(tc, ppr_computation);
    tcase_add_test(tc, sti_shadow_with_apic_source);
    tcase_add_test(tc, icr_destinations);
    tcase_add_test(tc, icr_nmi_and_sipi);
    tcase_add_test(tc, init_to_self_is_unmodelled);
    tcase_add_test(tc, illegal_vectors);
    tcase_add_test(tc, software_disabled_presents_nothing);
    tcase_add_test(tc, error_lvt_fires);
    tcase_add_test(tc, xapic_logical_destinations);
    tcase_add_test(tc, lint0_fixed_mode);
    tcase_add_test(tc, eoi_costs_differ_by_mode);
    suite_add_tcase(s, tc);
    return t_run_suite(s);
}
