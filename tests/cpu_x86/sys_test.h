/*
 * Helpers for the system-level suites (paging, segments, control registers,
 * MSRs, CPUID): machines with a chosen CPU model, physical pokes, descriptor
 * builders, and "this step must raise vector V with error code E" checks
 * that name the case. Public API only.
 */
#ifndef EMU_TEST_SYS_TEST_H
#define EMU_TEST_SYS_TEST_H

#include <string.h>

#include "emu_test.h"

/* Exception vectors as the SDM numbers them (vol. 3, table 6-1). */
enum { V_DB = 1, V_UD = 6, V_TS = 10, V_NP = 11, V_SS = 12, V_GP = 13, V_PF = 14, V_AC = 17 };

/* #PF error-code bits (vol. 3, 4.7). */
enum { PF_P = 1, PF_W = 2, PF_U = 4, PF_RSVD = 8, PF_I = 16 };

static inline emu_machine *st_machine(emu_x86_start start, const char *cpu)
{
    emu_options opts;
    emu_options_init(&opts);
    opts.arch = EMU_ARCH_X86_64;
    opts.x86_start = start;
    opts.cpu_model = cpu;
    opts.break_on_exception = true;     /* these suites check the exception an instruction raises */
    emu_machine *m = NULL;
    emu_err err = emu_create(&opts, &m);
    ck_assert_msg(err == EMU_OK, "emu_create(cpu=%s): %s", cpu ? cpu : "(default)",
                  emu_strerror(err));
    return m;
}

static inline void st_poke(emu_machine *m, uint64_t pa, uint64_t v, size_t size)
{
    ck_assert_msg(emu_mem_write_phys(m, pa, &v, size) == EMU_OK, "poke 0x%llx",
                  (unsigned long long)pa);
}

static inline uint64_t st_peek(emu_machine *m, uint64_t pa, size_t size)
{
    uint64_t v = 0;
    ck_assert_msg(emu_mem_read_phys(m, pa, &v, size) == EMU_OK, "peek 0x%llx",
                  (unsigned long long)pa);
    return v;
}

/* One step that must complete. */
static inline void st_ok(emu_machine *m, const char *what)
{
    t_step_n(m, 1, what);
}

/* One step that must stop with an exception of this vector and error code. */
static inline emu_stop st_fault(emu_machine *m, int vector, uint32_t error_code, const char *what)
{
    emu_stop stop;
    emu_err err = emu_step(m, &stop);
    ck_assert_msg(err == EMU_OK, "%s: step: %s", what, emu_strerror(err));
    ck_assert_msg(stop.kind == EMU_STOP_EXCEPTION,
                  "%s: want an exception (vector %d), got stop kind %s: %s", what, vector,
                  emu_stop_kind_name(stop.kind), stop.message);
    ck_assert_msg(stop.vector == vector && stop.error_code == error_code,
                  "%s: want vector %d error 0x%x, got vector %d error 0x%x (%s)", what, vector,
                  error_code, stop.vector, stop.error_code, stop.message);
    t_abandon_exception(m);
    return stop;
}

/* A code/data or system descriptor (vol. 3, figure 3-8). type includes the S bit as 0x10. */
static inline uint64_t st_desc(uint32_t base, uint32_t limit, unsigned type_s, unsigned dpl,
                               unsigned flags /* bit 0 AVL, 1 L, 2 D/B, 3 G */)
{
    const uint64_t present = 1;
    return (uint64_t)(limit & 0xffff) | (uint64_t)(base & 0xffffff) << 16 |
           (uint64_t)(type_s & 0x1f) << 40 | (uint64_t)(dpl & 3) << 45 | present << 47 |
           (uint64_t)((limit >> 16) & 0xf) << 48 | (uint64_t)(flags & 0xf) << 52 |
           (uint64_t)(base >> 24) << 56;
}

/* Descriptor types with S: data read/write, execute/read code, and so on. */
enum {
    D_DATA_RO = 0x10, D_DATA_RW = 0x12, D_DATA_RW_DOWN = 0x16,
    D_CODE_X = 0x18, D_CODE_XR = 0x1a, D_CODE_XR_CONF = 0x1e,
    D_LDT = 0x02, D_TSS_AVAIL = 0x09, D_TSS_BUSY = 0x0b,
};
enum { F_L = 2, F_DB = 4, F_G = 8 };

#define ST_GDT_ADDR 0x80000ull

/* Install a GDT of n descriptors at ST_GDT_ADDR and point GDTR at it. */
static inline void st_gdt(emu_machine *m, const uint64_t *d, unsigned n)
{
    ck_assert(emu_mem_write_phys(m, ST_GDT_ADDR, d, n * 8) == EMU_OK);
    t_set_reg(m, EMU_X86_GDTR_BASE, ST_GDT_ADDR);
    t_set_reg(m, EMU_X86_GDTR_LIMIT, n * 8 - 1);
}

/*
 * A GDT with 64-bit ring-0 code 0x08, data 0x10, ring-3 64-bit code 0x1b and
 * data 0x23; then CS/SS to ring 3 (the boot identity map is user-accessible).
 */
static inline void st_enter_ring3(emu_machine *m)
{
    const uint64_t gdt[] = {
        0,
        st_desc(0, 0xfffff, D_CODE_XR, 0, F_L | F_G),
        st_desc(0, 0xfffff, D_DATA_RW, 0, F_DB | F_G),
        st_desc(0, 0xfffff, D_CODE_XR, 3, F_L | F_G),
        st_desc(0, 0xfffff, D_DATA_RW, 3, F_DB | F_G),
    };
    st_gdt(m, gdt, 5);
    t_set_reg(m, EMU_X86_CS, 0x1b);
    t_set_reg(m, EMU_X86_SS, 0x23);
    T_EXPECT_REG(m, EMU_X86_CPL, 3, "enter ring 3");
}

#endif
