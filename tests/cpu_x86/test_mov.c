/*
 * Data movement: MOV in its register, immediate, memory and moffs forms,
 * byte registers with and without REX, MOVZX/MOVSX/MOVSXD, LEA (including
 * RIP-relative), XCHG, BSWAP, CMOVcc, SETcc and XLAT, run on a bare machine
 * in 64-bit mode and in 32-bit protected mode. Expected values follow the
 * SDM's rules (32-bit destinations zero-extend, 8/16-bit ones merge).
 */
#include <string.h>

#include "emu_test.h"

static void run(emu_machine *m, const uint8_t *code, size_t len, unsigned steps, const char *what)
{
    t_load_code(m, code, len);
    t_step_n(m, steps, what);
    T_EXPECT_REG(m, EMU_X86_RIP, T_CODE_ADDR + len, what);
}

static void put_data(emu_machine *m, uint64_t addr, const void *data, size_t len)
{
    ck_assert_msg(emu_mem_write_phys(m, addr, data, len) == EMU_OK, "write data at 0x%llx",
                  (unsigned long long)addr);
}

static uint64_t get_u64(emu_machine *m, uint64_t addr)
{
    uint64_t v = 0;
    ck_assert_msg(emu_mem_read_phys(m, addr, &v, sizeof v) == EMU_OK, "read data at 0x%llx",
                  (unsigned long long)addr);
    return v;
}

START_TEST(mov_immediates)
{
    /* movabs rax, imm64; mov ebx, imm32; mov cl, imm8; mov ah, imm8; mov sil, imm8; mov r9w, imm16 */
    static const uint8_t code[] = { 0x48, 0xb8, 0x88, 0x77, 0x66, 0x55, 0x44, 0x33, 0x22, 0x11, 0xbb, 0xff,
                                    0xff, 0xff, 0xff, 0xb1, 0x7f, 0xb4, 0x5a, 0x40, 0xb6, 0x33, 0x66, 0x41,
                                    0xb9, 0x34, 0x12 };
    emu_machine *m = t_machine(EMU_X86_START_LONG64);
    t_set_reg(m, EMU_X86_RBX, 0xaaaaaaaaaaaaaaaaull);
    t_set_reg(m, EMU_X86_RCX, 0xffffffffffffff00ull);
    t_set_reg(m, EMU_X86_RSI, 0x1111);
    t_set_reg(m, EMU_X86_R9, ~0ull);
    run(m, code, sizeof code, 6, "mov immediates");
    T_EXPECT_REG(m, EMU_X86_RAX, 0x1122334455665a88ull, "mov ah after movabs");
    T_EXPECT_REG(m, EMU_X86_RBX, 0xffffffffull, "mov ebx zero-extends");
    T_EXPECT_REG(m, EMU_X86_RCX, 0xffffffffffffff7full, "mov cl merges");
    T_EXPECT_REG(m, EMU_X86_RSI, 0x1133, "mov sil (REX byte register)");
    T_EXPECT_REG(m, EMU_X86_R9, 0xffffffffffff1234ull, "mov r9w merges");
    emu_close(m);
}
END_TEST

START_TEST(mov_memory)
{
    /* mov [rdi], rax; mov ebx, [rdi+4]; mov [rdi+8], ah; mov dl, [rdi+8];
       mov word [rdi+rcx*2+0x10], 0x7788; mov r10, [rdi+rcx*2+0x10] */
    static const uint8_t code[] = { 0x48, 0x89, 0x07, 0x8b, 0x5f, 0x04, 0x88, 0x67, 0x08, 0x8a, 0x57, 0x08,
                                    0x66, 0xc7, 0x44, 0x4f, 0x10, 0x88, 0x77, 0x4c, 0x8b, 0x54, 0x4f, 0x10 };
    emu_machine *m = t_machine(EMU_X86_START_LONG64);
    t_set_reg(m, EMU_X86_RAX, 0x1122334455667788ull);
    t_set_reg(m, EMU_X86_RBX, ~0ull);
    t_set_reg(m, EMU_X86_RCX, 1);
    t_set_reg(m, EMU_X86_RDX, ~0ull);
    t_set_reg(m, EMU_X86_RDI, T_DATA_ADDR);
    run(m, code, sizeof code, 6, "mov memory");
    ck_assert_msg(get_u64(m, T_DATA_ADDR) == 0x1122334455667788ull, "mov [rdi], rax stored");
    T_EXPECT_REG(m, EMU_X86_RBX, 0x11223344, "mov ebx, [rdi+4]");
    T_EXPECT_REG(m, EMU_X86_RDX, 0xffffffffffffff77ull, "mov dl, [rdi+8] after mov [rdi+8], ah");
    ck_assert_msg(get_u64(m, T_DATA_ADDR + 0x12) == 0x7788, "mov word [rdi+rcx*2+0x10], imm16 stored");
    T_EXPECT_REG(m, EMU_X86_R10, 0x7788, "mov r10, [rdi+rcx*2+0x10]");
    emu_close(m);
}
END_TEST

START_TEST(mov_extend)
{
    /* movzx eax, byte [rdi]; movsx rbx, byte [rdi]; movsx ecx, word [rdi];
       movzx edx, word [rdi]; movsxd r8, [rdi]; movsx r9w, bl */
    static const uint8_t code[] = { 0x0f, 0xb6, 0x07, 0x48, 0x0f, 0xbe, 0x1f, 0x0f, 0xbf, 0x0f, 0x0f, 0xb7,
                                    0x17, 0x4c, 0x63, 0x07, 0x66, 0x44, 0x0f, 0xbe, 0xcb };
    static const uint8_t data[] = { 0x80, 0xff, 0x34, 0x82 };
    emu_machine *m = t_machine(EMU_X86_START_LONG64);
    put_data(m, T_DATA_ADDR, data, sizeof data);
    t_set_reg(m, EMU_X86_RAX, ~0ull);
    t_set_reg(m, EMU_X86_RDI, T_DATA_ADDR);
    t_set_reg(m, EMU_X86_R9, 0x1111111111111111ull);
    run(m, code, sizeof code, 6, "movzx/movsx");
    T_EXPECT_REG(m, EMU_X86_RAX, 0x80, "movzx eax, byte");
    T_EXPECT_REG(m, EMU_X86_RBX, 0xffffffffffffff80ull, "movsx rbx, byte");
    T_EXPECT_REG(m, EMU_X86_RCX, 0xffffff80ull, "movsx ecx, word");
    T_EXPECT_REG(m, EMU_X86_RDX, 0xff80, "movzx edx, word");
    T_EXPECT_REG(m, EMU_X86_R8, 0xffffffff8234ff80ull, "movsxd r8, dword");
    T_EXPECT_REG(m, EMU_X86_R9, 0x111111111111ff80ull, "movsx r9w, bl");
    emu_close(m);
}
END_TEST

START_TEST(lea_forms)
{
    /* lea rax, [rbx+rcx*4+0x10]; lea eax, [rbx+rcx*8-1]; lea rdx, [rip+0x100];
       lea si, [rbx+2]; lea r11, [0x1000] */
    static const uint8_t code[] = { 0x48, 0x8d, 0x44, 0x8b, 0x10, 0x8d, 0x44, 0xcb, 0xff, 0x48, 0x8d, 0x15,
                                    0x00, 0x01, 0x00, 0x00, 0x66, 0x8d, 0x73, 0x02, 0x4c, 0x8d, 0x1c, 0x25,
                                    0x00, 0x10, 0x00, 0x00 };
    emu_machine *m = t_machine(EMU_X86_START_LONG64);
    t_load_code(m, code, sizeof code);
    t_set_reg(m, EMU_X86_RAX, ~0ull);
    t_set_reg(m, EMU_X86_RBX, 0x1000);
    t_set_reg(m, EMU_X86_RCX, 3);
    t_set_reg(m, EMU_X86_RSI, 0xaaaa0000aaaa0000ull);
    t_step_n(m, 1, "lea rax");
    T_EXPECT_REG(m, EMU_X86_RAX, 0x101c, "lea rax, [rbx+rcx*4+0x10]");
    t_step_n(m, 4, "lea");
    T_EXPECT_REG(m, EMU_X86_RAX, 0x1017, "lea eax, [rbx+rcx*8-1]");
    T_EXPECT_REG(m, EMU_X86_RDX, T_CODE_ADDR + 16 + 0x100, "lea rdx, [rip+0x100]");
    T_EXPECT_REG(m, EMU_X86_RSI, 0xaaaa0000aaaa1002ull, "lea si merges");
    T_EXPECT_REG(m, EMU_X86_R11, 0x1000, "lea r11, [disp32] (SIB, no base)");
    emu_close(m);
}
END_TEST

START_TEST(xchg_forms)
{
    /* xchg rax, rbx; xchg ecx, edx; xchg r8, rax (49 90); xchg [rdi], rsi; xchg al, ah; nop */
    static const uint8_t code[] = { 0x48, 0x93, 0x87, 0xd1, 0x49, 0x90, 0x48, 0x87, 0x37, 0x86, 0xe0, 0x90 };
    emu_machine *m = t_machine(EMU_X86_START_LONG64);
    uint64_t mem = 0x9999;
    put_data(m, T_DATA_ADDR, &mem, sizeof mem);
    t_set_reg(m, EMU_X86_RAX, 1);
    t_set_reg(m, EMU_X86_RBX, 2);
    t_set_reg(m, EMU_X86_RCX, 0xffffffff00000003ull);
    t_set_reg(m, EMU_X86_RDX, 0xffffffff00000004ull);
    t_set_reg(m, EMU_X86_R8, 8);
    t_set_reg(m, EMU_X86_RSI, 0x5555);
    t_set_reg(m, EMU_X86_RDI, T_DATA_ADDR);
    run(m, code, sizeof code, 6, "xchg");
    T_EXPECT_REG(m, EMU_X86_RBX, 1, "xchg rax, rbx");
    T_EXPECT_REG(m, EMU_X86_RCX, 4, "xchg ecx, edx zero-extends");
    T_EXPECT_REG(m, EMU_X86_RDX, 3, "xchg ecx, edx zero-extends");
    T_EXPECT_REG(m, EMU_X86_R8, 2, "REX.B 90 is xchg r8, rax");
    T_EXPECT_REG(m, EMU_X86_RSI, 0x9999, "xchg [rdi], rsi");
    ck_assert_msg(get_u64(m, T_DATA_ADDR) == 0x5555, "xchg [rdi], rsi stored");
    T_EXPECT_REG(m, EMU_X86_RAX, 0x0800, "xchg al, ah");
    emu_close(m);
}
END_TEST

START_TEST(bswap_cmov_setcc)
{
    /* bswap eax; bswap rbx */
    static const uint8_t bswap[] = { 0x0f, 0xc8, 0x48, 0x0f, 0xcb };
    /* cmp rax, rbx; cmovb rcx, rdx; cmovae r8d, edx; sete r9b; setne byte [rdi] */
    static const uint8_t cmov[] = { 0x48, 0x39, 0xd8, 0x48, 0x0f, 0x42, 0xca, 0x44, 0x0f, 0x43, 0xc2, 0x41,
                                    0x0f, 0x94, 0xc1, 0x0f, 0x95, 0x07 };
    emu_machine *m = t_machine(EMU_X86_START_LONG64);
    t_set_reg(m, EMU_X86_RAX, 0xffffffff11223344ull);
    t_set_reg(m, EMU_X86_RBX, 0x0102030405060708ull);
    run(m, bswap, sizeof bswap, 2, "bswap");
    T_EXPECT_REG(m, EMU_X86_RAX, 0x44332211, "bswap eax");
    T_EXPECT_REG(m, EMU_X86_RBX, 0x0807060504030201ull, "bswap rbx");

    t_set_reg(m, EMU_X86_RAX, 1);
    t_set_reg(m, EMU_X86_RBX, 2);
    t_set_reg(m, EMU_X86_RDX, 0x1234);
    t_set_reg(m, EMU_X86_R8, 0xffffffff00000005ull);
    t_set_reg(m, EMU_X86_R9, 0xff);
    t_set_reg(m, EMU_X86_RDI, T_DATA_ADDR);
    run(m, cmov, sizeof cmov, 5, "cmov/setcc");
    T_EXPECT_REG(m, EMU_X86_RCX, 0x1234, "cmovb taken");
    T_EXPECT_REG(m, EMU_X86_R8, 5, "cmovae not taken still zero-extends r8d");
    T_EXPECT_REG(m, EMU_X86_R9, 0, "sete r9b with ZF clear");
    ck_assert_msg((get_u64(m, T_DATA_ADDR) & 0xff) == 1, "setne byte [rdi]");
    emu_close(m);
}
END_TEST

START_TEST(xlat_and_moffs)
{
    static const uint8_t xlat[] = { 0xd7 };
    /* movabs eax, [0x300010]; movabs [0x300018], rax */
    static const uint8_t moffs[] = { 0xa1, 0x10, 0x00, 0x30, 0x00, 0x00, 0x00, 0x00, 0x00, 0x48, 0xa3, 0x18,
                                     0x00, 0x30, 0x00, 0x00, 0x00, 0x00, 0x00 };
    uint8_t table[16];
    for (unsigned i = 0; i < sizeof table; i++)
        table[i] = (uint8_t)(3 * i);
    emu_machine *m = t_machine(EMU_X86_START_LONG64);
    put_data(m, T_DATA_ADDR, table, sizeof table);
    t_set_reg(m, EMU_X86_RBX, T_DATA_ADDR);
    t_set_reg(m, EMU_X86_RAX, 0xff05);
    run(m, xlat, sizeof xlat, 1, "xlat");
    T_EXPECT_REG(m, EMU_X86_RAX, 0xff0f, "xlat loads [rbx+al]");

    uint64_t v = 0xcafebabeull | (0x5555ull << 32);
    put_data(m, T_DATA_ADDR + 0x10, &v, sizeof v);
    t_set_reg(m, EMU_X86_RAX, ~0ull);
    run(m, moffs, sizeof moffs, 2, "moffs");
    T_EXPECT_REG(m, EMU_X86_RAX, 0xcafebabeull, "mov eax, moffs32 zero-extends");
    ck_assert_msg(get_u64(m, T_DATA_ADDR + 0x18) == 0xcafebabeull, "mov moffs64, rax stored");
    emu_close(m);
}
END_TEST

START_TEST(mov_prot32)
{
    /* mov eax, [edi]; mov [edi+2], ax; lea ebx, [eax+eax*2]; mov al, [0x300000]; xchg ebx, eax */
    static const uint8_t code[] = { 0x8b, 0x07, 0x66, 0x89, 0x47, 0x02, 0x8d, 0x1c, 0x40, 0xa0, 0x00, 0x00,
                                    0x30, 0x00, 0x93 };
    uint32_t v = 0x11223344;
    emu_machine *m = t_machine(EMU_X86_START_PROT32);
    put_data(m, T_DATA_ADDR, &v, sizeof v);
    t_set_reg(m, EMU_X86_RDI, T_DATA_ADDR);
    run(m, code, sizeof code, 5, "32-bit mov");
    ck_assert_msg((uint32_t)get_u64(m, T_DATA_ADDR) == 0x33443344u, "mov [edi+2], ax stored");
    T_EXPECT_REG(m, EMU_X86_RAX, 0x336699cc, "xchg ebx, eax (eax)");
    T_EXPECT_REG(m, EMU_X86_RBX, 0x11223344, "xchg ebx, eax (ebx)");
    emu_close(m);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("cpu_x86/mov");
    TCase *tc = tcase_create("mov");
    tcase_add_test(tc, mov_immediates);
    tcase_add_test(tc, mov_memory);
    tcase_add_test(tc, mov_extend);
    tcase_add_test(tc, lea_forms);
    tcase_add_test(tc, xchg_forms);
    tcase_add_test(tc, bswap_cmov_setcc);
    tcase_add_test(tc, xlat_and_moffs);
    tcase_add_test(tc, mov_prot32);
    suite_add_tcase(s, tc);
    return t_run_suite(s);
}
