/*
 * Multiboot v1 (Multiboot Specification 0.6.96) as QEMU's -kernel provides
 * it: the kernel is loaded from its ELF32 program headers (or, with header
 * flag 16, from the header's address fields), modules are placed page-aligned
 * after it, and the information structure describes memory, the command line
 * ("<kernel path> <append>", as QEMU builds it), the modules and a BIOS-style
 * memory map. docs/boot.md gives the exact layout.
 */
#include "loader/loader.h"

#include <elf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/memory.h"
#include "platform/pc/boot.h"

#define MULTIBOOT_HEADER_MAGIC      0x1BADB002u
#define MULTIBOOT_SEARCH_BYTES      8192
#define MULTIBOOT_HEADER_SIZE       48
#define MULTIBOOT_FLAG_ADDRESS      (1u << 16)  /* header carries load addresses */
#define MULTIBOOT_FLAG_VIDEO        (1u << 2)

/* multiboot_info.flags bits (spec 3.3). */
#define MBI_FLAG_MEMORY       (1u << 0)
#define MBI_FLAG_BOOT_DEVICE  (1u << 1)
#define MBI_FLAG_CMDLINE      (1u << 2)
#define MBI_FLAG_MODULES      (1u << 3)
#define MBI_FLAG_MMAP         (1u << 6)
#define MBI_FLAG_LOADER_NAME  (1u << 9)

/* multiboot_info field offsets (spec 3.3). */
enum {
    MBI_FLAGS = 0, MBI_MEM_LOWER = 4, MBI_MEM_UPPER = 8, MBI_BOOT_DEVICE = 12,
    MBI_CMDLINE = 16, MBI_MODS_COUNT = 20, MBI_MODS_ADDR = 24,
    MBI_MMAP_LENGTH = 44, MBI_MMAP_ADDR = 48, MBI_LOADER_NAME = 64,
    MBI_SIZE = 88,
};

/* Where the structures go: the memory map and information structure at the
 * addresses QEMU uses; strings and the module list after the last module. */
#define MB_MMAP_ADDR      0x9000u
#define MB_INFO_ADDR      0x9500u
#define MB_BOOT_DEVICE    0x8000ffffu   /* first hard disk, no partition */
#define MB_LOADER_NAME    "emu"

#define E820_RAM      1
#define E820_RESERVED 2

#define PAGE_ALIGN(x) (((x) + 0xfffull) & ~0xfffull)

void multiboot_find_header(const uint8_t *image, size_t size, multiboot_header_info *hdr)
{
    memset(hdr, 0, sizeof *hdr);
    size_t limit = size < MULTIBOOT_SEARCH_BYTES ? size : MULTIBOOT_SEARCH_BYTES;
    for (size_t off = 0; off + 12 <= limit; off += 4) {
        uint32_t w[12] = { 0 };
        size_t avail = size - off < MULTIBOOT_HEADER_SIZE ? size - off : MULTIBOOT_HEADER_SIZE;
        memcpy(w, image + off, avail);
        if (w[0] != MULTIBOOT_HEADER_MAGIC || (uint32_t)(w[0] + w[1] + w[2]) != 0)
            continue;
        hdr->found = true;
        hdr->file_offset = off;
        hdr->flags = w[1];
        hdr->header_addr = w[3];
        hdr->load_addr = w[4];
        hdr->load_end_addr = w[5];
        hdr->bss_end_addr = w[6];
        hdr->entry_addr = w[7];
        return;
    }
}

typedef struct mb_region {
    uint64_t base, length;
    uint32_t type;
} mb_region;

/* SeaBIOS keeps the top 128 KiB of low RAM for its own tables and reports it reserved. */
#define MB_BIOS_TOP_RESERVED 0x20000ull

/* The BIOS memory map QEMU (with SeaBIOS) reports for a pc with ram_size of
 * RAM below 4 GiB: conventional memory less the EBDA, the BIOS area, RAM from
 * 1 MiB, and the firmware's reserved top. Region 3 is the upper memory. */
static unsigned mb_memory_map(uint64_t ram_size, mb_region *r)
{
    unsigned n = 0;
    r[n++] = (mb_region){ 0, 0x9fc00, E820_RAM };
    r[n++] = (mb_region){ 0x9fc00, 0x400, E820_RESERVED };
    r[n++] = (mb_region){ 0xf0000, 0x10000, E820_RESERVED };
    r[n++] = (mb_region){ 0x100000, ram_size - 0x100000 - MB_BIOS_TOP_RESERVED, E820_RAM };
    r[n++] = (mb_region){ ram_size - MB_BIOS_TOP_RESERVED, MB_BIOS_TOP_RESERVED, E820_RESERVED };
    return n;
}

static int put32(emu_machine *m, uint64_t pa, uint32_t v)
{
    return mem_phys_write(m, pa, 4, v);
}

static emu_err put_bytes(emu_machine *m, uint64_t pa, const void *src, size_t len, char *why, size_t why_len)
{
    uint8_t *dst = mem_ram_ptr(m, pa, len);
    if (!dst) {
        snprintf(why, why_len, "multiboot data at 0x%llx (+0x%zx) does not fit in RAM: use a larger --memory",
                 (unsigned long long)pa, len);
        return EMU_ERR_BAD_IMAGE;
    }
    memcpy(dst, src, len);
    return EMU_OK;
}

static emu_err load_kernel(emu_machine *m, const uint8_t *image, size_t size,
                           const multiboot_header_info *hdr, uint64_t *entry, uint64_t *end,
                           char *why, size_t why_len)
{
    if (hdr->flags & MULTIBOOT_FLAG_ADDRESS) {
        /* Spec 3.1.3: file offset of load_addr is header offset - (header_addr - load_addr). */
        if (hdr->header_addr < hdr->load_addr || hdr->header_addr - hdr->load_addr > hdr->file_offset) {
            snprintf(why, why_len, "multiboot header address fields are inconsistent (header_addr 0x%x, load_addr 0x%x)",
                     hdr->header_addr, hdr->load_addr);
            return EMU_ERR_BAD_IMAGE;
        }
        size_t text_off = hdr->file_offset - (hdr->header_addr - hdr->load_addr);
        uint64_t load_len = hdr->load_end_addr ? (uint64_t)hdr->load_end_addr - hdr->load_addr
                                               : (uint64_t)(size - text_off);
        if (hdr->load_end_addr && hdr->load_end_addr < hdr->load_addr) {
            snprintf(why, why_len, "multiboot load_end_addr 0x%x is below load_addr 0x%x",
                     hdr->load_end_addr, hdr->load_addr);
            return EMU_ERR_BAD_IMAGE;
        }
        if (load_len > size - text_off)
            load_len = size - text_off;
        emu_err err = put_bytes(m, hdr->load_addr, image + text_off, load_len, why, why_len);
        if (err != EMU_OK)
            return err;
        uint64_t bss_end = hdr->bss_end_addr > hdr->load_addr + load_len ? hdr->bss_end_addr
                                                                         : hdr->load_addr + load_len;
        uint8_t *bss = mem_ram_ptr(m, hdr->load_addr + load_len, bss_end - (hdr->load_addr + load_len));
        if (!bss) {
            snprintf(why, why_len, "multiboot bss ending at 0x%llx does not fit in RAM", (unsigned long long)bss_end);
            return EMU_ERR_BAD_IMAGE;
        }
        memset(bss, 0, bss_end - (hdr->load_addr + load_len));
        *entry = hdr->entry_addr;
        *end = bss_end;
        return EMU_OK;
    }
    elf_info info;
    emu_err err = elf_load(m, image, size, &info, why, why_len);
    if (err != EMU_OK)
        return err;
    if (info.elf_class != ELFCLASS32 || info.machine != EM_386) {
        snprintf(why, why_len, "multiboot kernels must be ELF32 i386 files, as QEMU requires "
                               "(convert with objcopy -O elf32-i386)");
        return EMU_ERR_BAD_IMAGE;
    }
    *entry = info.entry;
    *end = info.load_end;
    return EMU_OK;
}

emu_err multiboot_boot(emu_machine *m, const uint8_t *image, size_t size,
                       const multiboot_header_info *hdr, char *why, size_t why_len)
{
    if (hdr->flags & MULTIBOOT_FLAG_VIDEO) {
        snprintf(why, why_len, "multiboot header requests a video mode (flag 2): the pc platform has no display");
        return EMU_ERR_UNSUPPORTED;
    }
    if (m->ram_size > 0xffffffffull) {
        snprintf(why, why_len, "multiboot describes memory with 32-bit fields: use --memory of at most 4095M");
        return EMU_ERR_INVALID_ARG;
    }
    uint64_t entry = 0, end = 0;
    emu_err err = load_kernel(m, image, size, hdr, &entry, &end, why, why_len);
    if (err != EMU_OK)
        return err;

    /* Modules, page-aligned after the kernel. */
    uint64_t next = PAGE_ALIGN(end);
    size_t n_mods = m->opts.n_initrd;
    uint64_t *mod_start = calloc(n_mods + 1, sizeof *mod_start);
    uint64_t *mod_end = calloc(n_mods + 1, sizeof *mod_end);
    if (!mod_start || !mod_end) {
        free(mod_start);
        free(mod_end);
        return EMU_ERR_NOMEM;
    }
    for (size_t i = 0; i < n_mods && err == EMU_OK; i++) {
        uint8_t *data = NULL;
        size_t len = 0;
        err = loader_read_file(m->opts.initrd[i], &data, &len, why, why_len);
        if (err != EMU_OK)
            break;
        mod_start[i] = next;
        mod_end[i] = next + len;
        err = put_bytes(m, next, data, len, why, why_len);
        free(data);
        next = PAGE_ALIGN(next + len);
    }

    /* Strings and the module list follow the last module. */
    const char *path = m->firmware_path ? m->firmware_path : "";
    const char *append = m->opts.append ? m->opts.append : "";
    uint64_t cmdline_addr = next;
    size_t cmdline_len = strlen(path) + 1 + strlen(append) + 1;
    uint64_t p = cmdline_addr;
    if (err == EMU_OK) err = put_bytes(m, p, path, strlen(path), why, why_len);
    p += strlen(path);
    if (err == EMU_OK) err = put_bytes(m, p, " ", 1, why, why_len);
    p += 1;
    if (err == EMU_OK) err = put_bytes(m, p, append, strlen(append) + 1, why, why_len);
    p = cmdline_addr + cmdline_len;
    uint64_t name_addr = p;
    if (err == EMU_OK) err = put_bytes(m, name_addr, MB_LOADER_NAME, sizeof MB_LOADER_NAME, why, why_len);
    p = (name_addr + sizeof MB_LOADER_NAME + 3) & ~3ull;
    uint64_t mods_addr = p;
    for (size_t i = 0; i < n_mods && err == EMU_OK; i++) {
        uint64_t str = mods_addr + 16 * n_mods;
        for (size_t j = 0; j < i; j++)
            str += strlen(m->opts.initrd[j]) + 1;
        err = put_bytes(m, str, m->opts.initrd[i], strlen(m->opts.initrd[i]) + 1, why, why_len);
        uint32_t entry_words[4] = { (uint32_t)mod_start[i], (uint32_t)mod_end[i], (uint32_t)str, 0 };
        if (err == EMU_OK)
            err = put_bytes(m, mods_addr + 16 * i, entry_words, sizeof entry_words, why, why_len);
    }
    free(mod_start);
    free(mod_end);
    if (err != EMU_OK)
        return err;

    /* Memory map: each entry is size (excluding itself), base, length, type. */
    mb_region regions[8];
    unsigned n_regions = mb_memory_map(m->ram_size, regions);
    for (unsigned i = 0; i < n_regions; i++) {
        uint32_t e[6] = { 20, (uint32_t)regions[i].base, (uint32_t)(regions[i].base >> 32),
                          (uint32_t)regions[i].length, (uint32_t)(regions[i].length >> 32), regions[i].type };
        err = put_bytes(m, MB_MMAP_ADDR + 24ull * i, e, sizeof e, why, why_len);
        if (err != EMU_OK)
            return err;
    }

    uint8_t zero[MBI_SIZE] = { 0 };
    err = put_bytes(m, MB_INFO_ADDR, zero, sizeof zero, why, why_len);
    if (err != EMU_OK)
        return err;
    uint32_t flags = MBI_FLAG_MEMORY | MBI_FLAG_BOOT_DEVICE | MBI_FLAG_CMDLINE | MBI_FLAG_MODULES |
                     MBI_FLAG_MMAP | MBI_FLAG_LOADER_NAME;
    /* mem_lower: KiB of conventional memory (below the EBDA); mem_upper: KiB from 1 MiB to the first hole. */
    uint32_t mem_lower = (uint32_t)(regions[0].length >> 10);
    uint32_t mem_upper = (uint32_t)(regions[3].length >> 10);
    if (put32(m, MB_INFO_ADDR + MBI_FLAGS, flags) || put32(m, MB_INFO_ADDR + MBI_MEM_LOWER, mem_lower) ||
        put32(m, MB_INFO_ADDR + MBI_MEM_UPPER, mem_upper) ||
        put32(m, MB_INFO_ADDR + MBI_BOOT_DEVICE, MB_BOOT_DEVICE) ||
        put32(m, MB_INFO_ADDR + MBI_CMDLINE, (uint32_t)cmdline_addr) ||
        put32(m, MB_INFO_ADDR + MBI_MODS_COUNT, (uint32_t)n_mods) ||
        put32(m, MB_INFO_ADDR + MBI_MODS_ADDR, (uint32_t)mods_addr) ||
        put32(m, MB_INFO_ADDR + MBI_MMAP_LENGTH, 24 * n_regions) ||
        put32(m, MB_INFO_ADDR + MBI_MMAP_ADDR, MB_MMAP_ADDR) ||
        put32(m, MB_INFO_ADDR + MBI_LOADER_NAME, (uint32_t)name_addr)) {
        snprintf(why, why_len, "cannot write the multiboot information structure: RAM too small");
        return EMU_ERR_BAD_IMAGE;
    }

    pc_boot_multiboot_state(m, entry, MB_INFO_ADDR);
    return EMU_OK;
}
