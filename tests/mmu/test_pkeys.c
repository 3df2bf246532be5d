/*
 * Protection keys (SDM vol. 3, 4.6.2; PKRU 2.7; IA32_PKRS): CR4.PKE/PKS and
 * the CPU model's pku/pks, RDPKRU/WRPKRU and their faults, ADi and WDi for
 * user pages (PKRU) and supervisor pages (IA32_PKRS), CR0.WP, instruction
 * fetches left unchecked, the #PF error code's PK flag (4.7), CPUID's OSPKE,
 * and a rights change that must reach an access the TLB already cached.
 */
#include <stdio.h>
#include <string.h>

#include "../cpu_x86/sys_test.h"

/* Physical layout of the test's paging structures (as test_paging.c). */
#define PML4   0x400000ull
#define PDPT   0x401000ull
#define PD     0x402000ull
#define PT0    0x403000ull      /* identity 0 - 2 MiB, 4 KiB pages: code, GDT */
#define PT1    0x404000ull      /* VA 0x600000 - 0x7fffff */
#define USER_VA 0x600000ull     /* user page, key 1 */
#define SUP_VA  0x601000ull     /* supervisor page, key 2 */
#define RO_VA   0x602000ull     /* read-only user page, key 1 */

#define P  1ull
#define RW 2ull
#define US 4ull
#define PS 0x80ull
#define PKEY(k) ((uint64_t)(k) << 59)

#define CR0_WP   (1ull << 16)
#define CR4_PKE  (1ull << 22)
#define CR4_PKS  (1ull << 24)
#define PF_PK    0x20
#define AD(k)    (1u << (2 * (k)))
#define WD(k)    (2u << (2 * (k)))
#define MSR_PKRS 0x6e1u
#define OSPKE    (1u << 4)
#define SCRATCH  (T_CODE_ADDR + 0x800)   /* helper instructions run here */
#define SEL_KCODE 0x08
#define SEL_KDATA 0x10

static const uint8_t WRPKRU[] = { 0x0f, 0x01, 0xef };
static const uint8_t RDPKRU[] = { 0x0f, 0x01, 0xee };
static const uint8_t WRMSR[] = { 0x0f, 0x30 };
static const uint8_t RDMSR[] = { 0x0f, 0x32 };
static const uint8_t MOV_CR4_RAX[] = { 0x0f, 0x22, 0xe0 };
static const uint8_t CPUID[] = { 0x0f, 0xa2 };

static void pte_set(emu_machine *m, uint64_t table, unsigned index, uint64_t v)
{
    st_poke(m, table + index * 8ull, v, 8);
}

/* 4-level paging: low memory identity-mapped (key 0) and the three pages above. */
static emu_machine *pk_machine(const char *cpu)
{
    emu_machine *m = st_machine(EMU_X86_START_LONG64, cpu);
    static uint8_t zero[0x5000];
    ck_assert(emu_mem_write_phys(m, PML4, zero, sizeof zero) == EMU_OK);
    pte_set(m, PML4, 0, PDPT | P | RW | US);
    pte_set(m, PDPT, 0, PD | P | RW | US);
    pte_set(m, PD, 0, PT0 | P | RW | US);
    pte_set(m, PD, 1, 0x200000 | P | RW | US | PS);
    pte_set(m, PD, 2, 0x400000 | P | RW | PS);
    pte_set(m, PD, 3, PT1 | P | RW | US);
    for (unsigned i = 0; i < 512; i++)
        pte_set(m, PT0, i, i * 0x1000ull | P | RW | US);
    pte_set(m, PT1, 0, 0x500000 | P | RW | US | PKEY(1));
    pte_set(m, PT1, 1, 0x501000 | P | RW | PKEY(2));
    pte_set(m, PT1, 2, 0x502000 | P | US | PKEY(1));
    t_set_reg(m, EMU_X86_CR3, PML4);
    return m;
}

static void set_cr4(emu_machine *m, uint64_t set, uint64_t clear)
{
    t_set_reg(m, EMU_X86_CR4, (t_reg(m, EMU_X86_CR4) | set) & ~clear);
}

/* Run one instruction at SCRATCH that must complete; RIP is left as it was. */
static void run_helper(emu_machine *m, const uint8_t *code, size_t len, const char *what)
{
    uint64_t rip = t_reg(m, EMU_X86_RIP);
    ck_assert(emu_mem_write_phys(m, SCRATCH, code, len) == EMU_OK);
    t_set_reg(m, EMU_X86_RIP, SCRATCH);
    st_ok(m, what);
    t_set_reg(m, EMU_X86_RIP, rip);
}

/* One instruction at T_CODE_ADDR that must raise vector (with error code), or complete if vector < 0. */
static void expect(emu_machine *m, const uint8_t *code, size_t len, int vector, uint32_t err,
                   const char *what)
{
    ck_assert(emu_mem_write_phys(m, T_CODE_ADDR, code, len) == EMU_OK);
    t_set_reg(m, EMU_X86_RIP, T_CODE_ADDR);
    if (vector < 0)
        st_ok(m, what);
    else
        st_fault(m, vector, err, what);
}

static void wrpkru(emu_machine *m, uint32_t v)
{
    t_set_reg(m, EMU_X86_RAX, v);
    t_set_reg(m, EMU_X86_RCX, 0);
    t_set_reg(m, EMU_X86_RDX, 0);
    run_helper(m, WRPKRU, sizeof WRPKRU, "WRPKRU");
}

static void wrpkrs(emu_machine *m, uint32_t v)
{
    t_set_reg(m, EMU_X86_RAX, v);
    t_set_reg(m, EMU_X86_RCX, MSR_PKRS);
    t_set_reg(m, EMU_X86_RDX, 0);
    run_helper(m, WRMSR, sizeof WRMSR, "WRMSR IA32_PKRS");
}

static void ring3(emu_machine *m)
{
    st_enter_ring3(m);
}

static void ring0(emu_machine *m)
{
    t_set_reg(m, EMU_X86_CS, SEL_KCODE);
    t_set_reg(m, EMU_X86_SS, SEL_KDATA);
    T_EXPECT_REG(m, EMU_X86_CPL, 0, "back to ring 0");
}

/* mov al, [va] or mov [va], al (absolute 32-bit address) */
static void access_va(emu_machine *m, bool write, uint64_t va, int err, const char *what)
{
    uint8_t code[7] = { write ? 0x88 : 0x8a, 0x04, 0x25, (uint8_t)va, (uint8_t)(va >> 8),
                        (uint8_t)(va >> 16), (uint8_t)(va >> 24) };
    expect(m, code, sizeof code, err < 0 ? -1 : V_PF, err < 0 ? 0 : (uint32_t)err, what);
}

static uint32_t cpuid7_ecx(emu_machine *m)
{
    t_set_reg(m, EMU_X86_RAX, 7);
    t_set_reg(m, EMU_X86_RCX, 0);
    run_helper(m, CPUID, sizeof CPUID, "CPUID.7.0");
    return (uint32_t)t_reg(m, EMU_X86_RCX);
}

/* MOV CR4 setting PKE or PKS: allowed only where the model has pku / pks. */
static void mov_cr4(emu_machine *m, uint64_t bits, bool allowed, const char *what)
{
    t_set_reg(m, EMU_X86_RAX, t_reg(m, EMU_X86_CR4) | bits);
    expect(m, MOV_CR4_RAX, sizeof MOV_CR4_RAX, allowed ? -1 : V_GP, 0, what);
}

START_TEST(cr4_bits_need_the_feature)
{
    static const struct {
        const char *cpu;
        bool pku, pks;
    } cases[] = {
        { "qemu64", false, false },
        { "Skylake-Client", false, false },
        { "EPYC", false, false },
        { "max", true, true },
        { "max,-pku", false, true },
        { "qemu64,+pku", true, false },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char what[96];
        emu_machine *m = pk_machine(cases[i].cpu);
        uint32_t ecx = cpuid7_ecx(m);
        ck_assert_msg(((ecx >> 3) & 1) == cases[i].pku && (ecx >> 31) == cases[i].pks,
                      "%s: CPUID.7.0:ECX 0x%x disagrees with the model's pku/pks", cases[i].cpu, ecx);
        ck_assert_msg(!(ecx & OSPKE), "%s: OSPKE set while CR4.PKE = 0", cases[i].cpu);
        snprintf(what, sizeof what, "%s: MOV CR4 setting PKE", cases[i].cpu);
        mov_cr4(m, CR4_PKE, cases[i].pku, what);
        snprintf(what, sizeof what, "%s: MOV CR4 setting PKS", cases[i].cpu);
        mov_cr4(m, CR4_PKS, cases[i].pks, what);
        if (cases[i].pku) {
            ck_assert_msg(t_reg(m, EMU_X86_CR4) & CR4_PKE, "%s: CR4.PKE did not stick", cases[i].cpu);
            ck_assert_msg(cpuid7_ecx(m) & OSPKE, "%s: OSPKE must mirror CR4.PKE = 1", cases[i].cpu);
        }
        emu_close(m);
    }
}
END_TEST

START_TEST(rdpkru_wrpkru)
{
    emu_machine *m = pk_machine("max");
    t_set_reg(m, EMU_X86_RCX, 0);
    t_set_reg(m, EMU_X86_RDX, 0);
    expect(m, RDPKRU, sizeof RDPKRU, V_UD, 0, "RDPKRU with CR4.PKE = 0");
    expect(m, WRPKRU, sizeof WRPKRU, V_UD, 0, "WRPKRU with CR4.PKE = 0");
    set_cr4(m, CR4_PKE, 0);
    t_set_reg(m, EMU_X86_RAX, 0x0c);
    t_set_reg(m, EMU_X86_RCX, 1);
    expect(m, WRPKRU, sizeof WRPKRU, V_GP, 0, "WRPKRU with ECX = 1");
    t_set_reg(m, EMU_X86_RCX, 0);
    t_set_reg(m, EMU_X86_RDX, 1);
    expect(m, WRPKRU, sizeof WRPKRU, V_GP, 0, "WRPKRU with EDX = 1");
    /* The upper halves of RCX and RDX are ignored. */
    t_set_reg(m, EMU_X86_RCX, 1ull << 32);
    t_set_reg(m, EMU_X86_RDX, 1ull << 32);
    t_set_reg(m, EMU_X86_RAX, 0xffffffff0000000cull);
    expect(m, WRPKRU, sizeof WRPKRU, -1, 0, "WRPKRU with ECX = EDX = 0");
    t_set_reg(m, EMU_X86_RCX, 2);
    expect(m, RDPKRU, sizeof RDPKRU, V_GP, 0, "RDPKRU with ECX = 2");
    /* Not privileged: CPL 3 reads it back, EAX zero-extended and EDX cleared. */
    ring3(m);
    t_set_reg(m, EMU_X86_RCX, 0);
    t_set_reg(m, EMU_X86_RAX, ~0ull);
    t_set_reg(m, EMU_X86_RDX, ~0ull);
    expect(m, RDPKRU, sizeof RDPKRU, -1, 0, "RDPKRU at CPL 3");
    T_EXPECT_REG(m, EMU_X86_RAX, 0x0c, "RDPKRU returns what WRPKRU wrote");
    T_EXPECT_REG(m, EMU_X86_RDX, 0, "RDPKRU clears RDX");
    emu_close(m);
}
END_TEST

START_TEST(user_keys_access_and_write_disable)
{
    emu_machine *m = pk_machine("max");
    set_cr4(m, CR4_PKE, 0);
    wrpkru(m, AD(1));
    ring3(m);
    access_va(m, false, USER_VA, P | PF_U | PF_PK, "AD1: CPL 3 read");
    access_va(m, true, USER_VA, P | PF_W | PF_U | PF_PK, "AD1: CPL 3 write");
    ring0(m);
    access_va(m, false, USER_VA, P | PF_PK, "AD1: supervisor read of a user page");
    access_va(m, false, SUP_VA, -1, "AD1: a supervisor page is not under PKRU");

    wrpkru(m, WD(1));
    ring3(m);
    access_va(m, false, USER_VA, -1, "WD1: CPL 3 read");
    access_va(m, true, USER_VA, P | PF_W | PF_U | PF_PK, "WD1: CPL 3 write");
    access_va(m, true, RO_VA, P | PF_W | PF_U | PF_PK, "WD1: CPL 3 write to a read-only page reports PK too");
    ring0(m);
    access_va(m, true, USER_VA, P | PF_W | PF_PK, "WD1: supervisor write with CR0.WP = 1");
    t_set_reg(m, EMU_X86_CR0, t_reg(m, EMU_X86_CR0) & ~CR0_WP);
    access_va(m, true, USER_VA, -1, "WD1: supervisor write with CR0.WP = 0");
    t_set_reg(m, EMU_X86_CR0, t_reg(m, EMU_X86_CR0) | CR0_WP);

    /* Another key's bits do not touch key 1; without a key violation there is no PK. */
    wrpkru(m, ~(AD(1) | WD(1)));
    ring3(m);
    access_va(m, true, USER_VA, -1, "only key 1's bits count for a key-1 page");
    access_va(m, true, RO_VA, P | PF_W | PF_U, "read-only page, key allows: no PK");
    ring0(m);

    /* CR4.PKE = 0: the key bits of the entries are ignored. */
    wrpkru(m, AD(1));
    set_cr4(m, 0, CR4_PKE);
    ring3(m);
    access_va(m, false, USER_VA, -1, "AD1 with CR4.PKE = 0");
    emu_close(m);
}
END_TEST

START_TEST(supervisor_keys)
{
    emu_machine *m = pk_machine("max");
    wrpkrs(m, AD(2));
    access_va(m, false, SUP_VA, -1, "PKRS.AD2 with CR4.PKS = 0");
    set_cr4(m, CR4_PKS, 0);
    access_va(m, false, SUP_VA, P | PF_PK, "PKRS.AD2: supervisor read");
    access_va(m, false, USER_VA, -1, "PKRS.AD2: a user page is not under IA32_PKRS");
    wrpkrs(m, WD(2));
    access_va(m, false, SUP_VA, -1, "PKRS.WD2: supervisor read");
    access_va(m, true, SUP_VA, P | PF_W | PF_PK, "PKRS.WD2: supervisor write, CR0.WP = 1");
    t_set_reg(m, EMU_X86_CR0, t_reg(m, EMU_X86_CR0) & ~CR0_WP);
    access_va(m, true, SUP_VA, -1, "PKRS.WD2: supervisor write, CR0.WP = 0");
    /* PKRU governs user pages only. */
    wrpkrs(m, 0);
    set_cr4(m, CR4_PKE, 0);
    wrpkru(m, ~0u);
    access_va(m, true, SUP_VA, -1, "PKRU all denied: the supervisor page follows IA32_PKRS");
    emu_close(m);
}
END_TEST

START_TEST(fetches_are_not_key_checked)
{
    emu_machine *m = pk_machine("max");
    pte_set(m, PT0, (unsigned)(T_CODE_ADDR >> 12), T_CODE_ADDR | P | RW | US | PKEY(3));
    set_cr4(m, CR4_PKE, 0);
    wrpkru(m, AD(3) | WD(3));
    ring3(m);
    static const uint8_t nop[] = { 0x90 };
    expect(m, nop, sizeof nop, -1, 0, "CPL 3 fetch from a key-3 page with AD3");
    /* mov al, [T_CODE_ADDR]: a data read of the same page is checked. */
    static const uint8_t read_code[] = { 0x8a, 0x04, 0x25, 0x00, 0x00, 0x10, 0x00 };
    expect(m, read_code, sizeof read_code, V_PF, P | PF_U | PF_PK, "CPL 3 data read of the key-3 code page");
    emu_close(m);
}
END_TEST

START_TEST(new_rights_reach_cached_translations)
{
    emu_machine *m = pk_machine("max");
    set_cr4(m, CR4_PKE | CR4_PKS, 0);
    ring3(m);
    access_va(m, false, USER_VA, -1, "read before WRPKRU (fills the TLB)");
    access_va(m, true, USER_VA, -1, "write before WRPKRU (fills the TLB)");
    wrpkru(m, WD(1));
    access_va(m, false, USER_VA, -1, "read after WRPKRU WD1");
    access_va(m, true, USER_VA, P | PF_W | PF_U | PF_PK, "write after WRPKRU WD1");
    wrpkru(m, AD(1));
    access_va(m, false, USER_VA, P | PF_U | PF_PK, "read after WRPKRU AD1");
    wrpkru(m, 0);
    access_va(m, true, USER_VA, -1, "write after WRPKRU 0");
    ring0(m);
    access_va(m, true, SUP_VA, -1, "supervisor write before WRMSR IA32_PKRS");
    wrpkrs(m, AD(2));
    access_va(m, false, SUP_VA, P | PF_PK, "supervisor read after WRMSR IA32_PKRS AD2");
    emu_close(m);
}
END_TEST

START_TEST(pkrs_msr)
{
    emu_machine *m = pk_machine("max");
    t_set_reg(m, EMU_X86_RCX, MSR_PKRS);
    t_set_reg(m, EMU_X86_RAX, 0x30);
    t_set_reg(m, EMU_X86_RDX, 1);
    expect(m, WRMSR, sizeof WRMSR, V_GP, 0, "WRMSR IA32_PKRS with bit 32 set");
    t_set_reg(m, EMU_X86_RDX, 0);
    expect(m, WRMSR, sizeof WRMSR, -1, 0, "WRMSR IA32_PKRS");
    t_set_reg(m, EMU_X86_RAX, 0);
    expect(m, RDMSR, sizeof RDMSR, -1, 0, "RDMSR IA32_PKRS");
    T_EXPECT_REG(m, EMU_X86_RAX, 0x30, "IA32_PKRS reads back");
    emu_close(m);

    m = pk_machine("max,-pks");
    t_set_reg(m, EMU_X86_RCX, MSR_PKRS);
    expect(m, RDMSR, sizeof RDMSR, V_GP, 0, "RDMSR IA32_PKRS without pks");
    emu_close(m);
}
END_TEST

static Suite *pkeys_suite(void)
{
    Suite *s = suite_create("protection-keys");
    TCase *tc = tcase_create("pkeys");
    tcase_add_test(tc, cr4_bits_need_the_feature);
    tcase_add_test(tc, rdpkru_wrpkru);
    tcase_add_test(tc, user_keys_access_and_write_disable);
    tcase_add_test(tc, supervisor_keys);
    tcase_add_test(tc, fetches_are_not_key_checked);
    tcase_add_test(tc, new_rights_reach_cached_translations);
    tcase_add_test(tc, pkrs_msr);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return t_run_suite(pkeys_suite());
}
