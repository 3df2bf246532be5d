/*
 * The fixture of the AArch64 self-hosted debug tests: a CPU on 64 KiB of flat
 * RAM, instruction words and debug register values, stepping with a status
 * check, and exception entry and return as the run loop makes them (to EL2
 * when the exception asks for it and EL2 is implemented).
 */
#ifndef TESTS_ENTRY_ARM64_A64_DEBUG_FIXTURE_H
#define TESTS_ENTRY_ARM64_A64_DEBUG_FIXTURE_H

#include <check.h>
#include <string.h>

#include "emu_test.h"
#include "cpu/arm64/a64.h"
#include "cpu/arm64/debug.h"
#include "entry/arm64/entry.h"

#define RAM_BASE 0x40000000ull
#define VBAR1 0x40001000ull
#define CODE 0x40000100ull
#define DATA 0x40008000ull
#define STEP_COST 4u

/* Instruction words (Arm ARM C6). */
#define NOP 0xd503201fu
#define LDR_X1_X0 0xf9400001u           /* LDR X1, [X0] */
#define LDR_W1_X0 0xb9400001u           /* LDR W1, [X0] */
#define STR_X1_X0 0xf9000001u           /* STR X1, [X0] */
#define STRB_W1_X0_5 0x39001401u        /* STRB W1, [X0, #5] */
#define STTR_X1_X0 0xf8000801u          /* STTR X1, [X0] */
#define LDXR_X1_X0 0xc85f7c01u          /* LDXR X1, [X0] */
#define SVC_0 0xd4000001u
#define ERET 0xd69f03e0u
#define MSR_MDSCR_X0 0xd5100240u        /* MSR MDSCR_EL1, X0 */
#define MRS_X1_MDSCR 0xd5300241u
#define MSR_OSLAR_X0 0xd5101080u        /* MSR OSLAR_EL1, X0 */
#define MSR_DBGBCR0_X0 0xd51000a0u      /* MSR DBGBCR0_EL1, X0 */
#define MRS_X1_DBGBCR0 0xd53000a1u
#define MRS_X1_DBGWVR3 0xd53003c1u      /* MRS X1, DBGWVR3_EL1 */
#define MRS_X1_DBGBCR6 0xd53006a1u      /* beyond the six breakpoints: UNDEFINED */
#define MRS_X1_ID_AA64DFR0 0xd5380501u

/* Register values. */
#define BCR_EL0_A64 (1u | (2u << 1) | (0xfu << 5))     /* E, PMC = EL0, BAS = 0b1111 */
#define BCR_EL1_A64 (1u | (1u << 1) | (0xfu << 5))     /* E, PMC = EL1 */
#define WCR(lsc, bas) (1u | (3u << 1) | ((lsc) << 3) | ((bas) << 5)) /* E, PAC = EL0 and EL1 */
#define WCR_LOAD 1u
#define WCR_STORE 2u
#define WCR_MASK(m) ((uint64_t)(m) << 24)
#define SPSR_EL0T_SS (1ull << 21)
#define SPSR_D (1ull << 9)
#define ESR_EL1_OF(ec, iss) (((uint32_t)(ec) << 26) | (1u << 25) | (iss))
#define ISS_DEBUG 0x22u
#define ISS_WNR 0x40u
#define ISS_SS_ISV (1u << 24)
#define ISS_SS_EX 0x40u

static uint8_t ram[0x10000];

static inline a64_mem_status flat_access(void *ctx, const a64_access *acc, void *data, a64_mem_fault *fault)
{
    (void)ctx;
    if (acc->va < RAM_BASE || acc->va + acc->size > RAM_BASE + sizeof ram) {
        fault->fsc = ESR_FSC_SYNC_EXTERNAL;
        return A64_MEM_FAULT;
    }
    if (acc->flags & A64_ACC_CACHE_MAINT)
        return A64_MEM_OK;
    if (acc->kind == A64_ACC_WRITE)
        memcpy(ram + (acc->va - RAM_BASE), data, acc->size);
    else
        memcpy(data, ram + (acc->va - RAM_BASE), acc->size);
    return A64_MEM_OK;
}

static inline void put(uint64_t va, uint32_t insn)
{
    for (unsigned b = 0; b < 4; b++)
        ram[va - RAM_BASE + b] = (uint8_t)(insn >> (8 * b));
}

/* A CPU at `el` with the OS Lock clear and debug exceptions unmasked (PSTATE.D = 0). a64_cpu_init
 * implements EL2; HCR_EL2.RW is set as the boot leaves it, so that EL1 is AArch64. */
static inline void cpu_at(a64_cpu *cpu, unsigned el)
{
    memset(ram, 0, sizeof ram);
    a64_ops ops = { .access = flat_access };
    a64_cpu_init(cpu, &ops);
    cpu->pstate.el = (uint8_t)el;
    cpu->pstate.sp = el != 0;
    cpu->pstate.daif = 0;
    cpu->sys.vbar_el1 = VBAR1;
    cpu->sys.oslsr_el1 &= ~A64_OSLSR_OSLK;
    cpu->sys.hcr_el2 = A64_HCR_EL2_RW;
    cpu->sp_el[0] = 0x4000a000;
    cpu->sp_el[1] = 0x4000c000;
    cpu->pc = CODE;
    cpu->x[0] = DATA;
    for (unsigned i = 0; i < 16; i++)
        put(CODE + 4 * i, NOP);
}

static inline void arm(a64_cpu *cpu, uint64_t mdscr)
{
    cpu->sys.mdscr_el1 = mdscr;
    a64_debug_update(cpu);
}

static inline a64_status step(a64_cpu *cpu, a64_status want, const char *what)
{
    a64_status st = a64_step(cpu);
    ck_assert_msg(st == want, "%s: status %s, want %s (ec 0x%x iss 0x%x, %s)", what, a64_status_name(st),
                  a64_status_name(want), (unsigned)cpu->exc.ec, cpu->exc.iss, cpu->unsupported);
    return st;
}

/* Deliver cpu->exc as the run loop does: to EL1, or to EL2 when the exception is routed there. */
static inline void deliver(a64_cpu *cpu)
{
    a64_el_config cfg = { .el2 = a64_el2_enabled(cpu) };
    emu_trap rec;
    a64_take_exception(cpu, &cpu->exc, A64_EXC_SYNC, a64_sync_target_el(cpu, &cfg, &cpu->exc), 0, STEP_COST, &rec);
}

static inline void eret(a64_cpu *cpu)
{
    a64_el_config cfg = { .el2 = a64_el2_enabled(cpu) };
    emu_trap rec;
    a64_eret(cpu, &cfg, 0, STEP_COST, &rec);
}

#define EQ(got, want, what)                                                                        \
    ck_assert_msg((uint64_t)(got) == (uint64_t)(want), "%s: %s = 0x%llx, want 0x%llx", (what), #got, \
                  (unsigned long long)(got), (unsigned long long)(want))
#endif
