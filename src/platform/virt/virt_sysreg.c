/*
 * The system registers the virt platform owns, reached through the A64
 * interpreter's sysreg hook: the generic timer (Arm ARM D11, registers in
 * D19) with CNTKCTL_EL1's EL0 and CNTHCTL_EL2's EL1 access controls, ISR_EL1 (what the GIC
 * signals), and the GICv3 CPU interface (IHI 0069 12.2) when the machine has
 * a GICv3. Anything else is not the
 * platform's: the interpreter raises it UNDEFINED.
 */
#include "platform/virt/virt_machine.h"

#define E(op0, op1, crn, crm, op2) A64_SYSREG_ENC(op0, op1, crn, crm, op2)

enum {
    CNTFRQ_EL0 = E(3, 3, 14, 0, 0),
    CNTPCT_EL0 = E(3, 3, 14, 0, 1),
    CNTVCT_EL0 = E(3, 3, 14, 0, 2),
    CNTP_TVAL_EL0 = E(3, 3, 14, 2, 0),
    CNTP_CTL_EL0 = E(3, 3, 14, 2, 1),
    CNTP_CVAL_EL0 = E(3, 3, 14, 2, 2),
    CNTV_TVAL_EL0 = E(3, 3, 14, 3, 0),
    CNTV_CTL_EL0 = E(3, 3, 14, 3, 1),
    CNTV_CVAL_EL0 = E(3, 3, 14, 3, 2),
    CNTHP_TVAL_EL2 = E(3, 4, 14, 2, 0),
    CNTHP_CTL_EL2 = E(3, 4, 14, 2, 1),
    CNTHP_CVAL_EL2 = E(3, 4, 14, 2, 2),

    ISR_EL1 = E(3, 0, 12, 1, 0),

    ICC_PMR_EL1 = E(3, 0, 4, 6, 0),
    ICC_IAR0_EL1 = E(3, 0, 12, 8, 0),
    ICC_EOIR0_EL1 = E(3, 0, 12, 8, 1),
    ICC_HPPIR0_EL1 = E(3, 0, 12, 8, 2),
    ICC_BPR0_EL1 = E(3, 0, 12, 8, 3),
    ICC_DIR_EL1 = E(3, 0, 12, 11, 1),
    ICC_RPR_EL1 = E(3, 0, 12, 11, 3),
    ICC_SGI1R_EL1 = E(3, 0, 12, 11, 5),
    ICC_IAR1_EL1 = E(3, 0, 12, 12, 0),
    ICC_EOIR1_EL1 = E(3, 0, 12, 12, 1),
    ICC_HPPIR1_EL1 = E(3, 0, 12, 12, 2),
    ICC_BPR1_EL1 = E(3, 0, 12, 12, 3),
    ICC_CTLR_EL1 = E(3, 0, 12, 12, 4),
    ICC_SRE_EL1 = E(3, 0, 12, 12, 5),
    ICC_IGRPEN0_EL1 = E(3, 0, 12, 12, 6),
    ICC_IGRPEN1_EL1 = E(3, 0, 12, 12, 7),
};

/* CNTKCTL_EL1 bits that open the timer to EL0 (Arm ARM D19.9.2). */
#define CNTKCTL_EL0PCTEN (1ull << 0)
#define CNTKCTL_EL0VCTEN (1ull << 1)
#define CNTKCTL_EL0VTEN (1ull << 8)
#define CNTKCTL_EL0PTEN (1ull << 9)

/* CNTHCTL_EL2 bits that open the physical counter and timer to EL0 and EL1 when EL2 is implemented
 * (D19.6.4, HCR_EL2.E2H = 0); the virtual ones are not EL2's to close in Armv8.0. */
#define CNTHCTL_EL1PCTEN (1ull << 0)
#define CNTHCTL_EL1PCEN (1ull << 1)

/* The timer register's channel and which of CTL/CVAL/TVAL it is. */
typedef enum { TREG_CTL, TREG_CVAL, TREG_TVAL } timer_reg;

static bool timer_channel(uint32_t enc, gtimer_index *ch, timer_reg *reg, unsigned *min_el, uint64_t *el0_bit)
{
    switch (enc) {
    case CNTP_TVAL_EL0: case CNTP_CTL_EL0: case CNTP_CVAL_EL0:
        *ch = GTIMER_PHYS, *min_el = 0, *el0_bit = CNTKCTL_EL0PTEN;
        break;
    case CNTV_TVAL_EL0: case CNTV_CTL_EL0: case CNTV_CVAL_EL0:
        *ch = GTIMER_VIRT, *min_el = 0, *el0_bit = CNTKCTL_EL0VTEN;
        break;
    case CNTHP_TVAL_EL2: case CNTHP_CTL_EL2: case CNTHP_CVAL_EL2:
        *ch = GTIMER_HYP, *min_el = 2, *el0_bit = 0;
        break;
    default:
        return false;
    }
    unsigned op2 = enc & 7;
    *reg = op2 == 0 ? TREG_TVAL : op2 == 1 ? TREG_CTL : TREG_CVAL;
    return true;
}

static a64_sysreg_result timer_sysreg(emu_machine *m, uint32_t enc, bool is_read, uint64_t *value, unsigned el)
{
    virt_machine *v = m->virt;
    gtimer *t = &v->dev.timer;
    uint64_t kctl = v->cpu.sys.cntkctl_el1, now = m->cycles;
    t->cntvoff = v->cpu.sys.cntvoff_el2;    /* CNTVOFF_EL2 lives in the CPU's register file */
    switch (enc) {
    case CNTFRQ_EL0:
        if (el == 0 && !(kctl & (CNTKCTL_EL0PCTEN | CNTKCTL_EL0VCTEN)))
            return A64_SYSREG_TRAP;
        if (is_read)
            *value = t->cntfrq;
        else if (el == 0)
            return A64_SYSREG_UNHANDLED;    /* writable only at the highest implemented EL */
        else
            t->cntfrq = (uint32_t)*value;
        return A64_SYSREG_DONE;
    case CNTPCT_EL0:
    case CNTVCT_EL0:
        if (!is_read)
            return A64_SYSREG_UNHANDLED;
        if (el == 0 && !(kctl & (enc == CNTPCT_EL0 ? CNTKCTL_EL0PCTEN : CNTKCTL_EL0VCTEN)))
            return A64_SYSREG_TRAP;
        if (enc == CNTPCT_EL0 && el < 2 && v->el.el2 && !(v->cpu.sys.cnthctl_el2 & CNTHCTL_EL1PCTEN))
            return A64_SYSREG_TRAP_EL2;
        *value = enc == CNTPCT_EL0 ? gtimer_cntpct(t, now) : gtimer_cntvct(t, now);
        return A64_SYSREG_DONE;
    default:
        break;
    }
    gtimer_index ch;
    timer_reg reg;
    unsigned min_el;
    uint64_t el0_bit;
    if (!timer_channel(enc, &ch, &reg, &min_el, &el0_bit))
        return A64_SYSREG_UNHANDLED;
    if (el < min_el || (min_el == 2 && !v->el.el2))
        return A64_SYSREG_UNHANDLED;
    if (el == 0 && !(kctl & el0_bit))
        return A64_SYSREG_TRAP;
    if (ch == GTIMER_PHYS && el < 2 && v->el.el2 && !(v->cpu.sys.cnthctl_el2 & CNTHCTL_EL1PCEN))
        return A64_SYSREG_TRAP_EL2;
    if (is_read) {
        *value = reg == TREG_CTL ? gtimer_read_ctl(t, ch, now)
               : reg == TREG_CVAL ? gtimer_read_cval(t, ch) : gtimer_read_tval(t, ch, now);
        return A64_SYSREG_DONE;
    }
    if (reg == TREG_CTL)
        gtimer_write_ctl(t, ch, now, *value);
    else if (reg == TREG_CVAL)
        gtimer_write_cval(t, ch, now, *value);
    else
        gtimer_write_tval(t, ch, now, *value);
    virt_timer_rearm(m);
    return A64_SYSREG_DONE;
}

static a64_sysreg_result icc_read(gic *g, uint32_t enc, uint64_t *value)
{
    switch (enc) {
    case ICC_PMR_EL1: *value = gicv3_icc_pmr_read(g); break;
    case ICC_IAR0_EL1: *value = gicv3_icc_iar0_read(g); break;
    case ICC_HPPIR0_EL1: *value = gicv3_icc_hppir0_read(g); break;
    case ICC_BPR0_EL1: *value = gicv3_icc_bpr0_read(g); break;
    case ICC_RPR_EL1: *value = gicv3_icc_rpr_read(g); break;
    case ICC_IAR1_EL1: *value = gicv3_icc_iar1_read(g); break;
    case ICC_HPPIR1_EL1: *value = gicv3_icc_hppir1_read(g); break;
    case ICC_BPR1_EL1: *value = gicv3_icc_bpr1_read(g); break;
    case ICC_CTLR_EL1: *value = gicv3_icc_ctlr_read(g); break;
    case ICC_SRE_EL1: *value = gicv3_icc_sre_read(g); break;
    case ICC_IGRPEN0_EL1: *value = gicv3_icc_igrpen0_read(g); break;
    case ICC_IGRPEN1_EL1: *value = gicv3_icc_igrpen1_read(g); break;
    default: return A64_SYSREG_UNHANDLED;   /* write-only (EOIR, DIR, SGI1R) or not modelled */
    }
    return A64_SYSREG_DONE;
}

static a64_sysreg_result icc_write(gic *g, uint32_t enc, uint64_t value)
{
    switch (enc) {
    case ICC_PMR_EL1: gicv3_icc_pmr_write(g, value); break;
    case ICC_EOIR0_EL1: gicv3_icc_eoir0_write(g, value); break;
    case ICC_BPR0_EL1: gicv3_icc_bpr0_write(g, value); break;
    case ICC_DIR_EL1: gicv3_icc_dir_write(g, value); break;
    case ICC_SGI1R_EL1: gicv3_icc_sgi1r_write(g, value); break;
    case ICC_EOIR1_EL1: gicv3_icc_eoir1_write(g, value); break;
    case ICC_BPR1_EL1: gicv3_icc_bpr1_write(g, value); break;
    case ICC_CTLR_EL1: gicv3_icc_ctlr_write(g, value); break;
    case ICC_SRE_EL1: gicv3_icc_sre_write(g, value); break;
    case ICC_IGRPEN0_EL1: gicv3_icc_igrpen0_write(g, value); break;
    case ICC_IGRPEN1_EL1: gicv3_icc_igrpen1_write(g, value); break;
    default: return A64_SYSREG_UNHANDLED;   /* read-only (IAR, HPPIR, RPR) or not modelled */
    }
    return A64_SYSREG_DONE;
}

/* ISR_EL1 bits (D17.2.85). */
#define ISR_F (1ull << 6)
#define ISR_I (1ull << 7)
#define ISR_A (1ull << 8)

/*
 * ISR_EL1 (read-only, EL1 and up): IRQ and FIQ pending as the GIC signals them, whatever PSTATE's
 * masks; at EL1 with EL2 routing one to itself (HCR_EL2.IMO/FMO/AMO), the virtual one instead
 * (HCR_EL2.VI/VF/VSE). Nothing raises a physical SError here, so A is 0 otherwise.
 */
static uint64_t isr_el1(const virt_machine *v, unsigned el)
{
    const uint64_t hcr = v->el.el2 && el == 1 ? v->cpu.sys.hcr_el2 : 0;
    uint64_t isr = 0;
    if (hcr & A64_HCR_EL2_IMO ? (hcr & A64_HCR_EL2_VI) != 0 : v->dev.gic.irq_out)
        isr |= ISR_I;
    if (hcr & A64_HCR_EL2_FMO ? (hcr & A64_HCR_EL2_VF) != 0 : v->dev.gic.fiq_out)
        isr |= ISR_F;
    if ((hcr & A64_HCR_EL2_AMO) && (hcr & A64_HCR_EL2_VSE))
        isr |= ISR_A;
    return isr;
}

a64_sysreg_result virt_sysreg(void *ctx, uint32_t enc, bool is_read, uint64_t *value, unsigned el)
{
    emu_machine *m = ctx;
    /* A timer or GIC register access may raise a GIC output: the run loop looks at the next
     * boundary (a64_batch). */
    machine_attention(m);
    a64_sysreg_result r = timer_sysreg(m, enc, is_read, value, el);
    if (r != A64_SYSREG_UNHANDLED)
        return r;
    if (enc == ISR_EL1) {
        if (!is_read || el == 0)
            return A64_SYSREG_UNHANDLED;    /* UNDEFINED: EL0, or an MSR to a read-only register */
        *value = isr_el1(m->virt, el);
        return A64_SYSREG_DONE;
    }
    /* The GICv3 CPU interface: EL1 and up, and only on a GICv3 machine (a GICv2 has none). */
    if (m->virt->dev.gic.version != GIC_V3 || el == 0)
        return A64_SYSREG_UNHANDLED;
    return is_read ? icc_read(&m->virt->dev.gic, enc, value) : icc_write(&m->virt->dev.gic, enc, *value);
}
