/*
 * hello: the demo firmware. Booted by the shared multiboot entry, it prints a
 * banner, what the loader told it (command line, lower and upper memory),
 * runs the self-checking workload and exits through isa-debug-exit:
 * DEBUG_EXIT_SUCCESS if every check passed, DEBUG_EXIT_FAILURE otherwise.
 */
#include "boot/boot.h"
#include "hello/workload.h"
#include "lib/exit.h"
#include "lib/multiboot.h"
#include "lib/serial.h"

static bool print_boot_info(uint32_t magic, uint32_t info_addr)
{
    if (magic != MB_BOOT_MAGIC) {
        serial_puts("multiboot: bad magic ");
        serial_put_hex(magic);
        serial_puts("\n");
        return false;
    }
    const struct multiboot_info *info =
        (const struct multiboot_info *)(uintptr_t)info_addr;

    serial_puts("cmdline: \"");
    if (info->flags & MB_INFO_CMDLINE)
        serial_puts((const char *)(uintptr_t)info->cmdline);
    serial_puts("\"\n");

    if (!(info->flags & MB_INFO_MEMORY)) {
        serial_puts("memory: not reported by the loader\n");
        return false;
    }
    serial_puts("memory: lower ");
    serial_put_u64(info->mem_lower);
    serial_puts(" KiB, upper ");
    serial_put_u64(info->mem_upper);
    serial_puts(" KiB\n");
    return true;
}

void kmain(uint32_t magic, uint32_t info_addr)
{
    uint64_t checksum;

    serial_init();
    serial_puts("ringside hello: x86-64 long mode, entered from multiboot\n");
    bool ok = print_boot_info(magic, info_addr);
    ok &= workload_run(&checksum);
    serial_puts("workload checksum: ");
    serial_put_hex(checksum);
    serial_puts("\n");
    serial_puts(ok ? "hello: all checks passed\n" : "hello: a check FAILED\n");
    debug_exit(ok ? DEBUG_EXIT_SUCCESS : DEBUG_EXIT_FAILURE);
}
