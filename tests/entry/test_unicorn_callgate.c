/*
 * Call gates against Unicorn 2 (QEMU TCG) as an oracle: the same GDT, TSS
 * and code in both, run one instruction at a time from ring 0. IRET enters
 * ring 3, a far CALL through a call gate goes to ring 0 (32-bit: a 32-bit
 * gate copying two dwords, a 16-bit gate copying one word; IA-32e: a 64-bit
 * gate, called from 64-bit and from compatibility mode), the handler loads DS with a ring-0 selector and a far RET (RET 8,
 * o16 RET 2, RETFQ) goes back. After
 * every instruction RIP, RSP, CS, SS and DS must agree, and at the end the
 * ring-0 stack the gate wrote.
 */
#include <stdio.h>
#include <string.h>

#include <unicorn/unicorn.h>

#include "emu_test.h"

#define GDT_ADDR    0x10000ull
#define TSS_ADDR    0x11000ull
#define KERNEL_CODE 0x20000ull
#define STACK0_TOP  0x50000ull
#define USER_CODE   0x180000ull
#define USER_STACK  0x1ff000ull
#define UC_MAP_SIZE 0x400000u
#define RING0_STACK (T_STACK_TOP - 0x100)
#define UC_CR0_PE   0x1ull
#define UC_CR0_ET   0x10ull

static uint64_t desc(unsigned type_s, unsigned dpl, unsigned flags)
{
    return 0xffffull | (uint64_t)type_s << 40 | (uint64_t)dpl << 45 | 1ull << 47 | 0xfull << 48 | (uint64_t)flags << 52;
}

#define GATE32 0xcu
#define GATE16 0x4u

static uint64_t gate(uint16_t target, uint64_t offset, unsigned type, unsigned params)
{
    return (offset & 0xffff) | (uint64_t)target << 16 | (uint64_t)params << 32 | (uint64_t)type << 40 | 3ull << 45 |
           1ull << 47 | ((offset >> 16) & 0xffff) << 48;
}

static uint64_t tss_desc(void)
{
    return 0x67 | (TSS_ADDR & 0xffffff) << 16 | 0x9ull << 40 | 1ull << 47;
}

typedef struct image {
    uint64_t gdt[11];
    unsigned gdt_slots;
    uint8_t tss[0x68];
    uint8_t ring0[32], user[32], kernel[32];
    size_t ring0_len, user_len, kernel_len;
    uint64_t iret_frame[5];
    unsigned slot;          /* IRET frame slot size */
    unsigned iret_step;     /* index of the IRET among the instructions run */
    uint64_t far_ptr;       /* where the user code's far pointer lives (0: none) */
    uint64_t kernel_addr;   /* where the gate's target code is (0: KERNEL_CODE) */
    uint8_t ptr[6];
} image;

static void put(emu_machine *m, uc_engine *uc, uint64_t pa, const void *p, size_t n)
{
    ck_assert(emu_mem_write_phys(m, pa, p, n) == EMU_OK);
    ck_assert(uc_mem_write(uc, pa, p, n) == UC_ERR_OK);
}

static uint64_t uc_get(uc_engine *uc, int reg)
{
    uint64_t v = 0;
    ck_assert(uc_reg_read(uc, reg, &v) == UC_ERR_OK);
    return v;
}

static void run_both(const image *im, uc_mode mode, emu_x86_start start, unsigned steps, const char *what)
{
    emu_options opts;
    emu_options_init(&opts);
    opts.x86_start = start;
    emu_machine *m = NULL;
    ck_assert(emu_create(&opts, &m) == EMU_OK);
    uc_engine *uc = NULL;
    ck_assert(uc_open(UC_ARCH_X86, mode, &uc) == UC_ERR_OK);
    ck_assert(uc_mem_map(uc, 0, UC_MAP_SIZE, UC_PROT_ALL) == UC_ERR_OK);

    put(m, uc, GDT_ADDR, im->gdt, 8 * im->gdt_slots);
    put(m, uc, TSS_ADDR, im->tss, sizeof im->tss);
    put(m, uc, T_CODE_ADDR, im->ring0, im->ring0_len);
    put(m, uc, USER_CODE, im->user, im->user_len);
    put(m, uc, im->kernel_addr ? im->kernel_addr : KERNEL_CODE, im->kernel, im->kernel_len);
    if (im->far_ptr)
        put(m, uc, im->far_ptr, im->ptr, sizeof im->ptr);
    uint8_t frame[40];
    for (unsigned i = 0; i < 5; i++)
        memcpy(frame + im->slot * i, &im->iret_frame[i], im->slot);
    put(m, uc, RING0_STACK, frame, 5 * im->slot);

    if (mode == UC_MODE_32) {
        /* Unicorn's 32-bit mode starts flat with CR0.PE clear: turn protected mode on as emu's start state has it. */
        uint64_t cr0 = UC_CR0_PE | UC_CR0_ET;
        ck_assert(uc_reg_write(uc, UC_X86_REG_CR0, &cr0) == UC_ERR_OK);
    }
    uc_x86_mmr gdtr = { 0, GDT_ADDR, 8 * im->gdt_slots - 1, 0 };
    ck_assert(uc_reg_write(uc, UC_X86_REG_GDTR, &gdtr) == UC_ERR_OK);
    t_set_reg(m, EMU_X86_GDTR_BASE, GDT_ADDR);
    t_set_reg(m, EMU_X86_GDTR_LIMIT, 8 * im->gdt_slots - 1);
    const bool wide = mode == UC_MODE_64;
    const struct { emu_reg emu; int uc; } regs[] = {
        { EMU_X86_RIP, wide ? UC_X86_REG_RIP : UC_X86_REG_EIP }, { EMU_X86_RSP, wide ? UC_X86_REG_RSP : UC_X86_REG_ESP },
        { EMU_X86_CS, UC_X86_REG_CS }, { EMU_X86_SS, UC_X86_REG_SS },
    };
    uint64_t rip = T_CODE_ADDR, rsp = RING0_STACK;
    ck_assert(uc_reg_write(uc, regs[0].uc, &rip) == UC_ERR_OK);
    ck_assert(uc_reg_write(uc, regs[1].uc, &rsp) == UC_ERR_OK);
    t_set_reg(m, EMU_X86_RIP, rip);
    t_set_reg(m, EMU_X86_RSP, rsp);
    /* The start states differ (emu's boot selectors, Unicorn's null ones) until the IRET loads both. */
    const unsigned compare_from = im->iret_step;
    for (unsigned i = 0; i < steps; i++) {
        uint64_t pc = uc_get(uc, regs[0].uc);
        uc_err uerr = uc_emu_start(uc, pc, 0, 0, 1);
        ck_assert_msg(uerr == UC_ERR_OK, "%s: Unicorn step %u at 0x%llx: %s", what, i, (unsigned long long)pc,
                      uc_strerror(uerr));
        emu_stop stop;
        ck_assert(emu_step(m, &stop) == EMU_OK);
        ck_assert_msg(stop.kind == EMU_STOP_NONE, "%s: emu step %u: %s", what, i, stop.message);
        for (unsigned r = 0; r < sizeof regs / sizeof regs[0] && i >= compare_from; r++) {
            uint64_t want = uc_get(uc, regs[r].uc), got = t_reg(m, regs[r].emu);
            if (regs[r].emu == EMU_X86_SS || regs[r].emu == EMU_X86_CS)
                want &= 0xffff;
            ck_assert_msg(want == got, "%s: after step %u, %s: Unicorn 0x%llx emu 0x%llx", what, i,
                          emu_reg_name(regs[r].emu), (unsigned long long)want, (unsigned long long)got);
        }
    }
    ck_assert_msg((uc_get(uc, UC_X86_REG_DS) & 0xffff) == t_reg(m, EMU_X86_DS), "%s: DS after the return", what);
    uint8_t a[64], b[64];
    ck_assert(uc_mem_read(uc, STACK0_TOP - sizeof a, a, sizeof a) == UC_ERR_OK);
    ck_assert(emu_mem_read_phys(m, STACK0_TOP - sizeof b, b, sizeof b) == EMU_OK);
    ck_assert_msg(memcmp(a, b, sizeof a) == 0, "%s: the ring-0 stack the gate wrote differs", what);
    uc_close(uc);
    emu_close(m);
}

START_TEST(prot32_gate_with_parameters_and_retf_imm16)
{
    image im = { .gdt_slots = 8, .slot = 4, .iret_step = 4 };
    uint64_t gdt[8] = { 0, 0, desc(0x1b, 0, 0xc), desc(0x13, 0, 0xc), desc(0x1b, 3, 0xc), desc(0x13, 3, 0xc),
                        tss_desc(), gate(0x10, KERNEL_CODE, GATE32, 2) };
    memcpy(im.gdt, gdt, sizeof gdt);
    uint32_t esp0 = STACK0_TOP, ss0 = 0x18;
    memcpy(im.tss + 4, &esp0, 4);
    memcpy(im.tss + 8, &ss0, 4);
    /* mov ax, 0x18; mov ss, ax (Unicorn starts with a 16-bit SS); mov ax, 0x30; ltr ax; iretd */
    static const uint8_t ring0[] = { 0x66, 0xb8, 0x18, 0x00, 0x8e, 0xd0, 0x66, 0xb8, 0x30, 0x00, 0x0f, 0x00, 0xd8, 0xcf };
    static const uint8_t user[] = { 0x6a, 0x11, 0x6a, 0x22, 0x9a, 0, 0, 0, 0, 0x3b, 0, 0x90 };  /* push; push; call 0x3b:0; nop */
    static const uint8_t kernel[] = { 0x66, 0xb8, 0x18, 0x00, 0x8e, 0xd8, 0xca, 0x08, 0x00 };  /* mov ds; retf 8 */
    memcpy(im.ring0, ring0, sizeof ring0);
    memcpy(im.user, user, sizeof user);
    memcpy(im.kernel, kernel, sizeof kernel);
    im.ring0_len = sizeof ring0;
    im.user_len = sizeof user;
    im.kernel_len = sizeof kernel;
    uint64_t frame[5] = { USER_CODE, 0x23, 0x2, USER_STACK, 0x2b };
    memcpy(im.iret_frame, frame, sizeof frame);
    run_both(&im, UC_MODE_32, EMU_X86_START_PROT32, 11, "32-bit call gate");
}
END_TEST

START_TEST(prot32_16bit_gate_and_o16_retf_imm16)
{
    image im = { .gdt_slots = 8, .slot = 4, .iret_step = 4, .kernel_addr = 0x7000 };
    uint64_t gdt[8] = { 0, 0, desc(0x1b, 0, 0xc), desc(0x13, 0, 0xc), desc(0x1b, 3, 0xc), desc(0x13, 3, 0xc),
                        tss_desc(), gate(0x10, 0x7000, GATE16, 1) };
    memcpy(im.gdt, gdt, sizeof gdt);
    uint32_t esp0 = STACK0_TOP, ss0 = 0x18;
    memcpy(im.tss + 4, &esp0, 4);
    memcpy(im.tss + 8, &ss0, 4);
    static const uint8_t ring0[] = { 0x66, 0xb8, 0x18, 0x00, 0x8e, 0xd0, 0x66, 0xb8, 0x30, 0x00, 0x0f, 0x00, 0xd8, 0xcf };
    static const uint8_t user[] = { 0x66, 0x6a, 0x33, 0x9a, 0, 0, 0, 0, 0x3b, 0, 0x90 };  /* push word 0x33; call 0x3b:0 */
    static const uint8_t kernel[] = { 0x66, 0xca, 0x02, 0x00 };                           /* o16 retf 2 */
    memcpy(im.ring0, ring0, sizeof ring0);
    memcpy(im.user, user, sizeof user);
    memcpy(im.kernel, kernel, sizeof kernel);
    im.ring0_len = sizeof ring0;
    im.user_len = sizeof user;
    im.kernel_len = sizeof kernel;
    uint64_t frame[5] = { USER_CODE, 0x23, 0x2, USER_STACK, 0x2b };
    memcpy(im.iret_frame, frame, sizeof frame);
    run_both(&im, UC_MODE_32, EMU_X86_START_PROT32, 8, "16-bit call gate");
}
END_TEST

START_TEST(ia32e_gate_and_retfq)
{
    image im = { .gdt_slots = 10, .slot = 8, .iret_step = 2, .far_ptr = T_DATA_ADDR };
    uint64_t gdt[10] = { 0, desc(0x1b, 0, 0x2), desc(0x1b, 0, 0xc), desc(0x13, 0, 0xc), desc(0x13, 3, 0xc),
                         desc(0x1b, 3, 0x2), tss_desc(), 0, gate(0x08, KERNEL_CODE, GATE32, 0), KERNEL_CODE >> 32 };
    memcpy(im.gdt, gdt, sizeof gdt);
    uint64_t rsp0 = STACK0_TOP;
    memcpy(im.tss + 4, &rsp0, 8);
    static const uint8_t ring0[] = { 0x66, 0xb8, 0x30, 0x00, 0x0f, 0x00, 0xd8, 0x48, 0xcf };  /* ltr; iretq */
    static const uint8_t user[] = { 0xff, 0x1c, 0x25, T_DATA_ADDR & 0xff, T_DATA_ADDR >> 8 & 0xff,
                                    T_DATA_ADDR >> 16 & 0xff, T_DATA_ADDR >> 24, 0x90 };  /* call far [m16:32]; nop */
    static const uint8_t kernel[] = { 0x66, 0xb8, 0x18, 0x00, 0x8e, 0xd8, 0x48, 0xcb };   /* mov ds; retfq */
    memcpy(im.ring0, ring0, sizeof ring0);
    memcpy(im.user, user, sizeof user);
    memcpy(im.kernel, kernel, sizeof kernel);
    im.ring0_len = sizeof ring0;
    im.user_len = sizeof user;
    im.kernel_len = sizeof kernel;
    uint16_t sel = 0x43;
    memcpy(im.ptr + 4, &sel, 2);
    uint64_t frame[5] = { USER_CODE, 0x2b, 0x2, USER_STACK, 0x23 };
    memcpy(im.iret_frame, frame, sizeof frame);
    run_both(&im, UC_MODE_64, EMU_X86_START_LONG64, 7, "64-bit call gate");
}
END_TEST

START_TEST(compat_mode_caller_through_64bit_gate)
{
    image im = { .gdt_slots = 11, .slot = 8, .iret_step = 2, .far_ptr = T_DATA_ADDR };
    uint64_t gdt[11] = { 0, desc(0x1b, 0, 0x2), desc(0x1b, 0, 0xc), desc(0x13, 0, 0xc), desc(0x13, 3, 0xc),
                         desc(0x1b, 3, 0x2), tss_desc(), 0, gate(0x08, KERNEL_CODE, GATE32, 0), KERNEL_CODE >> 32,
                         desc(0x1b, 3, 0xc) };     /* 0x53: 32-bit user code (compatibility mode) */
    memcpy(im.gdt, gdt, sizeof gdt);
    uint64_t rsp0 = STACK0_TOP;
    memcpy(im.tss + 4, &rsp0, 8);
    static const uint8_t ring0[] = { 0x66, 0xb8, 0x30, 0x00, 0x0f, 0x00, 0xd8, 0x48, 0xcf };  /* ltr; iretq */
    /* mov ax, 0x23; mov ds, ax (IRET nulled DS, and compatibility mode checks it); call far [m16:32]; nop */
    static const uint8_t user[] = { 0x66, 0xb8, 0x23, 0x00, 0x8e, 0xd8, 0xff, 0x1d, T_DATA_ADDR & 0xff,
                                    T_DATA_ADDR >> 8 & 0xff, T_DATA_ADDR >> 16 & 0xff, T_DATA_ADDR >> 24, 0x90 };
    static const uint8_t kernel[] = { 0x66, 0xb8, 0x18, 0x00, 0x8e, 0xd8, 0x48, 0xcb };   /* mov ds; retfq */
    memcpy(im.ring0, ring0, sizeof ring0);
    memcpy(im.user, user, sizeof user);
    memcpy(im.kernel, kernel, sizeof kernel);
    im.ring0_len = sizeof ring0;
    im.user_len = sizeof user;
    im.kernel_len = sizeof kernel;
    uint16_t sel = 0x43;
    memcpy(im.ptr + 4, &sel, 2);
    uint64_t frame[5] = { USER_CODE, 0x53, 0x2, USER_STACK, 0x23 };
    memcpy(im.iret_frame, frame, sizeof frame);
    run_both(&im, UC_MODE_64, EMU_X86_START_LONG64, 9, "compatibility-mode caller, 64-bit gate");
}
END_TEST

static Suite *unicorn_callgate_suite(void)
{
    Suite *s = suite_create("unicorn_callgate");
    TCase *tc = tcase_create("unicorn_callgate");
    tcase_add_test(tc, prot32_gate_with_parameters_and_retf_imm16);
    tcase_add_test(tc, prot32_16bit_gate_and_o16_retf_imm16);
    tcase_add_test(tc, ia32e_gate_and_retfq);
    tcase_add_test(tc, compat_mode_caller_through_64bit_gate);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return t_run_suite(unicorn_callgate_suite());
}
