/*
 * Far CALL and JMP through call gates and far RET to an outer privilege
 * level (SDM vol. 3, 5.8.3-5.8.6; vol. 2, CALL, JMP, RET), in IA-32e mode
 * (16-byte 64-bit gates, TSS.RSPn, null SS) and in 32-bit protected mode
 * (8-byte 32- and 16-bit gates, TSS.SSn:ESPn, parameter copying). Each
 * failure path is checked for its vector and error code before delivery
 * (break_on_exception), with the caller's state untouched.
 */
#include <check.h>
#include <string.h>

#include "emu_test.h"

#define GDT_ADDR     0x10000ull
#define TSS_ADDR     0x11000ull
#define KERNEL_CODE  0x20000ull
#define RSP0_TOP     0x50000ull
#define USER_CODE    0x180000ull
#define USER_RSP     0x1ff000ull
#define FAR_PTR      T_DATA_ADDR

/* ---- Descriptors ---- */

#define TYPE_CODE     0x1b      /* S = 1, execute/read, accessed */
#define TYPE_CODE_CONF 0x1f     /* ... conforming */
#define TYPE_DATA     0x13      /* S = 1, read/write, accessed */
#define TYPE_TSS      0x9
#define TYPE_GATE16   0x4
#define TYPE_TASK     0x5
#define TYPE_GATE     0xc
#define FLAGS_L       0x2       /* 64-bit code */
#define FLAGS_DB_G    0xc       /* 32-bit, 4 KiB granularity */

static uint64_t desc(unsigned type_s, unsigned dpl, unsigned flags, bool present)
{
    return 0xffffull | (uint64_t)type_s << 40 | (uint64_t)dpl << 45 | (uint64_t)present << 47 | 0xfull << 48 |
           (uint64_t)flags << 52;
}

static uint64_t tss_desc(unsigned limit)
{
    return limit | (TSS_ADDR & 0xffffff) << 16 | (uint64_t)TYPE_TSS << 40 | 1ull << 47 | (TSS_ADDR >> 24 & 0xff) << 56;
}

static void poke(emu_machine *m, uint64_t pa, const void *p, size_t n)
{
    ck_assert_msg(emu_mem_write_phys(m, pa, p, n) == EMU_OK, "write 0x%llx", (unsigned long long)pa);
}

static uint64_t peek(emu_machine *m, uint64_t pa, unsigned size)
{
    uint64_t v = 0;
    ck_assert_msg(emu_mem_read_phys(m, pa, &v, size) == EMU_OK, "read 0x%llx", (unsigned long long)pa);
    return v;
}

/* An 8-byte call gate (legacy), or the low half of a 64-bit one. */
static uint64_t gate_lo(uint16_t target, uint64_t offset, unsigned type, unsigned dpl, bool present, unsigned params)
{
    return (offset & 0xffff) | (uint64_t)target << 16 | (uint64_t)params << 32 | (uint64_t)type << 40 |
           (uint64_t)dpl << 45 | (uint64_t)present << 47 | ((offset >> 16) & 0xffff) << 48;
}

static void set_desc(emu_machine *m, uint16_t sel, uint64_t d)
{
    poke(m, GDT_ADDR + (sel & ~7u), &d, 8);
}

/* A 16-byte 64-bit call gate at sel; upper_type is the high half's type field (must be 0). */
static void set_gate64(emu_machine *m, uint16_t sel, uint16_t target, uint64_t offset, unsigned dpl, bool present,
                       unsigned upper_type)
{
    uint64_t g[2] = { gate_lo(target, offset, TYPE_GATE, dpl, present, 0),
                      (offset >> 32) | (uint64_t)upper_type << 40 };
    poke(m, GDT_ADDR + (sel & ~7u), g, sizeof g);
}

/* ---- Records ---- */

static const emu_trap *last(const t_trap_log *log)
{
    ck_assert_msg(log->n > 0, "no trap record");
    return &log->last;
}

static void check_record_sums(const emu_trap *t, const char *what)
{
    uint64_t sum = 0;
    for (unsigned i = 0; i < t->n_steps; i++)
        sum += t->steps[i].cycles;
    ck_assert_msg(t->n_steps > 0 && sum == t->cycles, "%s: %u steps summing to %llu, record says %llu", what,
                  t->n_steps, (unsigned long long)sum, (unsigned long long)t->cycles);
}

static bool has_step(const emu_trap *t, const char *name)
{
    for (unsigned i = 0; i < t->n_steps; i++)
        if (strcmp(t->steps[i].name, name) == 0)
            return true;
    return false;
}

/* Run one instruction that must raise vector(error) before delivery, leaving RIP and RSP as they were. */
static void expect_fault(emu_machine *m, int vector, uint32_t error, const char *what)
{
    uint64_t rip = t_reg(m, EMU_X86_RIP), rsp = t_reg(m, EMU_X86_RSP), cs = t_reg(m, EMU_X86_CS);
    emu_stop stop;
    ck_assert(emu_step(m, &stop) == EMU_OK);
    ck_assert_msg(stop.kind == EMU_STOP_EXCEPTION, "%s: want an exception, got %s: %s", what,
                  emu_stop_kind_name(stop.kind), stop.message);
    ck_assert_msg(stop.vector == vector && stop.error_code == error, "%s: want vector %d error 0x%x, got %d 0x%x",
                  what, vector, error, stop.vector, stop.error_code);
    T_EXPECT_REG(m, EMU_X86_RIP, rip, what);
    T_EXPECT_REG(m, EMU_X86_RSP, rsp, what);
    T_EXPECT_REG(m, EMU_X86_CS, cs, what);
}

/* ==== IA-32e mode ==== */

/* GDT selectors (64-bit machine). 0x08 and 0x18 keep the boot GDT's meaning. */
#define L_KCODE     0x08
#define L_KCODE32   0x10
#define L_KDATA     0x18
#define L_UDATA     0x23
#define L_UCODE     0x2b
#define L_TSS       0x30
#define L_GATE      0x40        /* 16 bytes: 0x40 and 0x48 */
#define L_KCODE_NP  0x50        /* 64-bit code, DPL 0, not present */
#define L_KCODE_CONF 0x58       /* 64-bit conforming code, DPL 0 */
#define L_LAST      0x68        /* the table's last 8 bytes */
#define L_GDT_SLOTS 14

static emu_machine *machine64(t_trap_log *log, unsigned tss_limit)
{
    emu_options opts;
    emu_options_init(&opts);
    opts.arch = EMU_ARCH_X86_64;
    opts.break_on_exception = true;
    emu_machine *m = NULL;
    ck_assert(emu_create(&opts, &m) == EMU_OK);
    uint64_t gdt[L_GDT_SLOTS] = {
        0,
        desc(TYPE_CODE, 0, FLAGS_L, true),
        desc(TYPE_CODE, 0, FLAGS_DB_G, true),
        desc(TYPE_DATA, 0, FLAGS_DB_G, true),
        desc(TYPE_DATA, 3, FLAGS_DB_G, true),
        desc(TYPE_CODE, 3, FLAGS_L, true),
        tss_desc(tss_limit), TSS_ADDR >> 32,
        gate_lo(L_KCODE, KERNEL_CODE, TYPE_GATE, 3, true, 0), KERNEL_CODE >> 32,
        desc(TYPE_CODE, 0, FLAGS_L, false),
        desc(TYPE_CODE_CONF, 0, FLAGS_L, true),
        0, 0,
    };
    poke(m, GDT_ADDR, gdt, sizeof gdt);
    uint8_t tss[0x68] = { 0 };
    uint64_t rsp0 = RSP0_TOP;
    memcpy(tss + 4, &rsp0, 8);
    poke(m, TSS_ADDR, tss, sizeof tss);
    t_set_reg(m, EMU_X86_GDTR_BASE, GDT_ADDR);
    t_set_reg(m, EMU_X86_GDTR_LIMIT, sizeof gdt - 1);
    static const uint8_t ltr[] = { 0x66, 0xb8, L_TSS, 0x00, 0x0f, 0x00, 0xd8 };  /* mov ax, L_TSS; ltr ax */
    t_load_code(m, ltr, sizeof ltr);
    t_step_n(m, 2, "ltr");
    t_trap_log_attach(m, log);
    return m;
}

/* Continue at CPL 3 in 64-bit user code with a far pointer to sel at FAR_PTR. */
static void user64(emu_machine *m, const uint8_t *code, size_t len, uint16_t sel)
{
    poke(m, USER_CODE, code, len);
    uint8_t ptr[6] = { 0 };
    memcpy(ptr + 4, &sel, 2);
    poke(m, FAR_PTR, ptr, sizeof ptr);
    t_set_reg(m, EMU_X86_CS, L_UCODE);
    t_set_reg(m, EMU_X86_SS, L_UDATA);
    t_set_reg(m, EMU_X86_DS, L_UDATA);
    t_set_reg(m, EMU_X86_ES, L_UDATA);
    t_set_reg(m, EMU_X86_RIP, USER_CODE);
    t_set_reg(m, EMU_X86_RSP, USER_RSP);
}

/* The same at CPL 0 (kernel code at T_CODE_ADDR's page, stack T_STACK_TOP). */
static void kernel64(emu_machine *m, const uint8_t *code, size_t len, uint16_t sel)
{
    poke(m, T_CODE_ADDR, code, len);
    uint8_t ptr[6] = { 0 };
    memcpy(ptr + 4, &sel, 2);
    poke(m, FAR_PTR, ptr, sizeof ptr);
    t_set_reg(m, EMU_X86_RIP, T_CODE_ADDR);
    t_set_reg(m, EMU_X86_RSP, T_STACK_TOP);
}

static const uint8_t call_far_ptr[] = { 0xff, 0x1c, 0x25, FAR_PTR & 0xff, FAR_PTR >> 8 & 0xff, FAR_PTR >> 16 & 0xff,
                                        FAR_PTR >> 24 };   /* call far [FAR_PTR] (m16:32) */
static const uint8_t jmp_far_ptr[] = { 0xff, 0x2c, 0x25, FAR_PTR & 0xff, FAR_PTR >> 8 & 0xff, FAR_PTR >> 16 & 0xff,
                                       FAR_PTR >> 24 };    /* jmp far [FAR_PTR] */

START_TEST(ia32e_call_to_ring0_switches_to_rsp0_and_retfq_returns)
{
    t_trap_log log;
    emu_machine *m = machine64(&log, 0x67);
    /* Kernel: mov ax, L_KDATA; mov ds, ax; retfq (DS then holds a DPL-0 segment). */
    static const uint8_t kernel[] = { 0x66, 0xb8, L_KDATA, 0x00, 0x8e, 0xd8, 0x48, 0xcb };
    poke(m, KERNEL_CODE, kernel, sizeof kernel);
    user64(m, call_far_ptr, sizeof call_far_ptr, L_GATE | 3);
    t_step_n(m, 1, "call far through the 64-bit gate");

    uint64_t rsp = RSP0_TOP - 4 * 8;
    T_EXPECT_REG(m, EMU_X86_RIP, KERNEL_CODE, "gate call: RIP = the gate's offset");
    T_EXPECT_REG(m, EMU_X86_CS, L_KCODE, "gate call: CS = the gate's selector with RPL 0");
    T_EXPECT_REG(m, EMU_X86_CPL, 0, "gate call: CPL");
    T_EXPECT_REG(m, EMU_X86_SS, 0, "gate call: SS is the null selector with RPL = new CPL 0");
    T_EXPECT_REG(m, EMU_X86_RSP, rsp, "gate call: four 8-byte slots on TSS.RSP0, no alignment");
    ck_assert_msg(peek(m, rsp, 8) == USER_CODE + sizeof call_far_ptr, "gate call: pushed return RIP");
    ck_assert_msg(peek(m, rsp + 8, 8) == L_UCODE, "gate call: pushed CS");
    ck_assert_msg(peek(m, rsp + 16, 8) == USER_RSP, "gate call: pushed RSP");
    ck_assert_msg(peek(m, rsp + 24, 8) == L_UDATA, "gate call: pushed SS");
    const emu_trap *t = last(&log);
    ck_assert_msg(log.n == 1 && t->kind == EMU_TRAP_CALL_GATE && t->vector == -1, "gate call: one call gate record");
    ck_assert_msg(t->from_priv == 3 && t->to_priv == 0 && t->to_pc == KERNEL_CODE && t->to_sp == rsp,
                  "gate call record: 3 -> 0 at the gate's offset on the new stack");
    ck_assert_msg(strcmp(t->stack, "RSP0") == 0, "gate call record: stack '%s'", t->stack);
    ck_assert_msg(has_step(t, "read call gate upper 8 bytes") && has_step(t, "read TSS.RSPn") &&
                  has_step(t, "push SS"), "gate call record: gate, TSS and push steps");
    ck_assert_msg(strcmp(emu_trap_kind_name(t->kind), "call gate") == 0, "kind name '%s'", emu_trap_kind_name(t->kind));
    check_record_sums(t, "gate call");

    t_step_n(m, 3, "kernel: load DS, retfq");
    T_EXPECT_REG(m, EMU_X86_RIP, USER_CODE + sizeof call_far_ptr, "retfq: back after the call");
    T_EXPECT_REG(m, EMU_X86_CS, L_UCODE, "retfq: user CS");
    T_EXPECT_REG(m, EMU_X86_CPL, 3, "retfq: CPL 3");
    T_EXPECT_REG(m, EMU_X86_SS, L_UDATA, "retfq: user SS");
    T_EXPECT_REG(m, EMU_X86_RSP, USER_RSP, "retfq: user RSP");
    T_EXPECT_REG(m, EMU_X86_DS, 0, "retfq: DS (DPL 0 < CPL 3) nulled");
    T_EXPECT_REG(m, EMU_X86_ES, L_UDATA, "retfq: ES (DPL 3) kept");
    t = last(&log);
    ck_assert_msg(log.n == 2 && t->kind == EMU_TRAP_RETURN && t->from_priv == 0 && t->to_priv == 3 &&
                  t->to_pc == USER_CODE + sizeof call_far_ptr && t->to_sp == USER_RSP,
                  "retfq: a return record 0 -> 3");
    ck_assert_msg(has_step(t, "pop SS") && has_step(t, "null data segment the new CPL may not use"),
                  "retfq record: pop SS and the DS nulling");
    check_record_sums(t, "retfq");
    emu_close(m);
}
END_TEST

START_TEST(ia32e_retfq_imm16_releases_on_both_stacks)
{
    t_trap_log log;
    emu_machine *m = machine64(&log, 0x67);
    static const uint8_t retf16[] = { 0x48, 0xca, 0x10, 0x00 };     /* retfq 16 */
    kernel64(m, retf16, sizeof retf16, 0);
    uint64_t frame[6] = { USER_CODE, L_UCODE, 0x1111, 0x2222, USER_RSP, L_UDATA };
    poke(m, T_STACK_TOP - sizeof frame, frame, sizeof frame);
    t_set_reg(m, EMU_X86_RSP, T_STACK_TOP - sizeof frame);
    t_step_n(m, 1, "retfq 16");
    T_EXPECT_REG(m, EMU_X86_RIP, USER_CODE, "retfq 16: RIP");
    T_EXPECT_REG(m, EMU_X86_CPL, 3, "retfq 16: CPL");
    T_EXPECT_REG(m, EMU_X86_RSP, USER_RSP + 16, "retfq 16: the popped RSP plus 16");
    ck_assert_msg(last(&log)->kind == EMU_TRAP_RETURN, "retfq 16: a return record");
    emu_close(m);
}
END_TEST

START_TEST(ia32e_retf_outward_checks)
{
    t_trap_log log;
    static const uint8_t retfq[] = { 0x48, 0xcb };
    struct {
        uint64_t frame[4];
        int vector;
        uint32_t error;
        const char *what;
    } cases[] = {
        { { USER_CODE, L_UCODE, USER_RSP, 0 }, 13, 0, "null SS returning to CPL 3: #GP(0)" },
        { { USER_CODE, L_UCODE, USER_RSP, L_UDATA & ~3u }, 13, L_UDATA & ~3u, "SS RPL 0 != CPL 3: #GP(SS)" },
        { { USER_CODE, L_UCODE, USER_RSP, L_KDATA | 3 }, 13, L_KDATA, "SS DPL 0 != 3: #GP(SS)" },
        { { USER_CODE, L_UCODE, USER_RSP, L_UCODE }, 13, L_UCODE & ~3u, "SS is code: #GP(SS)" },
        { { USER_CODE, L_UDATA, USER_RSP, L_UDATA }, 13, L_UDATA & ~3u, "CS is data: #GP(CS)" },
        { { USER_CODE, L_KCODE_NP | 3, USER_RSP, L_UDATA }, 13, L_KCODE_NP, "CS DPL 0 != RPL 3: #GP(CS)" },
        { { 0x800000000000ull, L_UCODE, USER_RSP, L_UDATA }, 13, 0, "non-canonical RIP: #GP(0)" },
    };
    for (unsigned i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        emu_machine *m = machine64(&log, 0x67);
        kernel64(m, retfq, sizeof retfq, 0);
        poke(m, T_STACK_TOP - 32, cases[i].frame, 32);
        t_set_reg(m, EMU_X86_RSP, T_STACK_TOP - 32);
        expect_fault(m, cases[i].vector, cases[i].error, cases[i].what);
        T_EXPECT_REG(m, EMU_X86_SS, L_KDATA, cases[i].what);
        ck_assert_msg(log.n == 0, "%s: no record for a failed return", cases[i].what);
        emu_close(m);
    }
    /* SS not present: #SS(SS). */
    emu_machine *m = machine64(&log, 0x67);
    set_desc(m, L_UDATA, desc(TYPE_DATA, 3, FLAGS_DB_G, false));
    kernel64(m, retfq, sizeof retfq, 0);
    uint64_t frame[4] = { USER_CODE, L_UCODE, USER_RSP, L_UDATA };
    poke(m, T_STACK_TOP - 32, frame, 32);
    t_set_reg(m, EMU_X86_RSP, T_STACK_TOP - 32);
    expect_fault(m, 12, L_UDATA & ~3u, "SS not present: #SS(SS)");
    emu_close(m);
}
END_TEST

START_TEST(ia32e_retfq_null_ss_to_ring1_64bit)
{
    t_trap_log log;
    emu_machine *m = machine64(&log, 0x67);
    set_desc(m, 0x60, desc(TYPE_CODE, 1, FLAGS_L, true));      /* 64-bit code, DPL 1 */
    static const uint8_t retfq[] = { 0x48, 0xcb };
    kernel64(m, retfq, sizeof retfq, 0);
    uint64_t frame[4] = { USER_CODE, 0x61, USER_RSP, 1 };       /* SS: null selector, RPL 1 */
    poke(m, T_STACK_TOP - 32, frame, 32);
    t_set_reg(m, EMU_X86_RSP, T_STACK_TOP - 32);
    t_step_n(m, 1, "retfq to 64-bit ring 1 with a null SS");
    T_EXPECT_REG(m, EMU_X86_CPL, 1, "null SS return: CPL 1");
    T_EXPECT_REG(m, EMU_X86_SS, 1, "null SS return: SS = 1");
    emu_close(m);
}
END_TEST

START_TEST(ia32e_gate_checks)
{
    t_trap_log log;
    struct {
        uint16_t target;
        uint64_t offset;
        unsigned dpl, upper_type;
        bool present;
        uint16_t call_sel;
        int vector;
        uint32_t error;
        const char *what;
    } cases[] = {
        { L_KCODE, KERNEL_CODE, 0, 0, true, L_GATE | 3, 13, L_GATE, "gate DPL 0 < CPL 3: #GP(gate)" },
        { L_KCODE, KERNEL_CODE, 3, 0, false, L_GATE | 3, 11, L_GATE, "gate not present: #NP(gate)" },
        { L_KCODE, KERNEL_CODE, 3, 0xc, true, L_GATE | 3, 13, L_GATE, "upper type not 0: #GP(gate)" },
        { 0, KERNEL_CODE, 3, 0, true, L_GATE | 3, 13, 0, "null target CS: #GP(0)" },
        { 0x3, KERNEL_CODE, 3, 0, true, L_GATE | 3, 13, 0, "null target CS with RPL 3: #GP(0)" },
        { 0x80, KERNEL_CODE, 3, 0, true, L_GATE | 3, 13, 0x80, "target beyond the GDT: #GP(target)" },
        { L_KDATA, KERNEL_CODE, 3, 0, true, L_GATE | 3, 13, L_KDATA, "target is data: #GP(target)" },
        { L_KCODE32, KERNEL_CODE, 3, 0, true, L_GATE | 3, 13, L_KCODE32, "target not 64-bit code: #GP(target)" },
        { L_KCODE_NP, KERNEL_CODE, 3, 0, true, L_GATE | 3, 11, L_KCODE_NP, "target not present: #NP(target)" },
        { L_KCODE, 0x800000000000ull, 3, 0, true, L_GATE | 3, 13, 0, "non-canonical offset: #GP(0)" },
    };
    for (unsigned i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        emu_machine *m = machine64(&log, 0x67);
        set_gate64(m, L_GATE, cases[i].target, cases[i].offset, cases[i].dpl, cases[i].present, cases[i].upper_type);
        user64(m, call_far_ptr, sizeof call_far_ptr, cases[i].call_sel);
        expect_fault(m, cases[i].vector, cases[i].error, cases[i].what);
        T_EXPECT_REG(m, EMU_X86_SS, L_UDATA, cases[i].what);
        ck_assert_msg(log.n == 0, "%s: no record for a failed call", cases[i].what);
        emu_close(m);
    }
}
END_TEST

START_TEST(ia32e_selector_checks)
{
    t_trap_log log;
    /* RPL 3 in the selector against a DPL-0 gate at CPL 0: #GP(gate). */
    emu_machine *m = machine64(&log, 0x67);
    set_gate64(m, L_GATE, L_KCODE, KERNEL_CODE, 0, true, 0);
    kernel64(m, call_far_ptr, sizeof call_far_ptr, L_GATE | 3);
    expect_fault(m, 13, L_GATE, "RPL 3 > gate DPL 0: #GP(gate)");
    emu_close(m);
    /* A 16-byte gate in the table's last 8 bytes: #GP(gate). */
    m = machine64(&log, 0x67);
    set_desc(m, L_LAST, gate_lo(L_KCODE, KERNEL_CODE, TYPE_GATE, 3, true, 0));
    user64(m, call_far_ptr, sizeof call_far_ptr, L_LAST | 3);
    expect_fault(m, 13, L_LAST, "gate's upper half beyond the GDT limit: #GP(gate)");
    emu_close(m);
    /* 16-bit call gates and task gates do not exist in IA-32e mode: #GP(sel). */
    m = machine64(&log, 0x67);
    set_desc(m, L_LAST, gate_lo(L_KCODE, KERNEL_CODE, TYPE_GATE16, 3, true, 0));
    user64(m, call_far_ptr, sizeof call_far_ptr, L_LAST | 3);
    expect_fault(m, 13, L_LAST, "16-bit call gate in IA-32e mode: #GP(gate)");
    emu_close(m);
    m = machine64(&log, 0x67);
    set_desc(m, L_LAST, gate_lo(L_TSS, 0, TYPE_TASK, 3, true, 0));
    user64(m, jmp_far_ptr, sizeof jmp_far_ptr, L_LAST | 3);
    expect_fault(m, 13, L_LAST, "task gate in IA-32e mode: #GP(gate)");
    emu_close(m);
}
END_TEST

START_TEST(ia32e_new_stack_checks)
{
    t_trap_log log;
    /* TSS too short for RSP0: #TS(TR). */
    emu_machine *m = machine64(&log, 0x8);
    user64(m, call_far_ptr, sizeof call_far_ptr, L_GATE | 3);
    expect_fault(m, 10, L_TSS, "RSP0 beyond the TSS limit: #TS(TR)");
    emu_close(m);
    /* A non-canonical RSP0: #SS(0), the null new SS's index. */
    m = machine64(&log, 0x67);
    uint64_t rsp0 = 0x800000000010ull;
    poke(m, TSS_ADDR + 4, &rsp0, 8);
    user64(m, call_far_ptr, sizeof call_far_ptr, L_GATE | 3);
    expect_fault(m, 12, 0, "non-canonical RSP0: #SS(0)");
    emu_close(m);
}
END_TEST

START_TEST(ia32e_same_privilege_call_and_jmp)
{
    t_trap_log log;
    /* CALL through a gate to conforming code keeps CPL 3 and the current stack. */
    emu_machine *m = machine64(&log, 0x67);
    set_gate64(m, L_GATE, L_KCODE_CONF, KERNEL_CODE, 3, true, 0);
    user64(m, call_far_ptr, sizeof call_far_ptr, L_GATE | 3);
    t_step_n(m, 1, "call through a gate to conforming code");
    T_EXPECT_REG(m, EMU_X86_CS, L_KCODE_CONF | 3, "conforming target: CS.RPL = CPL 3");
    T_EXPECT_REG(m, EMU_X86_RIP, KERNEL_CODE, "conforming target: RIP");
    T_EXPECT_REG(m, EMU_X86_RSP, USER_RSP - 16, "conforming target: CS and RIP on the current stack");
    T_EXPECT_REG(m, EMU_X86_SS, L_UDATA, "conforming target: SS kept");
    ck_assert_msg(peek(m, USER_RSP - 16, 8) == USER_CODE + sizeof call_far_ptr && peek(m, USER_RSP - 8, 8) == L_UCODE,
                  "conforming target: pushed RIP and CS");
    ck_assert_msg(strcmp(last(&log)->stack, "current") == 0, "same privilege: stack 'current'");
    emu_close(m);
    /* JMP through a DPL-0 gate at CPL 0 to ring-0 code: same privilege, stack untouched. */
    m = machine64(&log, 0x67);
    set_gate64(m, L_GATE, L_KCODE, KERNEL_CODE, 0, true, 0);
    kernel64(m, jmp_far_ptr, sizeof jmp_far_ptr, L_GATE);
    t_step_n(m, 1, "jmp through a gate");
    T_EXPECT_REG(m, EMU_X86_RIP, KERNEL_CODE, "jmp via gate: RIP");
    T_EXPECT_REG(m, EMU_X86_CS, L_KCODE, "jmp via gate: CS");
    T_EXPECT_REG(m, EMU_X86_RSP, T_STACK_TOP, "jmp via gate: nothing pushed");
    ck_assert_msg(log.n == 1 && last(&log)->kind == EMU_TRAP_CALL_GATE, "jmp via gate: a call gate record");
    emu_close(m);
    /* JMP inward through a gate: #GP(target). */
    m = machine64(&log, 0x67);
    user64(m, jmp_far_ptr, sizeof jmp_far_ptr, L_GATE | 3);
    expect_fault(m, 13, L_KCODE, "jmp through a gate to ring 0 from ring 3: #GP(target)");
    emu_close(m);
}
END_TEST

/* ==== 32-bit protected mode ==== */

#define P_KCODE   0x10
#define P_KDATA   0x18
#define P_UCODE   0x23
#define P_UDATA   0x2b
#define P_TSS     0x30
#define P_GATE    0x38
#define P_GATE16  0x40
#define P_TASK    0x48
#define P_KCODE_NP 0x50
#define P_SLOTS   11
#define ESP0_TOP  0x50000u

static emu_machine *machine32(t_trap_log *log, uint32_t esp0, uint16_t ss0)
{
    emu_options opts;
    emu_options_init(&opts);
    opts.x86_start = EMU_X86_START_PROT32;
    opts.break_on_exception = true;
    emu_machine *m = NULL;
    ck_assert(emu_create(&opts, &m) == EMU_OK);
    uint64_t gdt[P_SLOTS] = {
        0, 0,
        desc(TYPE_CODE, 0, FLAGS_DB_G, true),
        desc(TYPE_DATA, 0, FLAGS_DB_G, true),
        desc(TYPE_CODE, 3, FLAGS_DB_G, true),
        desc(TYPE_DATA, 3, FLAGS_DB_G, true),
        tss_desc(0x67),
        gate_lo(P_KCODE, KERNEL_CODE, TYPE_GATE, 3, true, 2),
        gate_lo(P_KCODE, KERNEL_CODE, TYPE_GATE16, 3, true, 1),
        gate_lo(P_TSS, 0, TYPE_TASK, 3, true, 0),
        desc(TYPE_CODE, 0, FLAGS_DB_G, false),
    };
    poke(m, GDT_ADDR, gdt, sizeof gdt);
    uint8_t tss[0x68] = { 0 };
    uint32_t ss0_32 = ss0;
    memcpy(tss + 4, &esp0, 4);
    memcpy(tss + 8, &ss0_32, 4);
    poke(m, TSS_ADDR, tss, sizeof tss);
    t_set_reg(m, EMU_X86_GDTR_BASE, GDT_ADDR);
    t_set_reg(m, EMU_X86_GDTR_LIMIT, sizeof gdt - 1);
    static const uint8_t ltr[] = { 0x66, 0xb8, P_TSS, 0x00, 0x0f, 0x00, 0xd8 };
    t_load_code(m, ltr, sizeof ltr);
    t_step_n(m, 2, "ltr");
    t_trap_log_attach(m, log);
    return m;
}

static void user32(emu_machine *m, const uint8_t *code, size_t len)
{
    poke(m, USER_CODE, code, len);
    t_set_reg(m, EMU_X86_CS, P_UCODE);
    t_set_reg(m, EMU_X86_SS, P_UDATA);
    t_set_reg(m, EMU_X86_DS, P_UDATA);
    t_set_reg(m, EMU_X86_ES, P_UDATA);
    t_set_reg(m, EMU_X86_RIP, USER_CODE);
    t_set_reg(m, EMU_X86_RSP, USER_RSP);
}

/* push 0x11; push 0x22; call sel:0 */
#define CALL_WITH_PARAMS(sel) { 0x6a, 0x11, 0x6a, 0x22, 0x9a, 0, 0, 0, 0, (sel), 0 }
#define CALL_LEN 11

START_TEST(prot32_call_copies_parameters_and_retf_releases_them)
{
    t_trap_log log;
    emu_machine *m = machine32(&log, ESP0_TOP, P_KDATA);
    /* Kernel: mov ax, P_KDATA; mov ds, ax; retf 8 */
    static const uint8_t kernel[] = { 0x66, 0xb8, P_KDATA, 0x00, 0x8e, 0xd8, 0xca, 0x08, 0x00 };
    poke(m, KERNEL_CODE, kernel, sizeof kernel);
    static const uint8_t user[] = CALL_WITH_PARAMS(P_GATE | 3);
    user32(m, user, sizeof user);
    t_step_n(m, 3, "two pushes and a call through a 32-bit gate with 2 parameters");
    uint32_t esp = ESP0_TOP - 6 * 4;
    T_EXPECT_REG(m, EMU_X86_CS, P_KCODE, "32-bit gate: CS");
    T_EXPECT_REG(m, EMU_X86_RIP, KERNEL_CODE, "32-bit gate: EIP");
    T_EXPECT_REG(m, EMU_X86_SS, P_KDATA, "32-bit gate: SS = TSS.SS0");
    T_EXPECT_REG(m, EMU_X86_RSP, esp, "32-bit gate: SS, ESP, 2 parameters, CS, EIP on ESP0");
    ck_assert_msg(peek(m, esp, 4) == USER_CODE + CALL_LEN, "32-bit gate: pushed EIP");
    ck_assert_msg(peek(m, esp + 4, 4) == P_UCODE, "32-bit gate: pushed CS");
    ck_assert_msg(peek(m, esp + 8, 4) == 0x22 && peek(m, esp + 12, 4) == 0x11,
                  "32-bit gate: parameters copied in order, got 0x%llx 0x%llx",
                  (unsigned long long)peek(m, esp + 8, 4), (unsigned long long)peek(m, esp + 12, 4));
    ck_assert_msg(peek(m, esp + 16, 4) == USER_RSP - 8, "32-bit gate: pushed ESP (below the parameters)");
    ck_assert_msg(peek(m, esp + 20, 4) == P_UDATA, "32-bit gate: pushed SS");
    const emu_trap *t = last(&log);
    ck_assert_msg(t->kind == EMU_TRAP_CALL_GATE && t->from_priv == 3 && t->to_priv == 0 && t->to_sp == esp,
                  "32-bit gate: record 3 -> 0");
    ck_assert_msg(strcmp(t->stack, "SS0:ESP0") == 0, "32-bit gate: stack '%s'", t->stack);
    ck_assert_msg(has_step(t, "read TSS.SSn") && has_step(t, "copy parameters from the caller's stack"),
                  "32-bit gate record: TSS and parameter steps");
    check_record_sums(t, "32-bit gate");

    t_step_n(m, 3, "kernel: load DS, retf 8");
    T_EXPECT_REG(m, EMU_X86_RIP, USER_CODE + CALL_LEN, "retf 8: EIP");
    T_EXPECT_REG(m, EMU_X86_CS, P_UCODE, "retf 8: CS");
    T_EXPECT_REG(m, EMU_X86_SS, P_UDATA, "retf 8: SS");
    T_EXPECT_REG(m, EMU_X86_RSP, USER_RSP, "retf 8: the caller's ESP with the parameters released");
    T_EXPECT_REG(m, EMU_X86_DS, 0, "retf 8: DS (DPL 0) nulled");
    T_EXPECT_REG(m, EMU_X86_ES, P_UDATA, "retf 8: ES (DPL 3) kept");
    t = last(&log);
    ck_assert_msg(t->kind == EMU_TRAP_RETURN && t->to_priv == 3 && t->to_sp == USER_RSP, "retf 8: return record");
    check_record_sums(t, "retf 8");
    emu_close(m);
}
END_TEST

START_TEST(prot32_16bit_gate_pushes_words)
{
    t_trap_log log;
    emu_machine *m = machine32(&log, ESP0_TOP, P_KDATA);
    static const uint8_t user[] = CALL_WITH_PARAMS(P_GATE16 | 3);
    user32(m, user, sizeof user);
    t_step_n(m, 3, "call through a 16-bit gate with 1 parameter");
    uint32_t esp = ESP0_TOP - 5 * 2;
    T_EXPECT_REG(m, EMU_X86_RSP, esp, "16-bit gate: five 2-byte slots");
    T_EXPECT_REG(m, EMU_X86_CPL, 0, "16-bit gate: CPL");
    ck_assert_msg(peek(m, esp, 2) == ((USER_CODE + CALL_LEN) & 0xffff), "16-bit gate: pushed IP");
    ck_assert_msg(peek(m, esp + 2, 2) == P_UCODE, "16-bit gate: pushed CS");
    ck_assert_msg(peek(m, esp + 4, 2) == 0x22, "16-bit gate: one word parameter copied");
    ck_assert_msg(peek(m, esp + 6, 2) == ((USER_RSP - 8) & 0xffff), "16-bit gate: pushed SP");
    ck_assert_msg(peek(m, esp + 8, 2) == P_UDATA, "16-bit gate: pushed SS");
    emu_close(m);
}
END_TEST

START_TEST(prot32_same_privilege_call_through_gate)
{
    t_trap_log log;
    emu_machine *m = machine32(&log, ESP0_TOP, P_KDATA);
    set_desc(m, P_GATE, gate_lo(P_KCODE, KERNEL_CODE, TYPE_GATE, 0, true, 2));
    set_desc(m, P_KCODE, desc(TYPE_CODE & ~1u, 0, FLAGS_DB_G, true));     /* accessed bit clear */
    static const uint8_t body[] = { 0x9a, 0, 0, 0, 0, P_GATE, 0 };  /* call P_GATE:0 at CPL 0 */
    poke(m, T_CODE_ADDR, body, sizeof body);
    t_set_reg(m, EMU_X86_RIP, T_CODE_ADDR);
    t_set_reg(m, EMU_X86_RSP, T_STACK_TOP);
    t_step_n(m, 1, "call through a gate at CPL 0");
    T_EXPECT_REG(m, EMU_X86_RSP, T_STACK_TOP - 8, "same privilege: CS and EIP only, no parameters copied");
    T_EXPECT_REG(m, EMU_X86_RIP, KERNEL_CODE, "same privilege: EIP");
    ck_assert_msg(peek(m, T_STACK_TOP - 8, 4) == T_CODE_ADDR + sizeof body && peek(m, T_STACK_TOP - 4, 4) == P_KCODE,
                  "same privilege: pushed EIP and CS");
    ck_assert_msg(peek(m, GDT_ADDR + P_KCODE + 5, 1) == (0x80 | TYPE_CODE),
                  "same privilege: the target's accessed bit set in the GDT, type byte 0x%llx",
                  (unsigned long long)peek(m, GDT_ADDR + P_KCODE + 5, 1));
    emu_close(m);
}
END_TEST

START_TEST(prot32_new_stack_checks)
{
    t_trap_log log;
    static const uint8_t user[] = CALL_WITH_PARAMS(P_GATE | 3);
    struct {
        uint32_t esp0;
        uint16_t ss0;
        int vector;
        uint32_t error;
        const char *what;
    } cases[] = {
        { ESP0_TOP, 0, 10, 0, "null SS0: #TS(0)" },
        { ESP0_TOP, P_KDATA | 1, 10, P_KDATA, "SS0 RPL 1 != new CPL 0: #TS(SS)" },
        { ESP0_TOP, P_UDATA & ~3u, 10, P_UDATA & ~3u, "SS0 DPL 3 != 0: #TS(SS)" },
        { ESP0_TOP, P_KCODE, 10, P_KCODE, "SS0 is code: #TS(SS)" },
        { ESP0_TOP, 0x78, 10, 0x78, "SS0 beyond the GDT: #TS(SS)" },
        { 20, P_KDATA, 12, P_KDATA, "no room for 24 bytes below ESP0: #SS(SS)" },
    };
    for (unsigned i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        emu_machine *m = machine32(&log, cases[i].esp0, cases[i].ss0);
        user32(m, user, sizeof user);
        t_step_n(m, 2, "two pushes");
        expect_fault(m, cases[i].vector, cases[i].error, cases[i].what);
        T_EXPECT_REG(m, EMU_X86_SS, P_UDATA, cases[i].what);
        emu_close(m);
    }
}
END_TEST

START_TEST(prot32_gate_and_target_checks)
{
    t_trap_log log;
    static const uint8_t user[] = { 0x9a, 0, 0, 0, 0, P_GATE | 3, 0 };       /* call P_GATE:0 */
    static const uint8_t user_jmp[] = { 0xea, 0, 0, 0, 0, P_GATE | 3, 0 };   /* jmp P_GATE:0 */
    struct {
        uint64_t gate;
        const uint8_t *code;
        int vector;
        uint32_t error;
        const char *what;
    } cases[] = {
        { gate_lo(P_KCODE, KERNEL_CODE, TYPE_GATE, 0, true, 0), user, 13, P_GATE, "gate DPL 0 < CPL 3: #GP(gate)" },
        { gate_lo(P_KCODE, KERNEL_CODE, TYPE_GATE, 3, false, 0), user, 11, P_GATE, "gate not present: #NP(gate)" },
        { gate_lo(0, KERNEL_CODE, TYPE_GATE, 3, true, 0), user, 13, 0, "null target: #GP(0)" },
        { gate_lo(P_KDATA, KERNEL_CODE, TYPE_GATE, 3, true, 0), user, 13, P_KDATA, "data target: #GP(target)" },
        { gate_lo(P_KCODE_NP, KERNEL_CODE, TYPE_GATE, 3, true, 0), user, 11, P_KCODE_NP, "target not present: #NP(target)" },
        { gate_lo(P_KCODE, KERNEL_CODE, TYPE_GATE, 3, true, 0), user_jmp, 13, P_KCODE, "jmp inward: #GP(target)" },
    };
    for (unsigned i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        emu_machine *m = machine32(&log, ESP0_TOP, P_KDATA);
        set_desc(m, P_GATE, cases[i].gate);
        user32(m, cases[i].code, 7);
        expect_fault(m, cases[i].vector, cases[i].error, cases[i].what);
        emu_close(m);
    }
}
END_TEST

START_TEST(prot32_task_gate_still_stops)
{
    t_trap_log log;
    emu_machine *m = machine32(&log, ESP0_TOP, P_KDATA);
    static const uint8_t user[] = { 0x9a, 0, 0, 0, 0, P_TASK | 3, 0 };
    user32(m, user, sizeof user);
    emu_stop stop;
    ck_assert(emu_step(m, &stop) == EMU_OK);
    ck_assert_msg(stop.kind == EMU_STOP_ERROR && strstr(stop.message, "task gate"),
                  "call through a task gate stops naming it: %s", stop.message);
    emu_close(m);
}
END_TEST

static Suite *callgate_suite(void)
{
    Suite *s = suite_create("callgate");
    TCase *tc = tcase_create("callgate");
    tcase_add_test(tc, ia32e_call_to_ring0_switches_to_rsp0_and_retfq_returns);
    tcase_add_test(tc, ia32e_retfq_imm16_releases_on_both_stacks);
    tcase_add_test(tc, ia32e_retf_outward_checks);
    tcase_add_test(tc, ia32e_retfq_null_ss_to_ring1_64bit);
    tcase_add_test(tc, ia32e_gate_checks);
    tcase_add_test(tc, ia32e_selector_checks);
    tcase_add_test(tc, ia32e_new_stack_checks);
    tcase_add_test(tc, ia32e_same_privilege_call_and_jmp);
    tcase_add_test(tc, prot32_call_copies_parameters_and_retf_releases_them);
    tcase_add_test(tc, prot32_16bit_gate_pushes_words);
    tcase_add_test(tc, prot32_same_privilege_call_through_gate);
    tcase_add_test(tc, prot32_new_stack_checks);
    tcase_add_test(tc, prot32_gate_and_target_checks);
    tcase_add_test(tc, prot32_task_gate_still_stops);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return t_run_suite(callgate_suite());
}
