/*
 * Segmentation: descriptor loads with the SDM's checks and error codes,
 * null selectors (DS vs SS, 32-bit vs 64-bit), the accessed bit, limits
 * (expand-up and expand-down, #GP vs #SS), far JMP/CALL/RET including a
 * return to ring 3, LAR/LSL, and canonical checks in 64-bit mode.
 */
#include <string.h>

#include "sys_test.h"

#define NOT_PRESENT(d) ((d) & ~(1ull << 47))

/* A flat 32-bit GDT plus the descriptors the cases load. */
static emu_machine *seg_machine(const uint8_t *code, size_t len)
{
    emu_machine *m = st_machine(EMU_X86_START_PROT32, NULL);
    const uint64_t gdt[] = {
        0,
        st_desc(0, 0xfffff, D_CODE_XR, 0, F_DB | F_G),            /* 0x08 */
        st_desc(0, 0xfffff, D_DATA_RW, 0, F_DB | F_G),            /* 0x10 */
        st_desc(0x300000, 0xfff, D_DATA_RW, 0, F_DB),             /* 0x18: 4 KiB at 3 MiB */
        NOT_PRESENT(st_desc(0, 0xfffff, D_DATA_RW, 0, F_DB | F_G)), /* 0x20 */
        st_desc(0, 0xfffff, D_CODE_X, 0, F_DB | F_G),             /* 0x28: execute-only */
        st_desc(0, 0xfffff, D_DATA_RW, 3, F_DB | F_G),            /* 0x30: ring-3 data */
        st_desc(0, 0xfffff, D_CODE_XR, 3, F_DB | F_G),            /* 0x38: ring-3 code */
        st_desc(0, 0xfffff, D_DATA_RO, 0, F_DB | F_G),            /* 0x40: read-only */
        st_desc(0x300000, 0xfff, D_DATA_RW_DOWN, 0, F_DB),        /* 0x48: expand-down */
    };
    st_gdt(m, gdt, sizeof gdt / sizeof gdt[0]);
    t_set_reg(m, EMU_X86_CS, 0x08);
    t_set_reg(m, EMU_X86_SS, 0x10);
    t_set_reg(m, EMU_X86_DS, 0x10);
    t_set_reg(m, EMU_X86_ES, 0x10);
    t_load_code(m, code, len);
    return m;
}

static const uint8_t mov_ds_ax[] = { 0x8e, 0xd8 };
static const uint8_t mov_ss_ax[] = { 0x8e, 0xd0 };

START_TEST(mov_ds_loads_descriptor)
{
    /* mov ds, ax ; mov eax, [0x10] ; mov eax, [0xffe] ; mov ecx, ds */
    static const uint8_t code[] = { 0x8e, 0xd8, 0x8b, 0x05, 0x10, 0x00, 0x00, 0x00,
                                    0x8b, 0x05, 0xfe, 0x0f, 0x00, 0x00, 0x8c, 0xd9 };
    emu_machine *m = seg_machine(code, sizeof code);
    st_poke(m, 0x300010, 0x12345678, 4);
    t_set_reg(m, EMU_X86_RAX, 0x18);
    st_ok(m, "mov ds, 0x18");
    T_EXPECT_REG(m, EMU_X86_DS_BASE, 0x300000, "DS base from the descriptor");
    ck_assert_msg(st_peek(m, ST_GDT_ADDR + 0x18 + 5, 1) & 1, "descriptor accessed bit not set");
    st_ok(m, "read through DS");
    T_EXPECT_REG(m, EMU_X86_RAX, 0x12345678, "DS-relative read at base + 0x10");
    st_fault(m, V_GP, 0, "4-byte read at 0xffe crossing the 0xfff limit");
    t_set_reg(m, EMU_X86_RIP, T_CODE_ADDR + 14);
    st_ok(m, "mov ecx, ds");
    T_EXPECT_REG(m, EMU_X86_RCX, 0x18, "MOV r32, Sreg zero-extends");
    emu_close(m);
}
END_TEST

START_TEST(mov_ds_checks)
{
    static const struct { uint16_t sel; int vector; uint32_t err; const char *what; } cases[] = {
        { 0x20, V_NP, 0x20, "not-present data segment: #NP(sel)" },
        { 0x28, V_GP, 0x28, "execute-only code into DS: #GP(sel)" },
        { 0x60, V_GP, 0x60, "selector beyond the GDT limit: #GP(sel)" },
        { 0x1b, V_GP, 0x18, "RPL 3 above DPL 0: #GP(sel without RPL)" },
        { 0x0c, V_GP, 0x0c, "LDT selector with no LDT: #GP(sel)" },
    };
    for (unsigned i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        emu_machine *m = seg_machine(mov_ds_ax, sizeof mov_ds_ax);
        t_set_reg(m, EMU_X86_RAX, cases[i].sel);
        st_fault(m, cases[i].vector, cases[i].err, cases[i].what);
        T_EXPECT_REG(m, EMU_X86_DS, 0x10, cases[i].what);
        emu_close(m);
    }
    emu_machine *m = seg_machine(mov_ds_ax, sizeof mov_ds_ax);
    t_set_reg(m, EMU_X86_RAX, 0x30);
    st_ok(m, "DPL 3 data into DS at CPL 0");
    emu_close(m);
}
END_TEST

START_TEST(mov_ss_checks)
{
    static const struct { uint16_t sel; uint32_t err; const char *what; } cases[] = {
        { 0x00, 0x00, "null SS in protected mode: #GP(0)" },
        { 0x30, 0x30, "SS DPL 3 at CPL 0: #GP(sel)" },
        { 0x40, 0x40, "read-only data into SS: #GP(sel)" },
        { 0x08, 0x08, "code segment into SS: #GP(sel)" },
    };
    for (unsigned i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        emu_machine *m = seg_machine(mov_ss_ax, sizeof mov_ss_ax);
        t_set_reg(m, EMU_X86_RAX, cases[i].sel);
        st_fault(m, V_GP, cases[i].err, cases[i].what);
        emu_close(m);
    }
    emu_machine *m = seg_machine(mov_ss_ax, sizeof mov_ss_ax);
    t_set_reg(m, EMU_X86_RAX, 0x20);
    st_fault(m, V_SS, 0x20, "not-present SS: #SS(sel)");
    emu_close(m);

    /* 64-bit mode at CPL 0: a null SS is allowed. */
    m = st_machine(EMU_X86_START_LONG64, NULL);
    t_load_code(m, mov_ss_ax, sizeof mov_ss_ax);
    t_set_reg(m, EMU_X86_RAX, 0);
    st_ok(m, "null SS in 64-bit mode at CPL 0");
    T_EXPECT_REG(m, EMU_X86_SS, 0, "SS after loading null in 64-bit mode");
    emu_close(m);
}
END_TEST

START_TEST(null_ds_is_unusable)
{
    /* mov ds, ax ; mov eax, [0] */
    static const uint8_t code[] = { 0x8e, 0xd8, 0x8b, 0x05, 0x00, 0x00, 0x00, 0x00 };
    emu_machine *m = seg_machine(code, sizeof code);
    t_set_reg(m, EMU_X86_RAX, 0);
    st_ok(m, "null DS loads");
    st_fault(m, V_GP, 0, "access through a null DS");
    emu_close(m);
}
END_TEST

START_TEST(limits_and_expand_down)
{
    /* push eax with SS limited to 4 KiB and ESP = 0x2000 */
    static const uint8_t push[] = { 0x50 };
    emu_machine *m = seg_machine(push, sizeof push);
    t_set_reg(m, EMU_X86_SS, 0x18);
    t_set_reg(m, EMU_X86_RSP, 0x2000);
    st_fault(m, V_SS, 0, "push beyond the SS limit: #SS(0)");
    emu_close(m);

    /* mov ds, ax ; mov eax, [0x800] ; mov eax, [0x2000] */
    static const uint8_t code[] = { 0x8e, 0xd8, 0x8b, 0x05, 0x00, 0x08, 0x00, 0x00,
                                    0x8b, 0x05, 0x00, 0x20, 0x00, 0x00 };
    m = seg_machine(code, sizeof code);
    st_poke(m, 0x302000, 0xabcd, 4);
    t_set_reg(m, EMU_X86_RAX, 0x48);
    st_ok(m, "mov ds, expand-down");
    st_fault(m, V_GP, 0, "expand-down: offset 0x800 is at or below the limit");
    t_set_reg(m, EMU_X86_RIP, T_CODE_ADDR + 8);
    st_ok(m, "expand-down: offset 0x2000 is above the limit");
    T_EXPECT_REG(m, EMU_X86_RAX, 0xabcd, "expand-down read");
    emu_close(m);

    /* A write through a read-only DS. */
    static const uint8_t wr[] = { 0x8e, 0xd8, 0x89, 0x05, 0x00, 0x00, 0x30, 0x00 };
    m = seg_machine(wr, sizeof wr);
    t_set_reg(m, EMU_X86_RAX, 0x40);
    st_ok(m, "mov ds, read-only");
    st_fault(m, V_GP, 0, "write through a read-only data segment");
    emu_close(m);
}
END_TEST

START_TEST(far_jmp)
{
    /* jmp 0x08:0x100010 ; ... ; 0x100010: jmp far to the selector in the case */
    static const uint8_t code[] = { 0xea, 0x10, 0x00, 0x10, 0x00, 0x08, 0x00 };
    emu_machine *m = seg_machine(code, sizeof code);
    st_ok(m, "far jmp 0x08:0x100010");
    T_EXPECT_REG(m, EMU_X86_RIP, 0x100010, "far jmp target");
    T_EXPECT_REG(m, EMU_X86_CS, 0x08, "far jmp CS");
    emu_close(m);

    static const uint8_t to_data[] = { 0xea, 0x10, 0x00, 0x10, 0x00, 0x10, 0x00 };
    m = seg_machine(to_data, sizeof to_data);
    st_fault(m, V_GP, 0x10, "far jmp to a data segment");
    emu_close(m);

    static const uint8_t to_null[] = { 0xea, 0x10, 0x00, 0x10, 0x00, 0x00, 0x00 };
    m = seg_machine(to_null, sizeof to_null);
    st_fault(m, V_GP, 0, "far jmp to a null selector");
    emu_close(m);

    static const uint8_t to_ring3[] = { 0xea, 0x10, 0x00, 0x10, 0x00, 0x3b, 0x00 };
    m = seg_machine(to_ring3, sizeof to_ring3);
    st_fault(m, V_GP, 0x38, "far jmp to a non-conforming DPL 3 segment from CPL 0");
    emu_close(m);
}
END_TEST

START_TEST(far_call_and_ret)
{
    /* call 0x08:0x100020 ; (0x100007) nop ... 0x100020: retf */
    uint8_t code[0x21] = { 0x9a, 0x20, 0x00, 0x10, 0x00, 0x08, 0x00, 0x90 };
    code[0x20] = 0xcb;
    emu_machine *m = seg_machine(code, sizeof code);
    t_set_reg(m, EMU_X86_RSP, 0x1ff000);
    st_ok(m, "far call");
    T_EXPECT_REG(m, EMU_X86_RIP, 0x100020, "far call target");
    T_EXPECT_REG(m, EMU_X86_RSP, 0x1feff8, "far call pushes 8 bytes");
    ck_assert_msg(st_peek(m, 0x1feff8, 4) == 0x100007 && st_peek(m, 0x1feffc, 4) == 0x08,
                  "far call frame: want EIP 0x100007, CS 0x08");
    st_ok(m, "far ret");
    T_EXPECT_REG(m, EMU_X86_RIP, 0x100007, "far ret returns after the call");
    T_EXPECT_REG(m, EMU_X86_RSP, 0x1ff000, "far ret pops the frame");
    emu_close(m);
}
END_TEST

START_TEST(far_ret_to_ring3)
{
    static const uint8_t retf[] = { 0xcb };
    emu_machine *m = seg_machine(retf, sizeof retf);
    t_set_reg(m, EMU_X86_RSP, 0x1ff000);
    st_poke(m, 0x1ff000, 0x100000, 4);     /* EIP */
    st_poke(m, 0x1ff004, 0x3b, 4);         /* CS: ring-3 code */
    st_poke(m, 0x1ff008, 0x1e0000, 4);     /* ESP */
    st_poke(m, 0x1ff00c, 0x33, 4);         /* SS: ring-3 data */
    st_ok(m, "far ret to ring 3");
    T_EXPECT_REG(m, EMU_X86_CPL, 3, "CPL after the return");
    T_EXPECT_REG(m, EMU_X86_CS, 0x3b, "CS after the return");
    T_EXPECT_REG(m, EMU_X86_SS, 0x33, "SS after the return");
    T_EXPECT_REG(m, EMU_X86_RSP, 0x1e0000, "ESP from the outer frame");
    T_EXPECT_REG(m, EMU_X86_DS, 0, "DS (DPL 0 data) nulled on return to ring 3");
    emu_close(m);

    m = seg_machine(retf, sizeof retf);
    t_set_reg(m, EMU_X86_RSP, 0x1ff000);
    st_poke(m, 0x1ff000, 0x100000, 4);
    st_poke(m, 0x1ff004, 0x3b, 4);
    st_poke(m, 0x1ff008, 0x1e0000, 4);
    st_poke(m, 0x1ff00c, 0x13, 4);         /* SS RPL 3 but DPL 0 */
    st_fault(m, V_GP, 0x10, "far ret to ring 3 with a DPL 0 stack segment");
    T_EXPECT_REG(m, EMU_X86_CS, 0x08, "CS unchanged after the faulting return");
    emu_close(m);
}
END_TEST

START_TEST(lar_lsl)
{
    /* lar eax, ebx ; lsl ecx, ebx */
    static const uint8_t code[] = { 0x0f, 0x02, 0xc3, 0x0f, 0x03, 0xcb };
    emu_machine *m = seg_machine(code, sizeof code);
    t_set_reg(m, EMU_X86_RBX, 0x18);
    t_step_n(m, 2, "lar, lsl of 0x18");
    uint64_t hi = st_peek(m, ST_GDT_ADDR + 0x18 + 4, 4);
    T_EXPECT_REG(m, EMU_X86_RAX, hi & 0x00f0ff00, "LAR of 0x18");
    T_EXPECT_REG(m, EMU_X86_RCX, 0xfff, "LSL of 0x18");
    ck_assert_msg(t_reg(m, EMU_X86_RFLAGS) & 0x40, "LSL valid: ZF clear");

    t_load_code(m, code, sizeof code);
    t_set_reg(m, EMU_X86_RAX, 0x5555);
    t_set_reg(m, EMU_X86_RBX, 0x60);
    st_ok(m, "lar beyond the limit");
    ck_assert_msg(!(t_reg(m, EMU_X86_RFLAGS) & 0x40), "LAR invalid: ZF set");
    T_EXPECT_REG(m, EMU_X86_RAX, 0x5555, "LAR invalid leaves the destination");
    emu_close(m);
}
END_TEST

START_TEST(canonical_64)
{
    /* mov rax, [rbx] ; push rax */
    static const uint8_t code[] = { 0x48, 0x8b, 0x03, 0x50 };
    emu_machine *m = st_machine(EMU_X86_START_LONG64, NULL);
    t_load_code(m, code, sizeof code);
    t_set_reg(m, EMU_X86_RBX, 0x0000800000000000ull);
    st_fault(m, V_GP, 0, "non-canonical data address");
    t_set_reg(m, EMU_X86_RIP, T_CODE_ADDR + 3);
    t_set_reg(m, EMU_X86_RSP, 0x0000800000000008ull);
    st_fault(m, V_SS, 0, "non-canonical stack address");
    emu_close(m);
}
END_TEST

static Suite *segment_suite(void)
{
    Suite *s = suite_create("segment");
    TCase *tc = tcase_create("x86");
    tcase_add_test(tc, mov_ds_loads_descriptor);
    tcase_add_test(tc, mov_ds_checks);
    tcase_add_test(tc, mov_ss_checks);
    tcase_add_test(tc, null_ds_is_unusable);
    tcase_add_test(tc, limits_and_expand_down);
    tcase_add_test(tc, far_jmp);
    tcase_add_test(tc, far_call_and_ret);
    tcase_add_test(tc, far_ret_to_ring3);
    tcase_add_test(tc, lar_lsl);
    tcase_add_test(tc, canonical_64);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return t_run_suite(segment_suite());
}
