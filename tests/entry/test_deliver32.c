/*
 * Delivery in 32-bit protected mode (SDM vol. 3, 6.12): 8-byte gates,
 * same-privilege frames on the current stack, the SS0:ESP0 switch from a
 * 32-bit TSS for a handler at a more privileged level, and IRETD back,
 * including the return to ring 3 that pops SS:ESP.
 */
#include <check.h>
#include <string.h>

#include "emu_test.h"

#define GDT_ADDR   0x10000ull
#define TSS_ADDR   0x11000ull
#define IDT_ADDR   0x12000ull
#define HANDLERS   0x20000ull
#define ESP0_TOP   0x50000ull
#define USER_CODE  0x180000ull
#define USER_ESP   0x1ff000ull

/* Index 2 and 3 keep the multiboot state's meaning (0x10 code, 0x18 data). */
#define SEL_KCODE  0x10
#define SEL_KDATA  0x18
#define SEL_UCODE  0x23
#define SEL_UDATA  0x2b
#define SEL_TSS    0x30

static uint64_t desc32(unsigned type_s, unsigned dpl)
{
    return 0xffffull | (uint64_t)type_s << 40 | (uint64_t)dpl << 45 | 1ull << 47 | 0xfull << 48 | 0xcull << 52;
}

static void poke(emu_machine *m, uint64_t pa, const void *p, size_t n)
{
    ck_assert(emu_mem_write_phys(m, pa, p, n) == EMU_OK);
}

static uint32_t peek32(emu_machine *m, uint64_t pa)
{
    uint32_t v = 0;
    ck_assert(emu_mem_read_phys(m, pa, &v, 4) == EMU_OK);
    return v;
}

static void set_gate(emu_machine *m, unsigned vector, uint32_t offset, unsigned type, unsigned dpl)
{
    uint64_t g = (offset & 0xffff) | (uint64_t)SEL_KCODE << 16 | (uint64_t)type << 40 | (uint64_t)dpl << 45 |
                 1ull << 47 | (uint64_t)(offset >> 16) << 48;
    poke(m, IDT_ADDR + 8ull * vector, &g, sizeof g);
}

static unsigned n_records;
static emu_trap last_record;

static void count_trap(void *ctx, const emu_trap *t)
{
    (void)ctx;
    n_records++;
    last_record = *t;
}

static emu_machine *machine(const uint8_t *body, size_t len)
{
    emu_options opts;
    emu_options_init(&opts);
    opts.x86_start = EMU_X86_START_PROT32;
    emu_machine *m = NULL;
    ck_assert(emu_create(&opts, &m) == EMU_OK);
    uint64_t gdt[7] = {
        0, 0, desc32(0x1b, 0), desc32(0x13, 0), desc32(0x1b, 3), desc32(0x13, 3),
        /* 32-bit TSS, limit 0x67, available */
        0x67 | (TSS_ADDR & 0xffffff) << 16 | 0x9ull << 40 | 1ull << 47 | (TSS_ADDR >> 24 & 0xff) << 56,
    };
    poke(m, GDT_ADDR, gdt, sizeof gdt);
    uint8_t tss[0x68] = { 0 };
    uint32_t esp0 = ESP0_TOP, ss0 = SEL_KDATA;
    memcpy(tss + 4, &esp0, 4);
    memcpy(tss + 8, &ss0, 4);
    poke(m, TSS_ADDR, tss, sizeof tss);
    static const uint8_t halt[] = { 0xf4 };
    for (unsigned v = 0; v < 256; v++) {
        poke(m, HANDLERS + 16ull * v, halt, sizeof halt);
        set_gate(m, v, (uint32_t)(HANDLERS + 16 * v), 0xe, 0);
    }
    t_set_reg(m, EMU_X86_GDTR_BASE, GDT_ADDR);
    t_set_reg(m, EMU_X86_GDTR_LIMIT, sizeof gdt - 1);
    t_set_reg(m, EMU_X86_IDTR_BASE, IDT_ADDR);
    t_set_reg(m, EMU_X86_IDTR_LIMIT, 256 * 8 - 1);
    uint8_t code[64] = { 0x66, 0xb8, SEL_TSS, 0x00, 0x0f, 0x00, 0xd8 };     /* mov ax, SEL_TSS; ltr ax */
    memcpy(code + 7, body, len);
    t_load_code(m, code, 7 + len);
    n_records = 0;
    emu_set_trap_hook(m, count_trap, NULL);
    return m;
}

static void run_to_handler(emu_machine *m, unsigned vector, const char *what)
{
    emu_stop stop = t_run(m, 100);
    ck_assert_msg(stop.kind == EMU_STOP_HALT, "%s: want the handler's HLT, got %s: %s", what,
                  emu_stop_kind_name(stop.kind), stop.message);
    /* HLT completes before the CPU waits, so the stop names the HLT and RIP is past it. */
    ck_assert_msg(stop.pc == HANDLERS + 16ull * vector, "%s: halted at 0x%llx, want the handler at 0x%llx", what,
                  (unsigned long long)stop.pc, (unsigned long long)(HANDLERS + 16ull * vector));
}

START_TEST(ud_same_privilege)
{
    static const uint8_t body[] = { 0x0f, 0x0b };           /* ud2 */
    emu_machine *m = machine(body, sizeof body);
    run_to_handler(m, 6, "#UD in 32-bit protected mode");
    uint64_t esp = T_STACK_TOP - 12;
    T_EXPECT_REG(m, EMU_X86_RSP, esp, "#UD: three dwords, no alignment");
    ck_assert_msg(peek32(m, esp) == T_CODE_ADDR + 7, "#UD: saved EIP");
    ck_assert_msg(peek32(m, esp + 4) == SEL_KCODE, "#UD: saved CS");
    ck_assert_msg(peek32(m, esp + 8) == 0x10002, "#UD: saved EFLAGS with RF, got 0x%x", peek32(m, esp + 8));
    ck_assert_msg(n_records == 1 && strcmp(last_record.stack, "current") == 0, "#UD: record on the current stack");
    emu_close(m);
}
END_TEST

START_TEST(ring3_int_switches_to_ss0_esp0_and_iretd_returns)
{
    static const uint8_t body[] = { 0xcf };                 /* iretd into ring 3 */
    emu_machine *m = machine(body, sizeof body);
    uint32_t frame[5] = { (uint32_t)USER_CODE, SEL_UCODE, 0x202, (uint32_t)USER_ESP, SEL_UDATA };
    poke(m, T_STACK_TOP - sizeof frame, frame, sizeof frame);
    t_set_reg(m, EMU_X86_RSP, T_STACK_TOP - sizeof frame);
    static const uint8_t user[] = { 0xcd, 0x80, 0xf4 };     /* int 0x80; hlt (at CPL 3: #GP) */
    poke(m, USER_CODE, user, sizeof user);
    set_gate(m, 0x80, (uint32_t)(HANDLERS + 16 * 0x80), 0xf, 3);
    static const uint8_t iretd[] = { 0xcf };
    poke(m, HANDLERS + 16 * 0x80, iretd, sizeof iretd);
    /* The #GP from HLT at CPL 3 halts in its handler; its frame reuses the stack INT 0x80 used. */
    run_to_handler(m, 13, "INT 0x80, IRETD to ring 3, then #GP");
    uint64_t gp_frame = ESP0_TOP - 24;
    ck_assert_msg(peek32(m, gp_frame) == 0, "#GP(0) from HLT at CPL 3");
    ck_assert_msg(peek32(m, gp_frame + 4) == USER_CODE + 2, "#GP frame: EIP of the HLT (after INT 0x80 returned)");
    ck_assert_msg(peek32(m, gp_frame + 8) == SEL_UCODE, "#GP frame: user CS");
    ck_assert_msg(peek32(m, gp_frame + 12) == 0x10202, "#GP frame: EFLAGS with RF, got 0x%x", peek32(m, gp_frame + 12));
    ck_assert_msg(peek32(m, gp_frame + 16) == USER_ESP, "#GP frame: user ESP, restored by IRETD");
    ck_assert_msg(peek32(m, gp_frame + 20) == SEL_UDATA, "#GP frame: user SS, restored by IRETD");
    T_EXPECT_REG(m, EMU_X86_SS, SEL_KDATA, "handler SS = TSS.SS0");
    T_EXPECT_REG(m, EMU_X86_CPL, 0, "handler at CPL 0");
    ck_assert_msg(n_records == 4, "records: IRETD, INT 0x80, IRETD, #GP; got %u", n_records);
    ck_assert_msg(strcmp(last_record.stack, "SS0:ESP0") == 0, "#GP stack reason '%s'", last_record.stack);
    emu_close(m);
}
END_TEST

static Suite *deliver32_suite(void)
{
    Suite *s = suite_create("deliver32");
    TCase *tc = tcase_create("deliver32");
    tcase_add_test(tc, ud_same_privilege);
    tcase_add_test(tc, ring3_int_switches_to_ss0_esp0_and_iretd_returns);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return t_run_suite(deliver32_suite());
}
