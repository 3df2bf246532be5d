/*
 * pkdebug: protection keys (SDM vol. 3, 4.6.2) and debug-register traps in
 * REP string instructions and on I/O ports (18.2.4, 18.3.1.2), as a handler
 * sees them. Every probe runs at CPL0 under `-cpu max` (QEMU) and `--cpu
 * max` (emu); every exception prints one line from the handler, which
 * resumes faults at the probe's end and lets #DB traps return where the CPU
 * said. README.md lists the cases.
 */
#include <stdbool.h>
#include <stdint.h>

#include "boot/boot.h"
#include "lib/exit.h"
#include "lib/serial.h"
#include "pkdebug/paging.h"
#include "entry/frame.h"
#include "entry/gdt.h"
#include "entry/idt.h"
#include "lib/x86.h"

#define CR0_WP   (1ull << 16)
#define CR4_DE   (1ull << 3)
#define CR4_PKE  (1ull << 22)
#define CR4_PKS  (1ull << 24)
#define CPUID_7_ECX_PKU   (1u << 3)
#define CPUID_7_ECX_OSPKE (1u << 4)
#define CPUID_7_ECX_PKS   (1u << 31)
#define MSR_IA32_PKRS 0x6e1u
#define PKR_AD(k) (1u << (2 * (k)))
#define PKR_WD(k) (2u << (2 * (k)))
#define DR6_CLEAR 0xffff0ff0ull
#define DR6_B_MASK 0xfull
#define DR7_L0 0x1ull
#define DR7_L1 0x4ull
#define DR7_RW0_IO (2ull << 16)
#define DR7_RW1_WRITE (1ull << 20)
#define POST_PORT 0x80
#define COPY_BYTES 8
#define RET_OPCODE 0xc3

static volatile uint64_t resume_rip;    /* where a faulting probe goes on */
static volatile uint64_t insn_base;     /* the instruction #DB lines are relative to */
static volatile bool string_insn;      /* #DB lines show RCX only for string instructions */
static uint8_t src[COPY_BYTES] = { 1, 2, 3, 4, 5, 6, 7, 8 };
static uint8_t dst[COPY_BYTES];

static uint64_t read_cr0(void) { uint64_t v; __asm__ volatile("mov %%cr0, %0" : "=r"(v)); return v; }
static void write_cr0(uint64_t v) { __asm__ volatile("mov %0, %%cr0" : : "r"(v) : "memory"); }
static uint64_t read_cr4(void) { uint64_t v; __asm__ volatile("mov %%cr4, %0" : "=r"(v)); return v; }
static void write_cr4(uint64_t v) { __asm__ volatile("mov %0, %%cr4" : : "r"(v) : "memory"); }
static uint64_t read_dr6(void) { uint64_t v; __asm__ volatile("mov %%dr6, %0" : "=r"(v)); return v; }
static void write_dr6(uint64_t v) { __asm__ volatile("mov %0, %%dr6" : : "r"(v)); }
static void write_dr0(uint64_t v) { __asm__ volatile("mov %0, %%dr0" : : "r"(v)); }
static void write_dr1(uint64_t v) { __asm__ volatile("mov %0, %%dr1" : : "r"(v)); }
static void write_dr7(uint64_t v) { __asm__ volatile("mov %0, %%dr7" : : "r"(v) : "memory"); }

static void wrmsr(uint32_t index, uint64_t v)
{
    __asm__ volatile("wrmsr" : : "c"(index), "a"((uint32_t)v), "d"((uint32_t)(v >> 32)) : "memory");
}

static uint32_t cpuid7_ecx(void)
{
    uint32_t a = 7, b, c = 0, d;
    __asm__ volatile("cpuid" : "+a"(a), "=b"(b), "+c"(c), "=d"(d));
    return c;
}

static void wrpkru(uint32_t v)
{
    __asm__ volatile(".byte 0x0f, 0x01, 0xef" : : "a"(v), "c"(0), "d"(0) : "memory");
}

static uint32_t rdpkru(void)
{
    uint32_t v, d;
    __asm__ volatile(".byte 0x0f, 0x01, 0xee" : "=a"(v), "=d"(d) : "c"(0));
    return v;
}

void trap_dispatch(struct trap_frame *f)
{
    serial_puts("    ");
    switch (f->vector) {
    case X86_VEC_DB: {
        uint64_t dr6 = read_dr6();
        write_dr6(DR6_CLEAR);
        serial_puts("#DB rip insn+");
        serial_put_hex(f->rip - insn_base);
        serial_puts(" rf ");
        serial_put_u64((f->rflags & X86_RFLAGS_RF) != 0);
        serial_puts(" dr6.b ");
        serial_put_hex(dr6 & DR6_B_MASK);
        if (string_insn) {
            serial_puts(" rcx ");
            serial_put_u64(f->rcx);
        }
        serial_puts("\n");
        return;
    }
    case X86_VEC_PF:
        serial_puts("#PF error ");
        serial_put_hex(f->error);
        serial_puts(" cr2 ");
        serial_put_hex(x86_read_cr2());
        serial_puts("\n");
        break;
    case X86_VEC_GP:
        serial_puts("#GP error ");
        serial_put_hex(f->error);
        serial_puts("\n");
        break;
    case X86_VEC_UD:
        serial_puts("#UD\n");
        break;
    default:
        serial_puts("unexpected vector ");
        serial_put_u64(f->vector);
        serial_puts(" at rip ");
        serial_put_hex(f->rip);
        serial_puts("\n");
        debug_exit(DEBUG_EXIT_FAILURE);
    }
    f->rip = resume_rip;
}

static void say(const char *what)
{
    serial_puts(what);
    serial_puts("\n");
}

/* mov al, [va] / mov [va], al, resuming after it if it faults. */
static void probe_read(const char *what, uint64_t va)
{
    say(what);
    __asm__ volatile("lea 1f(%%rip), %%rax\n\tmov %%rax, %0\n\tmovb (%1), %%al\n1:"
                     : "=m"(resume_rip) : "r"(va) : "rax", "memory");
}

static void probe_write(const char *what, uint64_t va)
{
    say(what);
    __asm__ volatile("lea 1f(%%rip), %%rax\n\tmov %%rax, %0\n\tmovb $0x5a, (%1)\n1:"
                     : "=m"(resume_rip) : "r"(va) : "rax", "memory");
}

/* WRPKRU with ECX = 1 (#GP), RDPKRU (#UD while CR4.PKE = 0). */
static void probe_wrpkru_ecx1(void)
{
    say("wrpkru with ecx = 1");
    __asm__ volatile("lea 1f(%%rip), %%r11\n\tmov %%r11, %0\n\t.byte 0x0f, 0x01, 0xef\n1:"
                     : "=m"(resume_rip) : "a"(0), "c"(1), "d"(0) : "r11", "memory");
}

static void probe_rdpkru(void)
{
    say("rdpkru with cr4.pke = 0");
    __asm__ volatile("lea 1f(%%rip), %%r11\n\tmov %%r11, %0\n\t.byte 0x0f, 0x01, 0xee\n1:"
                     : "=m"(resume_rip) : "c"(0) : "rax", "rdx", "r11", "memory");
}

static void protection_keys(void)
{
    uint32_t ecx = cpuid7_ecx();
    if (!(ecx & CPUID_7_ECX_PKU) || !(ecx & CPUID_7_ECX_PKS)) {
        say("cpuid: pku or pks missing (run with -cpu max)");
        debug_exit(DEBUG_EXIT_FAILURE);
    }
    probe_rdpkru();
    /* The boot state leaves CR0.WP clear; WD binds supervisor writes only with it set. */
    write_cr0(read_cr0() | CR0_WP);
    write_cr4(read_cr4() | CR4_PKE);
    serial_puts("cr4.pke = 1: cpuid ospke ");
    serial_put_u64((cpuid7_ecx() & CPUID_7_ECX_OSPKE) != 0);
    serial_puts("\n");
    probe_wrpkru_ecx1();

    probe_read("read user page, pkru 0 (fills the tlb)", USER_VA);
    probe_write("write user page, pkru 0", USER_VA);
    wrpkru(PKR_AD(USER_KEY));
    serial_puts("pkru ");
    serial_put_hex(rdpkru());
    serial_puts("\n");
    probe_read("read user page, ad1", USER_VA);
    probe_write("write user page, ad1", USER_VA);
    probe_read("read supervisor page, ad1 (pkru covers user pages only)", SUPERVISOR_VA);
    wrpkru(PKR_WD(USER_KEY));
    probe_read("read user page, wd1", USER_VA);
    probe_write("write user page, wd1, cr0.wp = 1", USER_VA);
    probe_write("write read-only user page, wd1, cr0.wp = 1", READONLY_VA);
    write_cr0(read_cr0() & ~CR0_WP);
    probe_write("write user page, wd1, cr0.wp = 0", USER_VA);
    write_cr0(read_cr0() | CR0_WP);
    wrpkru(PKR_AD(USER_KEY) | PKR_WD(USER_KEY));
    say("call a ret on a key-1 page, ad1 wd1 (fetches are not key-checked)");
    ((void (*)(void))(uintptr_t)CODE_VA)();
    wrpkru(0);

    write_cr4(read_cr4() | CR4_PKS);
    probe_write("write supervisor page, pkrs 0", SUPERVISOR_VA);
    wrmsr(MSR_IA32_PKRS, PKR_AD(SUPERVISOR_KEY));
    probe_read("read supervisor page, pkrs ad2", SUPERVISOR_VA);
    wrmsr(MSR_IA32_PKRS, PKR_WD(SUPERVISOR_KEY));
    probe_read("read supervisor page, pkrs wd2", SUPERVISOR_VA);
    probe_write("write supervisor page, pkrs wd2", SUPERVISOR_VA);
    wrmsr(MSR_IA32_PKRS, 0);
    write_cr4(read_cr4() & ~(CR4_PKE | CR4_PKS));
}

/* rep movsb of COPY_BYTES from src to dst with DR1 watching dst[watched] for writes. */
static void rep_movsb(unsigned watched)
{
    serial_puts("rep movsb, write breakpoint on byte ");
    serial_put_u64(watched);
    serial_puts("\n");
    for (unsigned i = 0; i < COPY_BYTES; i++)
        dst[i] = 0;
    write_dr1((uint64_t)(uintptr_t)&dst[watched]);
    write_dr7(DR7_L1 | DR7_RW1_WRITE);
    string_insn = true;
    uint64_t rcx = COPY_BYTES;
    void *s = src, *d = dst;
    __asm__ volatile("lea 1f(%%rip), %%rax\n\tmov %%rax, %0\n1:\trep movsb"
                     : "=m"(insn_base), "+c"(rcx), "+S"(s), "+D"(d) : : "rax", "memory");
    write_dr7(0);
    string_insn = false;
    unsigned copied = 0;
    while (copied < COPY_BYTES && dst[copied] == src[copied])
        copied++;
    serial_puts("  done: rcx ");
    serial_put_u64(rcx);
    serial_puts(" bytes copied ");
    serial_put_u64(copied);
    serial_puts("\n");
}

static void io_breakpoints(void)
{
    write_cr4(read_cr4() | CR4_DE);
    write_dr0(POST_PORT);
    write_dr7(DR7_L0 | DR7_RW0_IO);
    say("out 0x80, al with an i/o breakpoint on port 0x80");
    __asm__ volatile("lea 1f(%%rip), %%rax\n\tmov %%rax, %0\n1:\toutb %%al, $0x80"
                     : "=m"(insn_base) : : "rax", "memory");
    say("rep outsb to port 0x80, 2 bytes");
    string_insn = true;
    uint64_t rcx = 2;
    const void *s = src;
    __asm__ volatile("lea 1f(%%rip), %%rax\n\tmov %%rax, %0\n1:\trep outsb"
                     : "=m"(insn_base), "+c"(rcx), "+S"(s) : "d"(POST_PORT) : "rax", "memory");
    string_insn = false;
    write_dr7(0);
    write_cr4(read_cr4() & ~CR4_DE);
}

void kmain(uint32_t magic, uint32_t info_addr)
{
    (void)magic;
    (void)info_addr;
    serial_init();
    say("ringside pkdebug: protection keys and debug traps in REP and I/O instructions");
    if (!paging_init()) {
        say("image reaches the keyed pages");
        debug_exit(DEBUG_EXIT_FAILURE);
    }
    *(volatile uint8_t *)(uintptr_t)CODE_FRAME = RET_OPCODE;
    gdt_init();
    idt_init();
    write_dr6(DR6_CLEAR);
    protection_keys();
    rep_movsb(2);
    rep_movsb(COPY_BYTES - 1);
    io_breakpoints();
    say("pkdebug: done");
    debug_exit(DEBUG_EXIT_SUCCESS);
}
