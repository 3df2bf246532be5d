/*
 * Virtual interrupts on virt (Arm ARM D1.3.4 "Virtual interrupts", HCR_EL2):
 * with EL2 implemented, a hypervisor makes a virtual IRQ, FIQ or SError
 * pending for EL1 and EL0 by setting HCR_EL2.VI, VF or VSE. Each is enabled
 * only while HCR_EL2 routes the physical kind to EL2 (IMO, FMO, AMO) and
 * TGE is clear, only below EL2, and is taken to EL1 when PSTATE.I, F or A
 * lets it. VI and VF stay set until EL2 clears them (a level); VSE is
 * cleared when its SError is taken. There is no GICv3 virtual CPU
 * interface here: the HCR_EL2 bits are the only source.
 */
#include "platform/virt/virt_machine.h"

unsigned virt_virtual_pending(const virt_machine *v)
{
    const a64_cpu *cpu = &v->cpu;
    const uint64_t hcr = cpu->sys.hcr_el2;
    if (!v->el.el2 || cpu->pstate.el >= 2 || (hcr & A64_HCR_EL2_TGE))
        return 0;
    unsigned pending = 0;
    if ((hcr & A64_HCR_EL2_IMO) && (hcr & A64_HCR_EL2_VI))
        pending |= VIRT_VIRQ;
    if ((hcr & A64_HCR_EL2_FMO) && (hcr & A64_HCR_EL2_VF))
        pending |= VIRT_VFIQ;
    if ((hcr & A64_HCR_EL2_AMO) && (hcr & A64_HCR_EL2_VSE))
        pending |= VIRT_VSERROR;
    return pending;
}
