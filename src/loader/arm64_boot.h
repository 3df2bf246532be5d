/*
 * Booting an AArch64 kernel on the virt machine the way QEMU's -kernel does
 * (hw/arm/boot.c, checked against QEMU 7.2 by running it): where the kernel,
 * the initrd and the device tree go in RAM, and what X0 and the PC hold at
 * entry. Three kernel kinds:
 *
 * - a Linux arm64 Image (Documentation/arch/arm64/booting.rst: "ARM\x64"
 *   at offset 0x38, text_offset at 8, image_size at 16, little-endian):
 *   loaded at RAM base + text_offset, or + 0x80000 when image_size is 0
 *   (kernels before 3.17). QEMU keeps the first 4 KiB of RAM for its boot
 *   stub, so an Image asking for an offset below that goes 2 MiB higher
 *   (RAM base + 2 MiB + text_offset): emu does the same so addresses match;
 * - any other file (a raw binary): loaded at RAM base + 0x80000;
 * - an ELF64 AArch64 executable: its segments at their physical addresses
 *   (elf_load_aarch64), entered at e_entry.
 *
 * The initrd goes at RAM base + min(RAM/2, 128 MiB), moved above the kernel
 * if they would overlap, page-aligned; the DTB at the first 2 MiB boundary
 * after the initrd (QEMU aligns it so early kernels can map it with one
 * block). X0 holds the DTB's address for Image and raw kernels, as booting
 * requires. For an ELF, QEMU puts the DTB at the base of RAM if the image
 * leaves room below itself (or lies wholly outside RAM) and X0 is 0: the
 * firmware finds it by convention. emu does the same.
 */
#ifndef EMU_LOADER_ARM64_BOOT_H
#define EMU_LOADER_ARM64_BOOT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "loader/loader.h"

#define ARM64_IMAGE_MAGIC_OFFSET   0x38
#define ARM64_IMAGE_MAGIC          "ARM\x64"
#define ARM64_IMAGE_HEADER_SIZE    0x40
#define ARM64_IMAGE_FLAG_BE        (1ull << 0)      /* flags bit 0: big-endian kernel */
#define ARM64_DEFAULT_TEXT_OFFSET  0x80000ull       /* image_size == 0, and raw binaries */
#define ARM64_BOOT_STUB_SIZE       0x1000ull        /* QEMU's BOOTLOADER_MAX_SIZE */
#define ARM64_IMAGE_ALIGN          (2ull << 20)     /* the 2 MiB base an Image is offset from */
#define ARM64_DTB_ALIGN            (2ull << 20)
#define ARM64_INITRD_MAX_OFFSET    (128ull << 20)
#define ARM64_PAGE_SIZE            0x1000ull

typedef struct arm64_image_header {
    uint64_t text_offset;
    uint64_t image_size;
    uint64_t flags;
} arm64_image_header;

/* true if image starts with an arm64 Image header (the magic at 0x38). */
bool arm64_image_parse(const uint8_t *image, size_t size, arm64_image_header *hdr);

typedef enum arm64_kernel_kind {
    ARM64_KERNEL_IMAGE,
    ARM64_KERNEL_RAW,
    ARM64_KERNEL_ELF,
} arm64_kernel_kind;

typedef struct arm64_boot_plan {
    arm64_kernel_kind kind;
    uint64_t kernel_start, kernel_end;  /* physical [start, end), end includes image_size */
    uint64_t entry;                     /* PC at entry */
    uint64_t initrd_start, initrd_end;  /* equal: no initrd */
    uint64_t dtb_start;                 /* 0: no DTB is loaded (ELF filling RAM's base) */
    uint64_t dtb_max;                   /* room planned for the DTB */
    uint64_t x0;                        /* X0 at entry: the DTB for Image/raw, else 0 */
} arm64_boot_plan;

/* Decide the layout for this kernel, an initrd of initrd_size bytes and a
 * DTB of up to dtb_max bytes in ram. Nothing is written. The DTB's size
 * does not depend on the addresses it names, so a caller can build it once
 * with placeholder initrd addresses to learn dtb_max, plan, then build it
 * again with the planned ones. */
emu_err arm64_boot_plan_make(const loader_ram *ram, const uint8_t *kernel, size_t kernel_size,
                             size_t initrd_size, size_t dtb_max, arm64_boot_plan *plan,
                             char *why, size_t why_len);

/* Write the kernel, initrd and DTB to ram as planned (dtb may be NULL when
 * plan->dtb_start is 0). */
emu_err arm64_boot_load(const loader_ram *ram, const arm64_boot_plan *plan,
                        const uint8_t *kernel, size_t kernel_size,
                        const uint8_t *initrd, size_t initrd_size,
                        const uint8_t *dtb, size_t dtb_size, char *why, size_t why_len);

#endif
