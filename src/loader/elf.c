/*
 * ELF images through libelf. Every header field that decides a copy is
 * checked against the file size and guest RAM before anything is written, so
 * a truncated or hostile file is a one-line error, never a host crash.
 */
#include "loader/loader.h"

#include <gelf.h>
#include <libelf.h>
#include <stdio.h>
#include <string.h>

#include "core/memory.h"

static const char *elf_machine_name(unsigned machine)
{
    switch (machine) {
    case EM_386: return "i386";
    case EM_X86_64: return "x86-64";
    case EM_AARCH64: return "AArch64";
    case EM_ARM: return "32-bit Arm";
    case EM_RISCV: return "RISC-V";
    case EM_PPC64: return "PowerPC64";
    default: return "an unsupported machine";
    }
}

static Elf *elf_open_memory(const uint8_t *image, size_t size, char *why, size_t why_len, emu_err *err)
{
    static const uint8_t magic[SELFMAG] = { ELFMAG0, ELFMAG1, ELFMAG2, ELFMAG3 };
    if (size < SELFMAG || memcmp(image, magic, SELFMAG) != 0) {
        snprintf(why, why_len, "not an ELF file (no \\x7fELF magic)");
        *err = EMU_ERR_NOT_ELF;
        return NULL;
    }
    if (elf_version(EV_CURRENT) == EV_NONE) {
        snprintf(why, why_len, "libelf initialisation failed: %s", elf_errmsg(-1));
        *err = EMU_ERR_BAD_ELF;
        return NULL;
    }
    /* libelf only reads the buffer with ELF_C_READ semantics. */
    Elf *e = elf_memory((char *)(uintptr_t)image, size);
    if (!e || elf_kind(e) != ELF_K_ELF) {
        snprintf(why, why_len, "malformed ELF file: %s", elf_errmsg(-1));
        if (e)
            elf_end(e);
        *err = EMU_ERR_BAD_ELF;
        return NULL;
    }
    return e;
}

/* Read and check the headers. AArch64 images pass only for the arm64
 * loader (elf_load_aarch64): the x86 machine still refuses them. */
static emu_err elf_scan(const uint8_t *image, size_t size, elf_info *info, bool allow_aarch64,
                        char *why, size_t why_len)
{
    memset(info, 0, sizeof *info);
    emu_err err = EMU_OK;
    Elf *e = elf_open_memory(image, size, why, why_len, &err);
    if (!e)
        return err;

    GElf_Ehdr eh;
    if (!gelf_getehdr(e, &eh)) {
        snprintf(why, why_len, "truncated ELF header: %s", elf_errmsg(-1));
        elf_end(e);
        return EMU_ERR_BAD_ELF;
    }
    info->elf_class = gelf_getclass(e);
    info->machine = eh.e_machine;
    if (eh.e_ident[EI_DATA] != ELFDATA2LSB) {
        snprintf(why, why_len, "big-endian ELF: emu models little-endian x86-64 and AArch64 only");
        elf_end(e);
        return EMU_ERR_WRONG_ARCH;
    }
    switch (eh.e_machine) {
    case EM_X86_64:
    case EM_386:
        info->arch = EMU_ARCH_X86_64;
        break;
    case EM_AARCH64:
        info->arch = EMU_ARCH_AARCH64;
        if (allow_aarch64)
            break;
        snprintf(why, why_len, "AArch64 firmware is not modelled yet: this build runs x86-64 only");
        elf_end(e);
        return EMU_ERR_UNSUPPORTED;
    default:
        snprintf(why, why_len, "ELF file is for %s (e_machine %u); emu runs x86-64 (and multiboot i386) firmware",
                 elf_machine_name(eh.e_machine), eh.e_machine);
        elf_end(e);
        return EMU_ERR_WRONG_ARCH;
    }
    if (eh.e_type != ET_EXEC) {
        snprintf(why, why_len, "ELF type %u is not an executable (ET_EXEC): link the firmware at fixed addresses",
                 eh.e_type);
        elf_end(e);
        return EMU_ERR_BAD_IMAGE;
    }

    size_t phnum;
    if (elf_getphdrnum(e, &phnum) != 0) {
        snprintf(why, why_len, "malformed program header table: %s", elf_errmsg(-1));
        elf_end(e);
        return EMU_ERR_BAD_ELF;
    }
    uint64_t lo = UINT64_MAX, hi = 0;
    info->entry = eh.e_entry;
    bool entry_translated = false;
    for (size_t i = 0; i < phnum; i++) {
        GElf_Phdr ph;
        if (!gelf_getphdr(e, (int)i, &ph)) {
            snprintf(why, why_len, "truncated program header %zu: %s", i, elf_errmsg(-1));
            elf_end(e);
            return EMU_ERR_BAD_ELF;
        }
        if (ph.p_type != PT_LOAD || ph.p_memsz == 0)
            continue;
        if (ph.p_filesz > ph.p_memsz || ph.p_offset > size || ph.p_filesz > size - ph.p_offset) {
            snprintf(why, why_len, "segment %zu lies outside the file (offset 0x%llx, size 0x%llx, file 0x%zx): truncated ELF?",
                     i, (unsigned long long)ph.p_offset, (unsigned long long)ph.p_filesz, size);
            elf_end(e);
            return EMU_ERR_BAD_ELF;
        }
        if (ph.p_paddr + ph.p_memsz < ph.p_paddr) {
            snprintf(why, why_len, "segment %zu wraps the physical address space", i);
            elf_end(e);
            return EMU_ERR_BAD_IMAGE;
        }
        if (++info->n_segments > LOADER_MAX_SEGMENTS) {
            snprintf(why, why_len, "more than %d loadable segments", LOADER_MAX_SEGMENTS);
            elf_end(e);
            return EMU_ERR_BAD_IMAGE;
        }
        if (ph.p_paddr < lo)
            lo = ph.p_paddr;
        if (ph.p_paddr + ph.p_memsz > hi)
            hi = ph.p_paddr + ph.p_memsz;
        /* Entry points are virtual; loading is physical. Translate like QEMU's ELF loader. */
        if (!entry_translated && eh.e_entry >= ph.p_vaddr && eh.e_entry - ph.p_vaddr < ph.p_memsz) {
            info->entry = eh.e_entry - ph.p_vaddr + ph.p_paddr;
            entry_translated = true;
        }
    }
    elf_end(e);
    if (info->n_segments == 0) {
        snprintf(why, why_len, "ELF file has no loadable segments");
        return EMU_ERR_BAD_IMAGE;
    }
    info->load_start = lo;
    info->load_end = hi;
    return EMU_OK;
}

emu_err elf_identify(const uint8_t *image, size_t size, elf_info *info, char *why, size_t why_len)
{
    return elf_scan(image, size, info, false, why, why_len);
}

/* Where a segment's bytes go: a host pointer for [paddr, paddr + len), or
 * NULL when that range is not RAM. */
typedef uint8_t *(*elf_ram_map_fn)(void *ctx, uint64_t paddr, uint64_t len);

/* Copy every PT_LOAD segment (identify has checked them against the file)
 * and zero its BSS; every destination is checked before anything is
 * written, so a refused image leaves RAM untouched. */
static emu_err elf_copy_segments(const uint8_t *image, size_t size, elf_ram_map_fn map, void *ctx,
                                 uint64_t ram_lo, uint64_t ram_hi, char *why, size_t why_len)
{
    emu_err err = EMU_OK;
    Elf *e = elf_open_memory(image, size, why, why_len, &err);
    if (!e)
        return err;
    size_t phnum = 0;
    elf_getphdrnum(e, &phnum);
    for (int pass = 0; pass < 2; pass++) {
        for (size_t i = 0; i < phnum; i++) {
            GElf_Phdr ph;
            if (!gelf_getphdr(e, (int)i, &ph) || ph.p_type != PT_LOAD || ph.p_memsz == 0)
                continue;
            uint8_t *dst = map(ctx, ph.p_paddr, ph.p_memsz);
            if (!dst) {
                snprintf(why, why_len,
                         "segment %zu at physical 0x%llx-0x%llx does not fit in RAM (0x%llx-0x%llx): use --memory or relink",
                         i, (unsigned long long)ph.p_paddr, (unsigned long long)(ph.p_paddr + ph.p_memsz),
                         (unsigned long long)ram_lo, (unsigned long long)ram_hi);
                elf_end(e);
                return EMU_ERR_BAD_IMAGE;
            }
            if (pass == 1) {
                memcpy(dst, image + ph.p_offset, ph.p_filesz);
                memset(dst + ph.p_filesz, 0, ph.p_memsz - ph.p_filesz);
            }
        }
    }
    elf_end(e);
    return EMU_OK;
}

static uint8_t *elf_map_machine(void *ctx, uint64_t paddr, uint64_t len)
{
    return mem_ram_ptr(ctx, paddr, len);
}

emu_err elf_load(emu_machine *m, const uint8_t *image, size_t size, elf_info *info,
                 char *why, size_t why_len)
{
    emu_err err = elf_identify(image, size, info, why, why_len);
    if (err != EMU_OK)
        return err;
    return elf_copy_segments(image, size, elf_map_machine, m, 0, m->ram_size, why, why_len);
}

static uint8_t *elf_map_layout(void *ctx, uint64_t paddr, uint64_t len)
{
    const loader_ram *ram = ctx;
    if (paddr < ram->base || paddr - ram->base > ram->size || len > ram->size - (paddr - ram->base))
        return NULL;
    return ram->host + (paddr - ram->base);
}

emu_err elf_identify_aarch64(const uint8_t *image, size_t size, elf_info *info, char *why, size_t why_len)
{
    emu_err err = elf_scan(image, size, info, true, why, why_len);
    if (err != EMU_OK)
        return err;
    if (info->machine != EM_AARCH64) {
        snprintf(why, why_len, "ELF file is for %s (e_machine %u), not AArch64",
                 elf_machine_name(info->machine), info->machine);
        return EMU_ERR_WRONG_ARCH;
    }
    if (info->elf_class != ELFCLASS64) {
        snprintf(why, why_len, "32-bit ELF file for AArch64: emu runs A64 code only");
        return EMU_ERR_WRONG_ARCH;
    }
    return EMU_OK;
}

emu_err elf_load_aarch64(const uint8_t *image, size_t size, const loader_ram *ram, elf_info *info,
                         char *why, size_t why_len)
{
    emu_err err = elf_identify_aarch64(image, size, info, why, why_len);
    if (err != EMU_OK)
        return err;
    return elf_copy_segments(image, size, elf_map_layout, (void *)(uintptr_t)ram, ram->base,
                             ram->base + ram->size, why, why_len);
}
