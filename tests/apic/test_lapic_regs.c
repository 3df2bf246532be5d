/*
 * Local APIC register access rules in both modes (SDM vol. 3, tables 11-1
 * and 11-6, 11.12.1.2): what each register reads after reset, which writes
 * stick, and which accesses are #GP(0) in x2APIC mode or an "illegal
 * register address" error in xAPIC mode.
 */
#include "apic_test.h"

#define ESR_ILLEGAL_REGISTER (1u << 7)
#define VERSION_VALUE 0x00050014u   /* version 0x14, max LVT entry 5 (QEMU's pc) */

static emu_machine *x2apic_machine(void)
{
    emu_machine *m = a_bare(NULL);
    a_wrmsr_ok(m, MSR_APIC_BASE, APIC_BASE_X2APIC, "enter x2APIC");
    return m;
}

START_TEST(x2apic_reset_values)
{
    emu_machine *m = x2apic_machine();
    static const struct { unsigned reg; uint64_t want; const char *name; } rows[] = {
        { R_ID, 0, "ID (the 32-bit x2APIC ID)" },
        { R_VER, VERSION_VALUE, "version" },
        { R_TPR, 0, "TPR" },
        { R_PPR, 0, "PPR" },
        { R_LDR, 1, "LDR: cluster 0, member bit 0 for ID 0" },
        { R_SVR, 0xff, "SVR: software-disabled, spurious 0xff" },
        { R_ESR, 0, "ESR" },
        { R_ICR, 0, "ICR (64-bit)" },
        { R_LVT_TIMER, LVT_MASKED, "LVT timer masked" },
        { R_LVT_LINT0, LVT_MASKED, "LVT LINT0 masked" },
        { R_LVT_LINT1, LVT_MASKED, "LVT LINT1 masked" },
        { R_LVT_ERROR, LVT_MASKED, "LVT error masked" },
        { R_TIMER_INIT, 0, "timer initial count" },
        { R_TIMER_CUR, 0, "timer current count" },
        { R_TIMER_DIV, 0, "timer divide" },
        { R_IRR, 0, "IRR[31:0]" },
        { R_ISR + 7, 0, "ISR[255:224]" },
        { R_TMR + 3, 0, "TMR[127:96]" },
    };
    for (unsigned i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        uint64_t got = a_msr(m, X2(rows[i].reg), rows[i].name);
        ck_assert_msg(got == rows[i].want, "x2APIC %s (MSR 0x%x): want 0x%llx got 0x%llx", rows[i].name,
                      X2(rows[i].reg), (unsigned long long)rows[i].want, (unsigned long long)got);
    }
    emu_close(m);
}
END_TEST

/* Table 11-6: reserved, write-only and read-only registers are #GP(0) the wrong way. */
START_TEST(x2apic_gp_rules)
{
    emu_machine *m = x2apic_machine();
    static const struct { unsigned reg; bool write; uint64_t val; const char *why; } gp[] = {
        { R_EOI, false, 0, "read EOI (write-only)" },
        { R_SELF_IPI, false, 0, "read SELF IPI (write-only)" },
        { R_DFR, false, 0, "read DFR (no DFR in x2APIC)" },
        { R_DFR, true, 0xffffffff, "write DFR" },
        { R_ICR_HI, false, 0, "read 0x831 (ICR is one 64-bit MSR)" },
        { R_ICR_HI, true, 0, "write 0x831" },
        { R_APR, false, 0, "read APR (not in x2APIC)" },
        { R_RRD, false, 0, "read RRD (not in x2APIC)" },
        { R_CMCI, false, 0, "read LVT CMCI (max LVT entry is 5)" },
        { 0x00, false, 0, "read reserved 0x800" },
        { 0x3d, true, 0, "write reserved 0x83d" },
        { R_ID, true, 5, "write ID (read-only)" },
        { R_VER, true, 0, "write version" },
        { R_LDR, true, 2, "write LDR (derived from the ID)" },
        { R_PPR, true, 0, "write PPR" },
        { R_ISR, true, 0, "write ISR" },
        { R_IRR + 1, true, 0, "write IRR" },
        { R_TIMER_CUR, true, 0, "write current count" },
        { R_EOI, true, 1, "EOI with a non-zero value" },
        { R_ESR, true, 1, "ESR with a non-zero value" },
        { R_TPR, true, 1ull << 32, "TPR with bits 63:32 set" },
        { R_SVR, true, 0x1ff | 1ull << 40, "SVR with bits 63:32 set" },
    };
    for (unsigned i = 0; i < sizeof gp / sizeof gp[0]; i++) {
        uint64_t v = 0;
        int vec = gp[i].write ? a_wrmsr(m, X2(gp[i].reg), gp[i].val) : a_rdmsr(m, X2(gp[i].reg), &v);
        ck_assert_msg(vec == V_GP, "%s (MSR 0x%x): want #GP, got vector %d", gp[i].why, X2(gp[i].reg), vec);
    }
    /* And the allowed ones go through. */
    a_wrmsr_ok(m, X2(R_EOI), 0, "EOI 0 with nothing in service");
    a_wrmsr_ok(m, X2(R_ESR), 0, "ESR 0");
    a_wrmsr_ok(m, X2(R_TPR), 0x35, "TPR");
    ck_assert_msg(a_msr(m, X2(R_TPR), "TPR") == 0x35, "TPR reads back 0x35");
    a_wrmsr_ok(m, X2(R_TIMER_DIV), 0xb, "divide by 1");
    ck_assert_msg(a_msr(m, X2(R_TIMER_DIV), "divide") == 0xb, "divide reads back 0xb");
    emu_close(m);
}
END_TEST

START_TEST(x2apic_msrs_gp_outside_x2apic_mode)
{
    emu_machine *m = a_bare(NULL);
    uint64_t v;
    ck_assert_msg(a_rdmsr(m, X2(R_ID), &v) == V_GP, "xAPIC mode: RDMSR 0x802 is #GP");
    ck_assert_msg(a_wrmsr(m, X2(R_EOI), 0) == V_GP, "xAPIC mode: WRMSR 0x80b is #GP");
    emu_close(m);
}
END_TEST

START_TEST(xapic_reset_values_and_writes)
{
    emu_machine *m = a_bare(NULL);
    ck_assert_msg(a_mmio_read(m, XA(R_ID)) == 0, "xAPIC ID 0");
    ck_assert_msg(a_mmio_read(m, XA(R_VER)) == VERSION_VALUE, "version");
    ck_assert_msg(a_mmio_read(m, XA(R_DFR)) == 0xffffffffu, "DFR flat model after reset");
    ck_assert_msg(a_mmio_read(m, XA(R_SVR)) == 0xff, "SVR 0xff after reset");
    ck_assert_msg(a_mmio_read(m, XA(R_LVT_TIMER)) == LVT_MASKED, "LVT timer masked after reset");
    a_mmio_write(m, XA(R_ID), 0x07000000);
    ck_assert_msg(a_mmio_read(m, XA(R_ID)) == 0x07000000, "xAPIC ID writable");
    a_mmio_write(m, XA(R_LDR), 0x12345678);
    ck_assert_msg(a_mmio_read(m, XA(R_LDR)) == 0x12000000, "LDR keeps bits 31:24");
    a_mmio_write(m, XA(R_DFR), 0);
    ck_assert_msg(a_mmio_read(m, XA(R_DFR)) == 0x0fffffffu, "DFR: cluster model, bits 27:0 read 1");
    a_mmio_write(m, XA(R_ICR_HI), 0xff00ffff);
    ck_assert_msg(a_mmio_read(m, XA(R_ICR_HI)) == 0xff000000u, "ICR high keeps the destination");
    a_mmio_write(m, XA(R_VER), 0);
    ck_assert_msg(a_mmio_read(m, XA(R_VER)) == VERSION_VALUE, "version is read-only (write ignored)");
    /* While software-disabled, LVT masks cannot be cleared (11.4.7.2). */
    a_mmio_write(m, XA(R_LVT_LINT0), 0x700);
    ck_assert_msg(a_mmio_read(m, XA(R_LVT_LINT0)) == (0x700 | LVT_MASKED), "LINT0 stays masked while disabled");
    a_mmio_write(m, XA(R_SVR), SVR_ENABLE);
    a_mmio_write(m, XA(R_LVT_LINT0), 0x700);
    ck_assert_msg(a_mmio_read(m, XA(R_LVT_LINT0)) == 0x700, "LINT0 ExtINT unmasked once enabled");
    a_mmio_write(m, XA(R_SVR), 0xff);
    ck_assert_msg(a_mmio_read(m, XA(R_LVT_LINT0)) & LVT_MASKED, "clearing the software enable masks the LVT");
    emu_close(m);
}
END_TEST

START_TEST(xapic_illegal_register_sets_esr)
{
    emu_machine *m = a_bare(NULL);
    ck_assert_msg(a_mmio_read(m, XA(0x3f)) == 0, "reserved 0x3f0 (SELF IPI is x2APIC only) reads 0");
    ck_assert_msg(a_mmio_read(m, XA(R_ESR)) == 0, "ESR holds the old value until written");
    a_mmio_write(m, XA(R_ESR), 0);
    ck_assert_msg(a_mmio_read(m, XA(R_ESR)) == ESR_ILLEGAL_REGISTER, "ESR write latches illegal register");
    a_mmio_write(m, XA(R_ESR), 0);
    ck_assert_msg(a_mmio_read(m, XA(R_ESR)) == 0, "the next ESR write clears it");
    emu_close(m);
}
END_TEST

START_TEST(xapic_page_follows_apic_base)
{
    emu_machine *m = a_bare(NULL);
    a_wrmsr_ok(m, MSR_APIC_BASE, 0xfed00000u | BASE_BSP | BASE_EN, "relocate to 0xfed00000");
    ck_assert_msg(a_mmio_read(m, 0xfed00000u + 16 * R_VER) == VERSION_VALUE, "version at the new base");
    /* The old page is gone: nothing backs it, and the machine says so. */
    static const uint8_t load[] = { 0x8b, 0x07 };
    t_load_code(m, load, sizeof load);
    t_set_reg(m, EMU_X86_RDI, XA(R_VER));
    emu_stop stop = t_run(m, 1);
    ck_assert_msg(stop.kind == EMU_STOP_ERROR && strstr(stop.message, "no RAM or device"),
                  "old page unbacked: %s", stop.message);
    emu_close(m);
}
END_TEST

START_TEST(xapic_unaligned_access_stops)
{
    emu_machine *m = a_bare(NULL);
    static const uint8_t load[] = { 0x8a, 0x07 };   /* mov al, [rdi] */
    t_load_code(m, load, sizeof load);
    t_set_reg(m, EMU_X86_RDI, XA(R_VER));
    emu_stop stop = t_run(m, 1);
    ck_assert_msg(stop.kind == EMU_STOP_ERROR && strstr(stop.message, "xAPIC page"), "byte read: %s", stop.message);
    emu_close(m);
}
END_TEST

/* CR8 is TPR[7:4] (11.8.6.1). */
START_TEST(cr8_aliases_tpr)
{
    emu_machine *m = x2apic_machine();
    static const uint8_t to_cr8[] = { 0x44, 0x0f, 0x22, 0xc0 };    /* mov cr8, rax */
    t_load_code(m, to_cr8, sizeof to_cr8);
    t_set_reg(m, EMU_X86_RAX, 5);
    ck_assert(a_step(m, "mov cr8, rax") < 0);
    ck_assert_msg(a_msr(m, X2(R_TPR), "TPR") == 0x50, "CR8 5 -> TPR 0x50");
    a_wrmsr_ok(m, X2(R_TPR), 0x7f, "TPR 0x7f");
    static const uint8_t from_cr8[] = { 0x44, 0x0f, 0x20, 0xc0 };  /* mov rax, cr8 */
    t_load_code(m, from_cr8, sizeof from_cr8);
    ck_assert(a_step(m, "mov rax, cr8") < 0);
    T_EXPECT_REG(m, EMU_X86_RAX, 7, "CR8 reads TPR[7:4]");
    emu_close(m);
}
END_TEST

/* Every index, both modes, all-ones and zero: each access completes or is #GP(0), nothing else.
 * The ICR is left out: all ones there is an INIT IPI to everyone, a documented stop. */
START_TEST(every_index_is_handled)
{
    for (unsigned mode = 0; mode < 2; mode++) {
        emu_machine *m = a_bare(NULL);
        if (mode)
            a_wrmsr_ok(m, MSR_APIC_BASE, APIC_BASE_X2APIC, "x2APIC");
        for (unsigned reg = 0; reg < 0x40; reg++) {
            if (reg == R_ICR)
                continue;
            for (unsigned k = 0; k < 2; k++) {
                uint32_t v = k ? 0xffffffffu : 0;
                if (mode) {
                    uint64_t got;
                    int w = a_wrmsr(m, X2(reg), v), r = a_rdmsr(m, X2(reg), &got);
                    ck_assert_msg((w < 0 || w == V_GP) && (r < 0 || r == V_GP),
                                  "x2APIC reg 0x%x: vectors %d/%d", reg, w, r);
                } else {
                    a_mmio_write(m, XA(reg), v);
                    (void)a_mmio_read(m, XA(reg));
                }
            }
        }
        emu_close(m);
    }
}
END_TEST

int main(void)
{
    Suite *s = suite_create("lapic_regs");
    TCase *tc = tcase_create("regs");
    tcase_add_test(tc, x2apic_reset_values);
    tcase_add_test(tc, x2apic_gp_rules);
    tcase_add_test(tc, x2apic_msrs_gp_outside_x2apic_mode);
    tcase_add_test(tc, xapic_reset_values_and_writes);
    tcase_add_test(tc, xapic_illegal_register_sets_esr);
    tcase_add_test(tc, xapic_page_follows_apic_base);
    tcase_add_test(tc, xapic_unaligned_access_stops);
    tcase_add_test(tc, cr8_aliases_tpr);
    tcase_add_test(tc, every_index_is_handled);
    suite_add_tcase(s, tc);
    return t_run_suite(s);
}
