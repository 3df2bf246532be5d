/*
 * CPU entry states of the pc platform (documented in docs/boot.md):
 * the multiboot state QEMU's -kernel leaves, and the 64-bit state emu
 * builds for a plain ELF64 file (and for machines made with emu_create).
 */
#ifndef EMU_PLATFORM_PC_BOOT_H
#define EMU_PLATFORM_PC_BOOT_H

#include <stdint.h>

#include "core/machine.h"

/* Bytes at the top of RAM that the ELF64 entry state uses for its GDT and page tables. */
#define PC_BOOT64_RESERVED 0x10000ull

#define MULTIBOOT_BOOTLOADER_MAGIC 0x2BADB002u

/* 32-bit protected mode, flat segments, paging off, EAX = magic, EBX = info. */
void pc_boot_multiboot_state(emu_machine *m, uint64_t entry, uint32_t info_addr);

/* 64-bit mode at CPL0, identity map of the low 4 GiB, flat GDT; RSP below the tables. */
int pc_boot_long64_state(emu_machine *m, uint64_t entry);

#endif
