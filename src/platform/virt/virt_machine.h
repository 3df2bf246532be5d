/*
 * The `virt` machine as one unit: the A64 CPU with its stage-1 MMU and the
 * devices (virt.h: the GIC and generic timer, the PL011, PSCI and
 * semihosting, wired as QEMU's `-M virt`). The machine holds one of these
 * when its arch is EMU_ARCH_AARCH64, in place of the pc platform and the x86
 * CPU.
 */
#ifndef EMU_PLATFORM_VIRT_MACHINE_H
#define EMU_PLATFORM_VIRT_MACHINE_H

#include <stdbool.h>
#include <stdint.h>

#include "core/machine.h"
#include "cpu/arm64/a64.h"
#include "entry/arm64/entry.h"
#include "mmu/arm64_mmu.h"
#include "platform/virt/virt.h"

typedef struct virt_machine {
    a64_cpu cpu;
    a64_mmu mmu;
    a64_el_config el;           /* EL2 is implemented when the machine starts there (--el 2) */
    const char *cpu_name;       /* the --cpu model: "cortex-a57", ... */
    virt_platform dev;          /* GIC, generic timer, PL011, PSCI, semihosting */
    machine_timer timer_event;  /* the generic timer's next deadline on the machine clock */
    bool psci_smc;              /* PSCI's conduit: SMC (booted at EL2), else HVC */
    /* The last RAM page translated for each access kind (read, write, fetch), reused while the
     * regime's controls are the same and no TLBI has run (a TLB may hold a translation until then,
     * Arm ARM D8.13). */
    struct virt_page_cache {
        bool valid;
        bool device;            /* Device memory: unaligned accesses fault */
        uint8_t el;
        unsigned flags;         /* the access's A64_ACC_UNPRIV */
        uint64_t va_page;
        uint8_t *host;          /* RAM backing the page */
        uint64_t sctlr, tcr, ttbr0, ttbr1;
    } page_cache[3];
    int input_fd;               /* the PL011's receive source (emu_options.console_input_fd); -1: none */
    bool input_eof;
    bool wfi;                   /* asleep in WFI until an interrupt is pending */
    uint64_t wfi_pc;            /* the WFI's address, for the stop message */
} virt_machine;

/* Build the platform for m (RAM already allocated at VIRT_RAM_BASE) as opts ask (--cpu, --gic,
 * --el, --semihosting). 0, or -1 with why filled. */
int virt_create(emu_machine *m, const emu_options *o, char *why, size_t why_len);
void virt_destroy(emu_machine *m);

/* Load the kernel as QEMU's -kernel does (ELF, Linux Image or raw binary), build and place the
 * device tree, and set the entry state: EL1 (or --el 2) with SP_ELx, MMU off, DAIF masked. */
emu_err virt_boot(emu_machine *m, const uint8_t *image, size_t size, const emu_options *opts,
                  char *why, size_t why_len);

/* The entry state without a kernel (emu_create): at RAM base. */
void virt_reset_state(emu_machine *m, uint64_t entry, uint64_t x0);

/* Forget the cached page translations (TLBI, a debugger writing translation registers). */
static inline void virt_fetch_flush(virt_machine *v)
{
    for (unsigned i = 0; i < 3; i++)
        v->page_cache[i].valid = false;
    a64_clear_page_hints(&v->cpu);
}

/* Translate a virtual address for a debugger or semihosting (an EL1 read, no fault raised):
 * 0 with *pa, or -1. */
int virt_translate_debug(emu_machine *m, uint64_t va, uint64_t *pa);

/* The system registers the platform owns: the generic timer (CNT*) and the GICv3 CPU interface
 * (ICC_*); an a64_ops sysreg hook (virt_sysreg.c). */
a64_sysreg_result virt_sysreg(void *ctx, uint32_t enc, bool is_read, uint64_t *value, unsigned el);

/* Re-arm the machine timer that wakes the generic timer at its next deadline. */
void virt_timer_rearm(emu_machine *m);

/* The virtual interrupts HCR_EL2 makes pending for the current EL (virt_vintr.c), masks aside. */
enum { VIRT_VIRQ = 1u << 0, VIRT_VFIQ = 1u << 1, VIRT_VSERROR = 1u << 2 };
unsigned virt_virtual_pending(const virt_machine *v);

/* The ID register values of a --cpu model (cortex-a57, cortex-a72, max); -1 if unknown. */
int virt_cpu_model_apply(a64_cpu *cpu, const char *model, const char **name);

#endif
