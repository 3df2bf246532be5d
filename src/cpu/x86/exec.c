/*
 * The execution loop: fetch through the predecode cache, run the handler,
 * retire. The cache is direct-mapped by linear RIP; each entry keeps the raw
 * bytes it was decoded from and is checked against the bytes now at RIP on
 * every hit (two masked 64-bit compares), so self-modifying and cross-
 * modifying code, and a new CR3 mapping other bytes at the same address,
 * need no invalidation (SDM vol. 3, 11.6 asks for exactly that behaviour).
 *
 * A handler returning X86_FAULT leaves RIP at the instruction (a fault);
 * trap-class events (INT n, INT3, INTO, INT1) retire the instruction first,
 * so the saved RIP is the next one (SDM vol. 3, 6.5).
 */
#include <stdio.h>
#include <stdlib.h>

#include "core/machine.h"
#include "cpu/x86/dcache.h"
#include "cpu/x86/handlers.h"
#include "entry/x86/entry.h"

#define DCACHE_BITS 12
#define DCACHE_ENTRIES (1u << DCACHE_BITS)
#define DCACHE_NO_TAG UINT64_MAX
#define INSN_MAX_BYTES 15
#define FETCH_WINDOW 16                 /* two 64-bit words cover any instruction */

/* 128 bytes: two cache lines, and the slot index scales by a shift. */
typedef struct __attribute__((aligned(128))) x86_dcache_entry {
    uint64_t tag;                       /* dcache_tag() of the linear RIP, or DCACHE_NO_TAG */
    uint64_t raw[2];                    /* the instruction's bytes, zero beyond its length */
    uint64_t mask[2];                   /* which bits of raw[] are instruction bytes */
    x86_insn insn;
} x86_dcache_entry;

struct x86_dcache {
    x86_dcache_entry entry[DCACHE_ENTRIES];
};

struct x86_dcache *x86_dcache_new(void)
{
    struct x86_dcache *dc = aligned_alloc(_Alignof(struct x86_dcache), sizeof *dc);
    if (!dc)
        return NULL;
    for (unsigned i = 0; i < DCACHE_ENTRIES; i++)
        dc->entry[i].tag = DCACHE_NO_TAG;
    return dc;
}

void x86_dcache_free(struct x86_dcache *dc)
{
    free(dc);
}

static inline x86_dcache_entry *dcache_slot(struct x86_dcache *dc, uint64_t lin)
{
    return &dc->entry[lin & (DCACHE_ENTRIES - 1)];
}

/* A cache entry's tag: the linear RIP with the code size folded in (X86_CODE_SIZE_TAG). */
static inline uint64_t dcache_tag(const x86_cpu *cpu, uint64_t lin)
{
    return lin ^ cpu->code_size_tag;
}

static inline uint64_t load64(const uint8_t *p)
{
    uint64_t v;
    memcpy(&v, p, sizeof v);
    return v;
}

static inline bool entry_matches(const x86_dcache_entry *e, const uint8_t *window)
{
    return (((load64(window) ^ e->raw[0]) & e->mask[0]) |
            ((load64(window + 8) ^ e->raw[1]) & e->mask[1])) == 0;
}

/* Linear address of CS:RIP; outside 64-bit mode it wraps at 4 GiB. */
static inline uint64_t code_linear(const x86_cpu *cpu, uint64_t rip)
{
    if (x86_long64(cpu))
        return rip;
    return (uint32_t)(cpu->seg[X86_CS].base + rip);
}

/* Host pointer to the code at lin with the bytes left in its page (TLB hit inline). */
static inline x86_status code_ptr(x86_cpu *cpu, uint64_t lin, const uint8_t **p, unsigned *avail)
{
    const x86_tlb_entry *te = x86_tlb_lookup(&cpu->tlb, cpu->cpl == 3, lin);
    if (X86_LIKELY(te && te->host_exec)) {
        *p = te->host_exec + (lin & X86_PAGE_MASK);
        *avail = (unsigned)(X86_PAGE_SIZE - (lin & X86_PAGE_MASK));
        return X86_OK;
    }
    return x86_fetch_ptr(cpu, lin, p, avail);
}

/*
 * Fill window[] with the bytes at lin when fewer than FETCH_WINDOW remain
 * in the page: the bytes of this page, and of the next page only when
 * `need` (the instruction's length, if known) or a decode says the
 * instruction continues there, since only then may its fetch fault.
 */
static x86_status fetch_split(x86_cpu *cpu, uint64_t lin, const uint8_t *p, unsigned avail,
                              unsigned need, uint8_t window[FETCH_WINDOW], unsigned *have)
{
    memset(window, 0, FETCH_WINDOW);
    unsigned n = avail < INSN_MAX_BYTES ? avail : INSN_MAX_BYTES;
    memcpy(window, p, n);
    if (need == 0) {
        x86_insn probe;
        need = x86_decode(window, n, cpu->code_size, &probe) == X86_DECODE_SHORT ? INSN_MAX_BYTES : n;
    }
    if (need > n) {
        const uint8_t *p2;
        unsigned avail2;
        x86_status st = code_ptr(cpu, code_linear(cpu, cpu->rip + n), &p2, &avail2);
        if (st != X86_OK)
            return st;
        unsigned more = INSN_MAX_BYTES - n;
        if (more > avail2)
            more = avail2;
        memcpy(window + n, p2, more);
        n += more;
    }
    *have = n;
    return X86_OK;
}

/* Decode the instruction in window[] into the cache slot, or raise what the decode found. */
static x86_status fill_entry(x86_cpu *cpu, x86_dcache_entry *e, uint64_t lin, const uint8_t *window,
                             unsigned have, const x86_insn **out)
{
    x86_insn insn;
    int len = x86_decode(window, have, cpu->code_size, &insn);
    if (len < 0) {
        e->tag = DCACHE_NO_TAG;
        if (len == X86_DECODE_TOO_LONG)
            return x86_gp0(cpu);            /* SDM vol. 2, 2.3.11 */
        if (len == X86_DECODE_INVALID)
            return x86_ud(cpu);
        machine_stop(cpu->machine, EMU_STOP_ERROR,
                     "instruction at 0x%llx runs past the end of RAM", (unsigned long long)cpu->rip);
        return X86_STOP;
    }
    e->tag = dcache_tag(cpu, lin);
    e->insn = insn;
    uint8_t bytes[FETCH_WINDOW] = { 0 };
    memcpy(bytes, window, (size_t)len);
    e->raw[0] = load64(bytes);
    e->raw[1] = load64(bytes + 8);
    e->mask[0] = len >= 8 ? ~0ull : (1ull << (8 * len)) - 1;
    e->mask[1] = len <= 8 ? 0 : (1ull << (8 * (len - 8))) - 1;
    *out = &e->insn;
    return X86_OK;
}

/* Every case but "cached and more than a window from the page end": kept out of the hot loop. */
static __attribute__((noinline)) x86_status fetch_decoded_slow(x86_cpu *cpu, uint64_t lin, const x86_insn **out)
{
    const uint8_t *p;
    unsigned avail;
    x86_status st = code_ptr(cpu, lin, &p, &avail);
    if (X86_UNLIKELY(st != X86_OK))
        return st;
    x86_dcache_entry *e = dcache_slot(cpu->dcache, lin);
    bool tag_ok = e->tag == dcache_tag(cpu, lin);
    if (avail >= FETCH_WINDOW) {
        /* A TLB hit with the page executable: the next fetches from this page may skip the TLB. */
        const x86_tlb_entry *te = x86_tlb_lookup(&cpu->tlb, cpu->cpl == 3, lin);
        if (te && te->host_exec) {
            cpu->fetch_page[cpu->cpl == 3] = lin >> X86_PAGE_SHIFT;
            cpu->fetch_host[cpu->cpl == 3] = te->host_exec;
        }
        if (tag_ok && entry_matches(e, p)) {
            *out = &e->insn;
            return X86_OK;
        }
        return fill_entry(cpu, e, lin, p, FETCH_WINDOW, out);
    }
    /* Near the end of a page: the instruction may continue on the next one. */
    uint8_t window[FETCH_WINDOW];
    unsigned have;
    st = fetch_split(cpu, lin, p, avail, tag_ok ? e->insn.length : 0, window, &have);
    if (st != X86_OK)
        return st;
    if (tag_ok && entry_matches(e, window)) {
        *out = &e->insn;
        return X86_OK;
    }
    return fill_entry(cpu, e, lin, window, have, out);
}

/* The common case inline: RIP on the last fetch's page, a full window left in it, cache hit, bytes
 * unchanged. */
static inline __attribute__((always_inline)) x86_status fetch_decoded(x86_cpu *cpu, bool long64,
                                                                      const x86_insn **out)
{
    uint64_t lin = long64 ? cpu->rip : code_linear(cpu, cpu->rip);
    const int user = cpu->cpl == 3;
    if (X86_LIKELY(lin >> X86_PAGE_SHIFT == cpu->fetch_page[user] &&
                   (lin & X86_PAGE_MASK) <= X86_PAGE_SIZE - FETCH_WINDOW)) {
        const x86_dcache_entry *e = dcache_slot(cpu->dcache, lin);
        if (X86_LIKELY(e->tag == dcache_tag(cpu, lin) &&
                       entry_matches(e, cpu->fetch_host[user] + (lin & X86_PAGE_MASK)))) {
            *out = &e->insn;
            return X86_OK;
        }
    }
    return fetch_decoded_slow(cpu, lin, out);
}

static inline void retire(x86_cpu *cpu, emu_machine *m, uint32_t cost, bool had_shadow)
{
    cpu->rip = cpu->next_rip;
    m->insns++;
    m->cycles += cost;
    /* STI / MOV SS blocking lasts for the one instruction that follows (SDM vol. 3, 6.8.3). */
    if (had_shadow)
        cpu->interrupt_shadow = 0;
}

/*
 * After a completed instruction that began with TF or RF set, or met a data
 * or I/O breakpoint: RF, which suppressed instruction breakpoints for this
 * one instruction, clears (SDM vol. 3, 18.3.1.1); a single step (TF) or a
 * data or I/O breakpoint raises the #DB trap with DR6.BS / B0-B3, the saved
 * RIP the next instruction. MOV SS / POP SS hold debug traps back one more
 * instruction (6.8.3), so they stay pending while that shadow is open.
 */
static __attribute__((noinline)) x86_status after_debug_instruction(x86_cpu *cpu, uint64_t insn_rip,
                                                                     uint64_t flags_before)
{
    if (flags_before & X86_FLAG_RF)
        cpu->rflags &= ~X86_FLAG_RF;
    if (cpu->interrupt_shadow & X86_SHADOW_MOV_SS)
        return X86_OK;
    bool step = (flags_before & X86_FLAG_TF) != 0;
    if (!step && !cpu->dr_hits)
        return X86_OK;
    if (cpu->dr_hits)
        cpu->dr[6] = (cpu->dr[6] & ~X86_DR6_B_MASK) | cpu->dr_hits;
    if (step)
        cpu->dr[6] |= X86_DR6_BS;
    cpu->dr_hits = 0;
    x86_status st = x86_raise(cpu, X86_VEC_DB, X86_EVENT_TRAP);
    cpu->fault.insn_rip = insn_rip;
    return st;
}

/*
 * One instruction. `debug` is a compile-time constant: the common copy skips
 * every debug-exception check; the loop picks the debug copy only while a
 * breakpoint is enabled or RFLAGS.TF/RF is set (x86_debug_attention).
 */
static inline __attribute__((always_inline)) x86_status exec_one(x86_cpu *cpu, emu_machine *m, uint32_t cost,
                                                                 bool debug)
{
    const x86_insn *insn;
    /* Instruction breakpoints come before the fetch and its faults (vol. 3, table 6-2). */
    if (debug && cpu->dr_exec_mask) {
        x86_status bp = x86_debug_instruction_breakpoint(cpu, code_linear(cpu, cpu->rip));
        if (bp != X86_OK)
            return bp;
    }
    /* The mode cannot change before the handler runs. */
    const bool long64 = x86_long64(cpu);
    x86_status st = fetch_decoded(cpu, long64, &insn);
    if (X86_UNLIKELY(st != X86_OK))
        return st;
    uint64_t next = cpu->rip + insn->length;
    if (!long64) {
        /* Every byte of the instruction must lie within the CS limit (SDM vol. 3, 5.3). */
        if (X86_UNLIKELY(next - 1 > cpu->seg[X86_CS].limit))
            return x86_gp0(cpu);
        next = (uint32_t)next;
    }
    cpu->next_rip = next;
    bool had_shadow = cpu->interrupt_shadow != 0;
    /* Single-step traps after an instruction that began with TF set (SDM vol. 3, 18.3.1.4). */
    uint64_t debug_flags = debug ? cpu->rflags & (X86_FLAG_TF | X86_FLAG_RF) : 0;
    st = insn->handler(cpu, insn);
    if (X86_LIKELY(st == X86_OK)) {
        uint64_t insn_rip = cpu->rip;
        retire(cpu, m, cost, had_shadow);
        if (debug && (debug_flags | cpu->dr_hits))
            return after_debug_instruction(cpu, insn_rip, debug_flags);
        return X86_OK;
    }
    if (debug)
        cpu->dr_hits = 0;   /* a faulting instruction did not complete its accesses */
    /* A trap between REP iterations leaves RIP on the instruction, which resumes (18.3.1.2). */
    if (st == X86_FAULT && cpu->fault.kind == X86_EVENT_TRAP && !cpu->fault.string_iteration) {
        cpu->fault.insn_rip = cpu->rip;
        retire(cpu, m, cost, had_shadow);
    }
    return st;
}

static __attribute__((noinline)) x86_status exec_one_debug(x86_cpu *cpu, emu_machine *m, uint32_t cost)
{
    return exec_one(cpu, m, cost, true);
}

/* Must this instruction go through the debug checks? */
static inline bool x86_debug_attention(const x86_cpu *cpu)
{
    return cpu->dr_enabled || (cpu->rflags & (X86_FLAG_TF | X86_FLAG_RF));
}

/* Stop before an instruction at a breakpoint, unless resuming over that one. */
static bool at_breakpoint(x86_cpu *cpu, emu_machine *m)
{
    if (m->skip_breakpoint) {
        m->skip_breakpoint = false;
        if (m->skip_breakpoint_at == cpu->rip)
            return false;
    }
    for (unsigned i = 0; i < m->n_breakpoints; i++) {
        if (m->breakpoints[i] == cpu->rip) {
            machine_stop(m, EMU_STOP_BREAKPOINT, "breakpoint at 0x%llx", (unsigned long long)cpu->rip);
            m->stop.pc = cpu->rip;
            return true;
        }
    }
    return false;
}

/*
 * Deliver an exception here rather than return it to emu_run, which would
 * deliver it at once: not when it must stop first (break on exception), and
 * only after an instruction retired since this run or the last delivery here
 * began, so emu_run's trap-storm count (run.c) would be 1 and the check can
 * pass. Anything else goes back to emu_run, which counts and delivers.
 */
static bool deliver_here(x86_cpu *cpu, emu_machine *m)
{
    if (m->opts.break_on_exception || m->insns == cpu->run_delivery_mark)
        return false;
    cpu->run_delivery_mark = m->insns;
    cpu->run_delivered = true;
    return true;
}

/* An instruction ended with st != X86_OK: X86_OK if its exception was delivered here and the
 * loop goes on, else the status to return. Out of line, so the loop keeps its registers. */
static __attribute__((noinline)) x86_status after_fault(x86_cpu *cpu, emu_machine *m, x86_status st)
{
    if (st != X86_FAULT || !deliver_here(cpu, m))
        return st;
    return x86_deliver_recorded(cpu);
}

/*
 * The run loop, specialised by the caller on whether it must look at each
 * RIP (breakpoints, injections at a PC). It returns X86_OK early when the
 * clock reaches next_event, so the caller can service timers, interrupts
 * and stop requests at this instruction boundary.
 */
static inline __attribute__((always_inline)) x86_status run_loop(x86_cpu *cpu, emu_machine *m, uint64_t max_insns,
                                                                 uint32_t cost, bool watch_rip)
{
    for (uint64_t i = 0; i < max_insns; i++) {
        if (watch_rip) {
            if (at_breakpoint(cpu, m))
                return X86_STOP;
            if (m->n_pc_injections && machine_inject_at_pc(m, cpu->rip))
                return X86_OK;
        }
        x86_status st = X86_UNLIKELY(x86_debug_attention(cpu)) ? exec_one_debug(cpu, m, cost)
                                                               : exec_one(cpu, m, cost, false);
        /* After a delivery here, i has counted the faulting instruction whether or not it retired,
         * so the budget is never overrun (a short count only returns to emu_run early). */
        if (X86_UNLIKELY(st != X86_OK) && (st = after_fault(cpu, m, st)) != X86_OK)
            return st;
        /* One compare covers timers, interrupt requests and a device's stop request (events.h). */
        if (X86_UNLIKELY(m->cycles >= m->next_event))
            return m->stop_pending ? X86_STOP : X86_OK;
    }
    return X86_OK;
}

x86_status x86_run(x86_cpu *cpu, uint64_t max_insns, uint64_t *retired)
{
    emu_machine *m = cpu->machine;
    const uint64_t start = m->insns;
    x86_status st = X86_OK;
    /* Neither the cost profile nor the breakpoint list changes while instructions run. */
    const uint32_t cost = m->cost->insn_base;
    cpu->run_delivery_mark = start;
    cpu->run_delivered = false;
    if (m->stop_pending)
        st = X86_STOP;
    else if (!cpu->halted)
        st = (m->n_breakpoints | m->n_pc_injections) ? run_loop(cpu, m, max_insns, cost, true)
                                                     : run_loop(cpu, m, max_insns, cost, false);
    *retired += m->insns - start;
    return st;
}

x86_status x86_step(x86_cpu *cpu)
{
    uint64_t retired = 0;
    return x86_run(cpu, 1, &retired);
}

/* ---- Raising events ---- */

x86_status x86_raise(x86_cpu *cpu, uint8_t vector, x86_event_kind kind)
{
    cpu->fault = (x86_fault){ .vector = vector, .kind = kind };
    return X86_FAULT;
}

x86_status x86_raise_error(x86_cpu *cpu, uint8_t vector, uint32_t error_code)
{
    cpu->fault = (x86_fault){ .vector = vector, .has_error_code = true, .error_code = error_code,
                              .kind = X86_EVENT_FAULT };
    return X86_FAULT;
}

x86_status x86_raise_pf(x86_cpu *cpu, uint64_t lin, uint32_t error_code)
{
    cpu->fault = (x86_fault){ .vector = X86_VEC_PF, .has_error_code = true, .error_code = error_code,
                              .cr2 = lin, .kind = X86_EVENT_FAULT };
    return X86_FAULT;
}

x86_status x86_unsupported(x86_cpu *cpu, const x86_insn *insn, const char *what)
{
    emu_machine *m = cpu->machine;
    uint8_t bytes[FETCH_WINDOW] = { 0 };
    unsigned n = 0;
    const x86_dcache_entry *e = dcache_slot(cpu->dcache, code_linear(cpu, cpu->rip));
    if (e->tag == dcache_tag(cpu, code_linear(cpu, cpu->rip)) && &e->insn == insn) {
        n = insn->length;
        memcpy(bytes, e->raw, sizeof e->raw);
    }
    char hex[3 * FETCH_WINDOW + 1] = "";
    size_t at = 0;
    for (unsigned i = 0; i < n; i++)
        at += (size_t)snprintf(hex + at, sizeof hex - at, "%s%02x", i ? " " : "", bytes[i]);
    machine_stop(m, EMU_STOP_ERROR, "unsupported instruction %s at rip 0x%llx [%s]: emu does not model it",
                 what ? what : insn->mnemonic, (unsigned long long)cpu->rip, hex);
    if (m->stop.kind == EMU_STOP_ERROR && m->stop.pc == cpu->rip) {
        memcpy(m->stop.bytes, bytes, n);
        m->stop.n_bytes = n;
    }
    return X86_STOP;
}
