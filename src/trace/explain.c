/*
 * Trap records narrated in plain English (`emu --explain`, emu_trap_explain):
 * what was delivered or returned from where, then one sentence per step
 * (explain_steps.c), then where execution goes on. Every sentence is built
 * from the record: its header fields, its escalation chain, and each step's
 * name, address and value; nothing is re-derived from the machine.
 */
#include <string.h>

#include "cpu/x86/vectors.h"
#include "cpu/x86/x86.h"
#include "trace/explain.h"

/* Error codes that name a selector or gate: #TS, #NP, #SS, #GP (SDM vol. 3, 6.13). */
#define ERR_EXT        0x1u
#define ERR_IDT        0x2u
#define ERR_TI         0x4u
#define ERR_INDEX_SHIFT 3

#define FIRST_INT_N_VECTOR 32
#define ESCALATION_ARROW " -> "

static const char *const vector_names[FIRST_INT_N_VECTOR] = {
    [X86_VEC_DE] = "divide error", [X86_VEC_DB] = "debug", [X86_VEC_NMI] = "non-maskable interrupt",
    [X86_VEC_BP] = "breakpoint", [X86_VEC_OF] = "overflow", [X86_VEC_BR] = "BOUND range exceeded",
    [X86_VEC_UD] = "invalid opcode", [X86_VEC_NM] = "device not available", [X86_VEC_DF] = "double fault",
    [9] = "coprocessor segment overrun", [X86_VEC_TS] = "invalid TSS", [X86_VEC_NP] = "segment not present",
    [X86_VEC_SS] = "stack-segment fault", [X86_VEC_GP] = "general protection", [X86_VEC_PF] = "page fault",
    [X86_VEC_MF] = "x87 floating-point error", [X86_VEC_AC] = "alignment check", [X86_VEC_MC] = "machine check",
    [X86_VEC_XM] = "SIMD floating-point exception", [X86_VEC_VE] = "virtualization exception",
    [X86_VEC_CP] = "control protection",
};

/* ---- Reading the record ---- */

bool explain_is_step(const emu_trap_step *s, const char *name)
{
    return s->name && !strcmp(s->name, name);
}

static bool has_step(const emu_trap *t, const char *name)
{
    unsigned n = t->n_steps < EMU_TRAP_MAX_STEPS ? t->n_steps : EMU_TRAP_MAX_STEPS;
    for (unsigned i = 0; i < n; i++)
        if (explain_is_step(&t->steps[i], name))
            return true;
    return false;
}

/*
 * A delivery starts over after a fault on the way: every attempt begins with
 * "check IDT limit", preceded by "write CR2" for a #PF, so either one after
 * the record's first IDT check starts a new attempt.
 */
static bool starts_attempt(const emu_trap *t, unsigned i)
{
    bool begins = explain_is_step(&t->steps[i], "write CR2") ||
                  (explain_is_step(&t->steps[i], "check IDT limit") &&
                   !(i > 0 && explain_is_step(&t->steps[i - 1], "write CR2")));
    if (!begins)
        return false;
    for (unsigned j = 0; j < i; j++)
        if (explain_is_step(&t->steps[j], "check IDT limit"))
            return true;
    return false;
}

/* Element i of the escalation chain "INT 0x81 -> #GP(0x40a) -> ..." copied to buf; false if there is none. */
static bool chain_element(const emu_trap *t, unsigned i, char *buf, size_t len)
{
    const char *p = t->escalation;
    const char *end = memchr(p, '\0', sizeof t->escalation);
    if (!end || p == end)
        return false;
    for (; i > 0; i--) {
        const char *arrow = strstr(p, ESCALATION_ARROW);
        if (!arrow || arrow >= end)
            return false;
        p = arrow + strlen(ESCALATION_ARROW);
    }
    const char *arrow = strstr(p, ESCALATION_ARROW);
    size_t n = (size_t)((arrow && arrow < end ? arrow : end) - p);
    if (n >= len)
        n = len - 1;
    memcpy(buf, p, n);
    buf[n] = '\0';
    return true;
}

static const char *vector_name(int vector)
{
    if (vector >= 0 && vector < FIRST_INT_N_VECTOR && vector_names[vector])
        return vector_names[vector];
    return "reserved";
}

/*
 * Which chain element attempt k (k >= 1) delivered, and which it was raised by:
 * each attempt that faulted adds the fault it raised to the chain, then "#DF"
 * when the pair makes a double fault (SDM vol. 3, table 6-5), and the next
 * attempt delivers the last of those.
 */
static unsigned delivered_index(const emu_trap *t, unsigned k, unsigned *raised)
{
    unsigned idx = 0;
    char el[32];
    *raised = 0;
    for (unsigned j = 1; j <= k; j++) {
        *raised = ++idx;
        if (chain_element(t, idx + 1, el, sizeof el) && !strcmp(el, "#DF"))
            idx++;
    }
    return idx;
}

/* The event the current attempt delivers, for "the IDT gate for ...". */
void explain_attempt_event(const narration *n, char *buf, size_t len)
{
    unsigned raised;
    if (n->attempt + 1 < n->attempts && chain_element(n->t, delivered_index(n->t, n->attempt, &raised), buf, len))
        return;
    out_buf o = out_buf_init(buf, len);
    int v = n->t->vector;
    if (v < 0)
        out_put(&o, "the event");
    else if (v < FIRST_INT_N_VECTOR)
        out_put(&o, "vector %d (%s)", v, x86_vector_mnemonic((unsigned)v));
    else
        out_put(&o, "vector 0x%x", (unsigned)v);
    out_finish(&o);
}

/* Only INT n, INT3 and INTO are checked against the gate's DPL (SDM vol. 3, 6.12.1.1). */
bool explain_attempt_is_software(const narration *n)
{
    char event[64];
    unsigned raised;
    if (n->attempt + 1 < n->attempts &&
        chain_element(n->t, delivered_index(n->t, n->attempt, &raised), event, sizeof event))
        return !strncmp(event, "INT", 3);
    return n->t->kind == EMU_TRAP_SOFTWARE;
}

/* Between attempts: what the last one raised and what the next delivers. */
static void restart(narration *n)
{
    char raised_name[64], next[64];
    unsigned raised;
    unsigned delivered = delivered_index(n->t, n->attempt, &raised);
    explain_attempt_event(n, next, sizeof next);
    if (!chain_element(n->t, raised, raised_name, sizeof raised_name))
        out_put(&n->o, "\n  That attempt faulted: the CPU starts over to deliver %s.", next);
    else if (delivered != raised)
        out_put(&n->o, "\n  That attempt raised %s, which with the event being delivered makes a double fault "
                "(SDM vol. 3, table 6-5): the CPU starts over to deliver %s.", raised_name, next);
    else
        out_put(&n->o, "\n  That attempt raised %s: the CPU starts over to deliver it instead.", raised_name);
}

/* ---- The record's first and last lines ---- */

static const char *return_instruction(const emu_trap *t)
{
    if (has_step(t, "RFLAGS = R11"))
        return "SYSRET";
    if (has_step(t, "RIP = RDX"))
        return "SYSEXIT";
    return "IRET";
}

static void pf_error_code(narration *n, uint32_t err)
{
    out_put(&n->o, " (%s, %s, %s mode%s%s)", (err & X86_PF_P) ? "P=1 protection violation" : "P=0 not present",
            (err & X86_PF_W) ? "W=1 write" : "W=0 read", (err & X86_PF_U) ? "U/S=1 user" : "U/S=0 supervisor",
            (err & X86_PF_RSVD) ? ", reserved bit set" : "", (err & X86_PF_I) ? ", instruction fetch" : "");
}

/* #TS, #NP, #SS and #GP error codes name a selector or an IDT vector (SDM vol. 3, 6.13). */
static void selector_error_code(narration *n, uint32_t err)
{
    if (err == 0)
        return;
    unsigned index = err >> ERR_INDEX_SHIFT;
    if (err & ERR_IDT)
        out_put(&n->o, " (IDT=1: the gate for vector 0x%x", index);
    else
        out_put(&n->o, " (the %s selector 0x%x", (err & ERR_TI) ? "LDT" : "GDT", err & ~(ERR_EXT | ERR_IDT));
    out_put(&n->o, "%s)", (err & ERR_EXT) ? "; EXT=1: an external event" : "");
}

static void intro_event(narration *n)
{
    const emu_trap *t = n->t;
    int v = t->vector;
    unsigned uv = (unsigned)v;
    switch (t->kind) {
    case EMU_TRAP_SOFTWARE:
        if (v == X86_VEC_BP)
            out_put(&n->o, "INT3 (#BP, breakpoint, vector 3), a software interrupt,");
        else if (v == X86_VEC_OF)
            out_put(&n->o, "INTO (#OF, overflow, vector 4), a software interrupt,");
        else if (v == X86_VEC_DB)
            out_put(&n->o, "INT1 (#DB, debug, vector 1), a software interrupt,");
        else
            out_put(&n->o, "INT 0x%x (software interrupt, vector %d)", uv, v);
        out_put(&n->o, " in ring %u; the saved RIP 0x%llx is the instruction after it.", t->from_priv,
                (unsigned long long)t->from_pc);
        return;
    case EMU_TRAP_FAULT:
    case EMU_TRAP_TRAP:
    case EMU_TRAP_ABORT:
        if (v >= 0 && v < FIRST_INT_N_VECTOR)
            out_put(&n->o, "%s (%s, vector %d), ", x86_vector_mnemonic(uv), vector_name(v), v);
        else
            out_put(&n->o, "vector %d, ", v);
        if (t->kind == EMU_TRAP_FAULT)
            out_put(&n->o, "a fault, in ring %u at rip 0x%llx; the saved RIP is the faulting instruction, so "
                    "the handler can fix the cause and restart it.", t->from_priv, (unsigned long long)t->from_pc);
        else if (t->kind == EMU_TRAP_TRAP)
            out_put(&n->o, "a trap, in ring %u; the saved RIP 0x%llx is the instruction after the one that "
                    "trapped.", t->from_priv, (unsigned long long)t->from_pc);
        else
            out_put(&n->o, "an abort, in ring %u at rip 0x%llx; the interrupted program cannot be resumed.",
                    t->from_priv, (unsigned long long)t->from_pc);
        return;
    case EMU_TRAP_INTERRUPT:
        out_put(&n->o, "external interrupt, vector 0x%x, from %s, accepted in ring %u at an instruction "
                "boundary; the saved RIP 0x%llx is the next instruction to run.", uv,
                t->source[0] ? t->source : "an unnamed source", t->from_priv, (unsigned long long)t->from_pc);
        return;
    case EMU_TRAP_NMI:
        out_put(&n->o, "NMI (non-maskable interrupt, vector %d) from %s, in ring %u; the saved RIP 0x%llx is "
                "the next instruction to run. From now until the next IRET, further NMIs are held off "
                "(SDM 6.7.1).", v, t->source[0] ? t->source : "an unnamed source", t->from_priv,
                (unsigned long long)t->from_pc);
        return;
    case EMU_TRAP_SYSCALL:
        out_put(&n->o, "%s (a system call) in ring %u at rip 0x%llx, RSP 0x%llx.",
                has_step(t, "RIP = IA32_SYSENTER_EIP") ? "SYSENTER" : "SYSCALL", t->from_priv,
                (unsigned long long)t->from_pc, (unsigned long long)t->from_sp);
        return;
    case EMU_TRAP_CALL_GATE:
        out_put(&n->o, "a far CALL or JMP through a call gate in ring %u at rip 0x%llx, RSP 0x%llx: the gate "
                "names the code segment and entry point, so the caller cannot jump into the middle of more "
                "privileged code (SDM 5.8.3).", t->from_priv, (unsigned long long)t->from_pc,
                (unsigned long long)t->from_sp);
        return;
    case EMU_TRAP_RETURN:
        out_put(&n->o, "%s in ring %u at rip 0x%llx, RSP 0x%llx, returns to ring %u.", return_instruction(t),
                t->from_priv, (unsigned long long)t->from_pc, (unsigned long long)t->from_sp, t->to_priv);
        return;
    }
    out_put(&n->o, "a record of unknown kind %d, vector %d, in ring %u at rip 0x%llx.", (int)t->kind, v,
            t->from_priv, (unsigned long long)t->from_pc);
}

static void intro(narration *n)
{
    const emu_trap *t = n->t;
    out_put(&n->o, "Trap %llu: ", (unsigned long long)t->seq);
    intro_event(n);
    if (t->has_error_code) {
        out_put(&n->o, " Error code 0x%x", t->error_code);
        if (t->vector == X86_VEC_PF)
            pf_error_code(n, t->error_code);
        else if (t->vector == X86_VEC_TS || t->vector == X86_VEC_NP || t->vector == X86_VEC_SS ||
                 t->vector == X86_VEC_GP)
            selector_error_code(n, t->error_code);
        out_put(&n->o, ".");
    }
    if (t->vector == X86_VEC_PF && t->kind != EMU_TRAP_SOFTWARE)
        out_put(&n->o, " CR2 = 0x%llx, the linear address that faulted.", (unsigned long long)t->cr2);
    if (t->escalation[0])
        out_put(&n->o, " Delivery faulted on the way (%s): each attempt is shown, then the one that completed.",
                t->escalation);
    /* SWAPGS is the kernel's job: no entry or return exchanges the GS bases (SDM vol. 2, SWAPGS). */
    bool from_user = t->from_priv == 3 && t->kind != EMU_TRAP_RETURN;
    if (from_user || t->kind == EMU_TRAP_SYSCALL)
        out_put(&n->o, " The GS base in force is 0x%llx (IA32_KERNEL_GS_BASE 0x%llx); entry does not exchange "
                "them, so a handler entered from ring 3 runs with the user's GS base until it executes SWAPGS.",
                (unsigned long long)t->gs_base, (unsigned long long)t->kernel_gs_base);
    else if (t->kind == EMU_TRAP_RETURN && t->to_priv == 3)
        out_put(&n->o, " The GS base in force is 0x%llx (IA32_KERNEL_GS_BASE 0x%llx); the return does not "
                "exchange them, so a kernel that swapped them on entry must SWAPGS back before returning.",
                (unsigned long long)t->gs_base, (unsigned long long)t->kernel_gs_base);
}

static void outro(narration *n)
{
    const emu_trap *t = n->t;
    if (t->kind == EMU_TRAP_RETURN)
        out_put(&n->o, "  Execution resumes at 0x%llx in ring %u with RSP 0x%llx",
                (unsigned long long)t->to_pc, t->to_priv, (unsigned long long)t->to_sp);
    else
        out_put(&n->o, "  The handler's first instruction is at 0x%llx (ring %u), with RSP 0x%llx%s%s%s",
                (unsigned long long)t->to_pc, t->to_priv, (unsigned long long)t->to_sp,
                t->stack[0] ? " (stack: " : "", t->stack[0] ? t->stack : "", t->stack[0] ? ")" : "");
    out_put(&n->o, "; %llu modelled cycles from cycle %llu.", (unsigned long long)t->cycles,
            (unsigned long long)t->cycle_start);
}

size_t emu_trap_explain(const emu_trap *t, char *buf, size_t len)
{
    narration n = { .o = out_buf_init(buf, len), .t = t, .attempts = 1 };
    unsigned n_steps = t->n_steps < EMU_TRAP_MAX_STEPS ? t->n_steps : EMU_TRAP_MAX_STEPS;
    for (unsigned i = 0; i < n_steps; i++)
        if (starts_attempt(t, i))
            n.attempts++;
    n.ia32e = has_step(t, "load CS:RIP") || has_step(t, "align RSP to 16 bytes");
    /* The record's strings are read bounded: a hand-built record need not terminate them. */
    emu_trap bounded_strings;
    if (!memchr(t->stack, '\0', sizeof t->stack) || !memchr(t->source, '\0', sizeof t->source) ||
        !memchr(t->escalation, '\0', sizeof t->escalation)) {
        bounded_strings = *t;
        bounded_strings.stack[sizeof bounded_strings.stack - 1] = '\0';
        bounded_strings.source[sizeof bounded_strings.source - 1] = '\0';
        bounded_strings.escalation[sizeof bounded_strings.escalation - 1] = '\0';
        n.t = t = &bounded_strings;
    }
    intro(&n);
    for (unsigned i = 0; i < n_steps; i++) {
        const emu_trap_step *s = &t->steps[i];
        if (starts_attempt(t, i)) {
            n.attempt++;
            n.have_gate = n.stack_read = false;
            restart(&n);
        }
        out_put(&n.o, "\n  %u. %s: ", i + 1, s->name ? s->name : "(unnamed step)");
        explain_step(&n, s);
    }
    out_put(&n.o, "\n");
    outro(&n);
    return out_finish(&n.o);
}
