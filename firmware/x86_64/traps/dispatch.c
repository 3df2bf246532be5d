/*
 * trap_dispatch: one line per event with what the handler observed, checked
 * against the expected sequence. Addresses are printed relative to known
 * points (instruction labels, the pre-trap RSP, the TSS stack pointers) so
 * the output does not depend on where the image is linked.
 */
#include "boot/boot.h"
#include "lib/exit.h"
#include "lib/serial.h"
#include "traps/cases.h"
#include "traps/expect.h"
#include "entry/frame.h"
#include "entry/gdt.h"
#include "lib/x86.h"

/* RFLAGS bits printed. Not RF: QEMU's TCG pushes RF = 0 for faults (README.md). */
#define RFLAGS_SHOWN (X86_RFLAGS_IF | X86_RFLAGS_TF | X86_RFLAGS_FIXED1)

volatile uint64_t trap_pre_rsp;
volatile uint16_t user_segs[4];

static unsigned next_event;
static unsigned mismatches;

static const char *const stack_names[] = {
    [STACK_SAME] = "same", [STACK_RSP0] = "RSP0", [STACK_IST1] = "IST1",
};

static bool within(uint64_t addr, const uint8_t *stack)
{
    uint64_t lo = (uint64_t)(uintptr_t)stack;
    return addr >= lo && addr <= lo + TRAP_STACK_SIZE;
}

/* The frame ends just above the saved SS: where the CPU started pushing. */
static uint64_t frame_end(const struct trap_frame *f)
{
    return (uint64_t)(uintptr_t)(&f->ss + 1);
}

static enum stack_kind stack_of(const struct trap_frame *f, uint64_t *ref, const char **ref_name)
{
    uint64_t end = frame_end(f);
    if (within(end, ist1_stack)) {
        *ref = gdt_ist1();
        *ref_name = "ist1";
        return STACK_IST1;
    }
    if (within(end, rsp0_stack)) {
        *ref = gdt_rsp0();
        *ref_name = "rsp0";
        return STACK_RSP0;
    }
    *ref = trap_pre_rsp;
    *ref_name = "pre";
    return STACK_SAME;
}

static void check(bool ok, const char *what)
{
    if (ok)
        return;
    serial_puts("  MISMATCH: ");
    serial_puts(what);
    serial_puts("\n");
    mismatches++;
}

static void put_segments(void)
{
    static const char *const names[] = { "ds", "es", "fs", "gs" };
    serial_puts("ring 3 after IRETQ from CPL0: data selectors");
    for (unsigned i = 0; i < 4; i++) {
        serial_puts(" ");
        serial_puts(names[i]);
        serial_puts(" ");
        serial_put_hex(user_segs[i]);
    }
    serial_puts("\n");
    /* IRET to an outer level nulls data segments with DPL < new CPL (vol. 2, IRET). */
    for (unsigned i = 0; i < 4; i++)
        check(user_segs[i] == 0, "a DPL0 data selector survived IRETQ to CPL3");
}

__attribute__((noreturn)) static void unexpected(const struct trap_frame *f)
{
    serial_puts("unexpected: vector ");
    serial_put_u64(f->vector);
    serial_puts(" error ");
    serial_put_hex(f->error);
    serial_puts(" rip ");
    serial_put_hex(f->rip);
    serial_puts(" cs ");
    serial_put_hex(f->cs);
    serial_puts(" rsp ");
    serial_put_hex(f->rsp);
    serial_puts(" cr2 ");
    serial_put_hex(x86_read_cr2());
    serial_puts(" after ");
    serial_put_u64(next_event);
    serial_puts(" expected events\n");
    debug_exit(DEBUG_EXIT_FAILURE);
}

static void report(const struct expect *e, const struct trap_frame *f, uint16_t handler_ss)
{
    uint64_t cr2 = e->vector == X86_VEC_PF ? x86_read_cr2() : 0;
    uint64_t insn = (uint64_t)(uintptr_t)e->insn;
    uint64_t resume = (uint64_t)(uintptr_t)e->resume;
    uint64_t ref;
    const char *ref_name;
    enum stack_kind stack = stack_of(f, &ref, &ref_name);
    bool aligned = (frame_end(f) & 0xf) == 0;

    serial_puts(e->name);
    serial_puts(" (");
    serial_puts(e->what);
    serial_puts("): vector ");
    serial_put_u64(f->vector);
    uint64_t error_mask = e->error_shown ? e->error_shown : ~0ull;
    if (e->error == NO_ERROR_CODE) {
        serial_puts(" error -");
    } else {
        serial_puts(e->error_shown ? " error-flags " : " error ");
        serial_put_hex(f->error & error_mask);
    }
    if (e->vector == X86_VEC_PF) {
        serial_puts(" cr2 ");
        serial_put_hex(cr2);
    }
    serial_put_offset(" rip insn", f->rip, insn);
    serial_puts(" cs ");
    serial_put_hex(f->cs);
    serial_puts(" rflags ");
    serial_put_hex(f->rflags & RFLAGS_SHOWN);
    serial_put_offset(" rsp pre", f->rsp, trap_pre_rsp);
    serial_puts(" ss ");
    serial_put_hex(f->ss);
    serial_puts(" stack ");
    serial_puts(stack_names[stack]);
    serial_puts(" frame-end ");
    serial_put_offset(ref_name, frame_end(f), ref);
    serial_puts(aligned ? " aligned yes" : " aligned no");
    if (!e->hide_handler_ss) {
        serial_puts(" handler-ss ");
        serial_put_hex(handler_ss);
    }
    serial_puts("\n");

    if (e->error != NO_ERROR_CODE)
        check((f->error & error_mask) == ((uint64_t)e->error & error_mask), "error code");
    if (e->vector == X86_VEC_PF)
        check(cr2 == e->cr2, "CR2");
    check(f->rip == (e->fault ? insn : resume), "saved RIP");
    check(f->cs == e->cs && f->ss == e->ss, "saved CS or SS");
    check(f->rsp == trap_pre_rsp, "saved RSP");
    check(stack == e->stack, "stack");
    check(aligned && frame_end(f) == (ref & ~0xfull), "stack alignment");
    /* SS is loaded with a null selector (RPL = new CPL) on a privilege change (6.14.4). */
    if (!e->hide_handler_ss)
        check(handler_ss == ((f->cs & X86_SEL_RPL_MASK) == 0 ? SEL_KERNEL_DS : 0), "handler SS");
}

void trap_dispatch(struct trap_frame *f)
{
    uint16_t handler_ss = x86_read_ss();
    if (next_event >= expected_count || f->vector != expected_events[next_event].vector)
        unexpected(f);
    const struct expect *e = &expected_events[next_event++];

    report(e, f, handler_ss);
    if (f->vector == VEC_USER_CALL)
        put_segments();
    if (e->fault)
        f->rip = (uint64_t)(uintptr_t)e->resume;

    if (f->vector == VEC_FINISH) {
        serial_puts("traps: ");
        serial_put_u64(next_event);
        serial_puts(" of ");
        serial_put_u64(expected_count);
        serial_puts(" events, ");
        serial_put_u64(mismatches);
        serial_puts(" mismatches\n");
        debug_exit(mismatches == 0 && next_event == expected_count ? DEBUG_EXIT_SUCCESS
                                                                  : DEBUG_EXIT_FAILURE);
    }
}
