/*
 * The NMI and INTR inputs (intr.h) and the injections of emu_inject: an
 * injected NMI latches the NMI input; an injected vector is held like a
 * controller's request until the CPU acknowledges it. On AArch64 an injected
 * INTID goes to the GIC (machine_intc.inject), which signals the CPU.
 */
#include "core/intr.h"

#include <stdio.h>
#include <string.h>

#include "core/machine.h"

#define INJECTED_SOURCE "injected"

void machine_set_intc(emu_machine *m, const machine_intc *intc)
{
    m->intc = *intc;
}

void machine_raise_nmi(emu_machine *m, const char *source)
{
    /* NMI is edge-triggered: a second request while one is latched is the same request (SDM vol. 3, 6.7.1). */
    m->nmi_latched = true;
    m->nmi_source = source;
    machine_attention(m);
}

void machine_set_intr(emu_machine *m, bool asserted)
{
    m->intr_line = asserted;
    if (asserted)
        machine_attention(m);
}

static int highest_injected(const emu_machine *m)
{
    for (int word = 3; word >= 0; word--)
        if (m->injected_vectors[word])
            return word * 64 + 63 - __builtin_clzll(m->injected_vectors[word]);
    return -1;
}

bool machine_intr_requested(const emu_machine *m)
{
    return m->intr_line || highest_injected(m) >= 0;
}

int machine_intr_acknowledge(emu_machine *m, emu_trap *rec)
{
    /* Injected vectors first: they stand for a device that outranks the rest, and tests rely on it. */
    int vector = highest_injected(m);
    if (vector >= 0) {
        m->injected_vectors[vector / 64] &= ~(1ull << (vector % 64));
        snprintf(rec->source, sizeof rec->source, "%s", INJECTED_SOURCE);
        return vector;
    }
    if (m->intr_line && m->intc.acknowledge)
        return m->intc.acknowledge(m, m->intc.ctx, rec);
    return -1;
}

const char *machine_nmi_take(emu_machine *m)
{
    m->nmi_latched = false;
    return m->nmi_source ? m->nmi_source : "";
}

static void fire(emu_machine *m, machine_injection *inj)
{
    inj->done = true;
    if (m->arch == EMU_ARCH_AARCH64) {
        m->intc.inject(m->intc.ctx, inj->req.intid, false);
        machine_attention(m);
    } else if (inj->req.nmi) {
        machine_raise_nmi(m, INJECTED_SOURCE);
    } else {
        m->injected_vectors[inj->req.vector / 64] |= 1ull << (inj->req.vector % 64);
        machine_attention(m);
    }
}

/* One timer serves every injection at a cycle: it fires those due and re-arms for the next. */
static void arm_inject_timer(emu_machine *m)
{
    uint64_t next = UINT64_MAX;
    for (unsigned i = 0; i < m->n_injections; i++) {
        const machine_injection *inj = &m->injections[i];
        if (!inj->done && inj->req.when == EMU_INJECT_AT_CYCLE && inj->req.at < next)
            next = inj->req.at;
    }
    if (next != UINT64_MAX)
        machine_timer_arm(m, &m->inject_timer, next);
}

static void fire_at_cycle(emu_machine *m, void *ctx)
{
    (void)ctx;
    for (unsigned i = 0; i < m->n_injections; i++) {
        machine_injection *inj = &m->injections[i];
        if (!inj->done && inj->req.when == EMU_INJECT_AT_CYCLE && inj->req.at <= m->cycles)
            fire(m, inj);
    }
    arm_inject_timer(m);
}

bool machine_inject_at_pc(emu_machine *m, uint64_t pc)
{
    bool fired = false;
    for (unsigned i = 0; i < m->n_injections; i++) {
        machine_injection *inj = &m->injections[i];
        if (!inj->done && inj->req.when == EMU_INJECT_AT_PC && inj->req.at == pc) {
            fire(m, inj);
            m->n_pc_injections--;
            fired = true;
        }
    }
    return fired;
}

emu_err emu_inject(emu_machine *m, const emu_injection *req)
{
    if (m->arch == EMU_ARCH_AARCH64) {
        if (req->nmi || !m->intc.inject)
            return EMU_ERR_UNSUPPORTED;
        if (!m->intc.inject(m->intc.ctx, req->intid, true))
            return EMU_ERR_INVALID_ARG;
    } else if (m->arch != EMU_ARCH_X86_64) {
        return EMU_ERR_UNSUPPORTED;
    }
    if (req->when != EMU_INJECT_AT_PC && req->when != EMU_INJECT_AT_CYCLE)
        return EMU_ERR_INVALID_ARG;
    if (m->n_injections == EMU_MAX_INJECTIONS)
        return EMU_ERR_INVALID_ARG;
    if (req->when == EMU_INJECT_AT_CYCLE && !m->inject_timer.fn &&
        machine_timer_register(m, &m->inject_timer, "injection", fire_at_cycle, NULL) != 0)
        return EMU_ERR_INVALID_ARG;
    m->injections[m->n_injections++] = (machine_injection){ .req = *req };
    if (req->when == EMU_INJECT_AT_CYCLE)
        arm_inject_timer(m);
    else
        m->n_pc_injections++;
    return EMU_OK;
}

emu_err emu_symbol_lookup(const emu_machine *m, const char *name, uint64_t *value)
{
    return loader_symbols_find(&m->symbols, name, value) == 0 ? EMU_OK : EMU_ERR_INVALID_ARG;
}
