/*
 * What the kernel does around each ring-3 case: the state that makes the
 * instruction trap is set by arm() at CPL0 (SYS_ARM) and undone by disarm()
 * once the event has been seen.
 */
#include "ring3/cases.h"

#include "entry/gdt.h"
#include "entry/idt.h"
#include "lib/x86.h"

volatile uint64_t trap_pre_rsp;

static void clear_dr6(void)
{
    x86_write_dr6(0);
}

static void set_ts(void)
{
    x86_write_cr0(x86_read_cr0() | X86_CR0_TS);
}

static void clear_ts(void)
{
    __asm__ volatile("clts" ::: "memory");
}

static void de_gate_absent(void)
{
    idt_set_present(X86_VEC_DE, false);
}

static void de_gate_present(void)
{
    idt_set_present(X86_VEC_DE, true);
}

/* TSS.IST7 lies at 0x54..0x5b (figure 8-11): a limit of 0x53 leaves it out. */
static void tss_without_ist7(void)
{
    gdt_set_tss_limit(TSS64_IST_OFFSET(7) - 1);
}

static void tss_whole(void)
{
    gdt_set_tss_limit(TSS64_SIZE - 1);
}

static void set_am(void)
{
    x86_write_cr0(x86_read_cr0() | X86_CR0_AM);
}

static void clear_am(void)
{
    x86_write_cr0(x86_read_cr0() & ~(uint64_t)X86_CR0_AM);
}

#define AT(label) .insn = case_##label##_insn, .resume = case_##label##_resume
#define LABELS(label) extern const char case_##label##_insn[], case_##label##_resume[]
LABELS(de); LABELS(db_step); LABELS(db_icebp); LABELS(bp); LABELS(of); LABELS(ud); LABELS(nm);
LABELS(df); LABELS(ts); LABELS(np); LABELS(ss_load); LABELS(ss_canon); LABELS(gp_priv);
LABELS(gp_sel); LABELS(pf_ro); LABELS(pf_super); LABELS(pf_nx); LABELS(ac); LABELS(syscall);
LABELS(int80);

const struct ring3_case ring3_cases[CASE_COUNT] = {
    [CASE_DE] = { "#DE", "div by zero", AT(de) },
    [CASE_DB_STEP] = { "#DB", "single step: TF set by popf, then nop", AT(db_step), clear_dr6 },
    [CASE_DB_ICEBP] = { "#DB", "int1 (icebp) through a DPL0 gate", AT(db_icebp), clear_dr6 },
    [CASE_BP] = { "#BP", "int3 through a DPL3 gate", AT(bp) },
    [CASE_OF] = { "#OF", "into with OF = 1 in compatibility mode", AT(of) },
    [CASE_UD] = { "#UD", "ud2", AT(ud) },
    [CASE_NM] = { "#NM", "fninit with CR0.TS = 1", AT(nm), set_ts, clear_ts },
    [CASE_DF] = { "#DF", "div by zero with the #DE gate not present", AT(df), de_gate_absent,
                  de_gate_present },
    [CASE_TS] = { "#TS", "int 0x83, an IST7 gate, TSS limit below IST7", AT(ts), tss_without_ist7,
                  tss_whole },
    [CASE_NP] = { "#NP", "mov to ds of a not-present segment", AT(np) },
    [CASE_SS_LOAD] = { "#SS", "mov to ss of a not-present segment", AT(ss_load) },
    [CASE_SS_CANON] = { "#SS", "load through rbp at a non-canonical address", AT(ss_canon) },
    [CASE_GP_PRIV] = { "#GP", "hlt at CPL3", AT(gp_priv) },
    [CASE_GP_SEL] = { "#GP", "mov to ds of a DPL0 data segment", AT(gp_sel) },
    [CASE_PF_RO] = { "#PF", "write to a read-only user page", AT(pf_ro) },
    [CASE_PF_SUPER] = { "#PF", "read of a supervisor page", AT(pf_super) },
    [CASE_PF_NX] = { "#PF", "jump to an execute-disable page", AT(pf_nx), .rip_absolute = true },
    [CASE_AC] = { "#AC", "unaligned load with CR0.AM and EFLAGS.AC", AT(ac), set_am, clear_am },
    [CASE_SYSCALL] = { "SYSCALL", "syscall with rax 2", AT(syscall) },
    [CASE_INT80] = { "INT 0x80", "int 0x80 with rax 2, DPL3 trap gate", AT(int80) },
};
