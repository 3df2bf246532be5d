/*
 * #AC, the alignment-check exception (SDM vol. 3, 6.15 "Interrupt 17" and
 * table 6-7): raised, with error code 0 and the faulting RIP, only when
 * CR0.AM, RFLAGS.AC and CPL 3 all hold and a data reference is misaligned
 * for its type: word 2, doubleword 4, quadword 8, a 16:16 far pointer 2, a
 * 16:32 far pointer 4, the SGDT/SIDT image 4, a bit string its operand
 * size; stack pushes and pops and string-instruction elements are data
 * references too. Supervisor accesses (CPL < 3, and the descriptor-table
 * reads an instruction makes at CPL 3) are never checked.
 */
#include <stdio.h>
#include <string.h>

#include "sys_test.h"

#define CR0_AM (1ull << 18)
#define RFLAGS_AC (1ull << 18)

enum { AM = 1, AC = 2, CPL3 = 4, ALL = AM | AC | CPL3 };

typedef struct ac_case {
    const char *what;
    uint8_t code[8];
    uint8_t len;
    uint64_t rbx, rsi, rdi;     /* offsets from T_DATA_ADDR */
    uint64_t rsp_below;         /* RSP = T_STACK_TOP - rsp_below */
    uint64_t rax;
    unsigned conditions;        /* which of AM, AC, CPL3 hold */
    bool fault;                 /* #AC(0) expected */
    int poke_at;                /* -1, or an offset from T_DATA_ADDR for a ring-3 data selector */
} ac_case;

#define CODE(...) { __VA_ARGS__ }, sizeof((uint8_t[]){ __VA_ARGS__ })
#define MOV_AX_MEM CODE(0x66, 0x8b, 0x03)      /* mov ax, [rbx] */
#define MOV_EAX_MEM CODE(0x8b, 0x03)           /* mov eax, [rbx] */
#define MOV_RAX_MEM CODE(0x48, 0x8b, 0x03)     /* mov rax, [rbx] */
#define SEL_UDATA 0x23                          /* st_enter_ring3's ring-3 data selector */

static const ac_case cases[] = {
    /* Natural alignment of plain operands. */
    { "byte never misaligned", CODE(0x8a, 0x03), 1, 0, 0, 0, 0, ALL, false, -1 },
    { "word aligned", MOV_AX_MEM, 2, 0, 0, 0, 0, ALL, false, -1 },
    { "word at an odd address", MOV_AX_MEM, 1, 0, 0, 0, 0, ALL, true, -1 },
    { "dword at 4n+2", MOV_EAX_MEM, 2, 0, 0, 0, 0, ALL, true, -1 },
    { "dword aligned", MOV_EAX_MEM, 4, 0, 0, 0, 0, ALL, false, -1 },
    { "qword at 8n+4", MOV_RAX_MEM, 4, 0, 0, 0, 0, ALL, true, -1 },
    { "qword aligned", MOV_RAX_MEM, 8, 0, 0, 0, 0, ALL, false, -1 },
    { "word store at an odd address", CODE(0x66, 0x89, 0x03), 3, 0, 0, 0, 0, ALL, true, -1 },
    { "read-modify-write dword at 4n+2", CODE(0x01, 0x03), 2, 0, 0, 0, 0, ALL, true, -1 },
    { "FS-relative qword at 8n+4", CODE(0x64, 0x48, 0x8b, 0x03), 4, 0, 0, 0, 0, ALL, true, -1 },
    /* Each of the three conditions missing: no check. */
    { "misaligned, CR0.AM clear", MOV_EAX_MEM, 2, 0, 0, 0, 0, AC | CPL3, false, -1 },
    { "misaligned, RFLAGS.AC clear", MOV_EAX_MEM, 2, 0, 0, 0, 0, AM | CPL3, false, -1 },
    { "misaligned, CPL 0", MOV_EAX_MEM, 2, 0, 0, 0, 0, AM | AC, false, -1 },
    { "misaligned push at CPL 0", CODE(0x50), 0, 0, 0, 4, 0, AM | AC, false, -1 },
    /* The stack: pushes and pops are data references of the operand size. */
    { "push rax, RSP 8n+4", CODE(0x50), 0, 0, 0, 4, 0, ALL, true, -1 },
    { "push rax, RSP aligned", CODE(0x50), 0, 0, 0, 8, 0, ALL, false, -1 },
    { "pop rax, RSP 8n+4", CODE(0x58), 0, 0, 0, 12, 0, ALL, true, -1 },
    { "66 push ax, RSP 8n+2: word-aligned", CODE(0x66, 0x50), 0, 0, 0, 6, 0, ALL, false, -1 },
    { "66 push ax, RSP odd", CODE(0x66, 0x50), 0, 0, 0, 7, 0, ALL, true, -1 },
    { "call rel32 pushes to RSP 8n+4", CODE(0xe8, 0, 0, 0, 0), 0, 0, 0, 4, 0, ALL, true, -1 },
    { "pushf to RSP 8n+4", CODE(0x9c), 0, 0, 0, 4, 0, ALL, true, -1 },
    /* String instructions: each element is checked. */
    { "movsd, RSI 4n+2", CODE(0xa5), 0, 2, 0, 0, 0, ALL, true, -1 },
    { "movsd, RDI 4n+1", CODE(0xa5), 0, 0, 1, 0, 0, ALL, true, -1 },
    { "movsd aligned", CODE(0xa5), 0, 4, 8, 0, 0, ALL, false, -1 },
    { "stosq, RDI 8n+4", CODE(0x48, 0xab), 0, 0, 4, 0, 0, ALL, true, -1 },
    { "lodsw, RSI odd", CODE(0x66, 0xad), 0, 3, 0, 0, 0, ALL, true, -1 },
    { "movsb, odd RSI and RDI", CODE(0xa4), 0, 1, 3, 0, 0, ALL, false, -1 },
    /* Far pointers: 16:16 wants 2, 16:32 wants 4 (not the 6 or 8 of their size). */
    { "lfs m16:32 at 4n", CODE(0x0f, 0xb4, 0x03), 4, 0, 0, 0, 0, ALL, false, 8 },
    { "lfs m16:32 at 4n+2", CODE(0x0f, 0xb4, 0x03), 2, 0, 0, 0, 0, ALL, true, 6 },
    { "66 lfs m16:16 at 4n+2", CODE(0x66, 0x0f, 0xb4, 0x03), 2, 0, 0, 0, 0, ALL, false, 4 },
    { "66 lfs m16:16 at an odd address", CODE(0x66, 0x0f, 0xb4, 0x03), 1, 0, 0, 0, 0, ALL, true, 3 },
    /* SGDT at CPL 3 (UMIP clear): the 10-byte image wants 4, not 8. */
    { "sgdt at 8n+4", CODE(0x0f, 0x01, 0x03), 4, 0, 0, 0, 0, ALL, false, -1 },
    { "sgdt at 4n+2", CODE(0x0f, 0x01, 0x03), 2, 0, 0, 0, 0, ALL, true, -1 },
    { "sgdt at 4n+2, CPL 0", CODE(0x0f, 0x01, 0x03), 2, 0, 0, 0, 0, AM | AC, false, -1 },
    /* A bit string is addressed in operand-size units. */
    { "bt [rbx], eax at 4n+2", CODE(0x0f, 0xa3, 0x03), 2, 0, 0, 0, 0, ALL, true, -1 },
    { "bt [rbx], ax at 4n+2: word-aligned", CODE(0x66, 0x0f, 0xa3, 0x03), 2, 0, 0, 0, 0, ALL, false, -1 },
};

static emu_machine *ac_machine(const uint8_t *code, size_t len, unsigned conditions)
{
    emu_machine *m = st_machine(EMU_X86_START_LONG64, NULL);
    t_load_code(m, code, len);
    if (conditions & CPL3)
        st_enter_ring3(m);
    if (conditions & AM)
        t_set_reg(m, EMU_X86_CR0, t_reg(m, EMU_X86_CR0) | CR0_AM);
    if (conditions & AC)
        t_set_reg(m, EMU_X86_RFLAGS, t_reg(m, EMU_X86_RFLAGS) | RFLAGS_AC);
    return m;
}

START_TEST(alignment_rules)
{
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const ac_case *c = &cases[i];
        char what[128];
        snprintf(what, sizeof what, "case %zu \"%s\"", i, c->what);
        emu_machine *m = ac_machine(c->code, c->len, c->conditions);
        t_set_reg(m, EMU_X86_RBX, T_DATA_ADDR + c->rbx);
        t_set_reg(m, EMU_X86_RSI, T_DATA_ADDR + c->rsi);
        t_set_reg(m, EMU_X86_RDI, T_DATA_ADDR + 0x100 + c->rdi);
        t_set_reg(m, EMU_X86_RSP, T_STACK_TOP - c->rsp_below);
        t_set_reg(m, EMU_X86_RAX, c->rax);
        t_set_reg(m, EMU_X86_FS_BASE, 0);
        if (c->poke_at >= 0)
            st_poke(m, T_DATA_ADDR + (uint64_t)c->poke_at, SEL_UDATA, 2);
        if (c->fault) {
            emu_stop stop = st_fault(m, V_AC, 0, what);
            ck_assert_msg(stop.pc == T_CODE_ADDR, "%s: #AC names the instruction, pc 0x%llx", what,
                          (unsigned long long)stop.pc);
            T_EXPECT_REG(m, EMU_X86_RSP, T_STACK_TOP - c->rsp_below, what);
        } else {
            st_ok(m, what);
        }
        emu_close(m);
    }
}
END_TEST

START_TEST(supervisor_accesses_at_cpl3_are_not_checked)
{
    /* LSL at CPL 3 reads the descriptor from a GDT at a misaligned base: an implicit supervisor access. */
    static const uint8_t code[] = { 0x0f, 0x03, 0xc3 };     /* lsl eax, ebx */
    emu_machine *m = ac_machine(code, sizeof code, ALL);
    uint64_t base = t_reg(m, EMU_X86_GDTR_BASE), limit = t_reg(m, EMU_X86_GDTR_LIMIT);
    uint8_t gdt[64];
    ck_assert(limit < sizeof gdt);
    ck_assert(emu_mem_read_phys(m, base, gdt, limit + 1) == EMU_OK);
    ck_assert(emu_mem_write_phys(m, base + 0x1003, gdt, limit + 1) == EMU_OK);
    t_set_reg(m, EMU_X86_GDTR_BASE, base + 0x1003);
    t_set_reg(m, EMU_X86_RBX, SEL_UDATA);
    st_ok(m, "LSL through a GDT at 8n+3 with AM, AC, CPL 3");
    T_EXPECT_REG(m, EMU_X86_RAX, 0xffffffff, "LSL read the ring-3 data descriptor's limit");
    emu_close(m);
}
END_TEST

START_TEST(rep_string_faults_at_the_misaligned_element)
{
    /* REP STOSD from an aligned RDI: after two elements RDI is still aligned; start at 4n+2 and the first faults. */
    static const uint8_t code[] = { 0xf3, 0xab };           /* rep stosd */
    emu_machine *m = ac_machine(code, sizeof code, ALL);
    t_set_reg(m, EMU_X86_RDI, T_DATA_ADDR);
    t_set_reg(m, EMU_X86_RCX, 2);
    st_ok(m, "rep stosd, aligned");
    T_EXPECT_REG(m, EMU_X86_RDI, T_DATA_ADDR + 8, "both elements stored");
    emu_close(m);
    m = ac_machine(code, sizeof code, ALL);
    t_set_reg(m, EMU_X86_RDI, T_DATA_ADDR + 2);
    t_set_reg(m, EMU_X86_RCX, 2);
    st_fault(m, V_AC, 0, "rep stosd at 4n+2");
    T_EXPECT_REG(m, EMU_X86_RCX, 2, "no element stored before the #AC");
    T_EXPECT_REG(m, EMU_X86_RDI, T_DATA_ADDR + 2, "RDI unchanged");
    emu_close(m);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("cpu_x86/alignment_check");
    TCase *tc = tcase_create("alignment_check");
    tcase_add_test(tc, alignment_rules);
    tcase_add_test(tc, supervisor_accesses_at_cpl3_are_not_checked);
    tcase_add_test(tc, rep_string_faults_at_the_misaligned_element);
    suite_add_tcase(s, tc);
    return t_run_suite(s);
}
