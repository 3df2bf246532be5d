/*
 * The public API's machine lifecycle and run control: open/create/close,
 * run/step and the translation of the interpreter's outcome into a stop
 * record a front end can print.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/machine.h"
#include "core/memory.h"
#include "loader/arm64_boot.h"
#include "loader/loader.h"
#include "platform/pc/boot.h"
#include "platform/pc/pc.h"
#include "platform/virt/virt_machine.h"
#include "platform/virt/virt_map.h"

/* RAM sizes emu accepts: enough for the 64-bit entry state, and all below the 4 GiB PCI hole. */
#define EMU_MIN_MEMORY (1ull << 20)
#define EMU_MAX_MEMORY (3ull << 30)
/* Slack after RAM so the predecode cache may compare 16 bytes at the last address. */
#define EMU_RAM_SLACK 16

const char *emu_strerror(emu_err err)
{
    switch (err) {
    case EMU_OK: return "success";
    case EMU_ERR_NOMEM: return "out of host memory";
    case EMU_ERR_IO: return "cannot read file";
    case EMU_ERR_NOT_ELF: return "not an ELF file";
    case EMU_ERR_BAD_ELF: return "malformed or truncated ELF file";
    case EMU_ERR_WRONG_ARCH: return "ELF file is for an architecture emu does not model";
    case EMU_ERR_BAD_IMAGE: return "firmware image cannot be loaded";
    case EMU_ERR_INVALID_ARG: return "invalid argument";
    case EMU_ERR_BAD_REG: return "register not valid for this machine";
    case EMU_ERR_BAD_ADDRESS: return "guest address not backed or not mapped";
    case EMU_ERR_BAD_CPU_MODEL: return "unknown CPU model or feature";
    case EMU_ERR_UNSUPPORTED: return "not modelled by emu";
    case EMU_ERR_STOPPED: return "machine has stopped for good";
    }
    return "unknown error";
}

const char *emu_stop_kind_name(emu_stop_kind kind)
{
    switch (kind) {
    case EMU_STOP_NONE: return "none";
    case EMU_STOP_EXIT: return "exit";
    case EMU_STOP_HALT: return "halt";
    case EMU_STOP_SHUTDOWN: return "shutdown";
    case EMU_STOP_RESET: return "reset";
    case EMU_STOP_INSN_LIMIT: return "instruction-limit";
    case EMU_STOP_BREAKPOINT: return "breakpoint";
    case EMU_STOP_EXCEPTION: return "exception";
    case EMU_STOP_ERROR: return "error";
    }
    return "unknown";
}

void emu_options_init(emu_options *opts)
{
    memset(opts, 0, sizeof *opts);
    opts->arch = EMU_ARCH_NONE;
    opts->boot = EMU_BOOT_AUTO;
    opts->x86_start = EMU_X86_START_LONG64;
    opts->console_input_fd = -1;
}

static void set_why(char *why, size_t why_len, const char *fmt, const char *arg)
{
    if (why && why_len)
        snprintf(why, why_len, fmt, arg);
}

static emu_err machine_alloc(const emu_options *opts, emu_arch arch, emu_machine **out,
                             char *why, size_t why_len)
{
    *out = NULL;
    uint64_t mem = opts->memory_bytes ? opts->memory_bytes : EMU_DEFAULT_MEMORY;
    if (mem < EMU_MIN_MEMORY || mem > EMU_MAX_MEMORY || (mem & X86_PAGE_MASK)) {
        set_why(why, why_len, "%s", "memory size must be a multiple of 4 KiB between 1M and 3G");
        return EMU_ERR_INVALID_ARG;
    }
    emu_machine *m = calloc(1, sizeof *m);
    if (!m)
        return EMU_ERR_NOMEM;
    m->arch = arch;
    m->opts = *opts;
    m->opts.initrd = NULL;      /* only valid during open; the multiboot loader reads them there */
    m->opts.n_initrd = 0;
    m->opts.append = NULL;
    m->opts.cpu_model = NULL;
    m->cost = &emu_cost_simple;
    m->ram_size = mem;
    m->ram = calloc(1, mem + EMU_RAM_SLACK);
    if (!m->ram) {
        free(m);
        return EMU_ERR_NOMEM;
    }
    if (arch == EMU_ARCH_AARCH64) {
        m->ram_base = VIRT_RAM_BASE;
        char virt_why[256] = "";
        if (virt_create(m, opts, virt_why, sizeof virt_why) != 0) {
            set_why(why, why_len, "%s", virt_why);
            emu_close(m);
            return EMU_ERR_INVALID_ARG;
        }
        *out = m;
        return EMU_OK;
    }
    char model_why[512] = "";
    if (x86_cpu_init(&m->cpu, m, opts->cpu_model, model_why, sizeof model_why) != 0) {
        set_why(why, why_len, "%s", model_why);
        emu_close(m);
        return EMU_ERR_BAD_CPU_MODEL;
    }
    /* The platform's devices attach to the CPU (its local APIC), so they come after it. */
    if (pc_create(m) != 0) {
        emu_close(m);
        return EMU_ERR_NOMEM;
    }
    *out = m;
    return EMU_OK;
}

void emu_close(emu_machine *m)
{
    if (!m)
        return;
    if (m->arch == EMU_ARCH_AARCH64) {
        virt_destroy(m);
    } else {
        x86_cpu_destroy(&m->cpu);
        pc_destroy(m);
    }
    loader_symbols_free(&m->symbols);
    free(m->firmware_path);
    free(m->ram);
    free(m);
}

emu_arch emu_machine_arch(const emu_machine *m)
{
    return m->arch;
}

emu_err emu_create(const emu_options *opts, emu_machine **out)
{
    emu_machine *m;
    emu_err err = machine_alloc(opts, opts->arch == EMU_ARCH_NONE ? EMU_ARCH_X86_64 : opts->arch, &m, NULL, 0);
    if (err != EMU_OK)
        return err;
    if (m->arch == EMU_ARCH_AARCH64) {
        virt_reset_state(m, m->ram_base, 0);
        *out = m;
        return EMU_OK;
    }
    if (opts->x86_start == EMU_X86_START_PROT32)
        pc_boot_multiboot_state(m, 0, 0);
    else if (pc_boot_long64_state(m, 0) != 0) {
        emu_close(m);
        return EMU_ERR_INVALID_ARG;
    }
    *out = m;
    return EMU_OK;
}

static emu_err boot_image(emu_machine *m, const uint8_t *image, size_t size, const emu_options *opts,
                          const elf_info *info, char *why, size_t why_len)
{
    multiboot_header_info mb;
    multiboot_find_header(image, size, &mb);
    emu_boot boot = opts->boot;
    if (boot == EMU_BOOT_AUTO)
        boot = (info->elf_class == 1 && mb.found) ? EMU_BOOT_MULTIBOOT : EMU_BOOT_ELF64;
    if (boot == EMU_BOOT_MULTIBOOT) {
        if (!mb.found) {
            set_why(why, why_len, "%s", "no multiboot header in the first 8 KiB of the file");
            return EMU_ERR_BAD_IMAGE;
        }
        m->opts.initrd = opts->initrd;
        m->opts.n_initrd = opts->n_initrd;
        m->opts.append = opts->append;
        emu_err err = multiboot_boot(m, image, size, &mb, why, why_len);
        m->opts.initrd = NULL;
        m->opts.n_initrd = 0;
        m->opts.append = NULL;
        return err;
    }
    if (info->elf_class != 2) {
        set_why(why, why_len, "%s", "32-bit ELF without a multiboot header: emu boots ELF32 files only as multiboot kernels");
        return EMU_ERR_BAD_IMAGE;
    }
    if (opts->n_initrd) {
        set_why(why, why_len, "%s", "--initrd needs a multiboot kernel; this is a plain ELF64 file");
        return EMU_ERR_INVALID_ARG;
    }
    elf_info loaded;
    emu_err err = elf_load(m, image, size, &loaded, why, why_len);
    if (err != EMU_OK)
        return err;
    if (loaded.load_end > m->ram_size - PC_BOOT64_RESERVED) {
        set_why(why, why_len, "%s", "ELF64 image overlaps the top 64 KiB of RAM, which holds emu's boot page tables: use a larger --memory");
        return EMU_ERR_BAD_IMAGE;
    }
    if (pc_boot_long64_state(m, loaded.entry) != 0)
        return EMU_ERR_INVALID_ARG;
    return EMU_OK;
}

static emu_err open_image(const uint8_t *image, size_t size, const emu_options *opts, const char *path,
                          emu_machine **out, char *why, size_t why_len)
{
    *out = NULL;
    elf_info info;
    emu_err err = elf_identify(image, size, &info, why, why_len);
    /* QEMU's -kernel on virt also takes a Linux arm64 Image, or any raw binary when asked for AArch64. */
    arm64_image_header hdr;
    if (err == EMU_ERR_NOT_ELF && (opts->arch == EMU_ARCH_AARCH64 || arm64_image_parse(image, size, &hdr))) {
        memset(&info, 0, sizeof info);
        info.arch = EMU_ARCH_AARCH64;
        err = EMU_OK;
        if (why && why_len)
            why[0] = '\0';
    }
    if (err != EMU_OK)
        return err;
    if (opts->arch != EMU_ARCH_NONE && opts->arch != info.arch) {
        set_why(why, why_len, "%s", "ELF architecture does not match the requested one");
        return EMU_ERR_WRONG_ARCH;
    }
    emu_machine *m;
    err = machine_alloc(opts, info.arch, &m, why, why_len);
    if (err != EMU_OK)
        return err;
    if (path && !(m->firmware_path = strdup(path))) {
        emu_close(m);
        return EMU_ERR_NOMEM;
    }
    if (m->arch == EMU_ARCH_AARCH64)
        err = virt_boot(m, image, size, opts, why, why_len);
    else
        err = boot_image(m, image, size, opts, &info, why, why_len);
    if (err == EMU_OK)
        err = loader_symbols_read(image, size, &m->symbols, why, why_len);
    if (err != EMU_OK) {
        emu_close(m);
        return err;
    }
    *out = m;
    return EMU_OK;
}

emu_err emu_open_image(const void *image, size_t size, const emu_options *opts,
                       emu_machine **out, char *why, size_t why_len)
{
    char local_why[256];
    if (!why || !why_len) {
        why = local_why;
        why_len = sizeof local_why;
    }
    why[0] = '\0';
    return open_image(image, size, opts, NULL, out, why, why_len);
}

emu_err emu_open(const char *path, const emu_options *opts, emu_machine **out, char *why, size_t why_len)
{
    char local_why[256];
    if (!why || !why_len) {
        why = local_why;
        why_len = sizeof local_why;
    }
    why[0] = '\0';
    *out = NULL;
    uint8_t *image;
    size_t size;
    emu_err err = loader_read_file(path, &image, &size, why, why_len);
    if (err != EMU_OK)
        return err;
    err = open_image(image, size, opts, path, out, why, why_len);
    free(image);
    return err;
}
