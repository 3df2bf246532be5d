/*
 * Context breakpoints (Arm ARM D2.8.2 breakpoint types, pseudocode
 * AArch64.BreakpointValueMatch): breakpoints 4 and 5, the context-aware ones
 * (ID_AA64DFR0_EL1.CTX_CMPs = 1), match CONTEXTIDR_EL1 and the VMID in
 * VTTBR_EL2 against DBGBVR<n>_EL1; an unlinked context breakpoint fires on
 * any instruction while its context is current, a linked one only through an
 * address breakpoint or a watchpoint that names it in LBN. Links to
 * anything else, and context types on breakpoints 0-3, never match.
 */
#include "a64_debug_fixture.h"

#define CTX_BP 4u                       /* the first context-aware breakpoint */
#define BT(t) ((uint64_t)(t) << 20)
#define LBN(n) ((uint64_t)(n) << 16)
#define BT_LINKED_ADDR 0x1u
#define BT_UNLINKED_CID 0x2u
#define BT_LINKED_CID 0x3u
#define BT_UNLINKED_VMID 0x8u
#define BT_LINKED_CID_VMID 0xbu
#define BT_ADDR_MISMATCH 0x4u
#define WCR_WT (1ull << 20)
#define CID 0x1234u
#define VMID 0x56u
#define BVR_VMID(v) ((uint64_t)(v) << 32)
#define VTTBR_VMID(v) ((uint64_t)(v) << 48)

START_TEST(unlinked_context_id_breakpoint)
{
    a64_cpu cpu;
    cpu_at(&cpu, 0);
    cpu.sys.dbgbcr_el1[CTX_BP] = BCR_EL0_A64 | BT(BT_UNLINKED_CID);
    cpu.sys.dbgbvr_el1[CTX_BP] = CID;
    cpu.sys.contextidr_el1 = CID + 1;
    arm(&cpu, A64_MDSCR_MDE);
    step(&cpu, A64_OK, "another Context ID");
    cpu.sys.contextidr_el1 = CID;
    step(&cpu, A64_EXCEPTION, "the breakpoint's Context ID");
    EQ(cpu.exc.ec, ESR_EC_BREAKPT_LOWER, "context breakpoint class");
    EQ(cpu.exc.preferred_return, CODE + 4, "context breakpoint: ELR is the instruction it stopped");

    /* Breakpoint 3 is not context-aware: the same setting never matches. */
    cpu_at(&cpu, 0);
    cpu.sys.dbgbcr_el1[3] = BCR_EL0_A64 | BT(BT_UNLINKED_CID);
    cpu.sys.dbgbvr_el1[3] = CID;
    cpu.sys.contextidr_el1 = CID;
    arm(&cpu, A64_MDSCR_MDE);
    step(&cpu, A64_OK, "Context ID type on breakpoint 3");
}
END_TEST

START_TEST(linked_address_breakpoint_needs_its_context)
{
    a64_cpu cpu;
    cpu_at(&cpu, 0);
    cpu.sys.dbgbcr_el1[1] = BCR_EL0_A64 | BT(BT_LINKED_ADDR) | LBN(CTX_BP + 1);
    cpu.sys.dbgbvr_el1[1] = CODE;
    cpu.sys.dbgbcr_el1[CTX_BP + 1] = BCR_EL0_A64 | BT(BT_LINKED_CID);
    cpu.sys.dbgbvr_el1[CTX_BP + 1] = CID;
    cpu.sys.contextidr_el1 = CID + 1;
    arm(&cpu, A64_MDSCR_MDE);
    step(&cpu, A64_OK, "linked address breakpoint, other Context ID");
    /* The linked context breakpoint alone fires nowhere. */
    step(&cpu, A64_OK, "linked Context ID breakpoint on its own");
    cpu.pc = CODE;
    cpu.sys.contextidr_el1 = CID;
    step(&cpu, A64_EXCEPTION, "linked address breakpoint, its Context ID");
    EQ(cpu.exc.ec, ESR_EC_BREAKPT_LOWER, "linked breakpoint class");
    EQ(cpu.exc.preferred_return, CODE, "linked breakpoint ELR");
    /* Disabling the linked breakpoint disables the match. */
    cpu.sys.dbgbcr_el1[CTX_BP + 1] &= ~1ull;
    step(&cpu, A64_OK, "linked to a disabled context breakpoint");
    /* A link to a breakpoint of an unlinked type never matches either. */
    cpu.pc = CODE;
    cpu.sys.dbgbcr_el1[CTX_BP + 1] = BCR_EL1_A64 | BT(BT_UNLINKED_CID);
    step(&cpu, A64_OK, "linked to an unlinked context breakpoint (PMC EL1 only, so it does not fire itself)");
}
END_TEST

START_TEST(vmid_breakpoints_need_el2)
{
    a64_cpu cpu;
    cpu_at(&cpu, 1);
    cpu.sys.dbgbcr_el1[CTX_BP] = BCR_EL1_A64 | BT(BT_UNLINKED_VMID);
    cpu.sys.dbgbvr_el1[CTX_BP] = BVR_VMID(VMID);
    cpu.sys.vttbr_el2 = VTTBR_VMID(VMID);
    arm(&cpu, A64_MDSCR_MDE | A64_MDSCR_KDE);
    step(&cpu, A64_EXCEPTION, "VMID breakpoint, its VMID");
    EQ(cpu.exc.ec, ESR_EC_BREAKPT_CUR, "VMID breakpoint at EL1");
    cpu.pc = CODE;
    cpu.sys.vttbr_el2 = VTTBR_VMID(VMID + 1);
    step(&cpu, A64_OK, "VMID breakpoint, other VMID");

    /* Context ID and VMID together, linked from an address breakpoint. */
    cpu.sys.dbgbcr_el1[CTX_BP] = 0;
    cpu.sys.dbgbcr_el1[0] = BCR_EL1_A64 | BT(BT_LINKED_ADDR) | LBN(CTX_BP + 1);
    cpu.sys.dbgbvr_el1[0] = CODE + 4;
    cpu.sys.dbgbcr_el1[CTX_BP + 1] = BCR_EL1_A64 | BT(BT_LINKED_CID_VMID);
    cpu.sys.dbgbvr_el1[CTX_BP + 1] = BVR_VMID(VMID) | CID;
    cpu.sys.contextidr_el1 = CID;
    arm(&cpu, A64_MDSCR_MDE | A64_MDSCR_KDE);
    step(&cpu, A64_OK, "linked CID+VMID: VMID differs");
    cpu.pc = CODE + 4;
    cpu.sys.vttbr_el2 = VTTBR_VMID(VMID);
    step(&cpu, A64_EXCEPTION, "linked CID+VMID: both match");

    /* Without EL2 a VMID never matches. */
    cpu.pc = CODE + 4;
    cpu.sys.id_aa64pfr0_el1 &= ~(0xfull << 8);
    step(&cpu, A64_OK, "linked CID+VMID without EL2");
}
END_TEST

START_TEST(linked_watchpoint)
{
    a64_cpu cpu;
    cpu_at(&cpu, 0);
    cpu.sys.dbgwcr_el1[2] = WCR(WCR_STORE, 0xffu) | WCR_WT | LBN(CTX_BP);
    cpu.sys.dbgwvr_el1[2] = DATA;
    cpu.sys.dbgbcr_el1[CTX_BP] = BCR_EL0_A64 | BT(BT_LINKED_CID);
    cpu.sys.dbgbvr_el1[CTX_BP] = CID;
    cpu.sys.contextidr_el1 = CID + 1;
    arm(&cpu, A64_MDSCR_MDE);
    put(CODE, STR_X1_X0);
    put(CODE + 4, STR_X1_X0);
    step(&cpu, A64_OK, "linked watchpoint, other Context ID");
    cpu.sys.contextidr_el1 = CID;
    step(&cpu, A64_EXCEPTION, "linked watchpoint, its Context ID");
    EQ(cpu.exc.ec, ESR_EC_WATCHPT_LOWER, "linked watchpoint class");
    EQ(cpu.exc.far, DATA, "linked watchpoint FAR");
}
END_TEST

START_TEST(reserved_types_never_match)
{
    a64_cpu cpu;
    cpu_at(&cpu, 0);
    cpu.sys.dbgbcr_el1[0] = BCR_EL0_A64 | BT(BT_ADDR_MISMATCH);
    cpu.sys.dbgbvr_el1[0] = CODE + 0x100;      /* a mismatch would fire here */
    arm(&cpu, A64_MDSCR_MDE);
    step(&cpu, A64_OK, "address mismatch type (AArch32 only)");
    for (unsigned bt = 0xc; bt <= 0xf; bt++) {
        cpu.pc = CODE;
        cpu.sys.dbgbcr_el1[CTX_BP] = BCR_EL0_A64 | BT(bt);
        cpu.sys.dbgbvr_el1[CTX_BP] = 0;
        step(&cpu, A64_OK, "reserved breakpoint type");
    }
}
END_TEST

int main(void)
{
    Suite *s = suite_create("arm64_debug_context");
    TCase *tc = tcase_create("context");
    tcase_add_test(tc, unlinked_context_id_breakpoint);
    tcase_add_test(tc, linked_address_breakpoint_needs_its_context);
    tcase_add_test(tc, vmid_breakpoints_need_el2);
    tcase_add_test(tc, linked_watchpoint);
    tcase_add_test(tc, reserved_types_never_match);
    suite_add_tcase(s, tc);
    return t_run_suite(s);
}
