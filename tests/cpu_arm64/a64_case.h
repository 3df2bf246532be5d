/*
 * Test harness for the A64 interpreter: a CPU wired to a flat memory
 * window, helpers to load code and step, and checks that name their case.
 * The window is [T64_MEM_BASE, T64_MEM_BASE + T64_MEM_SIZE); any access
 * outside it, or inside the optional "hole", fails with a level-3
 * translation fault so abort syndromes can be tested.
 */
#ifndef TESTS_CPU_ARM64_A64_CASE_H
#define TESTS_CPU_ARM64_A64_CASE_H

#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cpu/arm64/a64.h"

#define T64_MEM_BASE 0x100000ull
#define T64_MEM_SIZE 0x40000u
#define T64_CODE T64_MEM_BASE
#define T64_DATA (T64_MEM_BASE + 0x20000u)
#define T64_STACK (T64_MEM_BASE + 0x3f000u)
#define T64_FSC_TRANSLATION_L3 (ESR_FSC_TRANSLATION_L0 + 3)

typedef struct t64 {
    a64_cpu cpu;
    uint8_t *mem;
    uint64_t hole_lo, hole_hi;      /* accesses touching [lo, hi) fault */
    a64_access last;                /* the last data access seen */
    bool hints;                     /* hand the CPU host page hints, as the virt platform does */
    unsigned sys_ops;               /* TLBI/IC calls seen */
    a64_sys_op last_op;
} t64;

static a64_mem_status t64_access(void *ctx, const a64_access *acc, void *data, a64_mem_fault *fault)
{
    t64 *t = ctx;
    if (acc->kind != A64_ACC_FETCH)
        t->last = *acc;
    bool in = acc->va >= T64_MEM_BASE && acc->va + acc->size <= T64_MEM_BASE + T64_MEM_SIZE &&
              acc->va + acc->size > acc->va;
    bool hole = acc->va < t->hole_hi && acc->va + acc->size > t->hole_lo;
    if (!in || hole) {
        fault->fsc = T64_FSC_TRANSLATION_L3;
        fault->far_valid = true;
        fault->far = acc->va;
        return A64_MEM_FAULT;
    }
    if (acc->flags & A64_ACC_CACHE_MAINT)
        return A64_MEM_OK; /* a check only: no data moves */
    uint8_t *p = t->mem + (acc->va - T64_MEM_BASE);
    /* The window starts and ends on a page boundary, so the page of an access inside it is too. */
    uint64_t page_va = acc->va & ~A64_HINT_PAGE_MASK;
    bool page_in_hole = page_va < t->hole_hi && page_va + A64_HINT_PAGE_MASK + 1 > t->hole_lo;
    if (t->hints && !acc->flags && !page_in_hole)
        a64_set_page_hint(&t->cpu, acc->kind, acc->el, acc->va, t->mem + (page_va - T64_MEM_BASE), false);
    if (acc->kind == A64_ACC_WRITE)
        memcpy(p, data, acc->size);
    else
        memcpy(data, p, acc->size);
    return A64_MEM_OK;
}

static void t64_sys_op(void *ctx, const a64_sys_op *op)
{
    t64 *t = ctx;
    t->sys_ops++;
    t->last_op = *op;
}

static inline void t64_init(t64 *t)
{
    memset(t, 0, sizeof *t);
    t->mem = calloc(1, T64_MEM_SIZE);
    ck_assert_ptr_nonnull(t->mem);
    a64_ops ops = { .ctx = t, .access = t64_access, .sys_op = t64_sys_op };
    a64_cpu_init(&t->cpu, &ops);
    t->cpu.pc = T64_CODE;
    t->cpu.sp_el[1] = T64_STACK;
    t->cpu.sp_el[0] = T64_STACK - 0x1000;
    /* FP/SIMD enabled unless a test says otherwise. */
    t->cpu.sys.cpacr_el1 = A64_CPACR_FPEN_NONE << A64_CPACR_FPEN_SHIFT;
}

/* Give the CPU a host page hint for the window page holding va, as a platform would. */
static inline void t64_hint_page(t64 *t, a64_acc_kind kind, unsigned el, uint64_t va, bool device)
{
    uint64_t page_va = va & ~A64_HINT_PAGE_MASK;
    a64_set_page_hint(&t->cpu, kind, el, va, t->mem + (page_va - T64_MEM_BASE), device);
}

static inline void t64_free(t64 *t)
{
    free(t->mem);
}

static inline void t64_code(t64 *t, const uint32_t *words, size_t n)
{
    for (size_t i = 0; i < n; i++)
        for (unsigned b = 0; b < 4; b++)
            t->mem[i * 4 + b] = (uint8_t)(words[i] >> (8 * b));
    t->cpu.pc = T64_CODE;
}

static inline uint64_t t64_rd64(t64 *t, uint64_t va)
{
    uint64_t v;
    memcpy(&v, t->mem + (va - T64_MEM_BASE), 8);
    return v;
}

static inline void t64_wr64(t64 *t, uint64_t va, uint64_t v)
{
    memcpy(t->mem + (va - T64_MEM_BASE), &v, 8);
}

/* Step once and require `want`; name the case on failure. */
#define T64_STEP(t, want, what)                                                                    \
    do {                                                                                           \
        a64_status st_ = a64_step(&(t)->cpu);                                                      \
        ck_assert_msg(st_ == (want), "%s: status want %s got %s (ec 0x%x iss 0x%x, %s)", (what),   \
                      a64_status_name(want), a64_status_name(st_), (unsigned)(t)->cpu.exc.ec,      \
                      (t)->cpu.exc.iss, (t)->cpu.unsupported);                                     \
    } while (0)

#define T64_EQ(got, want, what)                                                                    \
    do {                                                                                           \
        uint64_t g_ = (uint64_t)(got), w_ = (uint64_t)(want);                                      \
        ck_assert_msg(g_ == w_, "%s: %s want 0x%llx got 0x%llx", (what), #got, (unsigned long long)w_, \
                      (unsigned long long)g_);                                                     \
    } while (0)

/* Run one instruction from a fresh CPU and expect an exception of class ec. */
#define T64_EXPECT_EXC(t, ec_want, what)                                                           \
    do {                                                                                           \
        T64_STEP(t, A64_EXCEPTION, what);                                                          \
        T64_EQ((t)->cpu.exc.ec, (ec_want), what);                                                  \
    } while (0)

#endif
