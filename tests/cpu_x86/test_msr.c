/*
 * RDMSR/WRMSR over the modelled table (docs/msrs.md): each MSR's value,
 * reserved bits and canonical checks, model-dependent MSRs, unknown MSRs
 * and CPL 3 raising #GP(0), SWAPGS, RDTSC/RDTSCP against IA32_TSC/TSC_AUX.
 */
#include "sys_test.h"

#define MSR_TSC 0x10u
#define MSR_APIC_BASE 0x1bu
#define MSR_TSC_ADJUST 0x3bu
#define MSR_SPEC_CTRL 0x48u
#define MSR_MTRRCAP 0xfeu
#define MSR_SYSENTER_CS 0x174u
#define MSR_SYSENTER_ESP 0x175u
#define MSR_SYSENTER_EIP 0x176u
#define MSR_MISC_ENABLE 0x1a0u
#define MSR_PAT 0x277u
#define MSR_MTRR_DEF_TYPE 0x2ffu
#define MSR_EFER 0xc0000080u
#define MSR_STAR 0xc0000081u
#define MSR_LSTAR 0xc0000082u
#define MSR_CSTAR 0xc0000083u
#define MSR_FMASK 0xc0000084u
#define MSR_FS_BASE 0xc0000100u
#define MSR_GS_BASE 0xc0000101u
#define MSR_KERNEL_GS_BASE 0xc0000102u
#define MSR_TSC_AUX 0xc0000103u

static const uint8_t rdmsr[] = { 0x0f, 0x32 };
static const uint8_t wrmsr[] = { 0x0f, 0x30 };

static uint64_t msr_read(emu_machine *m, uint32_t index, const char *what)
{
    t_load_code(m, rdmsr, sizeof rdmsr);
    t_set_reg(m, EMU_X86_RCX, index);
    st_ok(m, what);
    return (t_reg(m, EMU_X86_RDX) << 32) | (t_reg(m, EMU_X86_RAX) & 0xffffffffull);
}

static void msr_setup_write(emu_machine *m, uint32_t index, uint64_t v)
{
    t_load_code(m, wrmsr, sizeof wrmsr);
    t_set_reg(m, EMU_X86_RCX, index);
    t_set_reg(m, EMU_X86_RAX, v & 0xffffffffull);
    t_set_reg(m, EMU_X86_RDX, v >> 32);
}

static void msr_write(emu_machine *m, uint32_t index, uint64_t v, const char *what)
{
    msr_setup_write(m, index, v);
    st_ok(m, what);
}

static void msr_write_gp(emu_machine *m, uint32_t index, uint64_t v, const char *what)
{
    msr_setup_write(m, index, v);
    st_fault(m, V_GP, 0, what);
}

static void expect_msr(emu_machine *m, uint32_t index, uint64_t want, const char *what)
{
    uint64_t got = msr_read(m, index, what);
    ck_assert_msg(got == want, "%s: MSR 0x%x want 0x%llx got 0x%llx", what, index,
                  (unsigned long long)want, (unsigned long long)got);
}

static emu_machine *machine(const char *cpu)
{
    return st_machine(EMU_X86_START_LONG64, cpu);
}

START_TEST(efer)
{
    emu_machine *m = machine(NULL);
    expect_msr(m, MSR_EFER, 0x500, "EFER at the 64-bit entry state");
    msr_write(m, MSR_EFER, 0xd01, "EFER |= NXE | SCE");
    expect_msr(m, MSR_EFER, 0xd01, "EFER read back");
    msr_write_gp(m, MSR_EFER, 0xd03, "EFER reserved bit 1");
    msr_write_gp(m, MSR_EFER, 0x401, "EFER clearing LME while paging is on");
    msr_write(m, MSR_EFER, 0x101, "EFER write without LMA keeps LMA (read-only)");
    expect_msr(m, MSR_EFER, 0x501, "EFER.LMA unchanged by WRMSR");
    emu_close(m);

    m = machine("qemu64,-nx");
    msr_write_gp(m, MSR_EFER, 0xd00, "EFER.NXE on a model without nx");
    emu_close(m);
}
END_TEST

START_TEST(segment_bases_and_swapgs)
{
    emu_machine *m = machine(NULL);
    msr_write(m, MSR_FS_BASE, 0x12345678abcull, "FS_BASE");
    T_EXPECT_REG(m, EMU_X86_FS_BASE, 0x12345678abcull, "FS base after WRMSR");
    msr_write_gp(m, MSR_FS_BASE, 0x0000800000000000ull, "non-canonical FS_BASE");
    msr_write(m, MSR_GS_BASE, 0x1000, "GS_BASE");
    msr_write(m, MSR_KERNEL_GS_BASE, 0xffff800000002000ull, "KERNEL_GS_BASE");
    msr_write_gp(m, MSR_KERNEL_GS_BASE, 0x8000000000000000ull, "non-canonical KERNEL_GS_BASE");
    expect_msr(m, MSR_GS_BASE, 0x1000, "GS_BASE read back");

    static const uint8_t swapgs[] = { 0x0f, 0x01, 0xf8 };
    t_load_code(m, swapgs, sizeof swapgs);
    st_ok(m, "SWAPGS");
    T_EXPECT_REG(m, EMU_X86_GS_BASE, 0xffff800000002000ull, "GS base after SWAPGS");
    T_EXPECT_REG(m, EMU_X86_KERNEL_GS_BASE, 0x1000, "KERNEL_GS_BASE after SWAPGS");
    t_load_code(m, swapgs, sizeof swapgs);
    st_enter_ring3(m);
    st_fault(m, V_GP, 0, "SWAPGS at CPL3");
    emu_close(m);
}
END_TEST

START_TEST(syscall_and_sysenter)
{
    emu_machine *m = machine(NULL);
    msr_write(m, MSR_STAR, 0x0023001000000000ull, "STAR");
    expect_msr(m, MSR_STAR, 0x0023001000000000ull, "STAR read back");
    msr_write(m, MSR_LSTAR, 0xffffffff81000000ull, "LSTAR");
    expect_msr(m, MSR_LSTAR, 0xffffffff81000000ull, "LSTAR read back");
    msr_write_gp(m, MSR_LSTAR, 0x0000800000000000ull, "non-canonical LSTAR");
    msr_write(m, MSR_CSTAR, 0x401000, "CSTAR");
    expect_msr(m, MSR_CSTAR, 0x401000, "CSTAR read back");
    msr_write(m, MSR_FMASK, 0x47700, "FMASK");
    expect_msr(m, MSR_FMASK, 0x47700, "FMASK read back");
    msr_write_gp(m, MSR_FMASK, 1ull << 32, "FMASK bit 32 (reserved)");
    msr_write(m, MSR_SYSENTER_CS, 0x10, "SYSENTER_CS");
    msr_write(m, MSR_SYSENTER_ESP, 0x9000, "SYSENTER_ESP");
    msr_write(m, MSR_SYSENTER_EIP, 0x401000, "SYSENTER_EIP");
    expect_msr(m, MSR_SYSENTER_CS, 0x10, "SYSENTER_CS read back");
    expect_msr(m, MSR_SYSENTER_ESP, 0x9000, "SYSENTER_ESP read back");
    expect_msr(m, MSR_SYSENTER_EIP, 0x401000, "SYSENTER_EIP read back");
    emu_close(m);
}
END_TEST

START_TEST(tsc_and_tsc_aux)
{
    emu_machine *m = machine(NULL);
    const uint64_t base = 1ull << 40;
    msr_write(m, MSR_TSC, base, "IA32_TSC");
    static const uint8_t rdtsc[] = { 0x0f, 0x31 };
    t_load_code(m, rdtsc, sizeof rdtsc);
    st_ok(m, "RDTSC after writing IA32_TSC");
    uint64_t tsc = (t_reg(m, EMU_X86_RDX) << 32) | t_reg(m, EMU_X86_RAX);
    ck_assert_msg(tsc >= base && tsc < base + 1000, "TSC after WRMSR: want about 2^40, got 0x%llx",
                  (unsigned long long)tsc);
    uint64_t adjust = msr_read(m, MSR_TSC_ADJUST, "IA32_TSC_ADJUST");
    ck_assert_msg(adjust > base - emu_cycle_count(m) - 1 && adjust <= base,
                  "TSC_ADJUST follows the TSC write: got 0x%llx", (unsigned long long)adjust);

    msr_write(m, MSR_TSC_AUX, 7, "TSC_AUX");
    msr_write_gp(m, MSR_TSC_AUX, 1ull << 32, "TSC_AUX bit 32 (reserved)");
    static const uint8_t rdtscp[] = { 0x0f, 0x01, 0xf9 };
    t_load_code(m, rdtscp, sizeof rdtscp);
    st_ok(m, "RDTSCP");
    T_EXPECT_REG(m, EMU_X86_RCX, 7, "RDTSCP returns TSC_AUX in ECX");
    emu_close(m);
}
END_TEST

START_TEST(pat_apic_mtrr_misc)
{
    emu_machine *m = machine(NULL);
    expect_msr(m, MSR_PAT, 0x0007040600070406ull, "PAT power-on value");
    msr_write(m, MSR_PAT, 0x0007010600070406ull, "PAT with WC in PA5");
    expect_msr(m, MSR_PAT, 0x0007010600070406ull, "PAT read back");
    msr_write_gp(m, MSR_PAT, 0x0007040600070402ull, "PAT entry of type 2 (reserved)");
    expect_msr(m, MSR_APIC_BASE, 0xfee00900ull, "APIC_BASE power-on value");
    msr_write_gp(m, MSR_APIC_BASE, 0xfee00901ull, "APIC_BASE reserved bit 0");
    msr_write(m, MSR_APIC_BASE, 0xfee00100ull, "APIC_BASE: disable the APIC");
    expect_msr(m, MSR_APIC_BASE, 0xfee00100ull, "APIC_BASE read back");
    expect_msr(m, MSR_MTRRCAP, 0x508, "MTRRCAP: 8 variable ranges, fixed, WC");
    msr_write(m, MSR_MTRR_DEF_TYPE, 0xc06, "MTRR_DEF_TYPE: enabled, WB");
    expect_msr(m, MSR_MTRR_DEF_TYPE, 0xc06, "MTRR_DEF_TYPE read back");
    msr_write_gp(m, MSR_MTRR_DEF_TYPE, 0x1000, "MTRR_DEF_TYPE bit 12 (reserved)");
    expect_msr(m, MSR_MISC_ENABLE, 0x1801, "MISC_ENABLE power-on value");
    expect_msr(m, MSR_SPEC_CTRL, 0, "SPEC_CTRL on max");
    emu_close(m);

    m = machine("qemu64");
    t_load_code(m, rdmsr, sizeof rdmsr);
    t_set_reg(m, EMU_X86_RCX, MSR_SPEC_CTRL);
    st_fault(m, V_GP, 0, "SPEC_CTRL on qemu64 (no spec-ctrl)");
    emu_close(m);
}
END_TEST

START_TEST(unknown_msr_and_cpl3)
{
    emu_machine *m = machine(NULL);
    t_load_code(m, rdmsr, sizeof rdmsr);
    t_set_reg(m, EMU_X86_RCX, 0x12345);
    st_fault(m, V_GP, 0, "RDMSR of an unknown MSR");
    msr_write_gp(m, 0x12345, 0, "WRMSR of an unknown MSR");
    msr_write_gp(m, MSR_MTRRCAP, 0, "WRMSR of read-only MTRRCAP");

    t_load_code(m, rdmsr, sizeof rdmsr);
    t_set_reg(m, EMU_X86_RCX, MSR_EFER);
    st_enter_ring3(m);
    st_fault(m, V_GP, 0, "RDMSR at CPL3");
    emu_close(m);
}
END_TEST

static Suite *msr_suite(void)
{
    Suite *s = suite_create("msr");
    TCase *tc = tcase_create("x86");
    tcase_add_test(tc, efer);
    tcase_add_test(tc, segment_bases_and_swapgs);
    tcase_add_test(tc, syscall_and_sysenter);
    tcase_add_test(tc, tsc_and_tsc_aux);
    tcase_add_test(tc, pat_apic_mtrr_misc);
    tcase_add_test(tc, unknown_msr_and_cpl3);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return t_run_suite(msr_suite());
}
