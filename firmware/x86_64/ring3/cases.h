/*
 * The ring-3 program's cases (cases.S) and what the kernel knows about each
 * (cases.c). Before each case ring 3 asks the kernel, through SYSCALL
 * SYS_ARM, to prepare it (a gate not present, CR0.TS, CR0.AM, a short TSS
 * limit); then it records RSP and runs the one instruction that should trap,
 * which lies between the labels case_NAME_insn and case_NAME_resume. The
 * handler prints what it saw and resumes at _resume.
 */
#ifndef FW_RING3_CASES_H
#define FW_RING3_CASES_H

/* System calls: number in RAX, arguments in RDI, RSI, RDX, R10. */
#define SYS_ARM    1    /* prepare case RDI */
#define SYS_HELLO  2    /* print what the SYSCALL entry saw; returns SYS_HELLO_RESULT */
#define SYS_SHOW   3    /* print what ring 3 saw after a return: RDI = RAX, RSI = %gs:0, RDX = CS */
#define SYS_FINISH 4    /* print the summary and exit */
#define SYS_HELLO_RESULT 0x2a

/* Software-interrupt vectors. */
#define VEC_SYSCALL_INT 0x80    /* DPL3 trap gate: the INT 0x80 system call */
#define VEC_IST7        0x83    /* DPL3 gate with IST 7: #TS when TSS.IST7 is beyond the limit */

/* Pages with particular permissions, 2 MiB each (entry/paging.h). */
#define READ_ONLY_PAGE 0x400000 /* user, not writable */
#define NX_PAGE        0x600000 /* user, execute-disable */
#define NON_CANONICAL  0x8000000000000000

/* What ring 3 finds at %gs:0 with its own GS base. */
#define USER_GS_MAGIC 0x5553455247530000    /* "USERGS" */

/* Case numbers, in the order ring 3 runs them. */
#define CASE_DE          0
#define CASE_DB_STEP     1
#define CASE_DB_ICEBP    2
#define CASE_BP          3
#define CASE_OF          4
#define CASE_UD          5
#define CASE_NM          6
#define CASE_DF          7
#define CASE_TS          8
#define CASE_NP          9
#define CASE_SS_LOAD     10
#define CASE_SS_CANON    11
#define CASE_GP_PRIV     12
#define CASE_GP_SEL      13
#define CASE_PF_RO       14
#define CASE_PF_SUPER    15
#define CASE_PF_NX       16
#define CASE_AC          17
#define CASE_SYSCALL     18
#define CASE_INT80       19
#define CASE_COUNT       20

#ifndef __ASSEMBLER__
#include <stdbool.h>
#include <stdint.h>

struct ring3_case {
    const char *name;       /* mnemonic of the expected event */
    const char *what;       /* what provokes it */
    const char *insn, *resume;
    void (*arm)(void);      /* at CPL0 before the case, or 0 */
    void (*disarm)(void);   /* at CPL0 after it, or 0 */
    bool rip_absolute;      /* the saved RIP is not near the instruction (NX fetch) */
};

extern const struct ring3_case ring3_cases[CASE_COUNT];

/* RSP just before the trapping instruction, stored by ring 3. */
extern volatile uint64_t trap_pre_rsp;

/* Ring 3's own GS area. */
extern uint64_t user_gs_area[];

/* The ring-3 program; it ends the run with SYS_FINISH. */
void ring3_main(void);
#endif

#endif
