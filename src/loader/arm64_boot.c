/*
 * The virt machine's boot layout for AArch64 kernels, as QEMU's -kernel
 * (hw/arm/boot.c arm_load_kernel / load_aarch64_image; the rules are listed
 * in arm64_boot.h). Every address is checked against RAM with overflow-safe
 * arithmetic before anything is written.
 */
#include "loader/arm64_boot.h"

#include <elf.h>
#include <stdio.h>
#include <string.h>

static bool ram_holds(const loader_ram *ram, uint64_t addr, uint64_t len)
{
    return addr >= ram->base && addr - ram->base <= ram->size && len <= ram->size - (addr - ram->base);
}

static bool align_up(uint64_t v, uint64_t align, uint64_t *out)
{
    if (v > UINT64_MAX - (align - 1))
        return false;
    *out = (v + align - 1) & ~(align - 1);
    return true;
}

static bool is_elf(const uint8_t *image, size_t size)
{
    return size >= SELFMAG && memcmp(image, ELFMAG, SELFMAG) == 0;
}

static emu_err plan_elf(const loader_ram *ram, const uint8_t *kernel, size_t kernel_size,
                        size_t initrd_size, size_t dtb_max, arm64_boot_plan *plan,
                        char *why, size_t why_len)
{
    elf_info info;
    emu_err err = elf_identify_aarch64(kernel, kernel_size, &info, why, why_len);
    if (err != EMU_OK)
        return err;
    if (initrd_size) {
        snprintf(why, why_len, "an initrd needs a Linux Image or raw kernel: QEMU does not load one for an ELF kernel");
        return EMU_ERR_INVALID_ARG;
    }
    plan->kind = ARM64_KERNEL_ELF;
    plan->kernel_start = info.load_start;
    plan->kernel_end = info.load_end;
    plan->entry = info.entry;
    plan->initrd_start = plan->initrd_end = 0;
    plan->x0 = 0;
    uint64_t ram_end = ram->base + ram->size;
    /* The DTB goes at the base of RAM if the image leaves room there. */
    if (info.load_start > ram->base || info.load_end <= ram->base) {
        uint64_t limit = info.load_start > ram->base && info.load_start < ram_end ? info.load_start : ram_end;
        if (dtb_max > limit - ram->base) {
            snprintf(why, why_len, "no room for the %zu-byte device tree below the ELF image at 0x%llx",
                     dtb_max, (unsigned long long)info.load_start);
            return EMU_ERR_BAD_IMAGE;
        }
        plan->dtb_start = ram->base;
        plan->dtb_max = dtb_max;
    } else {
        plan->dtb_start = 0;    /* the image covers RAM's base: no DTB, as QEMU */
        plan->dtb_max = 0;
    }
    return EMU_OK;
}

emu_err arm64_boot_plan_make(const loader_ram *ram, const uint8_t *kernel, size_t kernel_size,
                             size_t initrd_size, size_t dtb_max, arm64_boot_plan *plan,
                             char *why, size_t why_len)
{
    memset(plan, 0, sizeof *plan);
    if (is_elf(kernel, kernel_size))
        return plan_elf(ram, kernel, kernel_size, initrd_size, dtb_max, plan, why, why_len);
    if (kernel_size == 0) {
        snprintf(why, why_len, "the kernel file is empty");
        return EMU_ERR_BAD_IMAGE;
    }

    arm64_image_header hdr;
    uint64_t offset = ARM64_DEFAULT_TEXT_OFFSET;
    uint64_t footprint = kernel_size;
    plan->kind = ARM64_KERNEL_RAW;
    if (arm64_image_parse(kernel, kernel_size, &hdr)) {
        plan->kind = ARM64_KERNEL_IMAGE;
        if (hdr.flags & ARM64_IMAGE_FLAG_BE) {
            snprintf(why, why_len, "big-endian arm64 Image (flags bit 0): emu runs little-endian kernels only");
            return EMU_ERR_WRONG_ARCH;
        }
        /* booting.rst: with image_size 0 (before 3.17) assume 0x80000. */
        if (hdr.image_size != 0) {
            offset = hdr.text_offset;
            if (offset < ARM64_BOOT_STUB_SIZE)
                offset += ARM64_IMAGE_ALIGN;    /* QEMU's boot stub owns RAM's first page */
            if (hdr.image_size > footprint)
                footprint = hdr.image_size;
        }
    }
    plan->kernel_start = ram->base + offset;
    if (offset > ram->size || !ram_holds(ram, plan->kernel_start, footprint)) {
        snprintf(why, why_len, "the kernel (0x%llx bytes at RAM + 0x%llx) does not fit in %llu MiB of RAM: use --memory",
                 (unsigned long long)footprint, (unsigned long long)offset,
                 (unsigned long long)(ram->size >> 20));
        return EMU_ERR_BAD_IMAGE;
    }
    plan->kernel_end = plan->kernel_start + footprint;
    plan->entry = plan->kernel_start;

    uint64_t initrd = ram->base + (ram->size / 2 < ARM64_INITRD_MAX_OFFSET ? ram->size / 2 : ARM64_INITRD_MAX_OFFSET);
    if (initrd < plan->kernel_end)
        initrd = plan->kernel_end;
    if (!align_up(initrd, ARM64_PAGE_SIZE, &plan->initrd_start) || !ram_holds(ram, plan->initrd_start, initrd_size)) {
        snprintf(why, why_len, "the initrd (%zu bytes) does not fit in RAM above the kernel: use --memory", initrd_size);
        return EMU_ERR_BAD_IMAGE;
    }
    plan->initrd_end = plan->initrd_start + initrd_size;
    if (!align_up(plan->initrd_end, ARM64_DTB_ALIGN, &plan->dtb_start) || !ram_holds(ram, plan->dtb_start, dtb_max)) {
        snprintf(why, why_len, "no room for the device tree at the 2 MiB boundary after the initrd: use --memory");
        return EMU_ERR_BAD_IMAGE;
    }
    plan->dtb_max = dtb_max;
    plan->x0 = plan->dtb_start;
    return EMU_OK;
}

emu_err arm64_boot_load(const loader_ram *ram, const arm64_boot_plan *plan,
                        const uint8_t *kernel, size_t kernel_size,
                        const uint8_t *initrd, size_t initrd_size,
                        const uint8_t *dtb, size_t dtb_size, char *why, size_t why_len)
{
    if (initrd_size != plan->initrd_end - plan->initrd_start || (plan->dtb_start && dtb_size > plan->dtb_max)) {
        snprintf(why, why_len, "the initrd or device tree is larger than the boot plan allowed for");
        return EMU_ERR_INVALID_ARG;
    }
    if (plan->kind == ARM64_KERNEL_ELF) {
        elf_info info;
        emu_err err = elf_load_aarch64(kernel, kernel_size, ram, &info, why, why_len);
        if (err != EMU_OK)
            return err;
    } else {
        if (!ram_holds(ram, plan->kernel_start, plan->kernel_end - plan->kernel_start) ||
            kernel_size > plan->kernel_end - plan->kernel_start) {
            snprintf(why, why_len, "the kernel does not match its boot plan");
            return EMU_ERR_INVALID_ARG;
        }
        uint8_t *dst = ram->host + (plan->kernel_start - ram->base);
        memcpy(dst, kernel, kernel_size);
        /* Up to image_size: the kernel's BSS, zero as booting.rst expects. */
        memset(dst + kernel_size, 0, plan->kernel_end - plan->kernel_start - kernel_size);
    }
    if (initrd_size)
        memcpy(ram->host + (plan->initrd_start - ram->base), initrd, initrd_size);
    if (plan->dtb_start && dtb && dtb_size)
        memcpy(ram->host + (plan->dtb_start - ram->base), dtb, dtb_size);
    return EMU_OK;
}
