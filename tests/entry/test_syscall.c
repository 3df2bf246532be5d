/*
 * SYSCALL and SYSRET (SDM vol. 2; AMD APM vol. 3): RCX/R11, IA32_STAR
 * selectors, IA32_LSTAR, IA32_FMASK, the EFER.SCE and CPL checks, and the
 * vendor differences: SYSRET to a non-canonical RCX, and SYSCALL/SYSRET in
 * compatibility mode (Intel #UD; AMD enters at IA32_CSTAR).
 */
#include <check.h>
#include <string.h>

#include "emu_test.h"

#define USER_CODE  0x180000ull
#define LSTAR_ADDR 0x190000ull
#define CSTAR_ADDR 0x1a0000ull
#define SYSRETL_AT (sizeof setup - 3)
#define EFER_LME_LMA_SCE 0x501ull

/* CPL-0 set-up: STAR (SYSCALL CS 0x08, SYSRET base 0x10), LSTAR, FMASK = IF, then SYSRET to user code. */
static const uint8_t setup[] = {
    0xb9, 0x81, 0x00, 0x00, 0xc0,       /* mov ecx, IA32_STAR */
    0xba, 0x08, 0x00, 0x10, 0x00,       /* mov edx, 0x00100008 */
    0x31, 0xc0,                         /* xor eax, eax */
    0x0f, 0x30,                         /* wrmsr */
    0xb9, 0x82, 0x00, 0x00, 0xc0,       /* mov ecx, IA32_LSTAR */
    0x31, 0xd2,                         /* xor edx, edx */
    0xb8, 0x00, 0x00, 0x19, 0x00,       /* mov eax, LSTAR_ADDR */
    0x0f, 0x30,                         /* wrmsr */
    0xb9, 0x84, 0x00, 0x00, 0xc0,       /* mov ecx, IA32_FMASK */
    0xb8, 0x00, 0x02, 0x00, 0x00,       /* mov eax, IF */
    0x0f, 0x30,                         /* wrmsr */
    0x4c, 0x89, 0xf1,                   /* mov rcx, r14 (the SYSRET target) */
    0x41, 0xbb, 0x02, 0x02, 0x00, 0x00, /* mov r11d, 0x202 */
    0x48, 0x0f, 0x07,                   /* sysretq */
};

static emu_machine *machine(const char *cpu, uint64_t sysret_target, t_trap_log *log)
{
    emu_options opts;
    emu_options_init(&opts);
    opts.cpu_model = cpu;
    opts.break_on_exception = true;
    emu_machine *m = NULL;
    ck_assert(emu_create(&opts, &m) == EMU_OK);
    t_load_code(m, setup, sizeof setup);
    static const uint8_t user[] = { 0x0f, 0x05 };           /* syscall */
    static const uint8_t handler[] = { 0xf4 };              /* hlt */
    ck_assert(emu_mem_write_phys(m, USER_CODE, user, sizeof user) == EMU_OK);
    ck_assert(emu_mem_write_phys(m, LSTAR_ADDR, handler, sizeof handler) == EMU_OK);
    t_set_reg(m, EMU_X86_EFER, EFER_LME_LMA_SCE);
    t_set_reg(m, EMU_X86_R14, sysret_target);
    t_trap_log_attach(m, log);
    return m;
}

START_TEST(sysret_to_ring3_then_syscall)
{
    t_trap_log log;
    emu_machine *m = machine(NULL, USER_CODE, &log);
    emu_stop stop = t_run(m, 100);
    ck_assert_msg(stop.kind == EMU_STOP_HALT, "reaches the LSTAR handler's hlt: %s", stop.message);
    ck_assert_msg(stop.pc == LSTAR_ADDR, "RIP = IA32_LSTAR: halted at 0x%llx, want 0x%llx",
                  (unsigned long long)stop.pc, (unsigned long long)LSTAR_ADDR);
    T_EXPECT_REG(m, EMU_X86_RCX, USER_CODE + 2, "RCX = the instruction after SYSCALL");
    T_EXPECT_REG(m, EMU_X86_R11, 0x202, "R11 = RFLAGS at SYSCALL");
    T_EXPECT_REG(m, EMU_X86_RFLAGS, 0x2, "RFLAGS with IA32_FMASK's IF cleared");
    T_EXPECT_REG(m, EMU_X86_CS, 0x08, "CS = STAR[47:32]");
    T_EXPECT_REG(m, EMU_X86_SS, 0x10, "SS = STAR[47:32] + 8");
    T_EXPECT_REG(m, EMU_X86_CPL, 0, "CPL 0 after SYSCALL");
    ck_assert_msg(log.n == 2, "two records, got %u", log.n);
    ck_assert_msg(log.recs[0].kind == EMU_TRAP_RETURN && log.recs[0].to_priv == 3 && log.recs[0].to_pc == USER_CODE,
                  "SYSRET recorded as a return to ring 3");
    ck_assert_msg(log.recs[1].kind == EMU_TRAP_SYSCALL && log.recs[1].from_priv == 3 && log.recs[1].to_pc == LSTAR_ADDR,
                  "SYSCALL recorded from ring 3 to LSTAR");
    emu_close(m);
}
END_TEST

START_TEST(sysret_selectors_and_flags)
{
    t_trap_log log;
    emu_machine *m = machine(NULL, USER_CODE, &log);
    t_step_n(m, 14, "set-up and sysretq");
    T_EXPECT_REG(m, EMU_X86_CS, 0x23, "SYSRET CS = STAR[63:48] + 16, RPL 3");
    T_EXPECT_REG(m, EMU_X86_SS, 0x1b, "SYSRET SS = STAR[63:48] + 8, RPL 3");
    T_EXPECT_REG(m, EMU_X86_CPL, 3, "CPL 3 after SYSRET");
    T_EXPECT_REG(m, EMU_X86_RFLAGS, 0x202, "RFLAGS = R11");
    emu_close(m);
}
END_TEST

START_TEST(non_canonical_rcx_by_vendor)
{
    t_trap_log log;
    /* Intel: #GP(0) at CPL 0, before SYSRET changes anything. */
    emu_machine *m = machine("Skylake-Client", 0x8000000000000000ull, &log);
    emu_stop stop = t_run(m, 100);
    ck_assert_msg(stop.kind == EMU_STOP_EXCEPTION && stop.vector == 13 && stop.error_code == 0,
                  "Intel: #GP(0) from SYSRET: %s", stop.message);
    T_EXPECT_REG(m, EMU_X86_CPL, 0, "Intel: the #GP is raised at CPL 0");
    emu_close(m);
    /* AMD: SYSRET completes; the fetch at the non-canonical RIP faults at CPL 3. */
    m = machine("EPYC", 0x8000000000000000ull, &log);
    stop = t_run(m, 100);
    ck_assert_msg(stop.kind == EMU_STOP_EXCEPTION && stop.vector == 13,
                  "AMD: #GP from the CPL-3 fetch: %s", stop.message);
    T_EXPECT_REG(m, EMU_X86_CPL, 3, "AMD: the fault is taken at CPL 3");
    emu_close(m);
}
END_TEST

START_TEST(sce_clear_and_cpl3_sysret)
{
    t_trap_log log;
    emu_machine *m = machine(NULL, USER_CODE, &log);
    t_set_reg(m, EMU_X86_EFER, 0x500);                      /* SCE clear */
    static const uint8_t code[] = { 0x0f, 0x05 };
    t_load_code(m, code, sizeof code);
    emu_stop stop = t_run(m, 10);
    ck_assert_msg(stop.kind == EMU_STOP_EXCEPTION && stop.vector == 6, "SYSCALL with EFER.SCE clear is #UD: %s",
                  stop.message);
    emu_close(m);
    /* SYSRET at CPL 3 is #GP(0): get to ring 3 first, then execute sysret there. */
    m = machine(NULL, USER_CODE, &log);
    static const uint8_t user[] = { 0x48, 0x0f, 0x07 };
    ck_assert(emu_mem_write_phys(m, USER_CODE, user, sizeof user) == EMU_OK);
    stop = t_run(m, 100);
    ck_assert_msg(stop.kind == EMU_STOP_EXCEPTION && stop.vector == 13 && stop.error_code == 0,
                  "SYSRET at CPL 3 is #GP(0): %s", stop.message);
    emu_close(m);
}
END_TEST

/*
 * Compatibility mode: the set-up ends in SYSRETL (no REX.W) instead, so the
 * user code runs in 32-bit compatibility mode at CPL 3; IA32_CSTAR is written
 * first. The user code is "mov ebx, 0x1234; syscall".
 */
static emu_machine *compat_machine(const char *cpu, t_trap_log *log)
{
    emu_machine *m = machine(cpu, USER_CODE, log);
    static const uint8_t cstar[] = {
        0xb9, 0x83, 0x00, 0x00, 0xc0,   /* mov ecx, IA32_CSTAR */
        0x31, 0xd2,                     /* xor edx, edx */
        0xb8, 0x00, 0x00, 0x1a, 0x00,   /* mov eax, CSTAR_ADDR */
        0x0f, 0x30,                     /* wrmsr */
    };
    uint8_t code[sizeof cstar + sizeof setup];
    memcpy(code, cstar, sizeof cstar);
    memcpy(code + sizeof cstar, setup, sizeof setup);
    static const uint8_t sysretl[] = { 0x90, 0x0f, 0x07 };  /* nop; sysretl */
    memcpy(code + sizeof cstar + SYSRETL_AT, sysretl, sizeof sysretl);
    t_load_code(m, code, sizeof code);
    static const uint8_t user[] = { 0xbb, 0x34, 0x12, 0x00, 0x00, 0x0f, 0x05 };
    ck_assert(emu_mem_write_phys(m, USER_CODE, user, sizeof user) == EMU_OK);
    /* REX.W mov rax, imm64 means something else outside 64-bit mode: the handler proves the mode. */
    static const uint8_t handler[] = { 0x48, 0xb8, 1, 2, 3, 4, 5, 6, 7, 8, 0xf4 };
    ck_assert(emu_mem_write_phys(m, CSTAR_ADDR, handler, sizeof handler) == EMU_OK);
    return m;
}

/* Run the set-up and SYSRETL, and check that the user code runs in compatibility mode. */
static void to_compat_user(emu_machine *m, const char *what)
{
    t_step_n(m, 19, what);
    T_EXPECT_REG(m, EMU_X86_RIP, USER_CODE, what);
    T_EXPECT_REG(m, EMU_X86_CS, 0x13, "SYSRETL CS = STAR[63:48], RPL 3 (32-bit code)");
    T_EXPECT_REG(m, EMU_X86_SS, 0x1b, "SYSRETL SS = STAR[63:48] + 8, RPL 3");
    T_EXPECT_REG(m, EMU_X86_CPL, 3, "CPL 3 after SYSRETL");
    emu_x86_insn_info info;
    static const uint8_t mov_ebx[] = { 0xbb, 0x34, 0x12, 0x00, 0x00 };
    ck_assert(emu_x86_decode(mov_ebx, sizeof mov_ebx, EMU_X86_MODE_32, &info) == EMU_OK && info.length == 5);
    t_step_n(m, 1, "mov ebx, imm32 in compatibility mode");
    T_EXPECT_REG(m, EMU_X86_RIP, USER_CODE + 5, "a 32-bit mov is five bytes long: the CPU is in compatibility mode");
}

START_TEST(compat_syscall_intel_is_ud)
{
    t_trap_log log;
    emu_machine *m = compat_machine("Skylake-Client", &log);
    to_compat_user(m, "Intel: set-up and sysretl");
    emu_stop stop;
    ck_assert(emu_step(m, &stop) == EMU_OK);
    ck_assert_msg(stop.kind == EMU_STOP_EXCEPTION && stop.vector == 6 && stop.pc == USER_CODE + 5,
                  "Intel: SYSCALL outside 64-bit mode is #UD at the SYSCALL: kind %s vector %d pc 0x%llx: %s",
                  emu_stop_kind_name(stop.kind), stop.vector, (unsigned long long)stop.pc, stop.message);
    T_EXPECT_REG(m, EMU_X86_CPL, 3, "Intel: nothing changed, still CPL 3");
    T_EXPECT_REG(m, EMU_X86_RCX, USER_CODE, "Intel: RCX untouched (it holds SYSRET's target)");
    ck_assert_msg(log.n == 1, "Intel: only the SYSRET is recorded, got %u records", log.n);
    emu_close(m);
}
END_TEST

START_TEST(compat_syscall_amd_enters_cstar)
{
    t_trap_log log;
    emu_machine *m = compat_machine("EPYC", &log);
    to_compat_user(m, "AMD: set-up and sysretl");
    t_set_reg(m, EMU_X86_RCX, 0xdeadbeef00000000ull);
    emu_stop stop = t_run(m, 10);
    ck_assert_msg(stop.kind == EMU_STOP_HALT, "AMD: SYSCALL reaches the CSTAR handler's hlt: %s", stop.message);
    ck_assert_msg(stop.pc == CSTAR_ADDR + 10, "AMD: the handler at IA32_CSTAR ran to its hlt at 0x%llx, halted at 0x%llx",
                  (unsigned long long)(CSTAR_ADDR + 10), (unsigned long long)stop.pc);
    T_EXPECT_REG(m, EMU_X86_RCX, USER_CODE + 7, "AMD: RCX = the next EIP, zero-extended");
    T_EXPECT_REG(m, EMU_X86_R11, 0x202, "AMD: R11 = RFLAGS at SYSCALL");
    T_EXPECT_REG(m, EMU_X86_RFLAGS, 0x2, "AMD: RFLAGS &= ~IA32_FMASK");
    T_EXPECT_REG(m, EMU_X86_CS, 0x08, "AMD: CS = STAR[47:32]");
    T_EXPECT_REG(m, EMU_X86_SS, 0x10, "AMD: SS = STAR[47:32] + 8");
    T_EXPECT_REG(m, EMU_X86_CPL, 0, "AMD: CPL 0");
    T_EXPECT_REG(m, EMU_X86_RAX, 0x0807060504030201ull, "AMD: the handler runs in 64-bit mode (REX.W imm64)");
    ck_assert_msg(log.n == 2 && log.recs[1].kind == EMU_TRAP_SYSCALL && log.recs[1].to_pc == CSTAR_ADDR &&
                      log.recs[1].from_pc == USER_CODE + 5,
                  "AMD: SYSCALL recorded from the compatibility-mode code to CSTAR");
    emu_close(m);
}
END_TEST

START_TEST(compat_sysret_by_vendor)
{
    /* SYSRET in compatibility mode at CPL 0: Intel #UD; AMD returns as from 64-bit mode. */
    static const uint64_t gdt[] = {
        0,
        0x00cf9b000000ffffull,          /* 0x08: 32-bit ring-0 code (compatibility mode) */
        0x00cf93000000ffffull,          /* 0x10: ring-0 data */
    };
    static const uint8_t code[] = {
        0xb9, 0x81, 0x00, 0x00, 0xc0,   /* mov ecx, IA32_STAR */
        0xba, 0x08, 0x00, 0x10, 0x00,   /* mov edx, 0x00100008 */
        0x31, 0xc0,                     /* xor eax, eax */
        0x0f, 0x30,                     /* wrmsr */
        0x89, 0xd9,                     /* mov ecx, ebx (the SYSRET target) */
        0x0f, 0x07,                     /* sysretl */
    };
    const char *cpus[] = { "Skylake-Client", "EPYC" };
    for (unsigned i = 0; i < 2; i++) {
        t_trap_log log;
        emu_machine *m = machine(cpus[i], USER_CODE, &log);
        ck_assert(emu_mem_write_phys(m, 0x80000, gdt, sizeof gdt) == EMU_OK);
        t_set_reg(m, EMU_X86_GDTR_BASE, 0x80000);
        t_set_reg(m, EMU_X86_GDTR_LIMIT, sizeof gdt - 1);
        t_load_code(m, code, sizeof code);
        t_set_reg(m, EMU_X86_CS, 0x08);
        t_set_reg(m, EMU_X86_RBX, USER_CODE);
        t_set_reg(m, EMU_X86_R11, 0x202);
        t_step_n(m, 5, "STAR set-up in compatibility mode");
        emu_stop stop;
        ck_assert(emu_step(m, &stop) == EMU_OK);
        if (i == 0) {
            ck_assert_msg(stop.kind == EMU_STOP_EXCEPTION && stop.vector == 6,
                          "Intel: SYSRET in compatibility mode is #UD: %s", stop.message);
        } else {
            ck_assert_msg(stop.kind == EMU_STOP_NONE,
                          "AMD: SYSRET in compatibility mode completes: %s", stop.message);
            T_EXPECT_REG(m, EMU_X86_RIP, USER_CODE, "AMD: RIP = ECX");
            T_EXPECT_REG(m, EMU_X86_CS, 0x13, "AMD: CS = STAR[63:48], RPL 3");
            T_EXPECT_REG(m, EMU_X86_CPL, 3, "AMD: CPL 3");
        }
        emu_close(m);
    }
}
END_TEST

/* CPL-0 set-up for SYSENTER: SYSENTER_CS 0x08, ESP 0x70000, EIP LSTAR_ADDR, then SYSEXIT (REX.W) to user code. */
static const uint8_t sysenter_setup[] = {
    0xb9, 0x74, 0x01, 0x00, 0x00, 0x31, 0xd2, 0xb8, 0x08, 0x00, 0x00, 0x00, 0x0f, 0x30, /* SYSENTER_CS */
    0xb9, 0x75, 0x01, 0x00, 0x00, 0x31, 0xd2, 0xb8, 0x00, 0x00, 0x07, 0x00, 0x0f, 0x30, /* SYSENTER_ESP */
    0xb9, 0x76, 0x01, 0x00, 0x00, 0x31, 0xd2, 0xb8, 0x00, 0x00, 0x19, 0x00, 0x0f, 0x30, /* SYSENTER_EIP */
    0xba, 0x00, 0x00, 0x18, 0x00,       /* mov edx, USER_CODE */
    0xb9, 0x00, 0xf0, 0x1f, 0x00,       /* mov ecx, 0x1ff000 (user RSP) */
    0x48, 0x0f, 0x35,                   /* sysexitq */
};

START_TEST(sysexit_and_sysenter)
{
    t_trap_log log;
    emu_machine *m = machine("Skylake-Client", USER_CODE, &log);
    t_load_code(m, sysenter_setup, sizeof sysenter_setup);
    static const uint8_t user[] = { 0x0f, 0x34 };           /* sysenter */
    ck_assert(emu_mem_write_phys(m, USER_CODE, user, sizeof user) == EMU_OK);
    t_step_n(m, 15, "set-up and sysexitq");
    T_EXPECT_REG(m, EMU_X86_CS, 0x2b, "SYSEXIT (64-bit) CS = SYSENTER_CS + 32, RPL 3");
    T_EXPECT_REG(m, EMU_X86_SS, 0x33, "SYSEXIT (64-bit) SS = SYSENTER_CS + 40, RPL 3");
    T_EXPECT_REG(m, EMU_X86_RSP, 0x1ff000, "SYSEXIT RSP = RCX");
    T_EXPECT_REG(m, EMU_X86_CPL, 3, "CPL 3 after SYSEXIT");
    emu_stop stop = t_run(m, 10);
    ck_assert_msg(stop.kind == EMU_STOP_HALT, "SYSENTER reaches the handler: %s", stop.message);
    T_EXPECT_REG(m, EMU_X86_CS, 0x08, "SYSENTER CS = SYSENTER_CS");
    T_EXPECT_REG(m, EMU_X86_SS, 0x10, "SYSENTER SS = SYSENTER_CS + 8");
    T_EXPECT_REG(m, EMU_X86_RSP, 0x70000, "SYSENTER RSP = SYSENTER_ESP");
    T_EXPECT_REG(m, EMU_X86_CPL, 0, "CPL 0 after SYSENTER");
    ck_assert_msg(log.n == 2 && log.recs[1].kind == EMU_TRAP_SYSCALL, "SYSEXIT and SYSENTER recorded");
    emu_close(m);

    /* AMD reserves SYSENTER in long mode. */
    m = machine("EPYC", USER_CODE, &log);
    static const uint8_t code[] = { 0x0f, 0x34 };
    t_load_code(m, code, sizeof code);
    stop = t_run(m, 10);
    ck_assert_msg(stop.kind == EMU_STOP_EXCEPTION && stop.vector == 6, "AMD: SYSENTER in long mode is #UD: %s",
                  stop.message);
    emu_close(m);
}
END_TEST

static Suite *syscall_suite(void)
{
    Suite *s = suite_create("syscall");
    TCase *tc = tcase_create("syscall");
    tcase_add_test(tc, sysret_to_ring3_then_syscall);
    tcase_add_test(tc, sysret_selectors_and_flags);
    tcase_add_test(tc, non_canonical_rcx_by_vendor);
    tcase_add_test(tc, sce_clear_and_cpl3_sysret);
    tcase_add_test(tc, sysexit_and_sysenter);
    tcase_add_test(tc, compat_syscall_intel_is_ud);
    tcase_add_test(tc, compat_syscall_amd_enters_cstar);
    tcase_add_test(tc, compat_sysret_by_vendor);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return t_run_suite(syscall_suite());
}
