/*
 * fpu: the checks CR0 and CR4 make before x87, MMX, SSE and AVX instructions
 * (SDM vol. 3, 2.5 and table 2-2; 13.1-13.2), seen by a 64-bit IDT's
 * handlers, so that emu and QEMU can be compared line by line
 * (tests/firmware/, firmware/fpu_qemu_vs_emu). Each case sets CR0.MP/EM/TS
 * and CR4.OSFXSR, runs one instruction (cases.S) and prints which exception
 * it raised, or that it completed. Only combinations on which QEMU's TCG
 * agrees with the SDM are here (README.md); emu stops on an x87/SSE
 * instruction that passes its checks, so every case faults but FWAIT's.
 */
#include <stdbool.h>

#include "boot/boot.h"
#include "lib/exit.h"
#include "lib/serial.h"
#include "entry/frame.h"
#include "entry/gdt.h"
#include "entry/idt.h"
#include "lib/x86.h"

#define CR0_MP (1ull << 1)
#define CR0_EM (1ull << 2)
#define CR0_TS (1ull << 3)
#define CR4_OSFXSR (1ull << 9)
#define NO_FAULT (~0ull)

typedef void (*fpu_case_fn)(void);

void fpu_case_fninit(void);
void fpu_case_fwait(void);
void fpu_case_movaps(void);
void fpu_case_paddb_mmx(void);
void fpu_case_ldmxcsr(void);
void fpu_case_fxsave(void);
void fpu_case_vzeroupper(void);
void fpu_case_xgetbv(void);
extern const char fpu_case_return[];

struct fpu_case {
    const char *name;
    fpu_case_fn fn;
    uint64_t cr0_set, cr0_clear;
    uint64_t cr4_set, cr4_clear;
    uint64_t want;                  /* the vector, or NO_FAULT */
};

#define ALL_CR0 (CR0_MP | CR0_EM | CR0_TS)

static const struct fpu_case cases[] = {
    { "x87 FNINIT, CR0.EM", fpu_case_fninit, CR0_EM, CR0_TS, 0, 0, X86_VEC_NM },
    { "x87 FNINIT, CR0.TS", fpu_case_fninit, CR0_TS, CR0_EM, 0, 0, X86_VEC_NM },
    { "FWAIT, CR0.MP+TS", fpu_case_fwait, CR0_MP | CR0_TS, CR0_EM, 0, 0, X86_VEC_NM },
    { "FWAIT, CR0.TS without MP", fpu_case_fwait, CR0_TS, CR0_MP | CR0_EM, 0, 0, NO_FAULT },
    { "FWAIT, CR0.MP without TS", fpu_case_fwait, CR0_MP, CR0_TS | CR0_EM, 0, 0, NO_FAULT },
    { "FWAIT, CR0.EM", fpu_case_fwait, CR0_EM, CR0_MP | CR0_TS, 0, 0, NO_FAULT },
    { "SSE MOVAPS, CR0.EM", fpu_case_movaps, CR0_EM, CR0_TS, CR4_OSFXSR, 0, X86_VEC_UD },
    { "SSE MOVAPS, CR4.OSFXSR clear", fpu_case_movaps, 0, ALL_CR0, 0, CR4_OSFXSR, X86_VEC_UD },
    { "SSE MOVAPS, CR0.TS", fpu_case_movaps, CR0_TS, CR0_EM, CR4_OSFXSR, 0, X86_VEC_NM },
    { "MMX PADDB, CR0.EM", fpu_case_paddb_mmx, CR0_EM, CR0_TS, CR4_OSFXSR, 0, X86_VEC_UD },
    { "MMX PADDB, CR0.TS", fpu_case_paddb_mmx, CR0_TS, CR0_EM, CR4_OSFXSR, 0, X86_VEC_NM },
    { "MMX PADDB, CR0.TS, CR4.OSFXSR clear", fpu_case_paddb_mmx, CR0_TS, CR0_EM, 0, CR4_OSFXSR, X86_VEC_NM },
    { "SSE LDMXCSR, CR4.OSFXSR clear", fpu_case_ldmxcsr, 0, ALL_CR0, 0, CR4_OSFXSR, X86_VEC_UD },
    { "SSE LDMXCSR, CR0.TS", fpu_case_ldmxcsr, CR0_TS, CR0_EM, CR4_OSFXSR, 0, X86_VEC_NM },
    { "FXSAVE, CR0.EM (x87 rule: #NM)", fpu_case_fxsave, CR0_EM, CR0_TS, CR4_OSFXSR, 0, X86_VEC_NM },
    { "FXSAVE, CR0.TS", fpu_case_fxsave, CR0_TS, CR0_EM, CR4_OSFXSR, 0, X86_VEC_NM },
    { "AVX VZEROUPPER, CR4.OSXSAVE clear", fpu_case_vzeroupper, 0, ALL_CR0, CR4_OSFXSR, 0, X86_VEC_UD },
    { "XGETBV, CR4.OSXSAVE clear", fpu_case_xgetbv, 0, ALL_CR0, CR4_OSFXSR, 0, X86_VEC_UD },
};

static volatile uint64_t fault_vector;
static volatile uint64_t fault_rip;
static volatile uint64_t fault_error;

void trap_dispatch(struct trap_frame *frame)
{
    if (frame->vector != X86_VEC_NM && frame->vector != X86_VEC_UD) {
        serial_puts("unexpected vector ");
        serial_put_u64(frame->vector);
        serial_puts(" at rip ");
        serial_put_hex(frame->rip);
        serial_puts("\n");
        debug_exit(DEBUG_EXIT_FAILURE);
    }
    fault_vector = frame->vector;
    fault_rip = frame->rip;
    fault_error = frame->error;
    frame->rip = (uint64_t)(uintptr_t)fpu_case_return;
}

static uint64_t read_cr0(void)
{
    uint64_t v;
    __asm__ volatile("mov %%cr0, %0" : "=r"(v));
    return v;
}

static void write_cr0(uint64_t v)
{
    __asm__ volatile("mov %0, %%cr0" : : "r"(v) : "memory");
}

static uint64_t read_cr4(void)
{
    uint64_t v;
    __asm__ volatile("mov %%cr4, %0" : "=r"(v));
    return v;
}

static void write_cr4(uint64_t v)
{
    __asm__ volatile("mov %0, %%cr4" : : "r"(v) : "memory");
}

static const char *vector_name(uint64_t v)
{
    return v == X86_VEC_NM ? "#NM" : v == X86_VEC_UD ? "#UD" : "?";
}

/* Run one case; print its line; say whether it matched. */
static bool run(const struct fpu_case *c)
{
    const uint64_t cr0 = read_cr0(), cr4 = read_cr4();
    write_cr4((cr4 & ~c->cr4_clear) | c->cr4_set);
    write_cr0((cr0 & ~c->cr0_clear) | c->cr0_set);
    fault_vector = NO_FAULT;
    c->fn();
    write_cr0(cr0);
    write_cr4(cr4);
    serial_puts(c->name);
    if (fault_vector == NO_FAULT) {
        serial_puts(": completed\n");
    } else {
        serial_puts(": ");
        serial_puts(vector_name(fault_vector));
        serial_puts(" rip insn+");
        serial_put_hex(fault_rip - (uint64_t)(uintptr_t)c->fn);
        serial_puts(fault_error ? " error pushed\n" : "\n");
    }
    bool ok = fault_vector == c->want && (c->want == NO_FAULT || fault_rip == (uint64_t)(uintptr_t)c->fn);
    if (!ok)
        serial_puts("  ^ not what the SDM says\n");
    return ok;
}

void kmain(uint32_t magic, uint32_t info_addr)
{
    (void)magic;
    (void)info_addr;
    serial_init();
    serial_puts("ringside fpu: CR0.EM/MP/TS and CR4.OSFXSR/OSXSAVE before x87, MMX, SSE, AVX\n");
    gdt_init();
    idt_init();
    bool ok = true;
    for (unsigned i = 0; i < sizeof cases / sizeof cases[0]; i++)
        ok &= run(&cases[i]);
    serial_puts(ok ? "fpu: all cases as the SDM says\n" : "fpu: some cases differ from the SDM\n");
    debug_exit(ok ? DEBUG_EXIT_SUCCESS : DEBUG_EXIT_FAILURE);
}
