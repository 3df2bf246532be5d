/* The expected event sequence: the five ring-0 cases, then the ring-3 program. */
#include "traps/expect.h"

#include "traps/cases.h"
#include "entry/gdt.h"
#include "entry/paging.h"
#include "lib/x86.h"

/* INT n through a gate whose DPL is below CPL: #GP(vector * 8 + 2) (6.12.1.1, 6.13). */
#define GATE_DPL_ERROR(vec) ((vec) * 8 + X86_ERR_IDT)

#define KERNEL .cs = SEL_KERNEL_CS, .ss = SEL_KERNEL_DS
#define USER   .cs = SEL_USER_CS, .ss = SEL_USER_DS
#define AT(label) .insn = label##_insn, .resume = label##_resume

const struct expect expected_events[] = {
    { .name = "#UD", .what = "ud2 at CPL0", .vector = X86_VEC_UD, .error = NO_ERROR_CODE,
      KERNEL, .stack = STACK_SAME, .fault = true, AT(ud) },
    { .name = "#BP", .what = "int3 at CPL0, DPL3 trap gate", .vector = X86_VEC_BP,
      .error = NO_ERROR_CODE, KERNEL, .stack = STACK_SAME, AT(bp) },
    { .name = "#GP", .what = "non-canonical load at CPL0, IST1 gate", .vector = X86_VEC_GP,
      .error = 0, KERNEL, .stack = STACK_IST1, .fault = true, AT(gp), .hide_handler_ss = true },
    { .name = "#PF", .what = "write to an unmapped page at CPL0", .vector = X86_VEC_PF,
      .error = X86_PF_W, .cr2 = UNMAPPED_ADDRESS, KERNEL, .stack = STACK_SAME, .fault = true,
      AT(pf) },
    { .name = "#DE", .what = "div by zero at CPL0", .vector = X86_VEC_DE, .error = NO_ERROR_CODE,
      KERNEL, .stack = STACK_SAME, .fault = true, AT(de) },
    { .name = "INT 0x80", .what = "int 0x80 at CPL3, DPL3 trap gate", .vector = VEC_USER_CALL,
      .error = NO_ERROR_CODE, USER, .stack = STACK_RSP0, AT(user_call) },
    { .name = "#GP", .what = "int 0x81 at CPL3, DPL0 gate, IST1", .vector = X86_VEC_GP,
      .error = GATE_DPL_ERROR(VEC_KERNEL_ONLY), USER, .stack = STACK_IST1, .fault = true,
      AT(user_kernel_only), .error_shown = ERROR_SELECTOR_FLAGS },
    { .name = "#PF", .what = "write to a supervisor page at CPL3", .vector = X86_VEC_PF,
      .error = X86_PF_P | X86_PF_W | X86_PF_U, .cr2 = SUPERVISOR_PAGE, USER,
      .stack = STACK_RSP0, .fault = true, AT(user_pf) },
    { .name = "INT 0x82", .what = "int 0x82 at CPL3, DPL3 interrupt gate", .vector = VEC_FINISH,
      .error = NO_ERROR_CODE, USER, .stack = STACK_RSP0, AT(user_finish) },
};

const unsigned expected_count = sizeof expected_events / sizeof expected_events[0];
