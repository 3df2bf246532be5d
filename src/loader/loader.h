/*
 * Firmware loading: ELF images (through libelf) and the multiboot v1 boot
 * protocol as QEMU's -kernel implements it. The loader only reads the file
 * and writes guest RAM; the CPU's entry state is set by the platform.
 */
#ifndef EMU_LOADER_LOADER_H
#define EMU_LOADER_LOADER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "emu/emu.h"

typedef struct emu_machine emu_machine;

#define LOADER_MAX_SEGMENTS 64

typedef struct elf_info {
    int elf_class;              /* ELFCLASS32 or ELFCLASS64 */
    unsigned machine;           /* e_machine */
    emu_arch arch;
    uint64_t entry;             /* physical entry address */
    uint64_t load_start, load_end;  /* physical extent of all PT_LOAD segments (memsz) */
    unsigned n_segments;
} elf_info;

/* Identify an ELF image without loading it. */
emu_err elf_identify(const uint8_t *image, size_t size, elf_info *info, char *why, size_t why_len);

/* Copy every PT_LOAD segment to guest RAM at its physical address and zero its BSS. */
emu_err elf_load(emu_machine *m, const uint8_t *image, size_t size, elf_info *info,
                 char *why, size_t why_len);

/* Guest RAM as a loader sees it: physical [base, base + size) at host. */
typedef struct loader_ram {
    uint8_t *host;
    uint64_t base;
    uint64_t size;
} loader_ram;

/* Load an ELF64 EM_AARCH64 executable into ram (segments by physical
 * address, BSS zeroed); info->entry is the physical entry point. Any other
 * machine is EMU_ERR_WRONG_ARCH. elf_identify still refuses AArch64 until
 * the machine can run it. */
emu_err elf_identify_aarch64(const uint8_t *image, size_t size, elf_info *info, char *why, size_t why_len);
emu_err elf_load_aarch64(const uint8_t *image, size_t size, const loader_ram *ram, elf_info *info,
                         char *why, size_t why_len);

/* Multiboot v1 header (Multiboot Specification 0.6.96, 3.1.1). */
typedef struct multiboot_header_info {
    bool found;
    size_t file_offset;
    uint32_t flags;
    uint32_t header_addr, load_addr, load_end_addr, bss_end_addr, entry_addr;
} multiboot_header_info;

/* Search the first 8 KiB for a valid header (magic, checksum, 4-byte aligned). */
void multiboot_find_header(const uint8_t *image, size_t size, multiboot_header_info *hdr);

/*
 * Load a multiboot kernel as QEMU's -kernel does, build the multiboot
 * information structure, and put the CPU in the multiboot entry state.
 */
emu_err multiboot_boot(emu_machine *m, const uint8_t *image, size_t size,
                       const multiboot_header_info *hdr, char *why, size_t why_len);

/* Read a whole file (firmware, modules). Caller frees *data. */
emu_err loader_read_file(const char *path, uint8_t **data, size_t *size, char *why, size_t why_len);

#endif
