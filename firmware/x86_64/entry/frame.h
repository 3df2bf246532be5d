/*
 * The frame every entry path builds: general registers saved by the common
 * save path, then the vector and the error code (0 pushed by the stub where
 * the CPU pushes none), then what the CPU pushed (SDM vol. 3, figure 6-9).
 * The SYSCALL entry builds the same shape by hand (entry/syscall.S), so C
 * reads one struct whichever way the kernel was entered.
 */
#ifndef FW_ENTRY_FRAME_H
#define FW_ENTRY_FRAME_H

/* Byte offsets of the fields the assembly reads. */
#define FRAME_VECTOR 0x78
#define FRAME_ERROR  0x80
#define FRAME_RIP    0x88
#define FRAME_CS     0x90
#define FRAME_RFLAGS 0x98
#define FRAME_RSP    0xa0
#define FRAME_SS     0xa8
#define FRAME_SIZE   0xb0

/* The vector a SYSCALL frame carries: above every IDT vector. */
#define FRAME_VEC_SYSCALL 0x100

#ifndef __ASSEMBLER__
#include <stddef.h>
#include <stdint.h>

struct trap_frame {
    uint64_t r15, r14, r13, r12, r11, r10, r9, r8;
    uint64_t rbp, rdi, rsi, rdx, rcx, rbx, rax;
    uint64_t vector;
    uint64_t error;
    uint64_t rip, cs, rflags, rsp, ss;
};

_Static_assert(offsetof(struct trap_frame, vector) == FRAME_VECTOR, "frame layout");
_Static_assert(offsetof(struct trap_frame, cs) == FRAME_CS, "frame layout");
_Static_assert(offsetof(struct trap_frame, rsp) == FRAME_RSP, "frame layout");
_Static_assert(sizeof(struct trap_frame) == FRAME_SIZE, "frame layout");

/*
 * Called by the entry paths with the frame; returning resumes what the frame
 * describes (IRETQ, or SYSRET for a SYSCALL frame). Each firmware defines it.
 */
void trap_dispatch(struct trap_frame *frame);
#endif

#endif
