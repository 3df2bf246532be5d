/*
 * Fuzz the A64 decoder and executor: every 32-bit word of the input is
 * decoded (a recognised word must have a name and a group) and the whole
 * input then runs as code on a CPU with a small flat memory, up to 64 steps,
 * with registers seeded from the input. Any status is fine; a crash,
 * sanitizer report or a status outside a64_status is a finding.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cpu/arm64/a64.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MEM_BASE 0x10000u
#define MEM_SIZE 0x4000u
#define MAX_STEPS 64

typedef struct flat {
    uint8_t mem[MEM_SIZE];
} flat;

static a64_mem_status flat_access(void *ctx, const a64_access *acc, void *buf, a64_mem_fault *fault)
{
    flat *f = ctx;
    if (acc->va < MEM_BASE || acc->size > MEM_SIZE || acc->va - MEM_BASE > MEM_SIZE - acc->size) {
        fault->fsc = ESR_FSC_TRANSLATION_L0 + 3;
        return A64_MEM_FAULT;
    }
    if (acc->flags & A64_ACC_CACHE_MAINT)
        return A64_MEM_OK;
    uint8_t *p = f->mem + (acc->va - MEM_BASE);
    if (acc->kind == A64_ACC_WRITE)
        memcpy(p, buf, acc->size);
    else
        memcpy(buf, p, acc->size);
    return A64_MEM_OK;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static flat f;
    static a64_cpu cpu;
    for (size_t i = 0; i + 4 <= size; i += 4) {
        uint32_t w = (uint32_t)data[i] | ((uint32_t)data[i + 1] << 8) | ((uint32_t)data[i + 2] << 16) |
                     ((uint32_t)data[i + 3] << 24);
        a64_decoded d = a64_decode(w);
        if (d.group != A64_GRP_UNDEFINED && d.name == NULL)
            abort();
    }
    memset(f.mem, 0, sizeof f.mem);
    memcpy(f.mem, data, size < MEM_SIZE ? size : MEM_SIZE);
    a64_ops ops = { .ctx = &f, .access = flat_access };
    a64_cpu_init(&cpu, &ops);
    cpu.pc = MEM_BASE;
    cpu.sp_el[0] = cpu.sp_el[1] = MEM_BASE + MEM_SIZE / 2;
    cpu.sys.cpacr_el1 = A64_CPACR_FPEN_NONE << A64_CPACR_FPEN_SHIFT;
    for (unsigned r = 0; r < 31; r++)
        cpu.x[r] = (r & 1) ? MEM_BASE + 8 * r : (uint64_t)r * 0x0101010101010101ull;
    if (size > 0)
        cpu.pstate.el = data[0] % 3;
    for (unsigned step = 0; step < MAX_STEPS; step++) {
        a64_status st = a64_step(&cpu);
        if (st > A64_UNSUPPORTED)
            abort();
        if (st == A64_EXCEPTION || st == A64_UNSUPPORTED || st == A64_ERET)
            break;
    }
    return 0;
}
