/*
 * The AArch64 stage-1 MMU (Arm ARM D8): 4 KiB-granule walks from TTBR0 and
 * TTBR1, blocks and pages, each fault with its level in the FSC, AP/UXN/PXN,
 * the access flag, MMU off, ASIDs and TLB invalidation by TLBI.
 */
#include <check.h>
#include <string.h>

#include "emu_test.h"
#include "cpu/arm64/a64.h"
#include "mmu/arm64_mmu.h"

#define PT_BASE 0x40000000ull       /* tables in "physical memory" below */
#define MEM_SIZE 0x100000ull
static uint64_t mem[MEM_SIZE / 8];

static int read_pte(void *ctx, uint64_t pa, uint64_t *value)
{
    (void)ctx;
    if (pa < PT_BASE || pa + 8 > PT_BASE + MEM_SIZE)
        return -1;
    *value = mem[(pa - PT_BASE) / 8];
    return 0;
}

static void put(uint64_t pa, uint64_t value)
{
    mem[(pa - PT_BASE) / 8] = value;
}

/* Descriptor bits. */
#define VALID 1ull
#define TABLE 2ull
#define PAGE 3ull
#define BLOCK 1ull
#define AF (1ull << 10)
#define NG (1ull << 11)
#define AP_EL0 (1ull << 6)
#define AP_RO (1ull << 7)
#define PXN (1ull << 53)
#define UXN (1ull << 54)
#define ATTR(i) ((uint64_t)(i) << 2)

#define L0 (PT_BASE + 0x0000)
#define L1 (PT_BASE + 0x1000)
#define L2 (PT_BASE + 0x2000)
#define L3 (PT_BASE + 0x3000)
#define L0_HI (PT_BASE + 0x4000)
#define L1_HI (PT_BASE + 0x5000)

/* TCR: T0SZ = T1SZ = 16 (48-bit), TG0 4K, TG1 4K (0b10), IPS 40-bit, AS (16-bit ASIDs). */
#define TCR_48 (16ull | 16ull << 16 | 2ull << 30 | 2ull << 32 | 1ull << 36)

static a64_cpu cpu;
static a64_mmu mmu;

/* VA 0x0000_0000_4020_0000 .. : L0[0] -> L1[1] -> L2[1] -> L3, with page 0 and a 2 MiB block at L2[2]. */
static void setup(void)
{
    memset(mem, 0, sizeof mem);
    a64_cpu_init(&cpu, NULL);
    a64_mmu_init(&mmu, read_pte, NULL);
    put(L0 + 8 * 0, L1 | TABLE | VALID);
    put(L1 + 8 * 1, L2 | TABLE | VALID);
    put(L2 + 8 * 1, L3 | TABLE | VALID);
    put(L3 + 8 * 0, 0x40080000 | AF | ATTR(0) | PAGE);                 /* EL1 RW only */
    put(L3 + 8 * 1, 0x40081000 | AF | AP_EL0 | ATTR(0) | PAGE);        /* EL0 and EL1 RW */
    put(L3 + 8 * 2, 0x40082000 | AP_EL0 | ATTR(0) | PAGE);             /* AF clear */
    put(L3 + 8 * 3, 0x40083000 | AF | AP_EL0 | AP_RO | PXN | ATTR(0) | PAGE); /* RO both, PXN */
    put(L3 + 8 * 4, 0x40084000 | AF | AP_EL0 | AP_RO | UXN | NG | ATTR(1) | PAGE); /* device, nG */
    put(L2 + 8 * 2, 0x40400000 | AF | ATTR(0) | BLOCK);                /* 2 MiB block */
    put(L0_HI + 8 * 511, L1_HI | TABLE | VALID);
    put(L1_HI + 8 * 511, 0x40000000 | AF | ATTR(0) | BLOCK);           /* 1 GiB block, top of TTBR1 */
    cpu.sys.tcr_el1 = TCR_48;
    cpu.sys.ttbr0_el1 = L0 | 5ull << 48;                                /* ASID 5 */
    cpu.sys.ttbr1_el1 = L0_HI;
    cpu.sys.mair_el1 = 0xff | 0x00ull << 8;                             /* attr 0 normal, attr 1 device */
    cpu.sys.sctlr_el1 |= 1;                                             /* M */
}

static a64_mem_status xlate(uint64_t va, a64_acc_kind kind, unsigned el, uint64_t *pa, bool *device,
                            a64_mem_fault *fault)
{
    a64_access acc = { .va = va, .size = 4, .kind = kind, .el = el };
    memset(fault, 0, sizeof *fault);
    return a64_mmu_translate(&mmu, &cpu, &acc, pa, device, fault);
}

static void expect_ok(uint64_t va, a64_acc_kind kind, unsigned el, uint64_t want_pa, const char *what)
{
    uint64_t pa = 0;
    bool device = false;
    a64_mem_fault fault;
    a64_mem_status st = xlate(va, kind, el, &pa, &device, &fault);
    ck_assert_msg(st == A64_MEM_OK, "%s: fault FSC 0x%x", what, fault.fsc);
    ck_assert_msg(pa == want_pa, "%s: PA 0x%llx, want 0x%llx", what, (unsigned long long)pa,
                  (unsigned long long)want_pa);
}

static void expect_fault(uint64_t va, a64_acc_kind kind, unsigned el, unsigned want_fsc, const char *what)
{
    uint64_t pa = 0;
    bool device = false;
    a64_mem_fault fault;
    a64_mem_status st = xlate(va, kind, el, &pa, &device, &fault);
    ck_assert_msg(st == A64_MEM_FAULT, "%s: want FSC 0x%x, translated to 0x%llx", what, want_fsc,
                  (unsigned long long)pa);
    ck_assert_msg(fault.fsc == want_fsc, "%s: FSC 0x%x, want 0x%x", what, fault.fsc, want_fsc);
    ck_assert_msg(fault.far_valid && fault.far == va, "%s: FAR 0x%llx", what, (unsigned long long)fault.far);
}

START_TEST(pages_blocks_and_both_ranges_translate)
{
    setup();
    expect_ok(0x40200010, A64_ACC_READ, 1, 0x40080010, "page at level 3");
    expect_ok(0x40401234, A64_ACC_READ, 1, 0x40401234, "2 MiB block at level 2");
    expect_ok(0xffffffffc0001000ull, A64_ACC_READ, 1, 0x40001000, "1 GiB block at level 1 through TTBR1");
}
END_TEST

START_TEST(faults_report_their_level)
{
    setup();
    expect_fault(0x40205000, A64_ACC_READ, 1, ESR_FSC_TRANSLATION_L0 + 3, "invalid page: translation L3");
    expect_fault(0x40600000, A64_ACC_READ, 1, ESR_FSC_TRANSLATION_L0 + 2, "invalid L2 entry: translation L2");
    expect_fault(0x80000000, A64_ACC_READ, 1, ESR_FSC_TRANSLATION_L0 + 1, "invalid L1 entry: translation L1");
    expect_fault(0x0000800000000000ull, A64_ACC_READ, 1, ESR_FSC_TRANSLATION_L0 + 0,
                 "invalid L0 entry: translation L0");
    expect_fault(0x0001000000000000ull, A64_ACC_READ, 1, ESR_FSC_TRANSLATION_L0 + 0,
                 "VA outside both ranges: translation L0");
    expect_fault(0x40202000, A64_ACC_READ, 1, ESR_FSC_ACCESS_FLAG_L0 + 3, "AF clear: access flag L3");
    put(L3 + 8 * 6, 0x50000000000ull | AF | PAGE);          /* beyond the 40-bit PA range */
    expect_fault(0x40206000, A64_ACC_READ, 1, ESR_FSC_ADDR_SIZE_L0 + 3, "OA too wide: address size L3");
    put(L2 + 8 * 3, 0x40000000 | TABLE | VALID);            /* a table at 0x40000000... */
    cpu.sys.ttbr0_el1 = (PT_BASE + MEM_SIZE) | 5ull << 48;  /* ...and a TTBR nothing backs */
    a64_mmu_flush(&mmu);
    expect_fault(0x40200000, A64_ACC_READ, 1, 0x14 + 0, "walk into nothing: external abort on walk L0");
}
END_TEST

START_TEST(permissions_ap_uxn_pxn)
{
    setup();
    expect_fault(0x40200000, A64_ACC_READ, 0, ESR_FSC_PERMISSION_L0 + 3, "EL1-only page read at EL0");
    expect_ok(0x40200000, A64_ACC_WRITE, 1, 0x40080000, "EL1-only page written at EL1");
    expect_ok(0x40201000, A64_ACC_WRITE, 0, 0x40081000, "EL0 RW page written at EL0");
    expect_fault(0x40201000, A64_ACC_FETCH, 1, ESR_FSC_PERMISSION_L0 + 3,
                 "EL1 never executes what EL0 may write");
    expect_ok(0x40201000, A64_ACC_FETCH, 0, 0x40081000, "EL0 executes its RW page (UXN clear)");
    expect_fault(0x40203000, A64_ACC_WRITE, 1, ESR_FSC_PERMISSION_L0 + 3, "read-only page written at EL1");
    expect_fault(0x40203000, A64_ACC_FETCH, 1, ESR_FSC_PERMISSION_L0 + 3, "PXN page fetched at EL1");
    expect_ok(0x40203000, A64_ACC_FETCH, 0, 0x40083000, "PXN page fetched at EL0");
    expect_fault(0x40204000, A64_ACC_FETCH, 0, ESR_FSC_PERMISSION_L0 + 3, "UXN page fetched at EL0");
    /* LDTR at EL1 is checked as EL0. */
    uint64_t pa;
    bool device;
    a64_mem_fault fault;
    a64_access acc = { .va = 0x40200000, .size = 8, .kind = A64_ACC_READ, .flags = A64_ACC_UNPRIV, .el = 1 };
    ck_assert_msg(a64_mmu_translate(&mmu, &cpu, &acc, &pa, &device, &fault) == A64_MEM_FAULT &&
                  fault.fsc == ESR_FSC_PERMISSION_L0 + 3, "LDTR at EL1 to an EL1-only page faults");
    /* WXN: writable means never executable. */
    put(L3 + 8 * 7, 0x40087000 | AF | ATTR(0) | PAGE);
    cpu.sys.sctlr_el1 |= 1ull << 19;
    expect_fault(0x40207000, A64_ACC_FETCH, 1, ESR_FSC_PERMISSION_L0 + 3, "SCTLR_EL1.WXN: writable is XN");
}
END_TEST

START_TEST(memory_types_and_mmu_off)
{
    setup();
    uint64_t pa;
    bool device = true;
    a64_mem_fault fault;
    ck_assert(xlate(0x40200000, A64_ACC_READ, 1, &pa, &device, &fault) == A64_MEM_OK && !device);
    ck_assert_msg(xlate(0x40204000, A64_ACC_READ, 1, &pa, &device, &fault) == A64_MEM_OK && device,
                  "MAIR attribute 0x00 is Device memory");
    cpu.sys.sctlr_el1 &= ~1ull;
    ck_assert_msg(xlate(0x09000000, A64_ACC_READ, 1, &pa, &device, &fault) == A64_MEM_OK && pa == 0x09000000 &&
                  device, "MMU off: flat, data accesses are Device");
    ck_assert_msg(xlate(0x40000000, A64_ACC_FETCH, 1, &pa, &device, &fault) == A64_MEM_OK && !device,
                  "MMU off: fetches are Normal");
    ck_assert_msg(xlate(1ull << 45, A64_ACC_READ, 1, &pa, &device, &fault) == A64_MEM_FAULT &&
                  fault.fsc == ESR_FSC_ADDR_SIZE_L0, "MMU off: beyond the PA range is an address size fault");
}
END_TEST

static void tlbi(const char *name, uint64_t value)
{
    a64_sys_op op = { .name = name, .value = value };
    a64_mmu_tlbi(&mmu, &cpu, &op);
}

START_TEST(tlb_holds_until_tlbi)
{
    setup();
    expect_ok(0x40200000, A64_ACC_READ, 1, 0x40080000, "first walk");
    put(L3 + 8 * 0, 0x40090000 | AF | ATTR(0) | PAGE);
    expect_ok(0x40200000, A64_ACC_READ, 1, 0x40080000, "stale until invalidated (the TLB is real)");
    tlbi("TLBI VAE1", (0x40200000ull >> 12) | 5ull << 48);
    expect_ok(0x40200000, A64_ACC_READ, 1, 0x40090000, "TLBI VAE1 drops it");

    /* A non-global entry belongs to its ASID: TLBI ASIDE1 of another ASID leaves it. */
    expect_ok(0x40204000, A64_ACC_READ, 1, 0x40084000, "nG page under ASID 5");
    put(L3 + 8 * 4, 0x40094000 | AF | AP_EL0 | NG | ATTR(1) | PAGE);
    expect_ok(0x40204000, A64_ACC_READ, 1, 0x40084000, "ASID 5's entry cached");
    tlbi("TLBI ASIDE1", 6ull << 48);
    expect_ok(0x40204000, A64_ACC_READ, 1, 0x40084000, "TLBI ASIDE1 of ASID 6 leaves ASID 5's entry");
    tlbi("TLBI ASIDE1", 5ull << 48);
    expect_ok(0x40204000, A64_ACC_READ, 1, 0x40094000, "TLBI ASIDE1 of ASID 5 drops it");
    /* Another ASID never hits that entry. */
    put(L3 + 8 * 4, 0x400a4000 | AF | AP_EL0 | NG | ATTR(1) | PAGE);
    cpu.sys.ttbr0_el1 = L0 | 6ull << 48;
    expect_ok(0x40204000, A64_ACC_READ, 1, 0x400a4000, "ASID 6 walks for itself");
    cpu.sys.ttbr0_el1 = L0 | 5ull << 48;

    /* A block's entry goes when any address in the block is invalidated. */
    expect_ok(0x40401000, A64_ACC_READ, 1, 0x40401000, "block cached");
    put(L2 + 8 * 2, 0x40600000 | AF | ATTR(0) | BLOCK);
    tlbi("TLBI VAAE1", 0x405ff000ull >> 12);
    expect_ok(0x40401000, A64_ACC_READ, 1, 0x40601000, "TLBI by another VA in the block drops it");

    put(L3 + 8 * 1, 0);
    tlbi("TLBI VMALLE1", 0);
    expect_fault(0x40201000, A64_ACC_READ, 1, ESR_FSC_TRANSLATION_L0 + 3, "TLBI VMALLE1 drops everything");
}
END_TEST

START_TEST(unsupported_granule_is_named)
{
    setup();
    cpu.sys.tcr_el1 = (TCR_48 & ~(3ull << 14)) | 1ull << 14;    /* TG0 = 64 KiB */
    uint64_t pa;
    bool device;
    a64_mem_fault fault;
    ck_assert(xlate(0x40200000, A64_ACC_READ, 1, &pa, &device, &fault) == A64_MEM_FAULT);
    ck_assert_msg(mmu.unsupported && strstr(mmu.unsupported, "granule"), "the stop names the granule");
}
END_TEST

int main(void)
{
    Suite *s = suite_create("arm64_mmu");
    TCase *tc = tcase_create("stage1");
    tcase_add_test(tc, pages_blocks_and_both_ranges_translate);
    tcase_add_test(tc, faults_report_their_level);
    tcase_add_test(tc, permissions_ap_uxn_pxn);
    tcase_add_test(tc, memory_types_and_mmu_off);
    tcase_add_test(tc, tlb_holds_until_tlbi);
    tcase_add_test(tc, unsupported_granule_is_named);
    suite_add_tcase(s, tc);
    return t_run_suite(s);
}
