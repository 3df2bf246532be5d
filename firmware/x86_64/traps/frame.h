/*
 * The frame the entry stubs build: general registers saved by the common
 * entry, then the vector and the error code (0 pushed by the stub where the
 * CPU pushes none), then what the CPU pushed (SDM vol. 3, figure 6-9).
 */
#ifndef FW_TRAPS_FRAME_H
#define FW_TRAPS_FRAME_H

#include <stdint.h>

struct trap_frame {
    uint64_t r15, r14, r13, r12, r11, r10, r9, r8;
    uint64_t rbp, rdi, rsi, rdx, rcx, rbx, rax;
    uint64_t vector;
    uint64_t error;
    uint64_t rip, cs, rflags, rsp, ss;
};

/* Called by the common entry with the frame; returning resumes via IRETQ. */
void trap_dispatch(struct trap_frame *frame);

#endif
