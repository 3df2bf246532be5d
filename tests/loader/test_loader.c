/*
 * Loader and boot-state tests: ELF64 direct boot and multiboot v1 entry,
 * through emu_open_image/emu_open only. Images are built here byte by byte.
 */
#include <check.h>
#include <elf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "emu_test.h"

#define LOAD_ADDR 0x100000u
#define MB_INFO   0x9500u
#define MB_MAGIC  0x1BADB002u

typedef struct image {
    uint8_t bytes[0x3000];
    size_t size;
} image;

/* ELF64 x86-64 executable: one PT_LOAD of `code` at LOAD_ADDR, with bss extra bytes zeroed. */
static void build_elf64(image *img, const uint8_t *code, size_t len, size_t bss)
{
    memset(img, 0, sizeof *img);
    Elf64_Ehdr *eh = (Elf64_Ehdr *)img->bytes;
    memcpy(eh->e_ident, ELFMAG, SELFMAG);
    eh->e_ident[EI_CLASS] = ELFCLASS64;
    eh->e_ident[EI_DATA] = ELFDATA2LSB;
    eh->e_ident[EI_VERSION] = EV_CURRENT;
    eh->e_type = ET_EXEC;
    eh->e_machine = EM_X86_64;
    eh->e_version = EV_CURRENT;
    eh->e_entry = LOAD_ADDR;
    eh->e_phoff = sizeof *eh;
    eh->e_ehsize = sizeof *eh;
    eh->e_phentsize = sizeof(Elf64_Phdr);
    eh->e_phnum = 1;
    Elf64_Phdr *ph = (Elf64_Phdr *)(img->bytes + sizeof *eh);
    ph->p_type = PT_LOAD;
    ph->p_flags = PF_R | PF_X | PF_W;
    ph->p_offset = 0x1000;
    ph->p_vaddr = ph->p_paddr = LOAD_ADDR;
    ph->p_filesz = len;
    ph->p_memsz = len + bss;
    ph->p_align = 0x1000;
    memcpy(img->bytes + 0x1000, code, len);
    img->size = 0x1000 + len;
}

/* ELF32 i386 executable with a multiboot header at the start of its segment. */
static void build_multiboot(image *img, const uint8_t *code, size_t len)
{
    memset(img, 0, sizeof *img);
    Elf32_Ehdr *eh = (Elf32_Ehdr *)img->bytes;
    memcpy(eh->e_ident, ELFMAG, SELFMAG);
    eh->e_ident[EI_CLASS] = ELFCLASS32;
    eh->e_ident[EI_DATA] = ELFDATA2LSB;
    eh->e_ident[EI_VERSION] = EV_CURRENT;
    eh->e_type = ET_EXEC;
    eh->e_machine = EM_386;
    eh->e_version = EV_CURRENT;
    eh->e_entry = LOAD_ADDR + 12;
    eh->e_phoff = sizeof *eh;
    eh->e_ehsize = sizeof *eh;
    eh->e_phentsize = sizeof(Elf32_Phdr);
    eh->e_phnum = 1;
    Elf32_Phdr *ph = (Elf32_Phdr *)(img->bytes + sizeof *eh);
    ph->p_type = PT_LOAD;
    ph->p_flags = PF_R | PF_X;
    ph->p_offset = 0x1000;
    ph->p_vaddr = ph->p_paddr = LOAD_ADDR;
    ph->p_filesz = ph->p_memsz = (Elf32_Word)(12 + len);
    ph->p_align = 0x1000;
    uint32_t hdr[3] = { MB_MAGIC, 0, (uint32_t)-(int32_t)MB_MAGIC };
    memcpy(img->bytes + 0x1000, hdr, sizeof hdr);
    memcpy(img->bytes + 0x100c, code, len);
    img->size = 0x100c + len;
}

static emu_machine *open_image(const image *img, const emu_options *opts)
{
    emu_machine *m = NULL;
    char why[256] = "";
    emu_err err = emu_open_image(img->bytes, img->size, opts, &m, why, sizeof why);
    ck_assert_msg(err == EMU_OK, "emu_open_image: %s (%s)", emu_strerror(err), why);
    return m;
}

static uint32_t phys32(emu_machine *m, uint64_t pa)
{
    uint32_t v = 0;
    ck_assert_msg(emu_mem_read_phys(m, pa, &v, 4) == EMU_OK, "read 0x%llx", (unsigned long long)pa);
    return v;
}

static void phys_string(emu_machine *m, uint64_t pa, char *buf, size_t len)
{
    ck_assert(emu_mem_read_phys(m, pa, buf, len) == EMU_OK);
    buf[len - 1] = '\0';
}

START_TEST(elf64_entry_state)
{
    static const uint8_t code[] = { 0xfa, 0xf4 };   /* cli; hlt */
    image img;
    build_elf64(&img, code, sizeof code, 0x100);
    emu_options opts;
    emu_options_init(&opts);
    emu_machine *m = open_image(&img, &opts);
    T_EXPECT_REG(m, EMU_X86_RIP, LOAD_ADDR, "elf64 entry");
    T_EXPECT_REG(m, EMU_X86_CS, 0x08, "elf64 CS");
    T_EXPECT_REG(m, EMU_X86_SS, 0x18, "elf64 SS");
    T_EXPECT_REG(m, EMU_X86_CPL, 0, "elf64 CPL");
    T_EXPECT_REG(m, EMU_X86_CR0, 0x80010033, "elf64 CR0 = PG|WP|NE|ET|MP|PE");
    T_EXPECT_REG(m, EMU_X86_CR4, 0x20, "elf64 CR4 = PAE");
    T_EXPECT_REG(m, EMU_X86_EFER, 0x500, "elf64 EFER = LMA|LME");
    T_EXPECT_REG(m, EMU_X86_RSP, (128ull << 20) - 0x10000, "elf64 RSP below the boot tables");
    T_EXPECT_REG(m, EMU_X86_RFLAGS, 0x2, "elf64 RFLAGS");
    uint8_t loaded[2 + 0x100];
    ck_assert(emu_mem_read_phys(m, LOAD_ADDR, loaded, sizeof loaded) == EMU_OK);
    ck_assert_msg(memcmp(loaded, code, sizeof code) == 0, "elf64 segment bytes copied");
    for (size_t i = sizeof code; i < sizeof loaded; i++)
        ck_assert_msg(loaded[i] == 0, "elf64 bss byte %zu zeroed", i);
    /* The identity map makes virtual addresses equal physical ones. */
    uint8_t byte;
    ck_assert_msg(emu_mem_read_virt(m, 64ull << 20, &byte, 1) == EMU_OK, "elf64 identity map reaches 64 MiB");
    emu_stop stop = t_run(m, 100);
    ck_assert_msg(stop.kind == EMU_STOP_HALT, "elf64 cli;hlt stops as halt, got %s: %s",
                  emu_stop_kind_name(stop.kind), stop.message);
    emu_close(m);
}
END_TEST

START_TEST(multiboot_entry_state)
{
    static const uint8_t code[] = { 0xf4 };
    image img;
    build_multiboot(&img, code, sizeof code);
    emu_options opts;
    emu_options_init(&opts);
    opts.append = "console=ttyS0 quiet";
    emu_machine *m = open_image(&img, &opts);
    T_EXPECT_REG(m, EMU_X86_RIP, LOAD_ADDR + 12, "multiboot entry");
    T_EXPECT_REG(m, EMU_X86_RAX, 0x2BADB002, "multiboot EAX magic");
    T_EXPECT_REG(m, EMU_X86_RBX, MB_INFO, "multiboot EBX info");
    T_EXPECT_REG(m, EMU_X86_CR0, 0x11, "multiboot CR0 = ET|PE (paging off)");
    T_EXPECT_REG(m, EMU_X86_EFER, 0, "multiboot EFER");
    T_EXPECT_REG(m, EMU_X86_RFLAGS, 0x2, "multiboot EFLAGS: IF clear");
    T_EXPECT_REG(m, EMU_X86_CS_BASE, 0, "multiboot CS base");

    uint32_t flags = phys32(m, MB_INFO);
    ck_assert_msg((flags & 0x24f) == 0x24f, "multiboot info flags 0x%x: want memory, boot device, cmdline, mods, mmap, name",
                  flags);
    ck_assert_msg(phys32(m, MB_INFO + 4) == 639, "mem_lower %u", phys32(m, MB_INFO + 4));
    /* QEMU 7.2 with SeaBIOS reports 129920 KiB for 128 MiB: RAM - 1 MiB - 128 KiB. */
    ck_assert_msg(phys32(m, MB_INFO + 8) == 129920, "mem_upper %u, want QEMU's 129920", phys32(m, MB_INFO + 8));
    char cmdline[64];
    phys_string(m, phys32(m, MB_INFO + 16), cmdline, sizeof cmdline);
    ck_assert_msg(strcmp(cmdline, " console=ttyS0 quiet") == 0,
                  "cmdline is '<path> <append>' (no path for an in-memory image): got '%s'", cmdline);
    ck_assert_msg(phys32(m, MB_INFO + 20) == 0, "no modules");
    uint32_t mmap_len = phys32(m, MB_INFO + 44), mmap = phys32(m, MB_INFO + 48);
    ck_assert_msg(mmap_len == 5 * 24, "mmap length %u", mmap_len);
    uint64_t covered = 0;
    for (uint32_t off = 0; off < mmap_len; off += 24) {
        ck_assert_msg(phys32(m, mmap + off) == 20, "mmap entry size field");
        if (phys32(m, mmap + off + 20) == 1)
            covered += phys32(m, mmap + off + 12);
    }
    ck_assert_msg(covered == 0x9fc00 + (128ull << 20) - 0x100000 - 0x20000, "mmap usable RAM %llu",
                  (unsigned long long)covered);
    char name[8];
    phys_string(m, phys32(m, MB_INFO + 64), name, sizeof name);
    ck_assert_msg(strcmp(name, "emu") == 0, "boot loader name '%s'", name);
    emu_close(m);
}
END_TEST

START_TEST(multiboot_modules_from_files)
{
    char dir[] = "/tmp/emu-loader-XXXXXX";
    ck_assert(mkdtemp(dir));
    char path_a[128], path_b[128];
    snprintf(path_a, sizeof path_a, "%s/a.mod", dir);
    snprintf(path_b, sizeof path_b, "%s/b.mod", dir);
    FILE *f = fopen(path_a, "wb");
    fputs("first module", f);
    fclose(f);
    f = fopen(path_b, "wb");
    fputs("second", f);
    fclose(f);

    static const uint8_t code[] = { 0xf4 };
    image img;
    build_multiboot(&img, code, sizeof code);
    char kpath[128];
    snprintf(kpath, sizeof kpath, "%s/kernel.elf", dir);
    f = fopen(kpath, "wb");
    fwrite(img.bytes, 1, img.size, f);
    fclose(f);

    const char *mods[] = { path_a, path_b };
    emu_options opts;
    emu_options_init(&opts);
    opts.initrd = mods;
    opts.n_initrd = 2;
    emu_machine *m = NULL;
    char why[256] = "";
    emu_err err = emu_open(kpath, &opts, &m, why, sizeof why);
    ck_assert_msg(err == EMU_OK, "emu_open with modules: %s", why);

    char cmdline[160], want[160];
    phys_string(m, phys32(m, MB_INFO + 16), cmdline, sizeof cmdline);
    snprintf(want, sizeof want, "%s ", kpath);
    ck_assert_msg(strcmp(cmdline, want) == 0, "cmdline '%s', want '%s' (QEMU: path, space, append)", cmdline, want);
    ck_assert_msg(phys32(m, MB_INFO + 20) == 2, "mods_count");
    uint32_t mods_addr = phys32(m, MB_INFO + 24);
    const char *want_data[] = { "first module", "second" };
    uint32_t prev_end = 0;
    for (unsigned i = 0; i < 2; i++) {
        uint32_t start = phys32(m, mods_addr + 16 * i), end = phys32(m, mods_addr + 16 * i + 4);
        ck_assert_msg((start & 0xfff) == 0, "module %u page-aligned: 0x%x", i, start);
        ck_assert_msg(start >= prev_end && start >= LOAD_ADDR, "module %u after kernel/previous", i);
        ck_assert_msg(end - start == strlen(want_data[i]), "module %u length", i);
        char data[32] = "";
        ck_assert(emu_mem_read_phys(m, start, data, end - start) == EMU_OK);
        ck_assert_msg(memcmp(data, want_data[i], end - start) == 0, "module %u contents", i);
        char str[160];
        phys_string(m, phys32(m, mods_addr + 16 * i + 8), str, sizeof str);
        ck_assert_msg(strcmp(str, mods[i]) == 0, "module %u string '%s'", i, str);
        prev_end = end;
    }
    emu_close(m);
    unlink(path_a);
    unlink(path_b);
    unlink(kpath);
    rmdir(dir);
}
END_TEST

START_TEST(rejects_bad_images)
{
    static const uint8_t code[] = { 0xf4 };
    image img;
    emu_options opts;
    emu_options_init(&opts);
    emu_machine *m = (emu_machine *)1;
    char why[256];

    build_elf64(&img, code, sizeof code, 0);
    for (size_t cut = 0; cut < 0x1000; cut += 7) {
        m = (emu_machine *)1;
        why[0] = '\0';
        emu_err err = emu_open_image(img.bytes, cut, &opts, &m, why, sizeof why);
        ck_assert_msg(err != EMU_OK && m == NULL && why[0], "truncated to %zu bytes: refused with a reason", cut);
    }

    build_elf64(&img, code, sizeof code, 0);
    Elf64_Phdr *ph = (Elf64_Phdr *)(img.bytes + sizeof(Elf64_Ehdr));
    ph->p_paddr = 0x7ffff000ull;   /* beyond 128 MiB of RAM */
    emu_err err = emu_open_image(img.bytes, img.size, &opts, &m, why, sizeof why);
    ck_assert_msg(err == EMU_ERR_BAD_IMAGE && strstr(why, "does not fit in RAM"),
                  "segment outside RAM: %s / %s", emu_strerror(err), why);

    build_elf64(&img, code, sizeof code, 0);
    ph = (Elf64_Phdr *)(img.bytes + sizeof(Elf64_Ehdr));
    ph->p_filesz = 0x100000;       /* runs past the end of the file */
    ph->p_memsz = 0x100000;
    err = emu_open_image(img.bytes, img.size, &opts, &m, why, sizeof why);
    ck_assert_msg(err == EMU_ERR_BAD_ELF, "segment past end of file: %s / %s", emu_strerror(err), why);

    build_elf64(&img, code, sizeof code, 0);
    opts.memory_bytes = 12345;
    err = emu_open_image(img.bytes, img.size, &opts, &m, why, sizeof why);
    ck_assert_msg(err == EMU_ERR_INVALID_ARG, "memory not a page multiple: %s", emu_strerror(err));
}
END_TEST

static Suite *loader_suite(void)
{
    Suite *s = suite_create("loader");
    TCase *tc = tcase_create("boot");
    tcase_add_test(tc, elf64_entry_state);
    tcase_add_test(tc, multiboot_entry_state);
    tcase_add_test(tc, multiboot_modules_from_files);
    tcase_add_test(tc, rejects_bad_images);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return t_run_suite(loader_suite());
}
