/*
 * The AArch64 boot layout against QEMU 7.2's -kernel on -M virt with 128
 * MiB (PC and X0 read with `info registers` after loading each kind of
 * file): an Image with text_offset 0 runs at 0x40200000, with 0x80000 (or
 * image_size 0) at 0x40080000, a raw binary at 0x40080000; the DTB is at
 * 0x44000000, or 0x44200000 after a 4 KiB initrd at 0x44000000. Also the
 * refusals, and ELF64 AArch64 segments loaded into a RAM layout.
 */
#include <check.h>
#include <elf.h>
#include <stdlib.h>
#include <string.h>

#include "emu_test.h"
#include "loader/arm64_boot.h"
#include "loader/loader.h"

#define RAM_BASE 0x40000000ull
#define MiB (1ull << 20)

static loader_ram ram;
static char why[256];

static void ram_alloc(uint64_t size)
{
    free(ram.host);
    ram.host = calloc(1, size);
    ck_assert_ptr_nonnull(ram.host);
    ram.base = RAM_BASE;
    ram.size = size;
}

static void teardown(void)
{
    free(ram.host);
    ram.host = NULL;
}

static uint8_t kernel[0x1000];

static void make_image(uint64_t text_offset, uint64_t image_size, uint64_t flags)
{
    memset(kernel, 0, sizeof kernel);
    kernel[0] = 0x00; kernel[1] = 0x00; kernel[2] = 0x00; kernel[3] = 0x14;     /* b . */
    memcpy(kernel + 8, &text_offset, 8);
    memcpy(kernel + 16, &image_size, 8);
    memcpy(kernel + 24, &flags, 8);
    memcpy(kernel + 0x38, "ARM\x64", 4);
}

static arm64_boot_plan plan_ok(size_t ksize, size_t initrd, size_t dtb)
{
    arm64_boot_plan p;
    why[0] = '\0';
    ck_assert_msg(arm64_boot_plan_make(&ram, kernel, ksize, initrd, dtb, &p, why, sizeof why) == EMU_OK,
                  "plan: %s", why);
    return p;
}

#define EXPECT(what, got, want) \
    ck_assert_msg((uint64_t)(got) == (uint64_t)(want), "%s: want 0x%llx got 0x%llx", what, \
                  (unsigned long long)(want), (unsigned long long)(got))

START_TEST(image_placement_matches_qemu)
{
    ram_alloc(128 * MiB);
    make_image(0, 0x10000, 0);
    arm64_boot_plan p = plan_ok(sizeof kernel, 0, 0x1000);
    EXPECT("Image text_offset 0: entry", p.entry, 0x40200000);
    EXPECT("kind", p.kind, ARM64_KERNEL_IMAGE);
    EXPECT("kernel_end covers image_size", p.kernel_end, 0x40210000);
    EXPECT("DTB without initrd", p.dtb_start, 0x44000000);
    EXPECT("X0 is the DTB", p.x0, 0x44000000);
    p = plan_ok(sizeof kernel, 0x1000, 0x1000);
    EXPECT("initrd", p.initrd_start, 0x44000000);
    EXPECT("DTB after a 4 KiB initrd", p.dtb_start, 0x44200000);
    make_image(0x80000, 0x10000, 0);
    EXPECT("Image text_offset 0x80000", plan_ok(sizeof kernel, 0, 0x1000).entry, 0x40080000);
    make_image(0x200000, 0, 0);
    EXPECT("image_size 0: text_offset 0x80000", plan_ok(sizeof kernel, 0, 0x1000).entry, 0x40080000);
    memset(kernel, 0x11, sizeof kernel);
    p = plan_ok(sizeof kernel, 0, 0x1000);
    EXPECT("raw binary", p.entry, 0x40080000);
    EXPECT("raw kind", p.kind, ARM64_KERNEL_RAW);
}
END_TEST

START_TEST(initrd_position_rules)
{
    ram_alloc(1024 * MiB);
    make_image(0, 0x10000, 0);
    arm64_boot_plan p = plan_ok(sizeof kernel, 0x1000, 0x1000);
    EXPECT("initrd at 128 MiB with 1 GiB", p.initrd_start, 0x48000000);
    ram_alloc(128 * MiB);
    make_image(0, 100 * MiB, 0);
    p = plan_ok(sizeof kernel, 0x1000, 0x1000);
    EXPECT("initrd moved above a large kernel", p.initrd_start, 0x40200000 + 100 * MiB);
    EXPECT("DTB 2 MiB aligned", p.dtb_start, 0x46800000);
}
END_TEST

START_TEST(refusals)
{
    ram_alloc(128 * MiB);
    arm64_boot_plan p;
    make_image(0, 0x10000, ARM64_IMAGE_FLAG_BE);
    ck_assert_int_eq(arm64_boot_plan_make(&ram, kernel, sizeof kernel, 0, 0x1000, &p, why, sizeof why), EMU_ERR_WRONG_ARCH);
    ck_assert_msg(strstr(why, "big-endian") != NULL, "why: %s", why);
    make_image(0, 200 * MiB, 0);
    ck_assert_int_eq(arm64_boot_plan_make(&ram, kernel, sizeof kernel, 0, 0x1000, &p, why, sizeof why), EMU_ERR_BAD_IMAGE);
    ck_assert_msg(strstr(why, "--memory") != NULL, "why: %s", why);
    make_image(UINT64_MAX - 0x100, 0x10000, 0);
    ck_assert_int_eq(arm64_boot_plan_make(&ram, kernel, sizeof kernel, 0, 0x1000, &p, why, sizeof why), EMU_ERR_BAD_IMAGE);
    make_image(0, 0x10000, 0);
    ck_assert_int_eq(arm64_boot_plan_make(&ram, kernel, sizeof kernel, 100 * MiB, 0x1000, &p, why, sizeof why), EMU_ERR_BAD_IMAGE);
    ck_assert_int_eq(arm64_boot_plan_make(&ram, kernel, 0, 0, 0x1000, &p, why, sizeof why), EMU_ERR_BAD_IMAGE);
}
END_TEST

START_TEST(load_writes_kernel_initrd_and_dtb)
{
    ram_alloc(128 * MiB);
    make_image(0, 0x3000, 0);
    memset(ram.host + 0x200000 + sizeof kernel, 0xee, 0x100);       /* stale bytes in the BSS */
    uint8_t initrd[0x1000], dtb[0x100];
    memset(initrd, 0x5a, sizeof initrd);
    memset(dtb, 0xd7, sizeof dtb);
    arm64_boot_plan p = plan_ok(sizeof kernel, sizeof initrd, sizeof dtb);
    ck_assert_msg(arm64_boot_load(&ram, &p, kernel, sizeof kernel, initrd, sizeof initrd, dtb, sizeof dtb,
                                  why, sizeof why) == EMU_OK, "load: %s", why);
    ck_assert(memcmp(ram.host + 0x200000, kernel, sizeof kernel) == 0);
    ck_assert_msg(ram.host[0x200000 + sizeof kernel] == 0, "BSS up to image_size zeroed");
    ck_assert(memcmp(ram.host + (p.initrd_start - RAM_BASE), initrd, sizeof initrd) == 0);
    ck_assert(memcmp(ram.host + (p.dtb_start - RAM_BASE), dtb, sizeof dtb) == 0);
    ck_assert_int_eq(arm64_boot_load(&ram, &p, kernel, sizeof kernel, initrd, sizeof initrd, dtb, 0x10000,
                                     why, sizeof why), EMU_ERR_INVALID_ARG);
}
END_TEST

/* ELF64 executable for `machine`: one PT_LOAD of `code` at paddr with bss. */
static size_t build_elf(uint8_t *img, size_t cap, unsigned machine, uint64_t paddr, size_t len, size_t bss)
{
    memset(img, 0, cap);
    Elf64_Ehdr *eh = (Elf64_Ehdr *)img;
    memcpy(eh->e_ident, ELFMAG, SELFMAG);
    eh->e_ident[EI_CLASS] = ELFCLASS64;
    eh->e_ident[EI_DATA] = ELFDATA2LSB;
    eh->e_ident[EI_VERSION] = EV_CURRENT;
    eh->e_type = ET_EXEC;
    eh->e_machine = (Elf64_Half)machine;
    eh->e_version = EV_CURRENT;
    eh->e_entry = paddr + 8;
    eh->e_phoff = sizeof *eh;
    eh->e_ehsize = sizeof *eh;
    eh->e_phentsize = sizeof(Elf64_Phdr);
    eh->e_phnum = 1;
    Elf64_Phdr *ph = (Elf64_Phdr *)(img + sizeof *eh);
    ph->p_type = PT_LOAD;
    ph->p_flags = PF_R | PF_X;
    ph->p_offset = 0x100;
    ph->p_vaddr = ph->p_paddr = paddr;
    ph->p_filesz = len;
    ph->p_memsz = len + bss;
    memset(img + 0x100, 0xc3, len);
    return 0x100 + len;
}

START_TEST(elf_aarch64_into_a_ram_layout)
{
    ram_alloc(16 * MiB);
    uint8_t img[0x400];
    size_t n = build_elf(img, sizeof img, EM_AARCH64, 0x40080000, 0x40, 0x20);
    memset(ram.host + 0x80040, 0xee, 0x20);
    elf_info info;
    ck_assert_msg(elf_load_aarch64(img, n, &ram, &info, why, sizeof why) == EMU_OK, "load: %s", why);
    EXPECT("entry", info.entry, 0x40080008);
    ck_assert_uint_eq(ram.host[0x80000], 0xc3);
    ck_assert_uint_eq(ram.host[0x8003f], 0xc3);
    ck_assert_msg(ram.host[0x80040] == 0 && ram.host[0x8005f] == 0, "BSS zeroed");

    ck_assert_msg(elf_identify(img, n, &info, why, sizeof why) == EMU_ERR_UNSUPPORTED,
                  "the x86 machine still refuses AArch64 firmware");

    n = build_elf(img, sizeof img, EM_X86_64, 0x40080000, 0x40, 0);
    ck_assert_int_eq(elf_load_aarch64(img, n, &ram, &info, why, sizeof why), EMU_ERR_WRONG_ARCH);

    n = build_elf(img, sizeof img, EM_AARCH64, 0x100000, 0x40, 0);     /* below RAM */
    memset(ram.host, 0, 0x100);
    ck_assert_int_eq(elf_load_aarch64(img, n, &ram, &info, why, sizeof why), EMU_ERR_BAD_IMAGE);
    ck_assert_msg(strstr(why, "does not fit in RAM") != NULL, "why: %s", why);
    n = build_elf(img, sizeof img, EM_AARCH64, RAM_BASE + 16 * MiB - 0x20, 0x40, 0);   /* past the end */
    ck_assert_int_eq(elf_load_aarch64(img, n, &ram, &info, why, sizeof why), EMU_ERR_BAD_IMAGE);
}
END_TEST

START_TEST(elf_boot_plan_puts_the_dtb_at_ram_base)
{
    ram_alloc(128 * MiB);
    uint8_t img[0x400];
    size_t n = build_elf(img, sizeof img, EM_AARCH64, 0x40080000, 0x40, 0);
    arm64_boot_plan p;
    ck_assert_msg(arm64_boot_plan_make(&ram, img, n, 0, 0x1000, &p, why, sizeof why) == EMU_OK, "%s", why);
    EXPECT("kind", p.kind, ARM64_KERNEL_ELF);
    EXPECT("entry", p.entry, 0x40080008);
    EXPECT("DTB at RAM base", p.dtb_start, RAM_BASE);
    EXPECT("X0 not set for ELF", p.x0, 0);
    uint8_t dtb[0x40];
    memset(dtb, 0xd7, sizeof dtb);
    ck_assert_msg(arm64_boot_load(&ram, &p, img, n, NULL, 0, dtb, sizeof dtb, why, sizeof why) == EMU_OK, "%s", why);
    ck_assert_uint_eq(ram.host[0], 0xd7);
    ck_assert_uint_eq(ram.host[0x80000], 0xc3);

    ck_assert_int_eq(arm64_boot_plan_make(&ram, img, n, 0x1000, 0x1000, &p, why, sizeof why), EMU_ERR_INVALID_ARG);
    ck_assert_int_eq(arm64_boot_plan_make(&ram, img, n, 0, 0x100000, &p, why, sizeof why), EMU_ERR_BAD_IMAGE);
    n = build_elf(img, sizeof img, EM_AARCH64, RAM_BASE, 0x40, 0);
    ck_assert_msg(arm64_boot_plan_make(&ram, img, n, 0, 0x1000, &p, why, sizeof why) == EMU_OK, "%s", why);
    EXPECT("image at RAM base: no DTB", p.dtb_start, 0);
}
END_TEST

static Suite *arm64_boot_suite(void)
{
    Suite *s = suite_create("arm64_boot");
    TCase *tc = tcase_create("arm64_boot");
    tcase_add_checked_fixture(tc, NULL, teardown);
    tcase_add_test(tc, image_placement_matches_qemu);
    tcase_add_test(tc, initrd_position_rules);
    tcase_add_test(tc, refusals);
    tcase_add_test(tc, load_writes_kernel_initrd_and_dtb);
    tcase_add_test(tc, elf_aarch64_into_a_ram_layout);
    tcase_add_test(tc, elf_boot_plan_puts_the_dtb_at_ram_base);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return t_run_suite(arm64_boot_suite());
}
