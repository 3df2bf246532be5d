#include "cycles/profile.h"

/* Round numbers, not a measured part: every instruction costs one cycle and
 * the operations that real CPUs make expensive cost visibly more. */
const emu_cost_profile emu_cost_simple = {
    .name = "simple",
    .insn_base = 1,
    .page_walk_level = 4,
    .port_io = 100,
    .serializing = 20,
    .delivery_step = 4,
    .xapic_mmio = 30,
    .x2apic_msr = 4,
};
