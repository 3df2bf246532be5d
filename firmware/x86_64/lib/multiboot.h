/*
 * The multiboot v1 information structure (Multiboot Specification 0.6.96,
 * section 3.3): the fields firmware reads, at their specified offsets.
 */
#ifndef FW_MULTIBOOT_H
#define FW_MULTIBOOT_H

#include <stdint.h>

#define MB_BOOT_MAGIC       0x2BADB002  /* EAX at entry */

#define MB_INFO_MEMORY      (1u << 0)   /* mem_lower, mem_upper valid */
#define MB_INFO_CMDLINE     (1u << 2)   /* cmdline valid */

struct multiboot_info {
    uint32_t flags;
    uint32_t mem_lower;     /* KiB of memory from 0 */
    uint32_t mem_upper;     /* KiB of memory from 1 MiB */
    uint32_t boot_device;
    uint32_t cmdline;       /* physical address of a NUL-terminated string */
    uint32_t mods_count;
    uint32_t mods_addr;
} __attribute__((packed));

#endif
