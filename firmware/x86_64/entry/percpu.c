/* The per-CPU area and the GS base MSRs (SDM vol. 3, 3.4.4.1; vol. 2, SWAPGS). */
#include "entry/percpu.h"

#include "entry/gdt.h"
#include "entry/paging.h"
#include "lib/x86.h"

static struct percpu percpu_area __attribute__((aligned(64)));

uint64_t percpu_base(void)
{
    return paging_kernel_alias((uint64_t)(uintptr_t)&percpu_area);
}

void percpu_init(uint64_t user_gs_base)
{
    struct percpu *area = (struct percpu *)(uintptr_t)percpu_base();
    area->self = percpu_base();
    area->kernel_rsp = gdt_rsp0();
    area->user_rsp = 0;
    x86_wrmsr(MSR_GS_BASE, percpu_base());
    x86_wrmsr(MSR_KERNEL_GS_BASE, user_gs_base);
}

uint64_t percpu_read_gs_base(void)
{
    return x86_rdmsr(MSR_GS_BASE);
}

uint64_t percpu_read_kernel_gs_base(void)
{
    return x86_rdmsr(MSR_KERNEL_GS_BASE);
}
