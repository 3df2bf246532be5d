/* System register access and barriers for the firmware. */
#ifndef FW_A64_SYSREG_H
#define FW_A64_SYSREG_H

#include <stdint.h>

#define read_sysreg(name) ({ uint64_t v_; __asm__ volatile("mrs %0, " #name : "=r"(v_)); v_; })
#define write_sysreg(name, v) __asm__ volatile("msr " #name ", %0" : : "r"((uint64_t)(v)) : "memory")
#define isb() __asm__ volatile("isb" : : : "memory")
#define dsb_sy() __asm__ volatile("dsb sy" : : : "memory")

/* The current EL, from CurrentEL[3:2]. */
#define CURRENT_EL_SHIFT 2
static inline unsigned current_el(void)
{
    return (unsigned)(read_sysreg(currentel) >> CURRENT_EL_SHIFT);
}

static inline uint32_t mmio_read32(uint64_t addr)
{
    return *(volatile uint32_t *)addr;
}

static inline void mmio_write32(uint64_t addr, uint32_t v)
{
    *(volatile uint32_t *)addr = v;
}

#endif
