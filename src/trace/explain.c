/*
 * Trap records narrated in plain English (`emu --explain`, emu_trap_explain):
 * what was delivered or returned from where, then one sentence per step,
 * then where execution goes on. Every sentence is built from the record:
 * its header fields and each step's name, address and value. Fields inside
 * a recorded value (a gate's DPL, a segment's access rights) are decoded
 * with the manual's layouts and named rules (SDM vol. 3, 3.4.5, 6.12-6.14),
 * never by looking at the machine again. A step name this file does not
 * know gets a generic sentence with its address and value.
 */
#include <string.h>

#include "cpu/x86/system.h"
#include "cpu/x86/vectors.h"
#include "cpu/x86/x86.h"
#include "emu/emu.h"
#include "trace/out_buf.h"

/* IDT gate fields in its low eight bytes (SDM vol. 3, figures 6-2 and 6-8). */
#define GATE_SELECTOR_SHIFT 16
#define GATE_IST_SHIFT      32
#define GATE_IST_MASK       0x7u
#define GATE_TYPE_TASK      0x5u
#define GATE_TYPE_INT16     0x6u
#define GATE_TYPE_TRAP16    0x7u
#define GATE_TYPE_INT       0xeu    /* 32-bit, or 64-bit in IA-32e mode */
#define GATE_TYPE_TRAP      0xfu

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

/* The segment registers by their architectural number (the ModRM reg encoding of MOV Sreg). */
static const char *const sreg_names[] = { "ES", "CS", "SS", "DS", "FS", "GS" };

/* What the narration knows while it walks the steps. */
typedef struct narration {
    out_buf o;
    const emu_trap *t;
    bool ia32e;             /* 16-byte gates, RSP alignment (from the step names) */
    unsigned attempts;      /* delivery attempts in the record: 1 + faults on the way */
    unsigned attempt;       /* the one being narrated, from 0 */
    bool have_gate;         /* the attempt read its gate: gate_lo holds it */
    uint64_t gate_lo;
    bool stack_read;        /* the attempt read a new stack pointer from the TSS */
} narration;

typedef void (*step_fn)(narration *n, const emu_trap_step *s);

/* ---- Reading the record ---- */

static bool is_step(const emu_trap_step *s, const char *name)
{
    return s->name && !strcmp(s->name, name);
}

static bool has_step(const emu_trap *t, const char *name)
{
    unsigned n = t->n_steps < EMU_TRAP_MAX_STEPS ? t->n_steps : EMU_TRAP_MAX_STEPS;
    for (unsigned i = 0; i < n; i++)
        if (is_step(&t->steps[i], name))
            return true;
    return false;
}

/* A delivery starts over after a fault on the way: at "write CR2" (a #PF) or at an IDT check not preceded by it. */
static bool starts_attempt(const emu_trap *t, unsigned i)
{
    if (i == 0)
        return false;
    if (is_step(&t->steps[i], "write CR2"))
        return true;
    return is_step(&t->steps[i], "check IDT limit") && !is_step(&t->steps[i - 1], "write CR2");
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
static void attempt_event(const narration *n, char *buf, size_t len)
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
static bool attempt_is_software(const narration *n)
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
    attempt_event(n, next, sizeof next);
    if (!chain_element(n->t, raised, raised_name, sizeof raised_name))
        out_put(&n->o, "\n  That attempt faulted: the CPU starts over to deliver %s.", next);
    else if (delivered != raised)
        out_put(&n->o, "\n  That attempt raised %s, which with the event being delivered makes a double fault "
                "(SDM table 6-5): the CPU starts over to deliver %s.", raised_name, next);
    else
        out_put(&n->o, "\n  That attempt raised %s: the CPU starts over to deliver it instead.", raised_name);
}

static unsigned gate_type(uint64_t lo)
{
    return (unsigned)((lo >> X86_DESC_TYPE_SHIFT) & X86_DESC_TYPE_MASK);
}

static unsigned gate_dpl(uint64_t lo)
{
    return (unsigned)(lo >> X86_DESC_DPL_SHIFT) & X86_SEL_RPL_MASK;
}

static unsigned gate_ist(uint64_t lo)
{
    return (unsigned)(lo >> GATE_IST_SHIFT) & GATE_IST_MASK;
}

static const char *gate_type_name(unsigned type, bool ia32e)
{
    switch (type) {
    case GATE_TYPE_INT: return ia32e ? "a 64-bit interrupt gate" : "a 32-bit interrupt gate";
    case GATE_TYPE_TRAP: return ia32e ? "a 64-bit trap gate" : "a 32-bit trap gate";
    case GATE_TYPE_INT16: return "a 16-bit interrupt gate";
    case GATE_TYPE_TRAP16: return "a 16-bit trap gate";
    case GATE_TYPE_TASK: return "a task gate";
    }
    return "not an interrupt or trap gate";
}

static const char *sreg_name(uint64_t index)
{
    return index < sizeof sreg_names / sizeof sreg_names[0] ? sreg_names[index] : "a segment register";
}

/* ---- One sentence per step ---- */

#define ADDR(s) ((unsigned long long)(s)->addr)
#define VALUE(s) ((unsigned long long)(s)->value)

static void write_cr2(narration *n, const emu_trap_step *s)
{
    out_put(&n->o, "It writes the faulting linear address 0x%llx to CR2 before delivery starts, so CR2 holds "
            "it even if delivery faults.", VALUE(s));
}

static void check_idt_limit(narration *n, const emu_trap_step *s)
{
    char event[64];
    attempt_event(n, event, sizeof event);
    out_put(&n->o, "The CPU checks that the %u-byte gate for %s lies within the IDT (IDTR base 0x%llx, limit "
            "0x%llx).", n->ia32e ? 16u : 8u, event, ADDR(s), VALUE(s));
}

static void read_idt_gate(narration *n, const emu_trap_step *s)
{
    char event[64];
    attempt_event(n, event, sizeof event);
    n->have_gate = true;
    n->gate_lo = s->value;
    unsigned type = gate_type(s->value);
    out_put(&n->o, "It reads the IDT gate for %s at 0x%llx (low 8 bytes 0x%llx): %s, DPL %u, %s, handler code "
            "selector 0x%x", event, ADDR(s), VALUE(s), gate_type_name(type, n->ia32e), gate_dpl(s->value),
            (s->value & X86_DESC_P) ? "present" : "not present",
            (unsigned)(uint16_t)(s->value >> GATE_SELECTOR_SHIFT));
    if (n->ia32e)
        out_put(&n->o, ", IST %u", gate_ist(s->value));
    out_put(&n->o, ".");
}

static void check_gate(narration *n, const emu_trap_step *s)
{
    unsigned type = (unsigned)s->value;
    unsigned cpl = n->t->from_priv;
    out_put(&n->o, "It checks the gate: type 0x%x is %s", type, gate_type_name(type, n->ia32e));
    if (n->have_gate) {
        out_put(&n->o, ", it is %s", (n->gate_lo & X86_DESC_P) ? "present" : "not present (that is #NP)");
        unsigned dpl = gate_dpl(n->gate_lo);
        if (!attempt_is_software(n))
            out_put(&n->o, "; only INT n, INT3 and INTO are checked against the gate's DPL, so DPL %u does not "
                    "matter here", dpl);
        else if (dpl >= cpl)
            out_put(&n->o, "; the gate's DPL %u allows ring %u to use it with a software interrupt", dpl, cpl);
        else
            out_put(&n->o, "; the gate's DPL %u is below CPL %u, so a software interrupt may not use it (that "
                    "is #GP)", dpl, cpl);
    }
    out_put(&n->o, ".");
}

static void read_target_cs(narration *n, const emu_trap_step *s)
{
    out_put(&n->o, "It reads the handler's code segment descriptor at 0x%llx: 0x%llx.", ADDR(s), VALUE(s));
}

static void check_target_cs(narration *n, const emu_trap_step *s)
{
    unsigned attr = (unsigned)s->value;
    unsigned type = attr & X86_SEG_ATTR_TYPE_MASK;
    unsigned dpl = (attr & X86_SEG_ATTR_DPL_MASK) >> X86_SEG_ATTR_DPL_SHIFT;
    bool code = (attr & X86_SEG_ATTR_S) && (type & X86_TYPE_CODE);
    out_put(&n->o, "It checks the handler's code segment (access rights 0x%x): %s, DPL %u, %s", attr,
            code ? "a code segment" : "not a code segment (that is #GP)", dpl,
            (attr & X86_SEG_ATTR_P) ? "present" : "not present (that is #NP)");
    if (n->ia32e)
        out_put(&n->o, ", %s", (attr & X86_SEG_ATTR_L) && !(attr & X86_SEG_ATTR_DB) ? "64-bit (L=1, D=0)"
                                                                                    : "not 64-bit code (that is #GP)");
    if (code && (type & X86_TYPE_CONFORMING))
        out_put(&n->o, "; it is conforming, so the handler runs at the current privilege, ring %u",
                n->t->from_priv);
    else if (code)
        out_put(&n->o, "; the handler will run at its DPL, ring %u", dpl);
    out_put(&n->o, ".");
}

/* The final attempt's stack name ("RSP0", "IST1") or a generic one for an attempt that faulted later. */
static const char *stack_name(const narration *n, const char *prefix, const char *generic)
{
    const emu_trap *t = n->t;
    bool final = n->attempt + 1 == n->attempts;
    if (final && !strncmp(t->stack, prefix, strlen(prefix)))
        return t->stack;
    return generic;
}

static void read_tss_rspn(narration *n, const emu_trap_step *s)
{
    n->stack_read = true;
    const char *rsp = stack_name(n, "RSP", "RSPn");
    out_put(&n->o, "Because the handler is more privileged than ring %u and the gate's IST field is 0, it "
            "loads the new stack pointer %s from the TSS at 0x%llx: 0x%llx (SDM 6.14.4).", n->t->from_priv, rsp,
            ADDR(s), VALUE(s));
}

static void read_tss_ist(narration *n, const emu_trap_step *s)
{
    n->stack_read = true;
    const char *ist = stack_name(n, "IST", "ISTn");
    if (n->have_gate)
        out_put(&n->o, "Because the gate's IST field is %u, it switches to the stack in TSS.%s at 0x%llx: "
                "0x%llx, whatever the privilege levels (SDM 6.14.5).", gate_ist(n->gate_lo), ist, ADDR(s),
                VALUE(s));
    else
        out_put(&n->o, "It switches to the stack in TSS.%s at 0x%llx: 0x%llx (SDM 6.14.5).", ist, ADDR(s),
                VALUE(s));
}

static void align_rsp(narration *n, const emu_trap_step *s)
{
    if (!n->stack_read)
        out_put(&n->o, "The handler runs at the same privilege and the gate's IST field is 0, so it stays on "
                "the current stack; ");
    else
        out_put(&n->o, "It ");
    out_put(&n->o, "%s the stack pointer down to a 16-byte boundary, 0x%llx, as IA-32e mode always does "
            "(SDM 6.14.2).", n->stack_read ? "aligns" : "it aligns", VALUE(s));
}

static void read_tss_espn(narration *n, const emu_trap_step *s)
{
    n->stack_read = true;
    out_put(&n->o, "Because the handler is more privileged than ring %u, it reads the new ESP from the 32-bit "
            "TSS at 0x%llx: 0x%llx.", n->t->from_priv, ADDR(s), VALUE(s));
}

static void read_tss_ssn(narration *n, const emu_trap_step *s)
{
    out_put(&n->o, "It reads the new SS selector from the TSS at 0x%llx: 0x%llx.", ADDR(s), VALUE(s));
}

static void read_new_ss(narration *n, const emu_trap_step *s)
{
    out_put(&n->o, "It reads the new stack segment's descriptor at 0x%llx (0x%llx) and checks that it is a "
            "present writable data segment at the handler's privilege.", ADDR(s), VALUE(s));
}

/* "push X" steps: what the slot holds, then where. */
static void push_slot(narration *n, const emu_trap_step *s)
{
    const char *what = s->name + strlen("push ");
    if (!strcmp(what, "error code"))
        out_put(&n->o, "It pushes the error code (0x%llx) at 0x%llx.", VALUE(s), ADDR(s));
    else if (!strcmp(what, "RIP") || !strcmp(what, "EIP"))
        out_put(&n->o, "It pushes the saved %s (0x%llx), where IRET will resume, at 0x%llx.", what, VALUE(s),
                ADDR(s));
    else if ((!strcmp(what, "RFLAGS") || !strcmp(what, "EFLAGS")) && (s->value & X86_FLAG_RF))
        out_put(&n->o, "It pushes the interrupted %s (0x%llx, with RF=1 so the restarted instruction does not "
                "hit its own instruction breakpoint) at 0x%llx.", what, VALUE(s), ADDR(s));
    else
        out_put(&n->o, "It pushes the interrupted %s (0x%llx) at 0x%llx.", what, VALUE(s), ADDR(s));
}

static void load_cs_ip(narration *n, const emu_trap_step *s)
{
    out_put(&n->o, "It loads CS with 0x%llx and %s with the handler's address 0x%llx.", VALUE(s),
            is_step(s, "load CS:EIP") ? "EIP" : "RIP", ADDR(s));
}

static void load_ss_null(narration *n, const emu_trap_step *s)
{
    out_put(&n->o, "Because the privilege level changed, it loads SS with a null selector whose RPL is the "
            "new CPL, %llu (SDM 6.14.4).", VALUE(s));
}

static void load_ss(narration *n, const emu_trap_step *s)
{
    out_put(&n->o, "It loads SS with 0x%llx, the selector from the TSS.", VALUE(s));
}

static void clear_flags(narration *n, const emu_trap_step *s)
{
    bool if_too = is_step(s, "clear TF NT RF IF");
    out_put(&n->o, "It clears %s in RFLAGS, now 0x%llx: %s.", if_too ? "TF, NT, RF and IF" : "TF, NT and RF",
            VALUE(s), if_too ? "an interrupt gate masks maskable interrupts in the handler"
                             : "a trap gate leaves IF as it was");
}

/* "pop X" steps of IRET. */
static void pop_slot(narration *n, const emu_trap_step *s)
{
    const char *what = s->name + strlen("pop ");
    out_put(&n->o, "It pops the return %s (0x%llx) from 0x%llx.", what, VALUE(s), ADDR(s));
}

static void read_return_cs(narration *n, const emu_trap_step *s)
{
    out_put(&n->o, "It reads the return code segment's descriptor at 0x%llx: 0x%llx.", ADDR(s), VALUE(s));
}

static void check_return_cs(narration *n, const emu_trap_step *s)
{
    out_put(&n->o, "It checks the return CS 0x%llx (RPL %llu, the privilege to return to) and that RIP 0x%llx "
            "is valid for it: canonical for 64-bit code, within the limit otherwise.", VALUE(s),
            VALUE(s) & X86_SEL_RPL_MASK, ADDR(s));
}

static void read_return_ss(narration *n, const emu_trap_step *s)
{
    out_put(&n->o, "It reads the return stack segment's descriptor at 0x%llx (0x%llx) and checks that it is a "
            "present writable data segment at that privilege.", ADDR(s), VALUE(s));
}

static void load_return(narration *n, const emu_trap_step *s)
{
    out_put(&n->o, "It loads CS:RIP, SS:RSP and RFLAGS together: RIP 0x%llx, RFLAGS 0x%llx.", ADDR(s), VALUE(s));
}

static void null_data_segment(narration *n, const emu_trap_step *s)
{
    out_put(&n->o, "Returning to a less privileged level, it loads %s with the null selector, since its DPL "
            "is below the new CPL.", sreg_name(s->value));
}

static void syscall_rcx(narration *n, const emu_trap_step *s)
{
    out_put(&n->o, "It saves the return RIP, 0x%llx (the next instruction), in RCX.", VALUE(s));
}

static void syscall_r11(narration *n, const emu_trap_step *s)
{
    out_put(&n->o, "It saves RFLAGS, 0x%llx, in R11.", VALUE(s));
}

static void syscall_fmask(narration *n, const emu_trap_step *s)
{
    out_put(&n->o, "It clears the RFLAGS bits set in IA32_FMASK (0x%llx): RFLAGS is now 0x%llx.", ADDR(s),
            VALUE(s));
}

static void syscall_star(narration *n, const emu_trap_step *s)
{
    out_put(&n->o, "It loads CS with 0x%llx and SS with the selector after it, from IA32_STAR[47:32], as fixed "
            "flat ring 0 segments, without reading the GDT.", VALUE(s));
}

static void syscall_lstar(narration *n, const emu_trap_step *s)
{
    out_put(&n->o, "It jumps to IA32_LSTAR, 0x%llx; RSP is not changed, so the handler starts on the caller's "
            "stack.", VALUE(s));
}

static void sysret_rflags(narration *n, const emu_trap_step *s)
{
    out_put(&n->o, "It loads RFLAGS from R11: 0x%llx.", VALUE(s));
}

static void sysret_star(narration *n, const emu_trap_step *s)
{
    out_put(&n->o, "It loads CS with 0x%llx and SS from IA32_STAR[63:48], with RPL 3, as fixed flat segments.",
            VALUE(s));
}

static void rip_from_rcx(narration *n, const emu_trap_step *s)
{
    out_put(&n->o, "It loads RIP from RCX: 0x%llx.", VALUE(s));
}

static void sysenter_flags(narration *n, const emu_trap_step *s)
{
    out_put(&n->o, "It clears VM, IF and RF in RFLAGS, now 0x%llx.", VALUE(s));
}

static void sysenter_cs(narration *n, const emu_trap_step *s)
{
    out_put(&n->o, "It loads CS with 0x%llx and SS with the selector 8 above it, derived from "
            "IA32_SYSENTER_CS, as fixed flat segments, without reading the GDT.", VALUE(s));
}

static void sysenter_rsp(narration *n, const emu_trap_step *s)
{
    out_put(&n->o, "It loads RSP from IA32_SYSENTER_ESP: 0x%llx.", VALUE(s));
}

static void sysenter_rip(narration *n, const emu_trap_step *s)
{
    out_put(&n->o, "It jumps to IA32_SYSENTER_EIP, 0x%llx.", VALUE(s));
}

static void rsp_from_rcx(narration *n, const emu_trap_step *s)
{
    out_put(&n->o, "It loads RSP from RCX: 0x%llx.", VALUE(s));
}

static void rip_from_rdx(narration *n, const emu_trap_step *s)
{
    out_put(&n->o, "It loads RIP from RDX: 0x%llx.", VALUE(s));
}

static void unknown_step(narration *n, const emu_trap_step *s)
{
    out_put(&n->o, "A step this narration does not describe (address 0x%llx, value 0x%llx).", ADDR(s), VALUE(s));
}

/* Every step name the delivery and return code records (src/entry/x86/). */
static const struct {
    const char *name;
    step_fn fn;
} step_sentences[] = {
    { "write CR2", write_cr2 },
    { "check IDT limit", check_idt_limit },
    { "read IDT gate", read_idt_gate },
    { "check gate type/present/DPL", check_gate },
    { "read target CS descriptor", read_target_cs },
    { "check target CS", check_target_cs },
    { "read TSS.RSPn", read_tss_rspn },
    { "read TSS.IST", read_tss_ist },
    { "align RSP to 16 bytes", align_rsp },
    { "read TSS.ESPn", read_tss_espn },
    { "read TSS.SSn", read_tss_ssn },
    { "read new SS descriptor", read_new_ss },
    { "push error code", push_slot },
    { "push RIP", push_slot }, { "push CS", push_slot }, { "push RFLAGS", push_slot },
    { "push RSP", push_slot }, { "push SS", push_slot },
    { "push EIP", push_slot }, { "push EFLAGS", push_slot }, { "push ESP", push_slot },
    { "load CS:RIP", load_cs_ip },
    { "load CS:EIP", load_cs_ip },
    { "load SS with null selector", load_ss_null },
    { "load SS", load_ss },
    { "clear TF NT RF IF", clear_flags },
    { "clear TF NT RF", clear_flags },
    { "pop RIP", pop_slot }, { "pop CS", pop_slot }, { "pop RFLAGS", pop_slot },
    { "pop RSP", pop_slot }, { "pop SS", pop_slot },
    { "read return CS descriptor", read_return_cs },
    { "check return CS and RIP", check_return_cs },
    { "read return SS descriptor", read_return_ss },
    { "load CS:RIP, SS:RSP, RFLAGS", load_return },
    { "null data segment the new CPL may not use", null_data_segment },
    { "RCX = return RIP", syscall_rcx },
    { "R11 = RFLAGS", syscall_r11 },
    { "RFLAGS &= ~IA32_FMASK", syscall_fmask },
    { "load CS, SS from IA32_STAR[47:32]", syscall_star },
    { "RIP = IA32_LSTAR", syscall_lstar },
    { "RFLAGS = R11", sysret_rflags },
    { "load CS, SS from IA32_STAR[63:48]", sysret_star },
    { "RIP = RCX", rip_from_rcx },
    { "clear VM IF RF", sysenter_flags },
    { "load CS, SS from IA32_SYSENTER_CS", sysenter_cs },
    { "RSP = IA32_SYSENTER_ESP", sysenter_rsp },
    { "RIP = IA32_SYSENTER_EIP", sysenter_rip },
    { "RSP = RCX", rsp_from_rcx },
    { "RIP = RDX", rip_from_rdx },
};

static step_fn sentence_for(const emu_trap_step *s)
{
    if (s->name)
        for (size_t i = 0; i < sizeof step_sentences / sizeof step_sentences[0]; i++)
            if (!strcmp(s->name, step_sentences[i].name))
                return step_sentences[i].fn;
    return unknown_step;
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
                "the next instruction to run.", v, t->source[0] ? t->source : "an unnamed source", t->from_priv,
                (unsigned long long)t->from_pc);
        return;
    case EMU_TRAP_SYSCALL:
        out_put(&n->o, "%s (a system call) in ring %u at rip 0x%llx, RSP 0x%llx.",
                has_step(t, "RIP = IA32_SYSENTER_EIP") ? "SYSENTER" : "SYSCALL", t->from_priv,
                (unsigned long long)t->from_pc, (unsigned long long)t->from_sp);
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
        sentence_for(s)(&n, s);
    }
    out_put(&n.o, "\n");
    outro(&n);
    return out_finish(&n.o);
}
