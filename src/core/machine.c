/*
 * Machine lifetime and the stop mechanism. A stop is requested by whoever
 * finds the reason (a device, a handler, the run loop) and returned by the
 * run loop once the current instruction has finished.
 */
#include "core/machine.h"
#include "platform/virt/virt_machine.h"

#include <stdio.h>

void machine_vstop(emu_machine *m, emu_stop_kind kind, const char *fmt, va_list ap)
{
    if (m->stop_pending)
        return;         /* the first reason wins: it is the cause */
    m->stop_pending = true;
    machine_attention(m);
    m->stop.kind = kind;
    m->stop.vector = -1;
    m->stop.pc = machine_pc(m);
    vsnprintf(m->stop.message, sizeof m->stop.message, fmt, ap);
}

uint64_t machine_pc(const emu_machine *m)
{
    return m->arch == EMU_ARCH_AARCH64 ? m->virt->cpu.pc : m->cpu.rip;
}

void machine_stop(emu_machine *m, emu_stop_kind kind, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    machine_vstop(m, kind, fmt, ap);
    va_end(ap);
}

void machine_console_write(emu_machine *m, const uint8_t *bytes, size_t len)
{
    if (m->opts.console)
        m->opts.console(m->opts.console_ctx, bytes, len);
}

void emu_set_trap_hook(emu_machine *m, emu_trap_fn fn, void *ctx)
{
    m->trap_hook = fn;
    m->trap_hook_ctx = ctx;
}

const char *emu_trap_kind_name(emu_trap_kind kind)
{
    switch (kind) {
    case EMU_TRAP_FAULT: return "fault";
    case EMU_TRAP_TRAP: return "trap";
    case EMU_TRAP_ABORT: return "abort";
    case EMU_TRAP_SOFTWARE: return "software";
    case EMU_TRAP_SYSCALL: return "syscall";
    case EMU_TRAP_RETURN: return "return";
    case EMU_TRAP_INTERRUPT: return "interrupt";
    case EMU_TRAP_NMI: return "nmi";
    case EMU_TRAP_CALL_GATE: return "call gate";
    }
    return "unknown";
}
