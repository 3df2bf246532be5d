/*
 * String instructions with and without REP: MOVS forward and (DF=1)
 * backward, STOS, LODS, REPE CMPS and REPNE SCAS ending on the flag, a
 * zero count, the 67 prefix (ECX/EDI in 64-bit mode), 32-bit protected
 * mode, and a #PF part-way through REP STOSB that leaves RCX/RDI at the
 * faulting element and RIP at the instruction, from where it resumes (SDM
 * vol. 2, REP).
 */
#include <string.h>

#include "emu_test.h"

#define VEC_PF 14
#define FLAG_ZF 0x40ull
#define FLAG_DF 0x400ull
#define PTE_P 0x1ull
#define PTE_ADDR_MASK 0x000ffffffffff000ull
#define PD_2M_SHIFT 21

static void put(emu_machine *m, uint64_t addr, const void *p, size_t n)
{
    ck_assert_msg(emu_mem_write_phys(m, addr, p, n) == EMU_OK, "write 0x%llx", (unsigned long long)addr);
}

static void get(emu_machine *m, uint64_t addr, void *p, size_t n)
{
    ck_assert_msg(emu_mem_read_phys(m, addr, p, n) == EMU_OK, "read 0x%llx", (unsigned long long)addr);
}

static void run_one(emu_machine *m, const uint8_t *code, size_t len, const char *what)
{
    t_load_code(m, code, len);
    t_step_n(m, 1, what);
    T_EXPECT_REG(m, EMU_X86_RIP, T_CODE_ADDR + len, what);
}

START_TEST(movs_forward_and_backward)
{
    static const uint8_t rep_movsb[] = { 0xf3, 0xa4 };
    static const uint8_t rep_movsq[] = { 0xf3, 0x48, 0xa5 };
    const uint64_t src = T_DATA_ADDR, dst = T_DATA_ADDR + 0x100;
    uint8_t buf[32], out[32];
    for (unsigned i = 0; i < sizeof buf; i++)
        buf[i] = (uint8_t)(i * 7 + 1);
    emu_machine *m = t_machine(EMU_X86_START_LONG64);
    put(m, src, buf, sizeof buf);
    t_set_reg(m, EMU_X86_RSI, src);
    t_set_reg(m, EMU_X86_RDI, dst);
    t_set_reg(m, EMU_X86_RCX, sizeof buf);
    run_one(m, rep_movsb, sizeof rep_movsb, "rep movsb");
    get(m, dst, out, sizeof out);
    ck_assert_msg(memcmp(buf, out, sizeof buf) == 0, "rep movsb copied");
    T_EXPECT_REG(m, EMU_X86_RCX, 0, "rep movsb count");
    T_EXPECT_REG(m, EMU_X86_RSI, src + 32, "rep movsb rsi");
    T_EXPECT_REG(m, EMU_X86_RDI, dst + 32, "rep movsb rdi");

    /* Backward, quadwords: DF=1 starts at the last element. */
    t_set_reg(m, EMU_X86_RFLAGS, 0x2 | FLAG_DF);
    t_set_reg(m, EMU_X86_RSI, src + 24);
    t_set_reg(m, EMU_X86_RDI, dst + 0x40 + 24);
    t_set_reg(m, EMU_X86_RCX, 4);
    run_one(m, rep_movsq, sizeof rep_movsq, "std; rep movsq");
    get(m, dst + 0x40, out, sizeof out);
    ck_assert_msg(memcmp(buf, out, sizeof buf) == 0, "rep movsq backward copied");
    T_EXPECT_REG(m, EMU_X86_RSI, src - 8, "rep movsq backward rsi");
    T_EXPECT_REG(m, EMU_X86_RDI, dst + 0x40 - 8, "rep movsq backward rdi");
    emu_close(m);
}
END_TEST

START_TEST(stos_lods)
{
    static const uint8_t rep_stosd[] = { 0xf3, 0xab };
    static const uint8_t lodsb[] = { 0xac };
    static const uint8_t rep_zero[] = { 0xf3, 0xaa };
    uint32_t out[4] = { 0 };
    emu_machine *m = t_machine(EMU_X86_START_LONG64);
    t_set_reg(m, EMU_X86_RAX, 0x11111111deadbeefull);
    t_set_reg(m, EMU_X86_RDI, T_DATA_ADDR);
    t_set_reg(m, EMU_X86_RCX, 3);
    run_one(m, rep_stosd, sizeof rep_stosd, "rep stosd");
    get(m, T_DATA_ADDR, out, sizeof out);
    ck_assert_msg(out[0] == 0xdeadbeef && out[2] == 0xdeadbeef && out[3] == 0, "rep stosd stored 3 dwords");
    T_EXPECT_REG(m, EMU_X86_RDI, T_DATA_ADDR + 12, "rep stosd rdi");

    t_set_reg(m, EMU_X86_RSI, T_DATA_ADDR + 1);
    run_one(m, lodsb, sizeof lodsb, "lodsb");
    T_EXPECT_REG(m, EMU_X86_RAX, 0x11111111deadbebeull, "lodsb loads al only");
    T_EXPECT_REG(m, EMU_X86_RSI, T_DATA_ADDR + 2, "lodsb rsi");

    t_set_reg(m, EMU_X86_RCX, 0);
    t_set_reg(m, EMU_X86_RDI, T_DATA_ADDR + 0x80);
    run_one(m, rep_zero, sizeof rep_zero, "rep stosb with rcx 0");
    T_EXPECT_REG(m, EMU_X86_RDI, T_DATA_ADDR + 0x80, "zero count does nothing");
    emu_close(m);
}
END_TEST

START_TEST(cmps_scas_end_on_flags)
{
    static const uint8_t repe_cmpsb[] = { 0xf3, 0xa6 };
    static const uint8_t repne_scasb[] = { 0xf2, 0xae };
    const uint8_t a[10] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10 };
    const uint8_t b[10] = { 1, 2, 3, 4, 5, 0, 7, 8, 9, 10 };
    uint8_t hay[20] = { 0 };
    hay[7] = 0x42;
    emu_machine *m = t_machine(EMU_X86_START_LONG64);
    put(m, T_DATA_ADDR, a, sizeof a);
    put(m, T_DATA_ADDR + 0x40, b, sizeof b);
    put(m, T_DATA_ADDR + 0x80, hay, sizeof hay);
    t_set_reg(m, EMU_X86_RSI, T_DATA_ADDR);
    t_set_reg(m, EMU_X86_RDI, T_DATA_ADDR + 0x40);
    t_set_reg(m, EMU_X86_RCX, sizeof a);
    run_one(m, repe_cmpsb, sizeof repe_cmpsb, "repe cmpsb");
    T_EXPECT_REG(m, EMU_X86_RCX, 4, "repe cmpsb stops after the first difference");
    T_EXPECT_REG(m, EMU_X86_RSI, T_DATA_ADDR + 6, "repe cmpsb rsi");
    ck_assert_msg((t_reg(m, EMU_X86_RFLAGS) & FLAG_ZF) == 0, "repe cmpsb ends with ZF clear");

    t_set_reg(m, EMU_X86_RAX, 0x42);
    t_set_reg(m, EMU_X86_RDI, T_DATA_ADDR + 0x80);
    t_set_reg(m, EMU_X86_RCX, sizeof hay);
    run_one(m, repne_scasb, sizeof repne_scasb, "repne scasb");
    T_EXPECT_REG(m, EMU_X86_RCX, sizeof hay - 8, "repne scasb count");
    T_EXPECT_REG(m, EMU_X86_RDI, T_DATA_ADDR + 0x80 + 8, "repne scasb stops past the match");
    ck_assert_msg((t_reg(m, EMU_X86_RFLAGS) & FLAG_ZF) != 0, "repne scasb ends with ZF set");
    emu_close(m);
}
END_TEST

START_TEST(address_size_prefix)
{
    static const uint8_t a32_rep_stosb[] = { 0x67, 0xf3, 0xaa };
    uint8_t out[4];
    emu_machine *m = t_machine(EMU_X86_START_LONG64);
    t_set_reg(m, EMU_X86_RAX, 0x5a);
    t_set_reg(m, EMU_X86_RCX, 0xffffffff00000002ull);
    t_set_reg(m, EMU_X86_RDI, 0xffffffff00000000ull | T_DATA_ADDR);
    run_one(m, a32_rep_stosb, sizeof a32_rep_stosb, "67 rep stosb");
    get(m, T_DATA_ADDR, out, sizeof out);
    ck_assert_msg(out[0] == 0x5a && out[1] == 0x5a && out[2] == 0, "67 rep stosb wrote ecx bytes at edi");
    T_EXPECT_REG(m, EMU_X86_RCX, 0, "ecx count written back zero-extended");
    T_EXPECT_REG(m, EMU_X86_RDI, T_DATA_ADDR + 2, "edi written back zero-extended");
    emu_close(m);
}
END_TEST

START_TEST(prot32_rep_movsw)
{
    static const uint8_t rep_movsw[] = { 0x66, 0xf3, 0xa5 };
    const uint16_t src[3] = { 0x1111, 0x2222, 0x3333 };
    uint16_t out[4] = { 0 };
    emu_machine *m = t_machine(EMU_X86_START_PROT32);
    put(m, T_DATA_ADDR, src, sizeof src);
    t_set_reg(m, EMU_X86_RSI, T_DATA_ADDR);
    t_set_reg(m, EMU_X86_RDI, T_DATA_ADDR + 0x20);
    t_set_reg(m, EMU_X86_RCX, 3);
    run_one(m, rep_movsw, sizeof rep_movsw, "rep movsw");
    get(m, T_DATA_ADDR + 0x20, out, sizeof out);
    ck_assert_msg(out[0] == 0x1111 && out[2] == 0x3333 && out[3] == 0, "rep movsw copied 3 words");
    T_EXPECT_REG(m, EMU_X86_RDI, T_DATA_ADDR + 0x26, "rep movsw edi");
    emu_close(m);
}
END_TEST

/* The page-directory entry (2 MiB page) of the boot identity map that covers va. */
static uint64_t pde_address(emu_machine *m, uint64_t va)
{
    uint64_t pml4 = t_reg(m, EMU_X86_CR3) & PTE_ADDR_MASK, e;
    get(m, pml4, &e, sizeof e);
    uint64_t pdpt = e & PTE_ADDR_MASK;
    get(m, pdpt, &e, sizeof e);
    return (e & PTE_ADDR_MASK) + 8 * ((va >> PD_2M_SHIFT) & 511);
}

START_TEST(fault_part_way_is_restartable)
{
    static const uint8_t rep_stosb[] = { 0xf3, 0xaa };
    const uint64_t boundary = 0x400000;     /* a 2 MiB page we unmap */
    emu_machine *m = t_machine(EMU_X86_START_LONG64);
    uint64_t pde_at = pde_address(m, boundary), pde;
    get(m, pde_at, &pde, sizeof pde);
    uint64_t absent = pde & ~PTE_P;
    put(m, pde_at, &absent, sizeof absent);
    t_set_reg(m, EMU_X86_CR3, t_reg(m, EMU_X86_CR3));   /* flush the TLB */

    t_load_code(m, rep_stosb, sizeof rep_stosb);
    t_set_reg(m, EMU_X86_RAX, 0x77);
    t_set_reg(m, EMU_X86_RDI, boundary - 4);
    t_set_reg(m, EMU_X86_RCX, 8);
    emu_stop stop = t_run(m, 1);
    ck_assert_msg(stop.kind == EMU_STOP_EXCEPTION && stop.vector == VEC_PF, "want #PF, got %s (%s)",
                  emu_stop_kind_name(stop.kind), stop.message);
    T_EXPECT_REG(m, EMU_X86_RIP, T_CODE_ADDR, "rip stays on rep stosb");
    T_EXPECT_REG(m, EMU_X86_RCX, 4, "rcx counts the elements done");
    T_EXPECT_REG(m, EMU_X86_RDI, boundary, "rdi at the faulting element");
    uint8_t done[4];
    get(m, boundary - 4, done, sizeof done);
    ck_assert_msg(done[0] == 0x77 && done[3] == 0x77, "elements before the fault were stored");

    put(m, pde_at, &pde, sizeof pde);
    t_set_reg(m, EMU_X86_CR3, t_reg(m, EMU_X86_CR3));
    t_step_n(m, 1, "resumed rep stosb");
    T_EXPECT_REG(m, EMU_X86_RCX, 0, "resumed rep stosb finished");
    T_EXPECT_REG(m, EMU_X86_RDI, boundary + 4, "resumed rep stosb rdi");
    T_EXPECT_REG(m, EMU_X86_RIP, T_CODE_ADDR + sizeof rep_stosb, "resumed rep stosb retired");
    emu_close(m);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("cpu_x86/string");
    TCase *tc = tcase_create("string");
    tcase_add_test(tc, movs_forward_and_backward);
    tcase_add_test(tc, stos_lods);
    tcase_add_test(tc, cmps_scas_end_on_flags);
    tcase_add_test(tc, address_size_prefix);
    tcase_add_test(tc, prot32_rep_movsw);
    tcase_add_test(tc, fault_part_way_is_restartable);
    suite_add_tcase(s, tc);
    return t_run_suite(s);
}
