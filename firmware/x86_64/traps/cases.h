/*
 * The code that traps, written in assembly (cases.S) so each faulting
 * instruction has a label at its start (_insn) and one after it (_resume):
 * the handler reports saved RIPs against the first and resumes faults at the
 * second, which is how it knows each instruction's length.
 */
#ifndef FW_TRAPS_CASES_H
#define FW_TRAPS_CASES_H

/* Software-interrupt vectors used from ring 3. */
#define VEC_USER_CALL   0x80    /* DPL3 trap gate: returns to ring 3 */
#define VEC_KERNEL_ONLY 0x81    /* DPL0 gate: INT from ring 3 is #GP */
#define VEC_FINISH      0x82    /* DPL3 gate: the handler ends the run */

#ifndef __ASSEMBLER__
#include <stdint.h>

/* RSP just before the trapping instruction, stored by the code under test. */
extern volatile uint64_t trap_pre_rsp;

/* DS, ES, FS, GS as ring 3 found them after the IRETQ that entered it. */
extern volatile uint16_t user_segs[4];

/* Ring-0 cases: each runs one trapping instruction and returns. */
void case_ud(void);
void case_bp(void);
void case_gp(void);
void case_pf(void);
void case_de(void);

/* IRETQ to ring 3 at RIP with RSP; ring 3 ends the run through VEC_FINISH. */
__attribute__((noreturn)) void enter_user(void (*rip)(void), uint64_t rsp);
void user_main(void);

#define CASE_LABELS(name) extern const char name##_insn[], name##_resume[]
CASE_LABELS(ud);
CASE_LABELS(bp);
CASE_LABELS(gp);
CASE_LABELS(pf);
CASE_LABELS(de);
CASE_LABELS(user_call);
CASE_LABELS(user_kernel_only);
CASE_LABELS(user_pf);
CASE_LABELS(user_finish);
#undef CASE_LABELS
#endif

#endif
