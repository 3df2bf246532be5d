/*
 * One sentence per step of a trap record, for emu_trap_explain (explain.c):
 * a table from each step name the delivery and return code records
 * (src/entry/x86/) to the function that says it in English, from the step's
 * address and value. Fields inside a recorded value (a gate's DPL and IST,
 * a segment's access rights) are decoded with the manual's layouts (SDM vol.
 * 3, 3.4.5, figures 6-2 and 6-8); nothing is looked up in the machine.
 */
#include <string.h>

#include "cpu/x86/system.h"
#include "cpu/x86/x86.h"
#include "trace/explain.h"

/* IDT gate fields in its low eight bytes (SDM vol. 3, figures 6-2 and 6-8). */
#define GATE_SELECTOR_SHIFT 16
#define GATE_IST_SHIFT      32
#define GATE_IST_MASK       0x7u
#define GATE_TYPE_TASK      0x5u
#define GATE_TYPE_INT16     0x6u
#define GATE_TYPE_TRAP16    0x7u
#define GATE_TYPE_INT       0xeu    /* 32-bit, or 64-bit in IA-32e mode */
#define GATE_TYPE_TRAP      0xfu

/* The segment registers by their architectural number (the ModRM reg encoding of MOV Sreg). */
static const char *const sreg_names[] = { "ES", "CS", "SS", "DS", "FS", "GS" };

typedef void (*step_fn)(narration *n, const emu_trap_step *s);

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
    explain_attempt_event(n, event, sizeof event);
    out_put(&n->o, "The CPU checks that the %u-byte gate for %s lies within the IDT (IDTR base 0x%llx, limit "
            "0x%llx).", n->ia32e ? 16u : 8u, event, ADDR(s), VALUE(s));
}

static void read_idt_gate(narration *n, const emu_trap_step *s)
{
    char event[64];
    explain_attempt_event(n, event, sizeof event);
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
        if (!explain_attempt_is_software(n))
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
            explain_is_step(s, "load CS:EIP") ? "EIP" : "RIP", ADDR(s));
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
    bool if_too = explain_is_step(s, "clear TF NT RF IF");
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

static void syscall_cstar(narration *n, const emu_trap_step *s)
{
    out_put(&n->o, "SYSCALL came from compatibility mode, which on AMD processors enters 64-bit mode at "
            "IA32_CSTAR, 0x%llx (Intel raises #UD instead); RSP is not changed.", VALUE(s));
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

static void acknowledge_intr(narration *n, const emu_trap_step *s)
{
    out_put(&n->o, "The CPU acknowledges the interrupt request (an INTA cycle) and the interrupt source answers "
            "with vector 0x%llx.", VALUE(s));
}

static void read_call_gate(narration *n, const emu_trap_step *s)
{
    out_put(&n->o, "It reads the call gate at 0x%llx (low 8 bytes 0x%llx): %s, DPL %u, target code selector "
            "0x%x.", ADDR(s), VALUE(s), (s->value & X86_DESC_P) ? "present" : "not present",
            gate_dpl(s->value), (unsigned)(uint16_t)(s->value >> GATE_SELECTOR_SHIFT));
}

static void check_call_gate(narration *n, const emu_trap_step *s)
{
    out_put(&n->o, "It checks the call gate: its DPL %llu must be at least the CPL and the selector's RPL, and "
            "the gate must be present (else #GP or #NP with the gate's selector, SDM 5.8.4).", VALUE(s));
}

static void read_call_gate_upper(narration *n, const emu_trap_step *s)
{
    out_put(&n->o, "In IA-32e mode a call gate is 16 bytes: it reads the upper 8 bytes at 0x%llx (0x%llx), "
            "which hold offset bits 63:32 and a type field that must be 0 (SDM 5.8.3.1).", ADDR(s), VALUE(s));
}

static void check_gate_target_cs(narration *n, const emu_trap_step *s)
{
    bool call = strstr(s->name, "DPL <= CPL") != NULL;
    out_put(&n->o, "It checks the target code segment (access rights 0x%llx): a CALL may go to a segment as or "
            "more privileged (DPL <= CPL)%s.", VALUE(s),
            call ? "" : ", but a JMP through a gate must stay at the same privilege");
}

static void check_gate_offset(narration *n, const emu_trap_step *s)
{
    if (strstr(s->name, "canonical"))
        out_put(&n->o, "It checks that the gate's offset 0x%llx is canonical (else #GP(0)).", VALUE(s));
    else
        out_put(&n->o, "It checks that the gate's offset 0x%llx lies within the target segment's limit (else "
                "#GP(0)).", VALUE(s));
}

static void copy_parameters(narration *n, const emu_trap_step *s)
{
    out_put(&n->o, "It reads the %llu parameter(s) the gate's count asks for from the caller's stack at 0x%llx.",
            VALUE(s), ADDR(s));
}

static void push_parameters(narration *n, const emu_trap_step *s)
{
    out_put(&n->o, "It pushes the %llu copied parameter(s) onto the new stack at 0x%llx.", VALUE(s), ADDR(s));
}

static void check_new_stack(narration *n, const emu_trap_step *s)
{
    if (strstr(s->name, "canonical"))
        out_put(&n->o, "It checks that the new stack's frame address 0x%llx is canonical (else #SS).", VALUE(s));
    else
        out_put(&n->o, "It checks that the new stack at 0x%llx has room for the %llu bytes it will push (else "
                "#SS).", ADDR(s), VALUE(s));
}

static void load_gate_stack(narration *n, const emu_trap_step *s)
{
    if (strstr(s->name, "null"))
        out_put(&n->o, "It loads SS with a null selector whose RPL is the new CPL (0x%llx) and RSP with the new "
                "frame, 0x%llx (SDM 5.8.5).", VALUE(s), ADDR(s));
    else
        out_put(&n->o, "It loads SS:ESP with the new stack, 0x%llx:0x%llx.", VALUE(s), ADDR(s));
}

static void release_parameters(narration *n, const emu_trap_step *s)
{
    out_put(&n->o, "RET's immediate releases %llu bytes of parameters from the stack.", VALUE(s));
}

static void load_retf(narration *n, const emu_trap_step *s)
{
    out_put(&n->o, "It loads CS:RIP (0x%llx) and SS:RSP (RSP 0x%llx) from what it popped, returning to the "
            "outer level.", ADDR(s), VALUE(s));
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
    { "RIP = IA32_CSTAR", syscall_cstar },
    { "RFLAGS = R11", sysret_rflags },
    { "load CS, SS from IA32_STAR[63:48]", sysret_star },
    { "RIP = RCX", rip_from_rcx },
    { "clear VM IF RF", sysenter_flags },
    { "load CS, SS from IA32_SYSENTER_CS", sysenter_cs },
    { "RSP = IA32_SYSENTER_ESP", sysenter_rsp },
    { "RIP = IA32_SYSENTER_EIP", sysenter_rip },
    { "RSP = RCX", rsp_from_rcx },
    { "RIP = RDX", rip_from_rdx },
    { "acknowledge interrupt (INTA)", acknowledge_intr },
    { "read call gate", read_call_gate },
    { "check gate DPL >= CPL and RPL, present", check_call_gate },
    { "read call gate upper 8 bytes", read_call_gate_upper },
    { "check target CS (DPL <= CPL)", check_gate_target_cs },
    { "check target CS (same privilege)", check_gate_target_cs },
    { "check offset canonical", check_gate_offset },
    { "check offset within CS limit", check_gate_offset },
    { "copy parameters from the caller's stack", copy_parameters },
    { "push parameters", push_parameters },
    { "check new stack canonical", check_new_stack },
    { "check new stack room", check_new_stack },
    { "load SS with null selector, RSP", load_gate_stack },
    { "load SS:ESP", load_gate_stack },
    { "release imm16 bytes of parameters", release_parameters },
    { "load CS:RIP, SS:RSP", load_retf },
};

static step_fn sentence_for(const emu_trap_step *s)
{
    if (s->name)
        for (size_t i = 0; i < sizeof step_sentences / sizeof step_sentences[0]; i++)
            if (!strcmp(s->name, step_sentences[i].name))
                return step_sentences[i].fn;
    return unknown_step;
}

void explain_step(narration *n, const emu_trap_step *s)
{
    sentence_for(s)(n, s);
}
