/*
 * Trap record steps: x86_trap_slot_steps, which appends a frame's pushes or
 * pops with one room check, must leave exactly the record that one
 * x86_trap_step per slot leaves, at every fullness of the record, including
 * the overflow rule (past EMU_TRAP_MAX_STEPS the last step takes the cost).
 */
#include <check.h>
#include <stdio.h>
#include <string.h>

#include "emu_test.h"
#include "entry/x86/entry.h"

#define SLOTS 6
#define STEP_COST 7u

static const char *const names[SLOTS] = { "slot 0", "slot 1", "slot 2", "slot 3", "slot 4", "slot 5" };
static const uint64_t values[SLOTS] = { 0x10, 0x21, 0x32, 0x43, 0x54, 0x65 };
#define BASE 0xffff800000001000ull

static x86_cpu cpu;     /* only trap_step_cost is read */

/* A record already holding `full` steps (each a distinct filler). */
static void prefill(emu_trap *rec, unsigned full)
{
    memset(rec, 0, sizeof *rec);
    for (unsigned i = 0; i < full; i++)
        x86_trap_step(&cpu, rec, "filler", i, ~(uint64_t)i);
}

static void check_same(const emu_trap *want, const emu_trap *got, const char *what)
{
    ck_assert_msg(got->n_steps == want->n_steps, "%s: n_steps want %u got %u", what, want->n_steps,
                  got->n_steps);
    ck_assert_msg(got->cycles == want->cycles, "%s: cycles want %llu got %llu", what,
                  (unsigned long long)want->cycles, (unsigned long long)got->cycles);
    for (unsigned i = 0; i < want->n_steps; i++) {
        const emu_trap_step *w = &want->steps[i], *g = &got->steps[i];
        ck_assert_msg(g->name == w->name && g->addr == w->addr && g->value == w->value &&
                          g->cycles == w->cycles,
                      "%s: step %u want {%s, 0x%llx, 0x%llx, %u} got {%s, 0x%llx, 0x%llx, %u}", what, i,
                      w->name, (unsigned long long)w->addr, (unsigned long long)w->value, w->cycles, g->name,
                      (unsigned long long)g->addr, (unsigned long long)g->value, g->cycles);
    }
}

/* Every fullness from empty to past full, for slots [first, end) in both orders. */
static void check_range(unsigned first, unsigned end)
{
    static emu_trap want, got;
    cpu.trap_step_cost = STEP_COST;
    for (unsigned full = 0; full <= EMU_TRAP_MAX_STEPS + 2; full++) {
        for (int pushes = 0; pushes <= 1; pushes++) {
            char what[96];
            snprintf(what, sizeof what, "slots [%u, %u) %s into %u steps", first, end,
                     pushes ? "pushed" : "popped", full);
            prefill(&want, full);
            for (unsigned j = 0; j < end - first; j++) {
                unsigned i = pushes ? end - 1 - j : first + j;
                x86_trap_step(&cpu, &want, names[i], BASE + 8ull * i, values[i]);
            }
            prefill(&got, full);
            x86_trap_slot_steps(&cpu, &got, names, values, BASE, first, end, pushes);
            check_same(&want, &got, what);
        }
    }
}

START_TEST(frame_pushes_and_pops_match_single_steps)
{
    check_range(1, SLOTS);      /* an IA-32e frame without error code, pushed from SS down */
    check_range(0, 3);          /* IRETQ's RIP, CS, RFLAGS */
    check_range(3, 5);          /* IRETQ's RSP, SS */
    check_range(2, 2);          /* nothing at all */
}
END_TEST

START_TEST(overflow_charges_the_last_step)
{
    static emu_trap rec;
    cpu.trap_step_cost = STEP_COST;
    prefill(&rec, EMU_TRAP_MAX_STEPS - 2);
    x86_trap_slot_steps(&cpu, &rec, names, values, BASE, 1, SLOTS, true);
    ck_assert_msg(rec.n_steps == EMU_TRAP_MAX_STEPS, "n_steps stops at the array: %u", rec.n_steps);
    ck_assert_msg(rec.cycles == (EMU_TRAP_MAX_STEPS + 3) * STEP_COST, "cycles count every step: %llu",
                  (unsigned long long)rec.cycles);
    const emu_trap_step *last = &rec.steps[EMU_TRAP_MAX_STEPS - 1];
    ck_assert_msg(last->name == names[4] && last->cycles == 4 * STEP_COST,
                  "the last slot held (%s) carries the cost of the three that did not fit: %u", last->name,
                  last->cycles);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("trap_steps");
    TCase *tc = tcase_create("steps");
    tcase_add_test(tc, frame_pushes_and_pops_match_single_steps);
    tcase_add_test(tc, overflow_charges_the_last_step);
    suite_add_tcase(s, tc);
    return t_run_suite(s);
}
