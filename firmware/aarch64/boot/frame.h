/* The register frame the vector stubs save (boot/vectors.S): shared by assembly and C. */
#ifndef FW_A64_FRAME_H
#define FW_A64_FRAME_H

#define FRAME_X30       (30 * 8)
#define FRAME_SP_EL0    (31 * 8)
#define FRAME_ELR       (32 * 8)
#define FRAME_SPSR      (33 * 8)
#define FRAME_SIZE      (34 * 8)    /* a multiple of 16: SP_EL1 stays aligned */

#ifndef __ASSEMBLER__
#include <stdint.h>

typedef struct frame {
    uint64_t x[31];
    uint64_t sp_el0;
    uint64_t elr;
    uint64_t spsr;
} frame;

/* Called by every vector slot with its number (0-15) and the saved frame. */
void exception_dispatch(uint64_t slot, frame *f);
/* The same for VBAR_EL2's table (firmware that runs at EL2 too). */
void exception_dispatch_el2(uint64_t slot, frame *f);
#endif

#endif
