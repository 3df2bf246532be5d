/*
 * System instructions: MOV to/from control and debug registers and their
 * #GP/#UD rules, entering long mode the architectural way, LGDT/LIDT/SGDT/
 * SIDT, LTR/STR, HLT stops, RDTSC from modelled cycles, CLI/STI and
 * privileged instructions at CPL 3.
 */
#include <string.h>

#include "sys_test.h"

#define CR0_PG (1ull << 31)
#define CR4_DE (1ull << 3)
#define CR4_TSD (1ull << 2)
#define CR4_PAE (1ull << 5)
#define CR4_UMIP (1ull << 11)
#define RFLAGS_IF (1ull << 9)
#define RFLAGS_IOPL3 (3ull << 12)

static emu_machine *m64(const char *cpu, const uint8_t *code, size_t len)
{
    emu_machine *m = st_machine(EMU_X86_START_LONG64, cpu);
    t_load_code(m, code, len);
    return m;
}

static const uint8_t mov_cr0_rax[] = { 0x0f, 0x22, 0xc0 };
static const uint8_t mov_cr4_rax[] = { 0x0f, 0x22, 0xe0 };
static const uint8_t mov_cr3_rax[] = { 0x0f, 0x22, 0xd8 };

START_TEST(cr0_rules)
{
    emu_machine *m = m64(NULL, mov_cr0_rax, sizeof mov_cr0_rax);
    uint64_t cr0 = t_reg(m, EMU_X86_CR0);
    t_set_reg(m, EMU_X86_RAX, cr0 & ~CR0_PG);
    st_fault(m, V_GP, 0, "MOV CR0 clearing PG in 64-bit mode");
    t_set_reg(m, EMU_X86_RAX, cr0 | (1ull << 32));
    st_fault(m, V_GP, 0, "MOV CR0 with bit 32 set");
    t_set_reg(m, EMU_X86_RAX, (cr0 | (1ull << 29)) & ~(1ull << 30));
    st_fault(m, V_GP, 0, "MOV CR0 with NW=1, CD=0");
    T_EXPECT_REG(m, EMU_X86_CR0, cr0, "CR0 unchanged after the faults");
    emu_close(m);
}
END_TEST

START_TEST(cr4_rules)
{
    emu_machine *m = m64("qemu64", mov_cr4_rax, sizeof mov_cr4_rax);
    uint64_t cr4 = t_reg(m, EMU_X86_CR4);
    t_set_reg(m, EMU_X86_RAX, cr4 & ~CR4_PAE);
    st_fault(m, V_GP, 0, "MOV CR4 clearing PAE in IA-32e mode");
    t_set_reg(m, EMU_X86_RAX, cr4 | (1ull << 28));
    st_fault(m, V_GP, 0, "MOV CR4 with reserved bit 28");
    t_set_reg(m, EMU_X86_RAX, cr4 | CR4_UMIP);
    st_fault(m, V_GP, 0, "MOV CR4.UMIP on qemu64, which lacks umip");
    emu_close(m);

    m = m64("max", mov_cr4_rax, sizeof mov_cr4_rax);
    t_set_reg(m, EMU_X86_RAX, cr4 | CR4_UMIP);
    st_ok(m, "MOV CR4.UMIP on max");
    T_EXPECT_REG(m, EMU_X86_CR4, cr4 | CR4_UMIP, "CR4 after setting UMIP");
    emu_close(m);
}
END_TEST

START_TEST(cr3_and_cr8)
{
    emu_machine *m = m64(NULL, mov_cr3_rax, sizeof mov_cr3_rax);
    t_set_reg(m, EMU_X86_RAX, 1ull << 45);
    st_fault(m, V_GP, 0, "MOV CR3 with a bit above MAXPHYADDR");
    emu_close(m);

    /* mov cr8, rax ; mov rbx, cr8 */
    static const uint8_t code[] = { 0x44, 0x0f, 0x22, 0xc0, 0x44, 0x0f, 0x20, 0xc3 };
    m = m64(NULL, code, sizeof code);
    t_set_reg(m, EMU_X86_RAX, 0x10);
    st_fault(m, V_GP, 0, "MOV CR8 with bit 4 set");
    t_set_reg(m, EMU_X86_RAX, 5);
    t_step_n(m, 2, "MOV CR8 = 5, read back");
    T_EXPECT_REG(m, EMU_X86_RBX, 5, "CR8 read back");
    emu_close(m);
}
END_TEST

START_TEST(privileged_at_cpl3)
{
    static const struct { uint8_t code[8]; unsigned len; const char *what; } cases[] = {
        { { 0x0f, 0x22, 0xc0 }, 3, "MOV CR0 at CPL3" },
        { { 0x0f, 0x20, 0xd8 }, 3, "MOV from CR3 at CPL3" },
        { { 0x0f, 0x23, 0xf8 }, 3, "MOV DR7 at CPL3" },
        { { 0xf4 }, 1, "HLT at CPL3" },
        { { 0x0f, 0x01, 0x3c, 0x25, 0, 0, 0x30, 0 }, 8, "INVLPG at CPL3" },
        { { 0x0f, 0x06 }, 2, "CLTS at CPL3" },
        { { 0x0f, 0x09 }, 2, "WBINVD at CPL3" },
        { { 0x0f, 0x01, 0x14, 0x25, 0, 0, 0x30, 0 }, 8, "LGDT at CPL3" },
        { { 0xfa }, 1, "CLI at CPL3 with IOPL 0" },
    };
    for (unsigned i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        emu_machine *m = m64(NULL, cases[i].code, cases[i].len);
        st_enter_ring3(m);
        st_fault(m, V_GP, 0, cases[i].what);
        emu_close(m);
    }
}
END_TEST

START_TEST(umip_and_iopl)
{
    /* smsw eax at CPL3: allowed without UMIP, #GP with it */
    static const uint8_t smsw[] = { 0x0f, 0x01, 0xe0, 0x0f, 0x01, 0xe0 };
    emu_machine *m = m64(NULL, smsw, sizeof smsw);
    t_set_reg(m, EMU_X86_CR4, t_reg(m, EMU_X86_CR4) | CR4_UMIP);
    st_ok(m, "SMSW at CPL0 with UMIP");
    T_EXPECT_REG(m, EMU_X86_RAX, t_reg(m, EMU_X86_CR0) & 0xffffffff, "SMSW r32");
    st_enter_ring3(m);
    st_fault(m, V_GP, 0, "SMSW at CPL3 with CR4.UMIP");
    emu_close(m);

    static const uint8_t cli_sti[] = { 0xfa, 0xfb };
    m = m64(NULL, cli_sti, sizeof cli_sti);
    st_enter_ring3(m);
    t_set_reg(m, EMU_X86_RFLAGS, 0x2 | RFLAGS_IOPL3 | RFLAGS_IF);
    st_ok(m, "CLI at CPL3 with IOPL 3");
    ck_assert_msg(!(t_reg(m, EMU_X86_RFLAGS) & RFLAGS_IF), "CLI: IF still set");
    st_ok(m, "STI at CPL3 with IOPL 3");
    ck_assert_msg(t_reg(m, EMU_X86_RFLAGS) & RFLAGS_IF, "STI: IF clear");
    emu_close(m);
}
END_TEST

/* PROT32 -> long mode: CR4.PAE, CR3, EFER.LME, CR0.PG, far jump to 64-bit code. */
static emu_machine *long_mode_entry(bool with_pae)
{
    emu_machine *m = st_machine(EMU_X86_START_PROT32, NULL);
    const uint64_t pml4 = 0x400000, pdpt = 0x401000, pd = 0x402000;
    st_poke(m, pml4, pdpt | 3, 8);
    st_poke(m, pdpt, pd | 3, 8);
    st_poke(m, pd, 0x83, 8);                       /* 2 MiB identity, P RW PS */
    const uint8_t pae_or = with_pae ? 0x20 : 0x00;
    const uint8_t code[] = {
        0x0f, 0x20, 0xe0, 0x83, 0xc8, pae_or, 0x0f, 0x22, 0xe0,   /* cr4 |= PAE */
        0xb8, 0x00, 0x00, 0x40, 0x00, 0x0f, 0x22, 0xd8,           /* cr3 = 0x400000 */
        0xb9, 0x80, 0x00, 0x00, 0xc0, 0x0f, 0x32,                 /* rdmsr EFER */
        0x0d, 0x00, 0x01, 0x00, 0x00, 0x0f, 0x30,                 /* LME, wrmsr */
        0x0f, 0x20, 0xc0, 0x0d, 0x00, 0x00, 0x00, 0x80,           /* eax = cr0 | PG */
        0x0f, 0x22, 0xc0,                                         /* mov cr0, eax */
        0xea, 0x31, 0x00, 0x10, 0x00, 0x08, 0x00,                 /* jmp 0x08:0x100031 */
        0x48, 0xc7, 0xc0, 0xff, 0xff, 0xff, 0xff,                 /* 0x100031: mov rax, -1 */
    };
    t_load_code(m, code, sizeof code);
    return m;
}

START_TEST(enter_long_mode)
{
    emu_machine *m = long_mode_entry(true);
    t_step_n(m, 12, "long mode entry up to MOV CR0");
    T_EXPECT_REG(m, EMU_X86_EFER, 0x500, "EFER.LMA set by enabling paging with LME");
    st_ok(m, "far jump to the 64-bit code segment");
    T_EXPECT_REG(m, EMU_X86_CS, 0x08, "CS after the far jump");
    T_EXPECT_REG(m, EMU_X86_RIP, 0x100031, "RIP after the far jump");
    st_ok(m, "mov rax, -1 in 64-bit mode");
    T_EXPECT_REG(m, EMU_X86_RAX, UINT64_MAX, "REX.W works: the CPU is in 64-bit mode");
    emu_close(m);

    m = long_mode_entry(false);
    t_step_n(m, 11, "long mode entry without PAE up to MOV CR0");
    st_fault(m, V_GP, 0, "CR0.PG with EFER.LME but CR4.PAE clear");
    T_EXPECT_REG(m, EMU_X86_EFER, 0x100, "EFER.LMA stays clear");
    emu_close(m);
}
END_TEST

START_TEST(descriptor_tables_64)
{
    /* lgdt [0x300000] ; sgdt [0x300010] ; lidt [0x300000] ; sidt [0x300020] */
    static const uint8_t code[] = {
        0x0f, 0x01, 0x14, 0x25, 0x00, 0x00, 0x30, 0x00,
        0x0f, 0x01, 0x04, 0x25, 0x10, 0x00, 0x30, 0x00,
        0x0f, 0x01, 0x1c, 0x25, 0x00, 0x00, 0x30, 0x00,
        0x0f, 0x01, 0x0c, 0x25, 0x20, 0x00, 0x30, 0x00,
    };
    emu_machine *m = m64(NULL, code, sizeof code);
    const uint8_t image[10] = { 0x27, 0x00, 0x9a, 0x78, 0x56, 0x34, 0x12, 0x00, 0x00, 0x00 };
    ck_assert(emu_mem_write_phys(m, 0x300000, image, sizeof image) == EMU_OK);
    st_ok(m, "LGDT");
    T_EXPECT_REG(m, EMU_X86_GDTR_BASE, 0x123456789aull, "LGDT 64-bit base");
    T_EXPECT_REG(m, EMU_X86_GDTR_LIMIT, 0x27, "LGDT limit");
    t_step_n(m, 3, "SGDT, LIDT, SIDT");
    uint8_t out[10];
    ck_assert(emu_mem_read_phys(m, 0x300010, out, 10) == EMU_OK);
    ck_assert_msg(memcmp(out, image, 10) == 0, "SGDT stores limit and 8-byte base");
    T_EXPECT_REG(m, EMU_X86_IDTR_BASE, 0x123456789aull, "LIDT base");
    ck_assert(emu_mem_read_phys(m, 0x300020, out, 10) == EMU_OK);
    ck_assert_msg(memcmp(out, image, 10) == 0, "SIDT stores limit and 8-byte base");
    emu_close(m);
}
END_TEST

START_TEST(lgdt_16bit_operand_keeps_24_bits)
{
    emu_machine *m = st_machine(EMU_X86_START_PROT32, NULL);
    /* o16 lgdt [0x300000] ; lgdt [0x300000] */
    static const uint8_t code[] = { 0x66, 0x0f, 0x01, 0x15, 0x00, 0x00, 0x30, 0x00,
                                    0x0f, 0x01, 0x15, 0x00, 0x00, 0x30, 0x00 };
    const uint8_t image[6] = { 0xff, 0x00, 0xdd, 0xcc, 0xbb, 0xaa };
    ck_assert(emu_mem_write_phys(m, 0x300000, image, sizeof image) == EMU_OK);
    t_load_code(m, code, sizeof code);
    st_ok(m, "o16 LGDT");
    T_EXPECT_REG(m, EMU_X86_GDTR_BASE, 0xbbccdd, "16-bit operand LGDT: 24-bit base");
    st_ok(m, "o32 LGDT");
    T_EXPECT_REG(m, EMU_X86_GDTR_BASE, 0xaabbccdd, "32-bit operand LGDT: 32-bit base");
    emu_close(m);
}
END_TEST

START_TEST(ltr_and_str)
{
    /* mov ax, sel (set via API) ; ltr ax ; str ebx ; ltr ax */
    static const uint8_t code[] = { 0x0f, 0x00, 0xd8, 0x0f, 0x00, 0xcb, 0x0f, 0x00, 0xd8 };
    emu_machine *m = m64(NULL, code, sizeof code);
    const uint64_t gdt[] = {
        0,
        st_desc(0, 0xfffff, D_CODE_XR, 0, F_L | F_G),
        st_desc(0, 0xfffff, D_DATA_RW, 0, F_DB | F_G),
        st_desc(0x310000, 0x67, D_TSS_AVAIL, 0, 0), 0,   /* 0x18: 16-byte TSS */
    };
    st_gdt(m, gdt, 5);
    t_set_reg(m, EMU_X86_CS, 0x08);
    t_set_reg(m, EMU_X86_RAX, 0x10);
    st_fault(m, V_GP, 0x10, "LTR of a data segment");
    t_set_reg(m, EMU_X86_RAX, 0);
    st_fault(m, V_GP, 0, "LTR of a null selector");
    t_set_reg(m, EMU_X86_RAX, 0x28);
    st_fault(m, V_GP, 0x28, "LTR beyond the GDT limit");
    t_set_reg(m, EMU_X86_RAX, 0x18);
    st_ok(m, "LTR 0x18");
    T_EXPECT_REG(m, EMU_X86_TR, 0x18, "TR after LTR");
    uint64_t d = st_peek(m, ST_GDT_ADDR + 0x18, 8);
    ck_assert_msg(((d >> 40) & 0xf) == D_TSS_BUSY, "LTR: descriptor not marked busy (type %llx)",
                  (unsigned long long)((d >> 40) & 0xf));
    st_ok(m, "STR");
    T_EXPECT_REG(m, EMU_X86_RBX, 0x18, "STR");
    st_fault(m, V_GP, 0x18, "LTR of a busy TSS");
    emu_close(m);
}
END_TEST

START_TEST(debug_registers)
{
    /* mov dr6, rax ; mov dr4, rax ; mov rbx, dr6 ; mov dr7, rax */
    static const uint8_t code[] = { 0x0f, 0x23, 0xf0, 0x0f, 0x23, 0xe0, 0x0f, 0x21, 0xf3,
                                    0x0f, 0x23, 0xf8 };
    emu_machine *m = m64(NULL, code, sizeof code);
    t_set_reg(m, EMU_X86_RAX, 0);
    st_ok(m, "MOV DR6, 0");
    T_EXPECT_REG(m, EMU_X86_DR6, 0xffff0ff0ull, "DR6 fixed bits");
    t_set_reg(m, EMU_X86_RAX, 1);
    st_ok(m, "MOV DR4 aliases DR6 with CR4.DE=0");
    st_ok(m, "MOV from DR6");
    T_EXPECT_REG(m, EMU_X86_RBX, 0xffff0ff1ull, "DR6 through the DR4 alias");
    t_set_reg(m, EMU_X86_RAX, 1ull << 32);
    st_fault(m, V_GP, 0, "MOV DR7 with bit 32 set");
    t_set_reg(m, EMU_X86_RAX, 1 | 2u << 16);    /* L0 with R/W0 = 10, undefined while CR4.DE = 0 */
    emu_stop s;
    ck_assert(emu_step(m, &s) == EMU_OK);
    ck_assert_msg(s.kind == EMU_STOP_ERROR && strstr(s.message, "CR4.DE = 0"),
                  "DR7 R/W = 10 with CR4.DE = 0 must stop saying why, got %s: %s",
                  emu_stop_kind_name(s.kind), s.message);
    emu_close(m);

    m = m64(NULL, code + 3, 3);
    t_set_reg(m, EMU_X86_CR4, t_reg(m, EMU_X86_CR4) | CR4_DE);
    st_fault(m, V_UD, 0, "MOV DR4 with CR4.DE=1");
    emu_close(m);
}
END_TEST

START_TEST(hlt_stops)
{
    static const uint8_t hlt[] = { 0xf4 };
    emu_machine *m = m64(NULL, hlt, 1);
    emu_stop s = t_run(m, 10);
    ck_assert_msg(s.kind == EMU_STOP_HALT, "HLT with IF=0: want halt, got %s: %s",
                  emu_stop_kind_name(s.kind), s.message);
    emu_close(m);

    m = m64(NULL, hlt, 1);
    t_set_reg(m, EMU_X86_RFLAGS, 0x2 | RFLAGS_IF);
    s = t_run(m, 10);
    ck_assert_msg(s.kind == EMU_STOP_HALT && strstr(s.message, "interrupt"),
                  "HLT with IF=1: want a halt naming the missing interrupt source, got %s: %s",
                  emu_stop_kind_name(s.kind), s.message);
    emu_close(m);
}
END_TEST

START_TEST(rdtsc_from_cycles)
{
    static const uint8_t code[] = { 0x90, 0x90, 0x0f, 0x31, 0x0f, 0x31 };
    emu_machine *m = m64(NULL, code, sizeof code);
    t_step_n(m, 2, "nops");
    uint64_t before = emu_cycle_count(m);
    st_ok(m, "RDTSC");
    uint64_t after = emu_cycle_count(m);
    uint64_t tsc = (t_reg(m, EMU_X86_RDX) << 32) | t_reg(m, EMU_X86_RAX);
    ck_assert_msg(tsc >= before && tsc <= after, "RDTSC %llu outside cycles [%llu, %llu]",
                  (unsigned long long)tsc, (unsigned long long)before, (unsigned long long)after);
    st_enter_ring3(m);
    t_set_reg(m, EMU_X86_CR4, t_reg(m, EMU_X86_CR4) | CR4_TSD);
    st_fault(m, V_GP, 0, "RDTSC at CPL3 with CR4.TSD");
    emu_close(m);
}
END_TEST

START_TEST(unmodelled_0f01_form_names_itself)
{
    static const uint8_t monitor[] = { 0x0f, 0x01, 0xc8 };
    emu_machine *m = m64(NULL, monitor, sizeof monitor);
    emu_stop s;
    ck_assert(emu_step(m, &s) == EMU_OK);
    ck_assert_msg(s.kind == EMU_STOP_ERROR && strstr(s.message, "MONITOR"),
                  "MONITOR: want an error naming it, got %s: %s", emu_stop_kind_name(s.kind),
                  s.message);
    emu_close(m);
}
END_TEST

/* OUT at CPL3 with IOPL 0: allowed or #GP by the TSS I/O permission bitmap. */
static emu_machine *io_machine(uint8_t bitmap_byte_29, uint32_t tss_limit)
{
    static const uint8_t ltr[] = { 0x0f, 0x00, 0xd8 };
    emu_machine *m = m64(NULL, ltr, sizeof ltr);
    const uint64_t tss = 0x310000;
    const uint64_t gdt[] = {
        0,
        st_desc(0, 0xfffff, D_CODE_XR, 0, F_L | F_G),
        st_desc(0, 0xfffff, D_DATA_RW, 0, F_DB | F_G),
        st_desc((uint32_t)tss, tss_limit, D_TSS_AVAIL, 0, 0), 0,
    };
    st_gdt(m, gdt, 5);
    st_poke(m, tss + 0x66, 0x68, 2);                   /* I/O map base */
    st_poke(m, tss + 0x68 + 29, bitmap_byte_29, 1);    /* ports 0xe8-0xef */
    st_poke(m, tss + 0x68 + 30, 0xff, 1);
    t_set_reg(m, EMU_X86_RAX, 0x18);
    st_ok(m, "LTR");
    /* mov al, 0x41 ; out 0xe9, al */
    static const uint8_t out[] = { 0xb0, 0x41, 0xe6, 0xe9 };
    t_load_code(m, out, sizeof out);
    st_enter_ring3(m);
    st_ok(m, "mov al");
    return m;
}

START_TEST(io_permission_bitmap)
{
    emu_machine *m = io_machine(0x00, 0x68 + 32);
    st_ok(m, "OUT 0xe9 at CPL3, bitmap bit clear");
    emu_close(m);

    m = io_machine(0x02, 0x68 + 32);
    st_fault(m, V_GP, 0, "OUT 0xe9 at CPL3, bitmap bit 0xe9 set");
    emu_close(m);

    m = io_machine(0x00, 0x68 + 28);
    st_fault(m, V_GP, 0, "OUT 0xe9 at CPL3, bitmap byte beyond the TSS limit");
    emu_close(m);
}
END_TEST

static Suite *system_suite(void)
{
    Suite *s = suite_create("system");
    TCase *tc = tcase_create("x86");
    tcase_add_test(tc, cr0_rules);
    tcase_add_test(tc, cr4_rules);
    tcase_add_test(tc, cr3_and_cr8);
    tcase_add_test(tc, privileged_at_cpl3);
    tcase_add_test(tc, umip_and_iopl);
    tcase_add_test(tc, enter_long_mode);
    tcase_add_test(tc, descriptor_tables_64);
    tcase_add_test(tc, lgdt_16bit_operand_keeps_24_bits);
    tcase_add_test(tc, ltr_and_str);
    tcase_add_test(tc, debug_registers);
    tcase_add_test(tc, hlt_stops);
    tcase_add_test(tc, rdtsc_from_cycles);
    tcase_add_test(tc, unmodelled_0f01_form_names_itself);
    tcase_add_test(tc, io_permission_bitmap);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return t_run_suite(system_suite());
}
