/*
 * emu_trap_explain on hand-built records: each step name the delivery code
 * records gets its own sentence built from the step's address and value;
 * the header names the event (interrupt and NMI sources, the GS bases from
 * ring 3, escalation chains); a short buffer gives 0 and an empty string;
 * an unknown or missing step name gets the generic sentence, never a crash.
 * Also emu_trap_summary: counts and cycles per kind and vector.
 */
#include <check.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "emu_test.h"

#define GENERIC "does not describe"

static emu_trap record(emu_trap_kind kind, int vector)
{
    emu_trap t;
    memset(&t, 0, sizeof t);
    t.seq = 7;
    t.kind = kind;
    t.vector = vector;
    t.cycle_start = 1000;
    t.from_pc = 0x401000;
    t.from_sp = 0x7ff0;
    t.from_priv = 3;
    t.to_pc = 0x101600;
    t.to_sp = 0x10ffe8;
    t.to_priv = 0;
    return t;
}

static void add_step(emu_trap *t, const char *name, uint64_t addr, uint64_t value)
{
    t->steps[t->n_steps++] = (emu_trap_step){ name, addr, value, 4 };
    t->cycles += 4;
}

static const char *explain(const emu_trap *t)
{
    static char buf[EMU_TRAP_EXPLAIN_MAX];
    size_t n = emu_trap_explain(t, buf, sizeof buf);
    ck_assert_msg(n > 0 && n == strlen(buf), "explain: length %zu, strlen %zu", n, strlen(buf));
    return buf;
}

/* The text after "  1. NAME: " for the record's only step. */
static const char *first_step_sentence(const char *text, const char *name)
{
    char label[160];
    ck_assert_msg(strlen(name) < 128, "step name too long: %s", name);
    snprintf(label, sizeof label, "\n  1. %.127s: ", name);
    const char *p = strstr(text, label);
    ck_assert_msg(p != NULL, "step '%s': no line '  1. %s: ' in:\n%s", name, name, text);
    return p + strlen(label);
}

/* Each step name with a fragment only its own sentence says, built from addr 0xa000 and the value given. */
static const struct {
    const char *name;
    uint64_t value;
    const char *want;
} step_cases[] = {
    { "write CR2", 0xdead000, "faulting linear address 0xdead000 to CR2" },
    { "check IDT limit", 0xfff, "within the IDT (IDTR base 0xa000, limit 0xfff)" },
    { "read IDT gate", 0x10ef0000081600ull, "trap gate, DPL 3, present, handler code selector 0x8" },
    { "check gate type/present/DPL", 0xe, "type 0xe is a" },
    { "read target CS descriptor", 0xaf9b000000ffffull, "code segment descriptor at 0xa000: 0xaf9b000000ffff" },
    { "check target CS", 0xa09b, "access rights 0xa09b): a code segment, DPL 0, present" },
    { "read TSS.RSPn", 0x110018, "from the TSS at 0xa000: 0x110018" },
    { "read TSS.IST", 0x10e018, "TSS.IST1 at 0xa000: 0x10e018" },
    { "align RSP to 16 bytes", 0x110010, "16-byte boundary, 0x110010" },
    { "read TSS.ESPn", 0x9000, "new ESP from the 32-bit TSS at 0xa000: 0x9000" },
    { "read TSS.SSn", 0x10, "new SS selector from the TSS at 0xa000: 0x10" },
    { "read new SS descriptor", 0xcf93000000ffffull, "new stack segment's descriptor at 0xa000 (0xcf93000000ffff)" },
    { "push error code", 0x40a, "error code (0x40a) at 0xa000" },
    { "push RIP", 0x1005f0, "saved RIP (0x1005f0), where IRET will resume, at 0xa000" },
    { "push CS", 0x23, "interrupted CS (0x23) at 0xa000" },
    { "push RFLAGS", 0x10002, "interrupted RFLAGS (0x10002, with RF=1" },
    { "push RSP", 0x1120d0, "interrupted RSP (0x1120d0) at 0xa000" },
    { "push SS", 0x1b, "interrupted SS (0x1b) at 0xa000" },
    { "push EIP", 0x1234, "saved EIP (0x1234)" },
    { "push EFLAGS", 0x2, "interrupted EFLAGS (0x2) at 0xa000" },
    { "push ESP", 0x8ff0, "interrupted ESP (0x8ff0) at 0xa000" },
    { "load CS:RIP", 0x8, "loads CS with 0x8 and RIP with the handler's address 0xa000" },
    { "load CS:EIP", 0x8, "loads CS with 0x8 and EIP with the handler's address 0xa000" },
    { "load SS with null selector", 0, "null selector whose RPL is the new CPL, 0" },
    { "load SS", 0x10, "loads SS with 0x10" },
    { "clear TF NT RF IF", 0x2, "clears TF, NT, RF and IF in RFLAGS, now 0x2" },
    { "clear TF NT RF", 0x202, "clears TF, NT and RF in RFLAGS, now 0x202" },
    { "pop RIP", 0x1005f0, "return RIP (0x1005f0) from 0xa000" },
    { "pop CS", 0x23, "return CS (0x23) from 0xa000" },
    { "pop RFLAGS", 0x202, "return RFLAGS (0x202) from 0xa000" },
    { "pop RSP", 0x1120d0, "return RSP (0x1120d0) from 0xa000" },
    { "pop SS", 0x1b, "return SS (0x1b) from 0xa000" },
    { "read return CS descriptor", 0xaffa000000ffffull, "return code segment's descriptor at 0xa000: 0xaffa000000ffff" },
    { "check return CS and RIP", 0x23, "return CS 0x23 (RPL 3" },
    { "read return SS descriptor", 0x8ff2000000ffffull, "return stack segment's descriptor at 0xa000 (0x8ff2000000ffff)" },
    { "load CS:RIP, SS:RSP, RFLAGS", 0x202, "RIP 0xa000, RFLAGS 0x202" },
    { "null data segment the new CPL may not use", 5, "loads GS with the null selector" },
    { "RCX = return RIP", 0x401002, "return RIP, 0x401002 (the next instruction), in RCX" },
    { "R11 = RFLAGS", 0x246, "saves RFLAGS, 0x246, in R11" },
    { "RFLAGS &= ~IA32_FMASK", 0x46, "IA32_FMASK (0xa000): RFLAGS is now 0x46" },
    { "load CS, SS from IA32_STAR[47:32]", 0x8, "CS with 0x8 and SS with the selector after it, from IA32_STAR[47:32]" },
    { "RIP = IA32_LSTAR", 0x190000, "jumps to IA32_LSTAR, 0x190000" },
    { "RFLAGS = R11", 0x202, "RFLAGS from R11: 0x202" },
    { "load CS, SS from IA32_STAR[63:48]", 0x2b, "CS with 0x2b and SS from IA32_STAR[63:48]" },
    { "RIP = RCX", 0x401002, "RIP from RCX: 0x401002" },
    { "clear VM IF RF", 0x2, "clears VM, IF and RF in RFLAGS, now 0x2" },
    { "load CS, SS from IA32_SYSENTER_CS", 0x8, "CS with 0x8 and SS with the selector 8 above it" },
    { "RSP = IA32_SYSENTER_ESP", 0x9000, "RSP from IA32_SYSENTER_ESP: 0x9000" },
    { "RIP = IA32_SYSENTER_EIP", 0x190000, "jumps to IA32_SYSENTER_EIP, 0x190000" },
    { "RSP = RCX", 0x7000, "RSP from RCX: 0x7000" },
    { "RIP = RDX", 0x401000, "RIP from RDX: 0x401000" },
    { "acknowledge interrupt (INTA)", 0x20, "answers with vector 0x20" },
    { "read call gate", 0x0000ec0000081000ull, "DPL 3, target code selector 0x8" },
    { "check gate DPL >= CPL and RPL, present", 3, "its DPL 3 must be at least the CPL" },
    { "read call gate upper 8 bytes", 0, "type field that must be 0" },
    { "check target CS (DPL <= CPL)", 0xa09b, "access rights 0xa09b): a CALL may go" },
    { "check target CS (same privilege)", 0xa09b, "a JMP through a gate must stay" },
    { "check offset canonical", 0x401000, "offset 0x401000 is canonical" },
    { "check offset within CS limit", 0x1000, "offset 0x1000 lies within" },
    { "copy parameters from the caller's stack", 2, "the 2 parameter(s) the gate's count asks for" },
    { "push parameters", 2, "pushes the 2 copied parameter(s)" },
    { "check new stack canonical", 0x7ff0, "frame address 0x7ff0 is canonical" },
    { "check new stack room", 24, "room for the 24 bytes" },
    { "load SS with null selector, RSP", 0, "null selector whose RPL is the new CPL" },
    { "load SS:ESP", 0x10, "SS:ESP with the new stack, 0x10:0xa000" },
    { "release imm16 bytes of parameters", 8, "releases 8 bytes of parameters" },
    { "load CS:RIP, SS:RSP", 0x7000, "SS:RSP (RSP 0x7000)" },
    { "RIP = IA32_CSTAR", 0x1a0000, "at IA32_CSTAR, 0x1a0000" },
};
#define N_STEP_CASES (sizeof step_cases / sizeof step_cases[0])

START_TEST(every_known_step_has_its_sentence)
{
    for (size_t i = 0; i < N_STEP_CASES; i++) {
        emu_trap t = record(EMU_TRAP_SOFTWARE, 0x80);
        snprintf(t.stack, sizeof t.stack, "IST1");
        if (!strcmp(step_cases[i].name, "read TSS.IST"))
            add_step(&t, "read IDT gate", 0x9000, 0x108e0100080ed0ull);   /* a gate with IST = 1 */
        add_step(&t, step_cases[i].name, 0xa000, step_cases[i].value);
        const char *text = explain(&t);
        const char *p = strstr(text, "\n  1. ");
        if (t.n_steps == 2)
            p = strstr(text, "\n  2. ");
        ck_assert_msg(p != NULL, "step '%s': no numbered line in:\n%s", step_cases[i].name, text);
        const char *colon = strstr(p, ": ");
        const char *eol = strchr(p + 1, '\n');
        ck_assert_msg(colon && eol, "step '%s': line not 'N. name: sentence'", step_cases[i].name);
        char sentence[1024];
        snprintf(sentence, sizeof sentence, "%.*s", (int)(eol - colon), colon);
        ck_assert_msg(strstr(sentence, step_cases[i].want) != NULL, "step '%s': want '%s' in '%s'",
                      step_cases[i].name, step_cases[i].want, sentence);
        ck_assert_msg(strstr(sentence, GENERIC) == NULL, "step '%s' got the generic sentence: %s",
                      step_cases[i].name, sentence);
    }
}
END_TEST

static bool known_step(const char *name)
{
    for (size_t i = 0; i < N_STEP_CASES; i++)
        if (!strcmp(step_cases[i].name, name))
            return true;
    return false;
}

/* The string literals on a line of delivery code that records steps. */
static unsigned check_literals(const char *line, const char *file, unsigned lineno)
{
    unsigned found = 0;
    for (const char *p = strchr(line, '"'); p; p = strchr(p, '"')) {
        const char *end = strchr(p + 1, '"');
        if (!end)
            break;
        char name[128];
        snprintf(name, sizeof name, "%.*s", (int)(end - p - 1), p + 1);
        if (name[0]) {
            emu_trap t = record(EMU_TRAP_FAULT, 13);
            add_step(&t, name, 0x1000, 0x2000);
            const char *text = explain(&t);
            ck_assert_msg(known_step(name), "%s:%u records step '%s', which test_explain.c's table lacks", file,
                          lineno, name);
            ck_assert_msg(strstr(first_step_sentence(text, name), GENERIC) == NULL,
                          "%s:%u records step '%s', which emu_trap_explain does not describe", file, lineno, name);
            found++;
        }
        p = end + 1;
    }
    return found;
}

/* The step names one source file records: literals on lines calling x86_trap_step or read_tss, and in
 * slot_names tables (the frame slots' "push RIP", "pop SS", ...). */
static unsigned scan_file(const char *path)
{
    FILE *f = fopen(path, "r");
    ck_assert_msg(f != NULL, "cannot open %s", path);
    const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
    char line[512];
    unsigned lineno = 0, names = 0;
    bool in_slot_table = false;
    while (fgets(line, sizeof line, f)) {
        lineno++;
        if (strstr(line, "slot_names[") && strstr(line, "= {"))
            in_slot_table = true;
        if (in_slot_table || strstr(line, "x86_trap_step(") || strstr(line, "read_tss(cpu, rec, \""))
            names += check_literals(line, base, lineno);
        if (in_slot_table && strstr(line, "};"))
            in_slot_table = false;
    }
    fclose(f);
    return names;
}

/* Every .c file under dir, src/trace (the narration itself) excepted. */
static unsigned scan_tree(const char *dir_path)
{
    DIR *dir = opendir(dir_path);
    ck_assert_msg(dir != NULL, "cannot open %s", dir_path);
    unsigned names = 0;
    struct dirent *e;
    while ((e = readdir(dir)) != NULL) {
        if (e->d_name[0] == '.' || !strcmp(e->d_name, "trace"))
            continue;
        char path[2048];
        snprintf(path, sizeof path, "%s/%s", dir_path, e->d_name);
        size_t len = strlen(e->d_name);
        if (len > 2 && !strcmp(e->d_name + len - 2, ".c"))
            names += scan_file(path);
        else if (e->d_type == DT_DIR)
            names += scan_tree(path);
    }
    closedir(dir);
    return names;
}

/* Every x86 step name the library records (src/entry/x86/ and whatever else calls x86_trap_step) has
 * its own sentence: a new step without one fails here, naming its file and line. */
START_TEST(delivery_code_step_names_are_described)
{
    const char *src = getenv("EMU_SOURCE_DIR");
    ck_assert_msg(src != NULL, "EMU_SOURCE_DIR is not set (ctest sets it)");
    char src_path[1024];
    snprintf(src_path, sizeof src_path, "%s/src", src);
    unsigned names = scan_tree(src_path);
    ck_assert_msg(names >= 40, "found only %u step names in %s: has the delivery code moved?", names, src_path);
}
END_TEST

START_TEST(unknown_and_missing_step_names)
{
    emu_trap t = record(EMU_TRAP_FAULT, 13);
    add_step(&t, "frobnicate the TSS", 0xabc0, 0x1234);
    add_step(&t, NULL, 0xdef0, 0x5678);
    const char *text = explain(&t);
    const char *s = first_step_sentence(text, "frobnicate the TSS");
    ck_assert_msg(strstr(s, GENERIC) && strstr(s, "address 0xabc0, value 0x1234"),
                  "unknown step: want the generic sentence with address and value, got:\n%s", text);
    ck_assert_msg(strstr(text, "\n  2. (unnamed step): ") && strstr(text, "address 0xdef0, value 0x5678"),
                  "unnamed step: want a generic line, got:\n%s", text);
}
END_TEST

static emu_trap int80_record(void)
{
    emu_trap t = record(EMU_TRAP_SOFTWARE, 0x80);
    snprintf(t.stack, sizeof t.stack, "RSP0");
    t.gs_base = 0x7f0000001000ull;
    t.kernel_gs_base = 0xffff800000002000ull;
    add_step(&t, "check IDT limit", 0x1100d0, 0xfff);
    add_step(&t, "read IDT gate", 0x1108d0, 0x10ef0000081600ull);
    add_step(&t, "check gate type/present/DPL", 0x1108d0, 0xf);
    add_step(&t, "read target CS descriptor", 0x110098, 0xaf9b000000ffffull);
    add_step(&t, "check target CS", 0x110098, 0xa09b);
    add_step(&t, "read TSS.RSPn", 0x110024, 0x110018);
    add_step(&t, "align RSP to 16 bytes", 0, 0x110010);
    add_step(&t, "push SS", 0x110008, 0x1b);
    add_step(&t, "load CS:RIP", 0x101600, 0x8);
    return t;
}

START_TEST(int_n_from_ring3)
{
    emu_trap t = int80_record();
    const char *text = explain(&t);
    static const char *const want[] = {
        "Trap 7: INT 0x80 (software interrupt, vector 128) in ring 3",
        "gate for vector 0x80 at 0x1108d0",
        "the gate's DPL 3 allows ring 3",
        "IST field is 0, it loads the new stack pointer RSP0 from the TSS at 0x110024: 0x110018",
        "GS base in force is 0x7f0000001000 (IA32_KERNEL_GS_BASE 0xffff800000002000)",
        "The handler's first instruction is at 0x101600 (ring 0), with RSP 0x10ffe8 (stack: RSP0); 36 modelled cycles",
    };
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++)
        ck_assert_msg(strstr(text, want[i]) != NULL, "INT 0x80: want '%s' in:\n%s", want[i], text);
    /* One line for the header, one per step, one to close. */
    unsigned lines = 1;
    for (const char *p = text; *p; p++)
        lines += *p == '\n';
    ck_assert_msg(lines == t.n_steps + 2, "INT 0x80: want %u lines, got %u", t.n_steps + 2, lines);
}
END_TEST

START_TEST(gate_dpl_refuses_ring3)
{
    emu_trap t = record(EMU_TRAP_FAULT, 13);
    t.has_error_code = true;
    t.error_code = 0x40a;
    snprintf(t.escalation, sizeof t.escalation, "INT 0x81 -> #GP(0x40a)");
    add_step(&t, "check IDT limit", 0x1100d0, 0xfff);
    add_step(&t, "read IDT gate", 0x1108e0, 0x108e0000081610ull);
    add_step(&t, "check gate type/present/DPL", 0x1108e0, 0xe);
    add_step(&t, "check IDT limit", 0x1100d0, 0xfff);
    add_step(&t, "read IDT gate", 0x1101a0, 0x108e0100080ed0ull);
    const char *text = explain(&t);
    static const char *const want[] = {
        "Error code 0x40a (IDT=1: the gate for vector 0x81)",
        "the IDT gate for INT 0x81 at 0x1108e0",
        "DPL 0 is below CPL 3, so a software interrupt may not use it",
        "That attempt raised #GP(0x40a): the CPU starts over to deliver it instead.",
        "the IDT gate for vector 13 (#GP) at 0x1101a0",
    };
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++)
        ck_assert_msg(strstr(text, want[i]) != NULL, "INT 0x81 -> #GP: want '%s' in:\n%s", want[i], text);
}
END_TEST

START_TEST(double_fault_chain)
{
    emu_trap t = record(EMU_TRAP_ABORT, 8);
    t.from_priv = 0;
    t.has_error_code = true;
    snprintf(t.escalation, sizeof t.escalation, "#GP(0x0) -> #NP(0x6b) -> #DF");
    add_step(&t, "check IDT limit", 0x1000, 0xfff);
    add_step(&t, "read IDT gate", 0x10d0, 0x108e0000080ed0ull);
    add_step(&t, "check IDT limit", 0x1000, 0xfff);
    const char *text = explain(&t);
    static const char *const want[] = {
        "#DF (double fault, vector 8), an abort",
        "gate for #GP(0x0) lies within",
        "That attempt raised #NP(0x6b), which with the event being delivered makes a double fault",
        "starts over to deliver vector 8 (#DF).",
    };
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++)
        ck_assert_msg(strstr(text, want[i]) != NULL, "#GP -> #NP -> #DF: want '%s' in:\n%s", want[i], text);
}
END_TEST

START_TEST(kinds_and_sources)
{
    static const struct {
        emu_trap_kind kind;
        int vector;
        const char *source;
        unsigned from_priv;
        const char *want;
    } cases[] = {
        { EMU_TRAP_INTERRUPT, 0x20, "APIC timer", 0, "external interrupt, vector 0x20, from APIC timer, accepted in ring 0" },
        { EMU_TRAP_NMI, 2, "injected", 0, "NMI (non-maskable interrupt, vector 2) from injected, in ring 0" },
        { EMU_TRAP_TRAP, 1, "", 0, "#DB (debug, vector 1), a trap, in ring 0; the saved RIP 0x401000" },
        { EMU_TRAP_FAULT, 14, "", 0, "CR2 = 0xdead000" },
        { EMU_TRAP_SOFTWARE, 3, "", 0, "INT3 (#BP, breakpoint, vector 3)" },
        { EMU_TRAP_SYSCALL, -1, "", 3, "SYSCALL (a system call) in ring 3 at rip 0x401000" },
        { EMU_TRAP_SYSCALL, -1, "", 3, "handler entered from ring 3 runs with the user's GS base" },
        { EMU_TRAP_RETURN, -1, "", 0, "IRET in ring 0 at rip 0x401000, RSP 0x7ff0, returns to ring 3" },
        { EMU_TRAP_RETURN, -1, "", 0, "must SWAPGS back before returning" },
        { (emu_trap_kind)99, 5, "", 0, "unknown kind 99" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        emu_trap t = record(cases[i].kind, cases[i].vector);
        t.from_priv = cases[i].from_priv;
        t.to_priv = cases[i].kind == EMU_TRAP_RETURN ? 3 : 0;
        t.cr2 = 0xdead000;
        snprintf(t.source, sizeof t.source, "%s", cases[i].source);
        add_step(&t, cases[i].kind == EMU_TRAP_SYSCALL ? "RIP = IA32_LSTAR" : "check IDT limit", 0x1000, 0xfff);
        const char *text = explain(&t);
        ck_assert_msg(strstr(text, cases[i].want) != NULL, "case %zu (%s): want '%s' in:\n%s", i,
                      emu_trap_kind_name(cases[i].kind), cases[i].want, text);
    }
}
END_TEST

/* An interrupt's INTA comes before the IDT check: that IDT check starts the first attempt, not a second. */
START_TEST(interrupt_acknowledge_then_delivery)
{
    emu_trap t = record(EMU_TRAP_INTERRUPT, 0x30);
    t.from_priv = 0;
    snprintf(t.source, sizeof t.source, "injected");
    add_step(&t, "acknowledge interrupt (INTA)", 0, 0x30);
    add_step(&t, "check IDT limit", 0x1000, 0xfff);
    add_step(&t, "read IDT gate", 0x1300, 0x108e0000080e20ull);
    const char *text = explain(&t);
    ck_assert_msg(strstr(text, "That attempt") == NULL, "INTA then IDT check: a restart was narrated:\n%s", text);
    ck_assert_msg(strstr(text, "external interrupt, vector 0x30, from injected") &&
                  strstr(text, "gate for vector 0x30 lies within"), "INTA then IDT check:\n%s", text);
}
END_TEST

START_TEST(short_buffers_give_zero)
{
    emu_trap t = int80_record();
    char full[EMU_TRAP_EXPLAIN_MAX];
    size_t n = emu_trap_explain(&t, full, sizeof full);
    ck_assert_msg(n > 100, "INT 0x80: narration of %zu bytes", n);
    ck_assert_msg(emu_trap_explain(&t, NULL, 0) == 0, "length 0: want 0");
    for (size_t len = 1; len <= n + 1; len++) {
        char *buf = malloc(len);     /* exactly len bytes, so ASan sees any overrun */
        ck_assert(buf != NULL);
        memset(buf, 'x', len);
        size_t got = emu_trap_explain(&t, buf, len);
        if (len <= n) {
            ck_assert_msg(got == 0 && buf[0] == '\0', "len %zu of %zu: want 0 and an empty string, got %zu", len, n,
                          got);
        } else {
            ck_assert_msg(got == n && !strcmp(buf, full), "len %zu: want the whole narration", len);
        }
        free(buf);
    }
}
END_TEST

START_TEST(odd_records_do_not_crash)
{
    emu_trap t = record(EMU_TRAP_FAULT, 300);
    memset(t.stack, 'S', sizeof t.stack);           /* no terminator */
    memset(t.source, 'Q', sizeof t.source);
    memset(t.escalation, 'E', sizeof t.escalation);
    for (unsigned i = 0; i < EMU_TRAP_MAX_STEPS; i++)
        add_step(&t, i % 2 ? "check IDT limit" : "write CR2", i, i);
    t.n_steps = EMU_TRAP_MAX_STEPS + 5;             /* more than the array holds: read only what it holds */
    const char *text = explain(&t);
    ck_assert_msg(strstr(text, "  40. ") && !strstr(text, "  41. "), "want steps 1-40 only:\n%s", text);
}
END_TEST

START_TEST(summary_counts_kinds_and_vectors)
{
    static emu_trap_summary s;
    memset(&s, 0, sizeof s);
    emu_trap gp = record(EMU_TRAP_FAULT, 13), pf = record(EMU_TRAP_FAULT, 14), ret = record(EMU_TRAP_RETURN, -1);
    gp.cycles = 60;
    pf.cycles = 68;
    ret.cycles = 36;
    emu_trap_summary_add(&s, &gp);
    emu_trap_summary_add(&s, &gp);
    emu_trap_summary_add(&s, &pf);
    emu_trap_summary_add(&s, &ret);
    emu_trap bad = record((emu_trap_kind)42, 1000);
    emu_trap_summary_add(&s, &bad);
    ck_assert_msg(s.count[EMU_TRAP_FAULT] == 3 && s.cycles[EMU_TRAP_FAULT] == 188, "faults: %llu, %llu cycles",
                  (unsigned long long)s.count[EMU_TRAP_FAULT], (unsigned long long)s.cycles[EMU_TRAP_FAULT]);
    ck_assert_msg(s.vector_count[EMU_TRAP_FAULT][13] == 2 && s.vector_cycles[EMU_TRAP_FAULT][13] == 120,
                  "#GP: %llu", (unsigned long long)s.vector_count[EMU_TRAP_FAULT][13]);
    static char text[EMU_TRAP_SUMMARY_TEXT_MAX];
    size_t n = emu_trap_summary_to_text(&s, text, sizeof text);
    static const char *const want =
        "kind       vector                 count     cycles\n"
        "fault                                 3        188\n"
        "               13 #GP                 2        120\n"
        "               14 #PF                 1         68\n"
        "return                                1         36\n"
        "total                                 4        224";
    ck_assert_msg(n == strlen(want) && !strcmp(text, want), "summary:\n%s\nwant:\n%s", text, want);
    char small[40];
    ck_assert_msg(emu_trap_summary_to_text(&s, small, sizeof small) == 0 && small[0] == '\0',
                  "short buffer: want 0 and an empty string");
}
END_TEST

static Suite *explain_suite(void)
{
    Suite *s = suite_create("trace_explain");
    TCase *tc = tcase_create("explain");
    tcase_add_test(tc, every_known_step_has_its_sentence);
    tcase_add_test(tc, delivery_code_step_names_are_described);
    tcase_add_test(tc, unknown_and_missing_step_names);
    tcase_add_test(tc, int_n_from_ring3);
    tcase_add_test(tc, gate_dpl_refuses_ring3);
    tcase_add_test(tc, double_fault_chain);
    tcase_add_test(tc, kinds_and_sources);
    tcase_add_test(tc, interrupt_acknowledge_then_delivery);
    tcase_add_test(tc, short_buffers_give_zero);
    tcase_add_test(tc, odd_records_do_not_crash);
    tcase_add_test(tc, summary_counts_kinds_and_vectors);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return t_run_suite(explain_suite());
}
