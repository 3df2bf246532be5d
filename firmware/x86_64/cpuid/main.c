/*
 * cpuid: prints the CPUID leaves that describe a CPU model (vendor,
 * family/model/stepping, feature words, extended features, address sizes),
 * one line per leaf, so the same binary under `qemu-system-x86_64 -cpu M`
 * and `emu --cpu M` shows where the two models agree.
 */
#include "boot/boot.h"
#include "lib/exit.h"
#include "lib/serial.h"

#define CPUID_EXT_BASE 0x80000000u

struct cpuid_regs {
    uint32_t eax, ebx, ecx, edx;
};

static struct cpuid_regs cpuid(uint32_t leaf, uint32_t subleaf)
{
    struct cpuid_regs r;
    __asm__ volatile("cpuid" : "=a"(r.eax), "=b"(r.ebx), "=c"(r.ecx), "=d"(r.edx) : "a"(leaf), "c"(subleaf));
    return r;
}

static void print_leaf(uint32_t leaf, uint32_t subleaf)
{
    struct cpuid_regs r = cpuid(leaf, subleaf);
    serial_puts("leaf ");
    serial_put_hex(leaf);
    serial_puts(".");
    serial_put_u64(subleaf);
    serial_puts(": eax ");
    serial_put_hex(r.eax);
    serial_puts(" ebx ");
    serial_put_hex(r.ebx);
    serial_puts(" ecx ");
    serial_put_hex(r.ecx);
    serial_puts(" edx ");
    serial_put_hex(r.edx);
    serial_puts("\n");
}

void kmain(uint32_t magic, uint32_t info_addr)
{
    (void)magic;
    (void)info_addr;
    serial_init();
    uint32_t max_basic = cpuid(0, 0).eax;
    uint32_t max_ext = cpuid(CPUID_EXT_BASE, 0).eax;
    print_leaf(0, 0);
    print_leaf(1, 0);
    if (max_basic >= 7)
        print_leaf(7, 0);
    for (uint32_t leaf = CPUID_EXT_BASE; leaf <= max_ext && leaf <= CPUID_EXT_BASE + 8; leaf++)
        print_leaf(leaf, 0);
    debug_exit(DEBUG_EXIT_SUCCESS);
}
