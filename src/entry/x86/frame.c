/* Frames written by delivery and call gates, slot by slot from the top when they must be (entry.h). */
#include "entry/x86/entry.h"

x86_status x86_write_frame_slow(x86_cpu *cpu, uint64_t lin, const uint8_t *image, unsigned slot, unsigned n,
                                bool user, bool wrap32)
{
    for (unsigned i = n; i-- > 0;) {
        uint64_t addr = lin + (uint64_t)slot * i;
        if (wrap32)
            addr = (uint32_t)addr;
        x86_status st = x86_lin_write_buf_as(cpu, addr, image + (size_t)slot * i, slot, user);
        if (st != X86_OK)
            return st;
    }
    return X86_OK;
}
