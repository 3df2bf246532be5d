/*
 * Option parsing for `emu`. Spellings follow QEMU where a QEMU option does
 * the same job (--memory like -m, --cpu like -cpu, --append, --initrd), so a
 * QEMU command line carries over.
 */
#include "cli/options.h"

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void print_usage(FILE *out)
{
    fprintf(out,
"usage: emu [options] FIRMWARE.elf\n"
"\n"
"Run x86-64 firmware on a modelled pc machine (laid out like QEMU's `pc`),\n"
"with guest serial output (COM1) and the 0xe9 debug console on stdout, and\n"
"COM1 input from stdin when stdin is not a terminal. On a terminal, long runs\n"
"draw a progress line on stderr.\n"
"\n"
"An AArch64 file runs on a modelled virt machine (laid out like QEMU's\n"
"`-M virt`), its PL011 UART on stdout.\n"
"\n"
"Firmware:\n"
"  An ELF32 i386 file with a multiboot v1 header boots as QEMU's -kernel boots it\n"
"  (32-bit protected mode, EAX=0x2BADB002, EBX=multiboot info). A plain ELF64\n"
"  x86-64 file starts in 64-bit mode at CPL0 with an identity map (docs/boot.md).\n"
"  AArch64 loads as QEMU's -M virt -kernel loads it: an ELF at its addresses, a\n"
"  Linux arm64 Image at its text_offset, any other file with --arch aarch64 at\n"
"  RAM + 0x80000; a generated device tree; entry at EL1 with the MMU off and\n"
"  DAIF masked (docs/boot.md, docs/virt-platform.md).\n"
"\n"
"Options:\n"
"  -m, --memory SIZE     guest RAM; a number of MiB, or with a K/M/G suffix\n"
"                        (default 128M, at most 3G)\n"
"      --cpu MODEL[,+feat,-feat,feat=on|off,vendor=STRING]...\n"
"                        CPU model for CPUID, in QEMU's -cpu syntax\n"
"                        (default max; `--cpu help` lists models and features);\n"
"                        AArch64: cortex-a57 (default), cortex-a72 or max\n"
"      --append STRING   kernel command line (multiboot; AArch64: /chosen/bootargs),\n"
"                        like QEMU's -append\n"
"      --initrd FILE     load FILE as a multiboot module; repeatable, like\n"
"                        QEMU's -initrd with commas (AArch64: one, named in /chosen)\n"
"      --arch ARCH       x86_64 or aarch64: required for a raw AArch64 binary,\n"
"                        else taken from the file\n"
"      --gic 2|3         AArch64: GICv2 (default) or GICv3, as -M virt,gic-version\n"
"      --el 1|2          AArch64: enter at EL1 (default, PSCI over HVC) or EL2\n"
"                        (PSCI over SMC), as -M virt,virtualization=on\n"
"      --semihosting     AArch64: HLT #0xF000 is an Arm semihosting call (console\n"
"                        and exit only), as QEMU's -semihosting\n"
"      --boot MODE       auto (default), multiboot or elf64\n"
"      --max-insns N     stop after N instructions (exit status 8)\n"
"      --stats           print instructions retired and modelled cycles on stderr,\n"
"                        then the trap summary (as --summary)\n"
"\n"
"Traps (every delivery and return is a record; docs/traps.md):\n"
"      --trace-traps     print one line per record on stderr: kind, vector, error\n"
"                        code, privileges, stack, cycles (--log-traps: the same)\n"
"      --trace FILE      write every record to FILE as JSON Lines, with its costed\n"
"                        steps (docs/trace.md)\n"
"      --explain         narrate every record step by step in plain English on\n"
"                        stderr (docs/explain.md)\n"
"      --summary         at exit, print on stderr a table of records and modelled\n"
"                        cycles per kind and per vector (docs/explain.md)\n"
"      --break-on-exception\n"
"                        stop before delivering the first exception (exit status 12)\n"
"      --inject KIND@WHEN\n"
"                        request an interrupt deterministically; repeatable (32 at most).\n"
"                        KIND: x86-64: nmi, or a vector 0-255 (a maskable external\n"
"                        interrupt); AArch64: a GIC INTID (PPI 16-31, SPI 32 and up)\n"
"                        made pending at the GIC.\n"
"                        WHEN: SYMBOL[+OFFSET] or 0xADDRESS (before the instruction there\n"
"                        first runs), or cycle:N (when the modelled clock reaches N).\n"
"                        The CPU accepts it by the usual rules (IF, STI/MOV SS shadows,\n"
"                        NMI blocking until IRET; GIC enables and priorities, PSTATE.I),\n"
"                        e.g. --inject nmi@entry_syscall+3, --inject 33@el0_loop\n"
"  -h, --help            show this help and exit\n"
"  -V, --version         show the version and exit\n"
"\n"
"An option's value may follow it (--trace FILE) or be joined with '='\n"
"(--trace=FILE); -m also takes -m256M.\n"
"\n"
"Exit status:\n"
"  odd     the guest wrote V to isa-debug-exit (port 0xf4): (V << 1) | 1, as QEMU\n"
"  0       the guest halted with interrupts disabled; AArch64: PSCI SYSTEM_OFF,\n"
"          or a WFI nothing can wake\n"
"  N       AArch64 --semihosting: the guest's SYS_EXIT status\n"
"  2       bad command line, or firmware that cannot be loaded\n"
"  4       shutdown (triple fault)\n"
"  6       the guest requested a reset (port 0x64 or 0xcf9; AArch64: PSCI\n"
"          SYSTEM_RESET), as QEMU -no-reboot\n"
"  8       instruction limit (--max-insns) reached\n"
"  10      emulator error: an instruction, register or device emu does not model\n"
"  12      --break-on-exception stopped before an exception's delivery\n"
"\n"
"Every stop other than a guest exit is reported in one line on stderr.\n"
"Documentation: docs/cli.md, docs/boot.md, docs/pc-platform.md, docs/cpu-models.md,\n"
"docs/virt-platform.md, docs/traps.md, docs/trace.md, docs/explain.md.\n");
}

/* QEMU -m semantics: a bare number is MiB. */
static int parse_size(const char *s, uint64_t *out)
{
    errno = 0;
    char *end;
    unsigned long long v = strtoull(s, &end, 0);
    if (errno || end == s)
        return -1;
    uint64_t mult = 1ull << 20;
    if (*end) {
        switch (*end) {
        case 'k': case 'K': mult = 1ull << 10; break;
        case 'm': case 'M': mult = 1ull << 20; break;
        case 'g': case 'G': mult = 1ull << 30; break;
        case 'b': case 'B': mult = 1; break;
        default: return -1;
        }
        if (end[1] != '\0' && !((end[1] == 'i' || end[1] == 'B') && (end[2] == '\0' || (end[2] == 'B' && end[3] == '\0'))))
            return -1;
    }
    if (v > UINT64_MAX / mult)
        return -1;
    *out = v * mult;
    return 0;
}

static int parse_count(const char *s, uint64_t *out)
{
    errno = 0;
    char *end;
    unsigned long long v = strtoull(s, &end, 0);
    if (errno || end == s || *end || s[0] == '-')
        return -1;
    *out = v;
    return 0;
}

enum {
    OPT_CPU = 256, OPT_APPEND, OPT_INITRD, OPT_BOOT, OPT_MAX_INSNS, OPT_STATS, OPT_TRACE_TRAPS,
    OPT_BREAK_ON_EXCEPTION, OPT_TRACE, OPT_EXPLAIN, OPT_SUMMARY, OPT_INJECT,
    OPT_ARCH, OPT_GIC, OPT_EL, OPT_SEMIHOSTING,
};

int cli_parse(int argc, char **argv, cli_options *opts, int *exit_status)
{
    static const struct option longopts[] = {
        { "memory", required_argument, NULL, 'm' },
        { "cpu", required_argument, NULL, OPT_CPU },
        { "append", required_argument, NULL, OPT_APPEND },
        { "initrd", required_argument, NULL, OPT_INITRD },
        { "boot", required_argument, NULL, OPT_BOOT },
        { "max-insns", required_argument, NULL, OPT_MAX_INSNS },
        { "stats", no_argument, NULL, OPT_STATS },
        { "trace-traps", no_argument, NULL, OPT_TRACE_TRAPS },
        { "log-traps", no_argument, NULL, OPT_TRACE_TRAPS },     /* the name before --trace-traps */
        { "explain", no_argument, NULL, OPT_EXPLAIN },
        { "summary", no_argument, NULL, OPT_SUMMARY },
        { "break-on-exception", no_argument, NULL, OPT_BREAK_ON_EXCEPTION },
        { "trace", required_argument, NULL, OPT_TRACE },
        { "inject", required_argument, NULL, OPT_INJECT },
        { "arch", required_argument, NULL, OPT_ARCH },
        { "gic", required_argument, NULL, OPT_GIC },
        { "el", required_argument, NULL, OPT_EL },
        { "semihosting", no_argument, NULL, OPT_SEMIHOSTING },
        { "help", no_argument, NULL, 'h' },
        { "version", no_argument, NULL, 'V' },
        { NULL, 0, NULL, 0 },
    };
    memset(opts, 0, sizeof *opts);
    opts->boot = EMU_BOOT_AUTO;
    *exit_status = CLI_STATUS_USAGE;
    opterr = 0;
    int c;
    while ((c = getopt_long(argc, argv, ":m:hV", longopts, NULL)) != -1) {
        switch (c) {
        case 'm':
            if (parse_size(optarg, &opts->memory_bytes) != 0) {
                fprintf(stderr, "emu: --memory '%s': expected a size such as 128, 256M or 1G\n", optarg);
                return -1;
            }
            break;
        case OPT_CPU:
            opts->cpu = optarg;
            break;
        case OPT_APPEND:
            opts->append = optarg;
            break;
        case OPT_INITRD:
            if (opts->n_initrd == CLI_MAX_INITRD) {
                fprintf(stderr, "emu: at most %d --initrd modules\n", CLI_MAX_INITRD);
                return -1;
            }
            opts->initrd[opts->n_initrd++] = optarg;
            break;
        case OPT_BOOT:
            if (!strcmp(optarg, "auto"))
                opts->boot = EMU_BOOT_AUTO;
            else if (!strcmp(optarg, "multiboot"))
                opts->boot = EMU_BOOT_MULTIBOOT;
            else if (!strcmp(optarg, "elf64"))
                opts->boot = EMU_BOOT_ELF64;
            else {
                fprintf(stderr, "emu: --boot '%s': expected auto, multiboot or elf64\n", optarg);
                return -1;
            }
            break;
        case OPT_ARCH:
            if (!strcmp(optarg, "x86_64"))
                opts->arch = EMU_ARCH_X86_64;
            else if (!strcmp(optarg, "aarch64"))
                opts->arch = EMU_ARCH_AARCH64;
            else {
                fprintf(stderr, "emu: --arch '%s': expected x86_64 or aarch64\n", optarg);
                return -1;
            }
            break;
        case OPT_GIC:
            if (strcmp(optarg, "2") && strcmp(optarg, "3")) {
                fprintf(stderr, "emu: --gic '%s': expected 2 or 3\n", optarg);
                return -1;
            }
            opts->gic_version = optarg[0] - '0';
            break;
        case OPT_EL:
            if (strcmp(optarg, "1") && strcmp(optarg, "2")) {
                fprintf(stderr, "emu: --el '%s': expected 1 or 2\n", optarg);
                return -1;
            }
            opts->start_el = (unsigned)(optarg[0] - '0');
            break;
        case OPT_SEMIHOSTING:
            opts->semihosting = true;
            break;
        case OPT_MAX_INSNS:
            if (parse_count(optarg, &opts->max_insns) != 0 || opts->max_insns == 0) {
                fprintf(stderr, "emu: --max-insns '%s': expected a positive number\n", optarg);
                return -1;
            }
            break;
        case OPT_STATS:
            opts->stats = true;
            break;
        case OPT_TRACE_TRAPS:
            opts->trace_traps = true;
            break;
        case OPT_EXPLAIN:
            opts->explain = true;
            break;
        case OPT_SUMMARY:
            opts->summary = true;
            break;
        case OPT_TRACE:
            opts->trace_path = optarg;
            break;
        case OPT_INJECT:
            if (opts->n_inject == CLI_MAX_INJECT) {
                fprintf(stderr, "emu: at most %d --inject options\n", CLI_MAX_INJECT);
                *exit_status = CLI_STATUS_USAGE;
                return -1;
            }
            opts->inject[opts->n_inject++] = optarg;
            break;
        case OPT_BREAK_ON_EXCEPTION:
            opts->break_on_exception = true;
            break;
        case 'h':
            print_usage(stdout);
            *exit_status = 0;
            return -1;
        case 'V':
            printf("emu (ringside) %s\n", EMU_VERSION_STRING);
            *exit_status = 0;
            return -1;
        case ':':
            fprintf(stderr, "emu: option '%s' needs a value (see emu --help)\n", argv[optind - 1]);
            return -1;
        default:
            if (optopt && strchr(argv[optind - 1], '=')) {
                fprintf(stderr, "emu: option '%.*s' takes no value (see emu --help)\n",
                        (int)(strchr(argv[optind - 1], '=') - argv[optind - 1]), argv[optind - 1]);
                return -1;
            }
            fprintf(stderr, "emu: unknown option '%s' (see emu --help)\n", argv[optind - 1]);
            return -1;
        }
    }
    if (opts->cpu && !strcmp(opts->cpu, "help"))
        return 0;
    if (optind != argc - 1) {
        fprintf(stderr, "%s: usage: emu [options] FIRMWARE.elf (see emu --help)\n",
                optind >= argc ? "emu: no firmware file given" : "emu: expected one firmware file, got several");
        return -1;
    }
    opts->firmware = argv[optind];
    return 0;
}
