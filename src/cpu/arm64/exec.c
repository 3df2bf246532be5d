/*
 * One step of the A64 interpreter: PC alignment check, fetch through the
 * memory callback, decode, the CPACR_EL1.FPEN check for SIMD&FP encodings,
 * execute, and commit of the next PC. Synchronous exceptions are taken in
 * the Arm ARM's priority order (D1.13.2, "Synchronous exception
 * prioritization") for the ones modelled here: PC alignment, instruction
 * abort, Illegal Execution state, UNDEFINED, the FP access trap, then what
 * the instruction itself raises.
 */
#include <string.h>

#include "cpu/arm64/a64_handlers.h"
#include "cpu/arm64/debug.h"

/* An instruction word from its little-endian bytes: one load (A64 instructions are always
 * little-endian, Arm ARM B2.6.2), a byte swap only on a big-endian host. */
static inline uint32_t insn_word(const uint8_t *p)
{
    uint32_t w;
    memcpy(&w, p, sizeof w);
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
    w = __builtin_bswap32(w);
#endif
    return w;
}

/* An older code page hint serving the PC becomes the newest, for fetch_fast: false if none does. */
static bool promote_fetch_hint(a64_cpu *cpu)
{
    a64_page_hint *hints = cpu->hint[A64_ACC_FETCH];
    for (unsigned j = 1; j < A64_HINT_SLOTS; j++) {
        if (hints[j].el_tag == cpu->pstate.el + 1u && hints[j].va_page == cpu->pc >> A64_HINT_PAGE_SHIFT &&
            a64_hints_usable(cpu)) {
            a64_page_hint newest = hints[j];
            hints[j] = hints[0];
            hints[0] = newest;
            a64_refresh_shortcuts(cpu);
            return true;
        }
    }
    return false;
}

/* Out of line, so that the fast path in a64_step needs no frame for the access record. */
static __attribute__((noinline)) a64_status fetch(a64_cpu *cpu, uint32_t *insn)
{
    if (!cpu->ops.access)
        return a64_unsupported(cpu, 0, "a64_step without a memory interface (a64_ops.access)");
    if (cpu->pc & 3) {
        a64_raise(cpu, 0, ESR_EC_PC_ALIGN, 0);
        cpu->exc.far_valid = true;
        cpu->exc.far = cpu->pc;
        return A64_EXCEPTION;
    }
    if (promote_fetch_hint(cpu)) {
        *insn = insn_word(cpu->hint[A64_ACC_FETCH][0].host + (cpu->pc & A64_HINT_PAGE_MASK));
        return A64_OK;
    }
    uint8_t b[4] = { 0 };
    a64_access acc = { .va = cpu->pc, .size = 4, .kind = A64_ACC_FETCH, .el = cpu->pstate.el };
    a64_mem_fault fault = { .far_valid = true, .far = cpu->pc };
    if (cpu->ops.access(cpu->ops.ctx, &acc, b, &fault) != A64_MEM_OK) {
        esr_ec ec = cpu->pstate.el == 0 ? ESR_EC_IABT_LOWER : ESR_EC_IABT_CUR;
        a64_raise(cpu, 0, ec, (fault.fsc & ESR_ISS_FSC_MASK) | (fault.s1ptw ? ESR_ISS_DABT_S1PTW : 0));
        cpu->exc.far_valid = true;
        cpu->exc.far = fault.far;
        cpu->exc.ipa = fault.ipa;
        return A64_EXCEPTION;
    }
    *insn = insn_word(b);
    return A64_OK;
}

/* Does the newest code page hint serve a fetch at this (aligned) PC? */
static inline bool newest_fetch_hint_serves(const a64_cpu *cpu)
{
    const a64_page_hint *h = &cpu->hint[A64_ACC_FETCH][0];
    return h->el_tag == cpu->pstate.el + 1u && h->va_page == cpu->pc >> A64_HINT_PAGE_SHIFT &&
           a64_hints_usable(cpu);
}

/* The fetch through the newest code page hint when it serves this PC (an aligned PC never crosses a
 * page), else through the older hints or ops.access. */
static inline a64_status fetch_fast(a64_cpu *cpu, uint32_t *insn)
{
    const a64_page_hint *h = &cpu->hint[A64_ACC_FETCH][0];
    uint64_t pc = cpu->pc;
    if ((pc & 3) || !newest_fetch_hint_serves(cpu))
        return fetch(cpu, insn);
    *insn = insn_word(h->host + (pc & A64_HINT_PAGE_MASK));
    return A64_OK;
}

/* Decoded rows by PC, each checked against the instruction word fetched now (so code written since
 * is decoded afresh): the lookup by word alone costs a hash and a call per instruction. The row is a
 * function of the word, so one table serves every CPU.
 *
 * An entry also remembers where fetch_fast found the word of the instruction at `pc`: through the
 * code page hint with serial `hint` (0: nothing remembered). While that hint is the newest and serves
 * the current EL (cpu->fetch_key), fetch_fast would read the same host address, so a64_run_batch
 * reads it there at once. Serials are unique across CPUs, so that half of the entry is as shareable
 * as the rest. Only a word with a direct handler is remembered: hint != 0 implies direct != NULL.
 *
 * The remembered pc carries PREDECODE_BRANCHES when the row may branch (A64_GRP_BRANCH): only those
 * handlers set cpu->next_pc to anything but the next instruction's address (a64.h), so a batch presets
 * and reads it back for them alone, and finds the others with the one compare of pc. */
#define PREDECODE_BITS 12
#define PREDECODE_BRANCHES 1ull     /* in predecode_entry.pc, whose bits 1:0 a remembered PC leaves 0 */
typedef struct predecode_entry {
    uint64_t pc;                /* of the remembered fetch, with PREDECODE_BRANCHES */
    uint64_t hint;              /* serial of the code page hint the word was fetched through */
    const uint8_t *word;        /* the word's host address through that hint */
    a64_handler direct;         /* the handler of an integer row: nothing to check before calling it */
    uint32_t insn;
    bool branches;              /* the row is A64_GRP_BRANCH */
    const a64_row *row;         /* NULL: empty (undefined words are not kept) */
} predecode_entry;
static predecode_entry predecode[1u << PREDECODE_BITS];

/* The entry of the instruction at pc: bits PREDECODE_BITS+1..2 of the PC index the table. The byte
 * offset is computed from the PC's bits in place (no shift down and up again). */
#define PREDECODE_PC_MASK ((((uint64_t)1 << PREDECODE_BITS) - 1) << 2)
_Static_assert(sizeof(predecode_entry) % 4 == 0, "predecode entries are a whole number of words");

static inline predecode_entry *predecoded(uint64_t pc)
{
    return (predecode_entry *)((char *)predecode + (pc & PREDECODE_PC_MASK) * (sizeof(predecode_entry) / 4));
}

static const a64_row *lookup_by_pc(predecode_entry *e, uint32_t insn)
{
    if (e->row && e->insn == insn)
        return e->row;
    const a64_row *row = a64_lookup(insn);
    e->insn = insn;
    e->row = row;
    e->direct = row && !row->fp ? row->handler : NULL;
    e->branches = row && row->group == A64_GRP_BRANCH;
    e->hint = 0;
    return row;
}

/* After fetching the entry's word at cpu->pc through fetch_fast: remember where it is, if that was
 * through the newest code page hint and a batch may use it (cpu->fetch_key). */
static inline void remember_fetch(const a64_cpu *cpu, predecode_entry *e)
{
    const a64_page_hint *h = &cpu->hint[A64_ACC_FETCH][0];
    uint64_t pc = cpu->pc;
    if (cpu->fetch_key != h->serial || h->va_page != pc >> A64_HINT_PAGE_SHIFT)
        return;
    e->pc = pc | (e->branches ? PREDECODE_BRANCHES : 0);
    e->hint = h->serial;
    e->word = h->host + (pc & A64_HINT_PAGE_MASK);
}

/* Execute a decoded instruction and commit its PC. */
static inline a64_status execute(a64_cpu *cpu, a64_handler handler, uint32_t insn)
{
    cpu->next_pc = cpu->pc + 4;
    a64_status st = handler(cpu, insn);
    if (__builtin_expect(st == A64_OK, 1) || st == A64_WFI || st == A64_WFE)
        cpu->pc = cpu->next_pc;
    return st;
}

/* The rest of a step when the predecode entry has no direct handler: decode (D1.13.2 order: UNDEFINED,
 * then the FP access trap), then execute. Out of line, so that the common path needs no frame. */
static __attribute__((noinline)) a64_status decode_and_execute(a64_cpu *cpu, predecode_entry *e, uint32_t insn)
{
    const a64_row *row = lookup_by_pc(e, insn);
    if (!row)
        return a64_undefined(cpu, insn);
    if (row->fp) {
        a64_status st = a64_check_fp_enabled(cpu, insn);
        if (st != A64_OK)
            return st;
    }
    if (!row->handler)
        return row->fp ? a64_simd_unsupported(cpu, insn, row->name) : a64_unsupported(cpu, insn, row->name);
    return execute(cpu, row->handler, insn);
}

/* One step without any debug check; with `remember`, the fetch is remembered for a64_run_batch. */
static inline a64_status step_insn(a64_cpu *cpu, bool remember)
{
    uint32_t insn = 0;
    /* While self-hosted debug is active, a64_hints_usable() keeps the fast paths out of its way. */
    a64_status st = fetch_fast(cpu, &insn);
    if (st != A64_OK)
        return st;
    /* PSTATE.IL set by an illegal return: the instruction takes an Illegal
     * Execution state exception instead of executing (D1.11.5). */
    if (cpu->pstate.il)
        return a64_raise(cpu, insn, ESR_EC_ILLEGAL_STATE, 0);
    predecode_entry *e = predecoded(cpu->pc);
    if (!e->direct || e->insn != insn)
        return decode_and_execute(cpu, e, insn);
    if (remember)
        remember_fetch(cpu, e);
    return execute(cpu, e->direct, insn);
}

a64_status a64_step_insn(a64_cpu *cpu)
{
    return step_insn(cpu, false);
}

/* Self-hosted debug (debug.c) only while a breakpoint, watchpoint or software step is armed. */
a64_status a64_step(a64_cpu *cpu)
{
    a64_refresh_shortcuts(cpu);     /* for whatever changed PSTATE since the last step */
    if (cpu->debug_attention)
        return a64_debug_step(cpu);
    return step_insn(cpu, false);
}

/* A step of a batch whose word is not remembered (or no longer as it is): as a64_step, remembering. */
static __attribute__((noinline)) a64_status step_remembering(a64_cpu *cpu)
{
    if (cpu->debug_attention)
        return a64_debug_step(cpu);
    return step_insn(cpu, true);
}

/* Is the entry's remembered word the instruction at its PC now? When the code page hint it was
 * fetched through is still the newest and serves this EL, with no debug or IL in the way
 * (cpu->fetch_key), fetch_fast would read it there; then it is decoded as before if it is the same. */
static inline bool remembered_word_holds(const a64_cpu *cpu, const predecode_entry *e)
{
    return e->hint == cpu->fetch_key && insn_word(e->word) == e->insn;
}

a64_status a64_run_batch(a64_cpu *cpu, a64_batch *b)
{
    uint64_t *clock = b->clock;
    const uint64_t *deadline = b->deadline;
    uint64_t left = b->max;
    a64_status st = A64_OK;
    /* After an exception entry or return the newest code page hint is usually the other EL's: make the
     * one for this PC the newest now, as the first fetch would, so that the batch starts on the words
     * remembered from it. */
    if (cpu->ops.access && !(cpu->pc & 3) && !newest_fetch_hint_serves(cpu))
        promote_fetch_hint(cpu);
    a64_refresh_shortcuts(cpu);
    /* The PC lives here and in cpu->pc, which every handler reads; each step commits it to both. Few
     * values live across the handler's call, so that all stay in registers (b->cost is read where
     * it is added). */
    uint64_t pc = cpu->pc;
    for (;;) {
        const predecode_entry *e = predecoded(pc);
        uint64_t next;
        if (__builtin_expect(e->pc == pc, 1) && remembered_word_holds(cpu, e)) {
            st = e->direct(cpu, e->insn);
            next = pc + 4;
        } else if (e->pc == (pc | PREDECODE_BRANCHES) && remembered_word_holds(cpu, e)) {
            cpu->next_pc = pc + 4;
            st = e->direct(cpu, e->insn);
            next = cpu->next_pc;
        } else {
            st = step_remembering(cpu);     /* which commits the PC itself */
            next = cpu->pc;
        }
        if (__builtin_expect(st != A64_OK, 0)) {
            if (st == A64_WFI || st == A64_WFE)
                cpu->pc = next;
            break;
        }
        cpu->pc = next;
        *clock += b->cost;
        if (--left == 0 || *clock >= *deadline)
            break;
        pc = next;
    }
    b->done = b->max - left;
    b->pc = pc;
    return st;
}
