/*
 * Paging (SDM vol. 3, chapter 4): the 4-level walk with 4 KiB, 2 MiB and
 * 1 GiB pages, accessed/dirty write-back, U/S, R/W with CR0.WP, NX, SMEP,
 * SMAP, reserved bits, the #PF error code and faulting linear address,
 * page-crossing writes, TLB invalidation, #AC, 32-bit and PAE paging.
 */
#include <string.h>

#include "sys_test.h"

/* Physical layout of the test's own paging structures. */
#define PML4   0x400000ull
#define PDPT   0x401000ull
#define PD     0x402000ull
#define PT0    0x403000ull   /* identity 0 - 2 MiB, 4 KiB pages */
#define PT1    0x404000ull   /* VA 0x600000 - 0x7fffff, per test */
#define DATA_A 0x500000ull
#define DATA_B 0x501000ull
#define VAL_A  0x1111111111111111ull
#define VAL_B  0x2222222222222222ull

#define P  1ull
#define RW 2ull
#define US 4ull
#define A  0x20ull
#define D  0x40ull
#define PS 0x80ull
#define XD (1ull << 63)

#define CR0_WP (1ull << 16)
#define CR0_AM (1ull << 18)
#define CR4_SMEP (1ull << 20)
#define CR4_SMAP (1ull << 21)
#define EFER_NXE (1ull << 11)
#define RFLAGS_AC (1ull << 18)

static void pte_set(emu_machine *m, uint64_t table, unsigned index, uint64_t v)
{
    st_poke(m, table + index * 8ull, v, 8);
}

static uint64_t pte_get(emu_machine *m, uint64_t table, unsigned index)
{
    return st_peek(m, table + index * 8ull, 8);
}

/* Build the tables above and load CR3; every test then edits PT1 or PD entries. */
static emu_machine *pg_machine(const char *cpu)
{
    emu_machine *m = st_machine(EMU_X86_START_LONG64, cpu);
    static uint8_t zero[0x5000];
    ck_assert(emu_mem_write_phys(m, PML4, zero, sizeof zero) == EMU_OK);
    pte_set(m, PML4, 0, PDPT | P | RW | US);
    pte_set(m, PDPT, 0, PD | P | RW | US);
    pte_set(m, PDPT, 1, 0 | P | RW | US | PS);            /* 1 GiB: VA 1 GiB -> PA 0 */
    pte_set(m, PD, 0, PT0 | P | RW | US);
    pte_set(m, PD, 1, 0x200000 | P | RW | US | PS);      /* 2 MiB identity */
    pte_set(m, PD, 2, 0x400000 | P | RW | PS);           /* these tables, supervisor */
    pte_set(m, PD, 3, PT1 | P | RW | US);
    for (unsigned i = 0; i < 512; i++)
        pte_set(m, PT0, i, i * 0x1000ull | P | RW | US);
    st_poke(m, DATA_A, VAL_A, 8);
    st_poke(m, DATA_B, VAL_B, 8);
    t_set_reg(m, EMU_X86_CR3, PML4);
    return m;
}

static void load(emu_machine *m, const uint8_t *code, size_t len)
{
    t_load_code(m, code, len);
}

/* mov rax, [0x600000] ; mov [0x600000], rbx */
static const uint8_t read_then_write[] = {
    0x48, 0x8b, 0x04, 0x25, 0x00, 0x00, 0x60, 0x00,
    0x48, 0x89, 0x1c, 0x25, 0x00, 0x00, 0x60, 0x00,
};

START_TEST(walk_4k_sets_accessed_then_dirty)
{
    emu_machine *m = pg_machine(NULL);
    pte_set(m, PT1, 0, DATA_A | P | RW | US);
    load(m, read_then_write, sizeof read_then_write);
    t_set_reg(m, EMU_X86_RBX, VAL_B);
    st_ok(m, "4k read");
    T_EXPECT_REG(m, EMU_X86_RAX, VAL_A, "4k read through PT1[0]");
    ck_assert_msg(pte_get(m, PD, 3) & A, "4k read: PDE accessed flag not set");
    ck_assert_msg(pte_get(m, PT1, 0) & A, "4k read: PTE accessed flag not set");
    ck_assert_msg(!(pte_get(m, PT1, 0) & D), "4k read: PTE dirty flag set by a read");
    ck_assert_msg(pte_get(m, PML4, 0) & A, "4k read: PML4E accessed flag not set");
    st_ok(m, "4k write");
    ck_assert_msg(pte_get(m, PT1, 0) & D, "4k write: PTE dirty flag not set");
    ck_assert_msg(!(pte_get(m, PD, 3) & D), "4k write: dirty flag set on a non-leaf entry");
    ck_assert_msg(st_peek(m, DATA_A, 8) == VAL_B, "4k write: data not written to PA 0x500000");
    emu_close(m);
}
END_TEST

START_TEST(walk_2m_page)
{
    emu_machine *m = pg_machine(NULL);
    /* mov rax, [0x300008] ; mov [0x300008], rax */
    static const uint8_t code[] = { 0x48, 0x8b, 0x04, 0x25, 0x08, 0x00, 0x30, 0x00,
                                    0x48, 0x89, 0x04, 0x25, 0x08, 0x00, 0x30, 0x00 };
    st_poke(m, 0x300008, 0x55aa, 8);
    load(m, code, sizeof code);
    st_ok(m, "2m read");
    T_EXPECT_REG(m, EMU_X86_RAX, 0x55aa, "2 MiB page read");
    ck_assert_msg((pte_get(m, PD, 1) & (A | D)) == A, "2m read: want A without D on the PDE");
    st_ok(m, "2m write");
    ck_assert_msg(pte_get(m, PD, 1) & D, "2m write: D not set on the 2 MiB PDE");
    emu_close(m);
}
END_TEST

/* mov rax, [0x40500000]: VA 1 GiB + 5 MiB through the 1 GiB PDPTE -> PA 0x500000. */
static const uint8_t read_1g[] = { 0x48, 0x8b, 0x04, 0x25, 0x00, 0x00, 0x50, 0x40 };

START_TEST(walk_1g_page)
{
    emu_machine *m = pg_machine("max");
    load(m, read_1g, sizeof read_1g);
    st_ok(m, "1g read");
    T_EXPECT_REG(m, EMU_X86_RAX, VAL_A, "1 GiB page read");
    ck_assert_msg(pte_get(m, PDPT, 1) & A, "1g read: PDPTE accessed flag not set");
    emu_close(m);
}
END_TEST

START_TEST(walk_1g_reserved_without_pdpe1gb)
{
    emu_machine *m = pg_machine("qemu64");
    load(m, read_1g, sizeof read_1g);
    emu_stop s = st_fault(m, V_PF, PF_P | PF_RSVD, "1 GiB PDPTE on qemu64 (no pdpe1gb)");
    ck_assert_msg(strstr(s.message, "0x40500000"), "1g rsvd: linear address missing: %s", s.message);
    ck_assert_msg(!(pte_get(m, PDPT, 1) & A), "1g rsvd: a faulting walk set the accessed flag");
    emu_close(m);
}
END_TEST

START_TEST(not_present_reports_address)
{
    emu_machine *m = pg_machine(NULL);
    /* mov rax, [0x601008] with PT1[1] zero */
    static const uint8_t code[] = { 0x48, 0x8b, 0x04, 0x25, 0x08, 0x10, 0x60, 0x00 };
    load(m, code, sizeof code);
    emu_stop s = st_fault(m, V_PF, 0, "supervisor read of a not-present page");
    ck_assert_msg(strstr(s.message, "0x601008"), "not present: want linear 0x601008 in: %s",
                  s.message);
    T_EXPECT_REG(m, EMU_X86_RIP, T_CODE_ADDR, "not present: RIP stays at the faulting instruction");
    emu_close(m);
}
END_TEST

START_TEST(write_protect)
{
    emu_machine *m = pg_machine(NULL);
    pte_set(m, PT1, 0, DATA_A | P | US);
    static const uint8_t code[] = { 0x48, 0x89, 0x1c, 0x25, 0x00, 0x00, 0x60, 0x00 };
    load(m, code, sizeof code);
    st_fault(m, V_PF, PF_P | PF_W, "CPL0 write to a read-only page with CR0.WP=1");
    ck_assert_msg(st_peek(m, DATA_A, 8) == VAL_A, "WP: memory changed by a faulting write");
    t_set_reg(m, EMU_X86_CR0, t_reg(m, EMU_X86_CR0) & ~CR0_WP);
    t_set_reg(m, EMU_X86_RBX, 7);
    st_ok(m, "CPL0 write to a read-only page with CR0.WP=0");
    ck_assert_msg(st_peek(m, DATA_A, 8) == 7, "WP=0: write did not land");
    emu_close(m);
}
END_TEST

START_TEST(user_supervisor)
{
    emu_machine *m = pg_machine(NULL);
    pte_set(m, PT1, 0, DATA_A | P | RW);          /* supervisor page */
    pte_set(m, PT1, 1, DATA_B | P | US);          /* user, read-only */
    /* mov rax, [0x600000] ; mov rax, [0x601000] ; mov [0x601000], rax */
    static const uint8_t code[] = {
        0x48, 0x8b, 0x04, 0x25, 0x00, 0x00, 0x60, 0x00,
        0x48, 0x8b, 0x04, 0x25, 0x00, 0x10, 0x60, 0x00,
        0x48, 0x89, 0x04, 0x25, 0x00, 0x10, 0x60, 0x00,
    };
    load(m, code, sizeof code);
    st_enter_ring3(m);
    st_fault(m, V_PF, PF_P | PF_U, "CPL3 read of a supervisor page");
    t_set_reg(m, EMU_X86_RIP, T_CODE_ADDR + 8);
    st_ok(m, "CPL3 read of a user page");
    T_EXPECT_REG(m, EMU_X86_RAX, VAL_B, "CPL3 read of a user page");
    st_fault(m, V_PF, PF_P | PF_W | PF_U, "CPL3 write to a read-only user page");
    emu_close(m);
}
END_TEST

/* mov rax, 0x600000 ; jmp rax */
static const uint8_t jump_to_600000[] = { 0x48, 0xc7, 0xc0, 0x00, 0x00, 0x60, 0x00, 0xff, 0xe0 };

START_TEST(nx)
{
    emu_machine *m = pg_machine(NULL);
    st_poke(m, DATA_A, 0x90, 1);                  /* nop */
    pte_set(m, PT1, 0, DATA_A | P | RW | XD);
    t_set_reg(m, EMU_X86_EFER, t_reg(m, EMU_X86_EFER) | EFER_NXE);
    load(m, jump_to_600000, sizeof jump_to_600000);
    t_step_n(m, 2, "nx: mov, jmp");
    emu_stop s = st_fault(m, V_PF, PF_P | PF_I, "fetch from an XD page with NXE=1");
    ck_assert_msg(strstr(s.message, "0x600000"), "nx: linear address missing: %s", s.message);

    /* Without NXE the XD bit is reserved: a data read is a reserved-bit fault, no I flag. */
    t_set_reg(m, EMU_X86_EFER, t_reg(m, EMU_X86_EFER) & ~EFER_NXE);
    static const uint8_t rd[] = { 0x48, 0x8b, 0x04, 0x25, 0x00, 0x00, 0x60, 0x00 };
    load(m, rd, sizeof rd);
    st_fault(m, V_PF, PF_P | PF_RSVD, "XD set with NXE=0 is a reserved bit");
    emu_close(m);
}
END_TEST

START_TEST(smep)
{
    emu_machine *m = pg_machine(NULL);
    st_poke(m, DATA_A, 0x90, 1);
    pte_set(m, PT1, 0, DATA_A | P | RW | US);
    load(m, jump_to_600000, sizeof jump_to_600000);
    t_step_n(m, 3, "no SMEP: supervisor runs user code");
    T_EXPECT_REG(m, EMU_X86_RIP, 0x600001, "no SMEP: executed the nop at 0x600000");

    load(m, jump_to_600000, sizeof jump_to_600000);
    /* The code page itself must be a supervisor page once SMEP is on. */
    pte_set(m, PT0, T_CODE_ADDR >> 12, T_CODE_ADDR | P | RW);
    t_set_reg(m, EMU_X86_CR4, t_reg(m, EMU_X86_CR4) | CR4_SMEP);
    t_step_n(m, 2, "smep: mov, jmp");
    st_fault(m, V_PF, PF_P | PF_I, "SMEP: supervisor fetch from a user page");
    emu_close(m);
}
END_TEST

START_TEST(smap)
{
    emu_machine *m = pg_machine(NULL);
    pte_set(m, PT1, 0, DATA_A | P | RW | US);
    /* mov rax, [0x600000] ; stac ; mov rax, [0x600000] ; clac ; mov rax, [0x600000] */
    static const uint8_t code[] = {
        0x48, 0x8b, 0x04, 0x25, 0x00, 0x00, 0x60, 0x00,
        0x0f, 0x01, 0xcb,
        0x48, 0x8b, 0x04, 0x25, 0x00, 0x00, 0x60, 0x00,
        0x0f, 0x01, 0xca,
        0x48, 0x8b, 0x04, 0x25, 0x00, 0x00, 0x60, 0x00,
    };
    load(m, code, sizeof code);
    t_set_reg(m, EMU_X86_CR4, t_reg(m, EMU_X86_CR4) | CR4_SMAP);
    st_fault(m, V_PF, PF_P, "SMAP: supervisor read of a user page with AC=0");
    t_set_reg(m, EMU_X86_RIP, T_CODE_ADDR + 8);
    t_step_n(m, 2, "SMAP: stac, read with AC=1");
    T_EXPECT_REG(m, EMU_X86_RAX, VAL_A, "SMAP with AC=1");
    st_ok(m, "clac");
    st_fault(m, V_PF, PF_P, "SMAP: read after CLAC");
    emu_close(m);
}
END_TEST

START_TEST(reserved_bits)
{
    emu_machine *m = pg_machine(NULL);
    static const uint8_t code[] = { 0x48, 0x8b, 0x04, 0x25, 0x00, 0x00, 0x60, 0x00 };
    /* Bit 45 is above MAXPHYADDR (40). */
    pte_set(m, PT1, 0, DATA_A | P | RW | (1ull << 45));
    load(m, code, sizeof code);
    st_fault(m, V_PF, PF_P | PF_RSVD, "PTE bit 45 (above MAXPHYADDR)");

    /* 2 MiB PDE with bit 13 set (reserved below the frame). */
    pte_set(m, PD, 3, 0x600000 | P | RW | PS | (1ull << 13));
    t_set_reg(m, EMU_X86_CR3, PML4);
    load(m, code, sizeof code);
    st_fault(m, V_PF, PF_P | PF_RSVD, "2 MiB PDE bit 13");
    emu_close(m);
}
END_TEST

START_TEST(page_crossing_write_is_all_or_nothing)
{
    emu_machine *m = pg_machine(NULL);
    pte_set(m, PT1, 0, DATA_A | P | RW);
    /* mov [0x600ffc], rbx: bytes 0x600ffc-0x601003, second page not present */
    static const uint8_t code[] = { 0x48, 0x89, 0x1c, 0x25, 0xfc, 0x0f, 0x60, 0x00 };
    st_poke(m, DATA_A + 0xffc, 0xdeadbeef, 4);
    load(m, code, sizeof code);
    t_set_reg(m, EMU_X86_RBX, 0x0102030405060708ull);
    emu_stop s = st_fault(m, V_PF, PF_W, "write crossing into a not-present page");
    ck_assert_msg(strstr(s.message, "0x601000"), "crossing: want linear 0x601000 in: %s", s.message);
    ck_assert_msg(st_peek(m, DATA_A + 0xffc, 4) == 0xdeadbeef,
                  "crossing: first page written although the second faulted");

    pte_set(m, PT1, 1, DATA_B | P | RW);
    st_ok(m, "crossing write, both pages present");
    ck_assert_msg(st_peek(m, DATA_A + 0xffc, 4) == 0x05060708 && st_peek(m, DATA_B, 4) == 0x01020304,
                  "crossing: bytes not split across PA 0x500ffc and 0x501000");
    emu_close(m);
}
END_TEST

START_TEST(invlpg_4k_and_large)
{
    emu_machine *m = pg_machine(NULL);
    pte_set(m, PT1, 0, DATA_A | P | RW);
    /* mov rax,[0x600000] ; invlpg [0x600000] ; mov rax,[0x600000] */
    static const uint8_t code[] = {
        0x48, 0x8b, 0x04, 0x25, 0x00, 0x00, 0x60, 0x00,
        0x0f, 0x01, 0x3c, 0x25, 0x00, 0x00, 0x60, 0x00,
        0x48, 0x8b, 0x04, 0x25, 0x00, 0x00, 0x60, 0x00,
    };
    load(m, code, sizeof code);
    st_ok(m, "invlpg: first read");
    T_EXPECT_REG(m, EMU_X86_RAX, VAL_A, "invlpg: before the remap");
    pte_set(m, PT1, 0, DATA_B | P | RW);
    t_step_n(m, 2, "invlpg, second read");
    T_EXPECT_REG(m, EMU_X86_RAX, VAL_B, "4 KiB remap seen after INVLPG");

    /* A 2 MiB page at VA 8 MiB; INVLPG of its first 4 KiB must drop the translation of 9 MiB. */
    pte_set(m, PD, 4, 0x000000 | P | RW | PS);
    /* mov rax,[0x900000] ; invlpg [0x800000] ; mov rax,[0x900000] */
    static const uint8_t big[] = {
        0x48, 0x8b, 0x04, 0x25, 0x00, 0x00, 0x90, 0x00,
        0x0f, 0x01, 0x3c, 0x25, 0x00, 0x00, 0x80, 0x00,
        0x48, 0x8b, 0x04, 0x25, 0x00, 0x00, 0x90, 0x00,
    };
    load(m, big, sizeof big);
    st_ok(m, "large invlpg: first read");
    T_EXPECT_REG(m, EMU_X86_RAX, st_peek(m, 0x100000, 8), "large: VA 9 MiB -> PA 1 MiB");
    pte_set(m, PD, 4, 0x400000 | P | RW | PS);
    t_step_n(m, 2, "large invlpg, second read");
    T_EXPECT_REG(m, EMU_X86_RAX, VAL_A, "2 MiB remap seen after INVLPG of another 4 KiB in it");
    emu_close(m);
}
END_TEST

START_TEST(cr3_write_flushes)
{
    emu_machine *m = pg_machine(NULL);
    pte_set(m, PT1, 0, DATA_A | P | RW);
    /* mov rax,[0x600000] ; mov rcx, PML4 ; mov cr3, rcx ; mov rax,[0x600000] */
    static const uint8_t code[] = {
        0x48, 0x8b, 0x04, 0x25, 0x00, 0x00, 0x60, 0x00,
        0x48, 0xc7, 0xc1, 0x00, 0x00, 0x40, 0x00,
        0x0f, 0x22, 0xd9,
        0x48, 0x8b, 0x04, 0x25, 0x00, 0x00, 0x60, 0x00,
    };
    load(m, code, sizeof code);
    st_ok(m, "cr3: first read");
    pte_set(m, PT1, 0, DATA_B | P | RW);
    t_step_n(m, 3, "cr3: reload, second read");
    T_EXPECT_REG(m, EMU_X86_RAX, VAL_B, "remap seen after MOV CR3");
    emu_close(m);
}
END_TEST

/*
 * The fetch keeps the last code page's translation past the TLB (exec.c): a
 * TLB flush must drop it. VA 0x600000 runs NOP, the flush, then `mov ebx,
 * imm32`, once from DATA_A (so all three are decoded and cached), then again
 * with the PTE moved to DATA_B after the NOP: the flush runs from the old
 * page (the TLB may still use it) and the MOV after it must come from DATA_B
 * (INVLPG and MOV CR3 serialise, SDM vol. 3, 9.3).
 */
static void remap_code_page(emu_machine *m, const uint8_t *flush, size_t flush_len, unsigned flush_insns,
                            const char *what)
{
    uint8_t old_page[32] = { 0x90 }, new_page[32] = { 0 };
    ck_assert(1 + flush_len + 5 <= sizeof old_page);
    memcpy(old_page + 1, flush, flush_len);
    static const uint8_t mov_ebx_11[] = { 0xbb, 0x11, 0x00, 0x00, 0x00 };
    static const uint8_t mov_ebx_22[] = { 0xbb, 0x22, 0x00, 0x00, 0x00 };
    memcpy(old_page + 1 + flush_len, mov_ebx_11, sizeof mov_ebx_11);
    memcpy(new_page + 1 + flush_len, mov_ebx_22, sizeof mov_ebx_22);
    ck_assert(emu_mem_write_phys(m, DATA_A, old_page, sizeof old_page) == EMU_OK);
    ck_assert(emu_mem_write_phys(m, DATA_B, new_page, sizeof new_page) == EMU_OK);
    pte_set(m, PT1, 0, DATA_A | P | RW);
    t_set_reg(m, EMU_X86_RIP, 0x600000);
    t_step_n(m, 1 + flush_insns + 1, what);
    ck_assert_msg(t_reg(m, EMU_X86_RBX) == 0x11, "%s: first run from DATA_A: rbx 0x%llx", what,
                  (unsigned long long)t_reg(m, EMU_X86_RBX));
    t_set_reg(m, EMU_X86_RIP, 0x600000);
    t_step_n(m, 1, what);
    pte_set(m, PT1, 0, DATA_B | P | RW);
    t_step_n(m, flush_insns + 1, what);
    ck_assert_msg(t_reg(m, EMU_X86_RBX) == 0x22, "%s: remapped code page not fetched afresh: rbx 0x%llx",
                  what, (unsigned long long)t_reg(m, EMU_X86_RBX));
}

START_TEST(code_remap_seen_after_flush)
{
    emu_machine *m = pg_machine(NULL);
    static const uint8_t invlpg[] = { 0x0f, 0x01, 0x3c, 0x25, 0x00, 0x00, 0x60, 0x00 };
    remap_code_page(m, invlpg, sizeof invlpg, 1, "code remap, INVLPG");
    emu_close(m);

    m = pg_machine(NULL);
    /* mov rcx, PML4 ; mov cr3, rcx */
    static const uint8_t cr3[] = { 0x48, 0xc7, 0xc1, 0x00, 0x00, 0x40, 0x00, 0x0f, 0x22, 0xd9 };
    remap_code_page(m, cr3, sizeof cr3, 2, "code remap, MOV CR3");
    emu_close(m);
}
END_TEST

START_TEST(walk_is_costed)
{
    emu_machine *m = pg_machine(NULL);
    pte_set(m, PT1, 0, DATA_A | P | RW);
    /* nop ; mov rax,[0x600000] ; mov rax,[0x600000] */
    static const uint8_t code[] = {
        0x90,
        0x48, 0x8b, 0x04, 0x25, 0x00, 0x00, 0x60, 0x00,
        0x48, 0x8b, 0x04, 0x25, 0x00, 0x00, 0x60, 0x00,
    };
    load(m, code, sizeof code);
    st_ok(m, "cost: warm the code page");
    uint64_t c0 = emu_cycle_count(m);
    st_ok(m, "cost: read with a walk");
    uint64_t c1 = emu_cycle_count(m);
    st_ok(m, "cost: read hitting the TLB");
    uint64_t c2 = emu_cycle_count(m);
    /* The "simple" profile: 4 cycles per paging-structure read, 4 levels (docs/cycles.md). */
    ck_assert_msg((c1 - c0) - (c2 - c1) == 16,
                  "walk cost: want 16 extra cycles for a 4-level walk, got %llu",
                  (unsigned long long)((c1 - c0) - (c2 - c1)));
    emu_close(m);
}
END_TEST

START_TEST(alignment_check)
{
    emu_machine *m = pg_machine(NULL);
    pte_set(m, PT1, 0, DATA_A | P | RW | US);
    /* mov eax, [0x600001] twice */
    static const uint8_t code[] = { 0x8b, 0x04, 0x25, 0x01, 0x00, 0x60, 0x00,
                                    0x8b, 0x04, 0x25, 0x01, 0x00, 0x60, 0x00 };
    load(m, code, sizeof code);
    st_enter_ring3(m);
    st_ok(m, "misaligned read with CR0.AM=0");
    t_set_reg(m, EMU_X86_CR0, t_reg(m, EMU_X86_CR0) | CR0_AM);
    t_set_reg(m, EMU_X86_RFLAGS, t_reg(m, EMU_X86_RFLAGS) | RFLAGS_AC);
    st_fault(m, V_AC, 0, "misaligned CPL3 read with CR0.AM and RFLAGS.AC");
    emu_close(m);
}
END_TEST

/* 32-bit paging: a 4 MiB PSE page for the low 4 MiB, a page table for 4-8 MiB. */
START_TEST(paging_32bit)
{
    emu_machine *m = st_machine(EMU_X86_START_PROT32, NULL);
    const uint64_t pd = 0x410000, pt = 0x411000;
    static uint8_t zero[0x2000];
    ck_assert(emu_mem_write_phys(m, pd, zero, sizeof zero) == EMU_OK);
    st_poke(m, pd + 0, 0x000000 | P | RW | PS, 4);
    st_poke(m, pd + 4, pt | P | RW, 4);
    st_poke(m, pt + 0, DATA_A | P | RW, 4);
    st_poke(m, DATA_A, 0xcafe, 4);
    /* mov eax, [0x400000] ; mov [0x400000], ebx */
    static const uint8_t code[] = { 0x8b, 0x05, 0x00, 0x00, 0x40, 0x00,
                                    0x89, 0x1d, 0x00, 0x00, 0x40, 0x00 };
    t_load_code(m, code, sizeof code);
    t_set_reg(m, EMU_X86_CR4, 0x10);                  /* PSE */
    t_set_reg(m, EMU_X86_CR3, pd);
    t_set_reg(m, EMU_X86_CR0, t_reg(m, EMU_X86_CR0) | 0x80000000ull);
    t_set_reg(m, EMU_X86_RBX, 0xbeef);
    t_step_n(m, 2, "32-bit paging read, write");
    T_EXPECT_REG(m, EMU_X86_RAX, 0xcafe, "32-bit paging: VA 4 MiB -> PA 0x500000");
    ck_assert_msg((st_peek(m, pt, 4) & (A | D)) == (A | D), "32-bit paging: PTE A/D not set");
    ck_assert_msg(st_peek(m, pd, 4) & A, "32-bit paging: 4 MiB PDE accessed flag not set");
    ck_assert_msg(st_peek(m, DATA_A, 4) == 0xbeef, "32-bit paging: write missed");
    emu_close(m);
}
END_TEST

START_TEST(paging_pae)
{
    emu_machine *m = st_machine(EMU_X86_START_PROT32, NULL);
    const uint64_t pdpt = 0x410000, pd = 0x411000, pt = 0x412000;
    static uint8_t zero[0x3000];
    ck_assert(emu_mem_write_phys(m, pdpt, zero, sizeof zero) == EMU_OK);
    st_poke(m, pdpt, pd | P, 8);
    st_poke(m, pd + 0, 0x000000 | P | RW | PS, 8);
    st_poke(m, pd + 16, pt | P | RW, 8);               /* PD[2]: VA 4-6 MiB */
    st_poke(m, pt, DATA_A | P | RW, 8);
    st_poke(m, DATA_A, VAL_A, 8);
    /* mov eax, [0x400000] ; mov ecx, 0x410000 + bad ; mov cr3, ecx */
    static const uint8_t code[] = { 0x8b, 0x05, 0x00, 0x00, 0x40, 0x00,
                                    0xb9, 0x00, 0x10, 0x41, 0x00,
                                    0x0f, 0x22, 0xd9 };
    t_load_code(m, code, sizeof code);
    t_set_reg(m, EMU_X86_CR4, 0x20);                  /* PAE */
    t_set_reg(m, EMU_X86_CR3, pdpt);
    t_set_reg(m, EMU_X86_CR0, t_reg(m, EMU_X86_CR0) | 0x80000000ull);
    st_ok(m, "PAE read");
    T_EXPECT_REG(m, EMU_X86_RAX, (uint32_t)VAL_A, "PAE: VA 4 MiB -> PA 0x500000");
    ck_assert_msg(!(st_peek(m, pdpt, 8) & A), "PAE: PDPTEs have no accessed flag");
    ck_assert_msg(st_peek(m, pt, 8) & A, "PAE: PTE accessed flag not set");
    /* A PDPT at 0x411000 whose first entry (the PD above) has R/W set: reserved in a PDPTE. */
    st_ok(m, "mov ecx");
    st_fault(m, V_GP, 0, "MOV CR3 loading a PDPTE with reserved bits");
    emu_close(m);
}
END_TEST

static Suite *paging_suite(void)
{
    Suite *s = suite_create("paging");
    TCase *tc = tcase_create("x86");
    tcase_add_test(tc, walk_4k_sets_accessed_then_dirty);
    tcase_add_test(tc, walk_2m_page);
    tcase_add_test(tc, walk_1g_page);
    tcase_add_test(tc, walk_1g_reserved_without_pdpe1gb);
    tcase_add_test(tc, not_present_reports_address);
    tcase_add_test(tc, write_protect);
    tcase_add_test(tc, user_supervisor);
    tcase_add_test(tc, nx);
    tcase_add_test(tc, smep);
    tcase_add_test(tc, smap);
    tcase_add_test(tc, reserved_bits);
    tcase_add_test(tc, page_crossing_write_is_all_or_nothing);
    tcase_add_test(tc, invlpg_4k_and_large);
    tcase_add_test(tc, cr3_write_flushes);
    tcase_add_test(tc, code_remap_seen_after_flush);
    tcase_add_test(tc, walk_is_costed);
    tcase_add_test(tc, alignment_check);
    tcase_add_test(tc, paging_32bit);
    tcase_add_test(tc, paging_pae);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return t_run_suite(paging_suite());
}
