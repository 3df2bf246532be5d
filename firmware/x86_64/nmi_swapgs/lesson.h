/* What the lesson's ring-3 code (user.S) and its kernel (main.c) share. */
#ifndef FW_NMI_SWAPGS_LESSON_H
#define FW_NMI_SWAPGS_LESSON_H

#define SYS_HELLO  1    /* the system call the NMI lands in */
#define SYS_SHOW   2    /* RDI = what ring 3 read at %gs:0 after SYSRET */
#define SYS_FINISH 3

/* What ring 3 finds at %gs:0 with its own GS base. */
#define USER_GS_MAGIC 0x5553455247530000    /* "USERGS" */

#ifndef __ASSEMBLER__
#include <stdint.h>

void lesson_user_main(void);
extern const char lesson_syscall_insn[];
extern uint64_t lesson_user_gs_area[];
extern volatile uint64_t lesson_user_rsp;
#endif

#endif
