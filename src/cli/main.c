/*
 * `emu`: open the firmware, run it with guest output on stdout, report why
 * it stopped, and exit with a status that says the same (cli/options.h).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/inject.h"
#include "cli/options.h"
#include "emu/emu.h"

/* Progress is drawn every this many instructions, and only on a terminal. */
#define CLI_PROGRESS_CHUNK 200000000ull

static void console_to_stdout(void *ctx, const uint8_t *bytes, size_t len)
{
    fwrite(bytes, 1, len, stdout);
    if (ctx)
        fflush(stdout);     /* interactive: show output as it comes */
}

/*
 * Where trap records go: a text line (--trace-traps) and a narration
 * (--explain) on stderr, a JSON line to a file (--trace), and the counts
 * behind the summary (--summary, --stats). Each reads the record through
 * the library's formatters.
 */
typedef struct trap_sinks {
    bool text;
    bool explain;
    FILE *json;
    emu_trap_summary *summary;
} trap_sinks;

static void write_trap(void *ctx, const emu_trap *t)
{
    const trap_sinks *sinks = ctx;
    char text[EMU_TRAP_EXPLAIN_MAX > EMU_TRAP_JSON_MAX ? EMU_TRAP_EXPLAIN_MAX : EMU_TRAP_JSON_MAX];
    if (sinks->text && emu_trap_to_text(t, text, sizeof text))
        fprintf(stderr, "%s\n", text);
    if (sinks->explain && emu_trap_explain(t, text, sizeof text))
        fprintf(stderr, "%s\n", text);
    if (sinks->json && emu_trap_to_json(t, text, sizeof text))
        fprintf(sinks->json, "%s\n", text);
    if (sinks->summary)
        emu_trap_summary_add(sinks->summary, t);
}

static void print_summary(const emu_trap_summary *summary)
{
    char *text = malloc(EMU_TRAP_SUMMARY_TEXT_MAX);
    if (text && emu_trap_summary_to_text(summary, text, EMU_TRAP_SUMMARY_TEXT_MAX))
        fprintf(stderr, "%s\n", text);
    else
        fprintf(stderr, "emu: no memory for the trap summary\n");
    free(text);
}

static int status_for(const emu_stop *stop)
{
    switch (stop->kind) {
    case EMU_STOP_EXIT: return stop->exit_code;
    case EMU_STOP_HALT: return CLI_STATUS_HALT;
    case EMU_STOP_SHUTDOWN: return CLI_STATUS_SHUTDOWN;
    case EMU_STOP_RESET: return CLI_STATUS_RESET;
    case EMU_STOP_INSN_LIMIT: return CLI_STATUS_INSN_LIMIT;
    case EMU_STOP_EXCEPTION: return CLI_STATUS_EXCEPTION;
    case EMU_STOP_BREAKPOINT: return CLI_STATUS_BREAKPOINT;
    case EMU_STOP_ERROR:
    case EMU_STOP_NONE:
        break;
    }
    return CLI_STATUS_EMU_ERROR;
}

static void report_stop(const emu_stop *stop)
{
    if (stop->kind == EMU_STOP_EXIT)
        return;     /* the guest's own way out: nothing to add, as with QEMU */
    fprintf(stderr, "emu: %s: %s", emu_stop_kind_name(stop->kind), stop->message);
    if (stop->n_bytes && (stop->kind == EMU_STOP_ERROR || stop->kind == EMU_STOP_EXCEPTION)) {
        fprintf(stderr, " [bytes:");
        for (unsigned i = 0; i < stop->n_bytes; i++)
            fprintf(stderr, " %02x", stop->bytes[i]);
        fprintf(stderr, "]");
    }
    fputc('\n', stderr);
}

static emu_err run_with_progress(emu_machine *m, uint64_t max_insns, emu_stop *stop)
{
    bool progress = isatty(STDOUT_FILENO) && isatty(STDERR_FILENO);
    if (!progress)
        return emu_run(m, max_insns, stop);
    bool drawn = false;
    emu_err err;
    for (;;) {
        uint64_t done = emu_insn_count(m);
        uint64_t chunk = CLI_PROGRESS_CHUNK;
        if (max_insns && max_insns - done < chunk)
            chunk = max_insns - done;
        err = emu_run(m, chunk, stop);
        if (err != EMU_OK || stop->kind != EMU_STOP_INSN_LIMIT || (max_insns && emu_insn_count(m) >= max_insns))
            break;
        fprintf(stderr, "\r[emu] %llu M instructions", (unsigned long long)(emu_insn_count(m) / 1000000));
        drawn = true;
    }
    if (drawn)
        fprintf(stderr, "\r\033[K");
    return err;
}

int main(int argc, char **argv)
{
    cli_options cli;
    int status;
    if (cli_parse(argc, argv, &cli, &status) != 0)
        return status;
    if (cli.cpu && !strcmp(cli.cpu, "help")) {
        fputs(emu_x86_cpu_help(), stdout);
        fputs("\n", stdout);
        fputs(emu_a64_cpu_help(), stdout);
        return 0;
    }

    bool interactive = isatty(STDOUT_FILENO);
    emu_options opts;
    emu_options_init(&opts);
    opts.memory_bytes = cli.memory_bytes;
    opts.boot = cli.boot;
    opts.arch = cli.arch;
    opts.gic_version = cli.gic_version;
    opts.start_el = cli.start_el;
    opts.semihosting = cli.semihosting;
    opts.cpu_model = cli.cpu;
    opts.append = cli.append;
    opts.initrd = cli.initrd;
    opts.n_initrd = cli.n_initrd;
    opts.console = console_to_stdout;
    opts.console_ctx = interactive ? stdout : NULL;
    opts.console_input_fd = isatty(STDIN_FILENO) ? -1 : STDIN_FILENO;
    opts.break_on_exception = cli.break_on_exception;

    char why[640] = "";
    emu_machine *m = NULL;
    emu_err err = emu_open(cli.firmware, &opts, &m, why, sizeof why);
    if (err != EMU_OK) {
        fprintf(stderr, "emu: %s: %s\n", cli.firmware, why[0] ? why : emu_strerror(err));
        return CLI_STATUS_USAGE;
    }

    for (unsigned i = 0; i < cli.n_inject; i++) {
        if (cli_inject(m, cli.inject[i], why, sizeof why) != 0) {
            fprintf(stderr, "emu: --inject '%s': %s\n", cli.inject[i], why);
            emu_close(m);
            return CLI_STATUS_USAGE;
        }
    }

    trap_sinks sinks = { .text = cli.trace_traps, .explain = cli.explain };
    if (cli.summary || cli.stats) {
        sinks.summary = calloc(1, sizeof *sinks.summary);
        if (!sinks.summary) {
            fprintf(stderr, "emu: no memory for the trap summary\n");
            emu_close(m);
            return CLI_STATUS_EMU_ERROR;
        }
    }
    if (cli.trace_path) {
        sinks.json = fopen(cli.trace_path, "w");
        if (!sinks.json) {
            fprintf(stderr, "emu: --trace '%s': cannot create: %s\n", cli.trace_path, strerror(errno));
            free(sinks.summary);
            emu_close(m);
            return CLI_STATUS_USAGE;
        }
    }
    if (sinks.text || sinks.explain || sinks.json || sinks.summary)
        emu_set_trap_hook(m, write_trap, &sinks);
    emu_stop stop;
    err = run_with_progress(m, cli.max_insns, &stop);
    fflush(stdout);
    if (err != EMU_OK) {
        fprintf(stderr, "emu: run failed: %s\n", emu_strerror(err));
        free(sinks.summary);
        emu_close(m);
        return CLI_STATUS_EMU_ERROR;
    }
    report_stop(&stop);
    if (cli.stats)
        fprintf(stderr, "insns=%llu cycles=%llu\n", (unsigned long long)emu_insn_count(m),
                (unsigned long long)emu_cycle_count(m));
    if (sinks.summary)
        print_summary(sinks.summary);
    free(sinks.summary);
    status = status_for(&stop);
    emu_close(m);
    if (sinks.json && fclose(sinks.json) != 0) {
        fprintf(stderr, "emu: --trace '%s': write failed: %s\n", cli.trace_path, strerror(errno));
        return CLI_STATUS_EMU_ERROR;
    }
    return status;
}
