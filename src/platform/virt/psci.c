/*
 * PSCI 1.0 for one CPU (DEN0022D chapter 5). The CPU is always on, so
 * CPU_ON for it is ALREADY_ON and for any other MPIDR INVALID_PARAMETERS
 * (5.6.2: "the target CPU ... is not a valid CPU"), as QEMU answers for an
 * absent CPU. CPU_SUSPEND, MIGRATE and SYSTEM_SUSPEND are not implemented
 * (NOT_SUPPORTED, which PSCI_FEATURES also reports), a permitted subset for
 * PSCI 1.0 except CPU_SUSPEND, which is mandatory; docs/virt-platform.md
 * says so.
 */
#include "platform/virt/psci.h"

#include <stdbool.h>

#define MPIDR_AFFINITY_MASK 0xff00ffffffull     /* Aff3, Aff2, Aff1, Aff0 */

void psci_init(psci *p, uint64_t mpidr, psci_stop_fn stop, void *stop_ctx)
{
    p->mpidr = mpidr & MPIDR_AFFINITY_MASK;
    p->stop = stop;
    p->stop_ctx = stop_ctx;
}

const char *psci_stop_name(psci_stop why)
{
    switch (why) {
    case PSCI_STOP_SYSTEM_OFF: return "PSCI SYSTEM_OFF";
    case PSCI_STOP_SYSTEM_RESET: return "PSCI SYSTEM_RESET";
    case PSCI_STOP_CPU_OFF: return "PSCI CPU_OFF of the only CPU";
    }
    return "PSCI stop";
}

static bool psci_implemented(uint32_t fid)
{
    switch (fid) {
    case PSCI_VERSION:
    case PSCI_CPU_OFF:
    case PSCI_CPU_ON:
    case PSCI_CPU_ON_64:
    case PSCI_AFFINITY_INFO:
    case PSCI_AFFINITY_INFO_64:
    case PSCI_MIGRATE_INFO_TYPE:
    case PSCI_SYSTEM_OFF:
    case PSCI_SYSTEM_RESET:
    case PSCI_FEATURES:
        return true;
    default:
        return false;
    }
}

static void psci_request_stop(psci *p, psci_stop why)
{
    if (p->stop)
        p->stop(p->stop_ctx, why);
}

/* SMC32 functions take 32-bit arguments (DEN0022D 5.2.1: W registers). */
static uint64_t psci_arg(uint32_t fid, uint64_t x)
{
    return (fid & PSCI_0_2_64BIT) ? x : (uint32_t)x;
}

int64_t psci_call(psci *p, uint32_t fid, uint64_t x1, uint64_t x2, uint64_t x3)
{
    (void)x2;
    (void)x3;
    uint64_t target = psci_arg(fid, x1) & MPIDR_AFFINITY_MASK;
    switch (fid) {
    case PSCI_VERSION:
        return PSCI_VERSION_1_0;
    case PSCI_FEATURES:
        /* 5.15: 0 for an implemented function (no feature flags for
         * these), NOT_SUPPORTED otherwise. */
        return psci_implemented((uint32_t)x1) ? PSCI_RET_SUCCESS : PSCI_RET_NOT_SUPPORTED;
    case PSCI_CPU_ON:
    case PSCI_CPU_ON_64:
        return target == p->mpidr ? PSCI_RET_ALREADY_ON : PSCI_RET_INVALID_PARAMETERS;
    case PSCI_AFFINITY_INFO:
    case PSCI_AFFINITY_INFO_64:
        /* Lowest affinity level 0 only (5.7: others may be unsupported). */
        if (psci_arg(fid, x2) != 0)
            return PSCI_RET_INVALID_PARAMETERS;
        return target == p->mpidr ? PSCI_AFFINITY_ON : PSCI_RET_INVALID_PARAMETERS;
    case PSCI_MIGRATE_INFO_TYPE:
        return PSCI_TOS_NOT_PRESENT_MP;
    case PSCI_CPU_OFF:
        psci_request_stop(p, PSCI_STOP_CPU_OFF);
        return PSCI_RET_SUCCESS;    /* not seen: the machine stops */
    case PSCI_SYSTEM_OFF:
        psci_request_stop(p, PSCI_STOP_SYSTEM_OFF);
        return PSCI_RET_SUCCESS;
    case PSCI_SYSTEM_RESET:
        psci_request_stop(p, PSCI_STOP_SYSTEM_RESET);
        return PSCI_RET_SUCCESS;
    default:
        return PSCI_RET_NOT_SUPPORTED;
    }
}
