/*
 * The `virt` machine's physical memory map and interrupt numbers, laid out as
 * QEMU's `-M virt` (hw/arm/virt.c, base_memmap[] and a15irqmap[]; checked
 * against QEMU 7.2's dumped device tree, tests/platform/virt.qemu.dts), so
 * one firmware binary runs on both. Only the devices emu models are listed;
 * docs/virt-platform.md names the ones QEMU has and emu does not.
 */
#ifndef EMU_PLATFORM_VIRT_MAP_H
#define EMU_PLATFORM_VIRT_MAP_H

#define VIRT_FLASH_BASE          0x00000000ull  /* two 64 MiB CFI banks in QEMU: not modelled */
#define VIRT_FLASH_SIZE          0x08000000ull

#define VIRT_GIC_DIST_BASE       0x08000000ull  /* GICD, v2 and v3 */
#define VIRT_GIC_DIST_SIZE       0x00010000ull
#define VIRT_GIC_CPU_BASE        0x08010000ull  /* GICC, GICv2 only */
#define VIRT_GIC_CPU_SIZE        0x00010000ull
#define VIRT_GIC_REDIST_BASE     0x080a0000ull  /* GICR frames, GICv3 only */
#define VIRT_GIC_REDIST_SIZE     0x00f60000ull  /* room for 123 redistributors */
#define VIRT_GIC_REDIST_STRIDE   0x00020000ull  /* RD_base + SGI_base, 64 KiB each */

#define VIRT_UART_BASE           0x09000000ull  /* PL011 */
#define VIRT_UART_SIZE           0x00001000ull

#define VIRT_RAM_BASE            0x40000000ull
#define VIRT_RAM_MAX             (255ull << 30) /* QEMU's low RAM limit (255 GiB) */

/* Shared peripheral interrupts as QEMU wires them (a15irqmap[]): the
 * SPI number, and its INTID (IHI 0069 2.2: SPIs start at INTID 32). */
#define VIRT_SPI_UART            1
#define GIC_SPI_BASE             32
#define VIRT_IRQ_UART            (GIC_SPI_BASE + VIRT_SPI_UART)

/* Private peripheral interrupts of the generic timer (QEMU's virt.h
 * ARCH_TIMER_*_IRQ; PPI n is INTID 16 + n). */
#define GIC_PPI_BASE             16
#define VIRT_PPI_TIMER_S_EL1     13
#define VIRT_PPI_TIMER_NS_EL1    14
#define VIRT_PPI_TIMER_VIRT      11
#define VIRT_PPI_TIMER_NS_EL2    10
#define VIRT_IRQ_TIMER_S_EL1     (GIC_PPI_BASE + VIRT_PPI_TIMER_S_EL1)   /* 29 */
#define VIRT_IRQ_TIMER_NS_EL1    (GIC_PPI_BASE + VIRT_PPI_TIMER_NS_EL1)  /* 30 */
#define VIRT_IRQ_TIMER_VIRT      (GIC_PPI_BASE + VIRT_PPI_TIMER_VIRT)    /* 27 */
#define VIRT_IRQ_TIMER_NS_EL2    (GIC_PPI_BASE + VIRT_PPI_TIMER_NS_EL2)  /* 26 */

/* The fixed clock QEMU gives the PL011 (apb-pclk, "clk24mhz"). */
#define VIRT_APB_PCLK_HZ         24000000u

#endif
