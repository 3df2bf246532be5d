/*
 * --inject KIND@WHEN. KIND is `nmi` or a vector (0-255, decimal or 0x hex)
 * for a maskable external interrupt on x86-64; on AArch64 a GIC INTID (a PPI
 * 16-31 or an SPI) made pending. WHEN is when the request is made:
 * `SYMBOL[+OFFSET]` or `0xADDRESS` (before the instruction there runs, the
 * first time it is reached) or `cycle:N` (when the modelled clock reaches N).
 */
#include "cli/inject.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define INJECT_USAGE "write KIND@WHEN: KIND nmi or a vector 0-255 (x86-64), a GIC INTID (AArch64); " \
                     "WHEN SYMBOL[+OFFSET], 0xADDRESS or cycle:N"
#define GIC_INTID_MAX 1019      /* the largest SPI INTID the GIC architecture allows (IHI 0069 2.2.1) */

static int parse_u64(const char *s, int base, uint64_t *out)
{
    if (!*s || *s == '-' || *s == '+')
        return -1;
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, base);
    if (errno || *end)
        return -1;
    *out = v;
    return 0;
}

static int parse_kind(const emu_machine *m, const char *kind, emu_injection *inj, char *why, size_t why_len)
{
    const bool a64 = emu_machine_arch(m) == EMU_ARCH_AARCH64;
    if (!strcmp(kind, "nmi")) {
        if (a64) {
            snprintf(why, why_len, "AArch64 has no NMI here (FEAT_NMI is not modelled): inject a GIC INTID, "
                     "e.g. 33@SYMBOL");
            return -1;
        }
        inj->nmi = true;
        return 0;
    }
    if (a64) {
        uint64_t intid;
        if (parse_u64(kind, 0, &intid) != 0 || intid > GIC_INTID_MAX) {
            snprintf(why, why_len, "'%s' is not a GIC INTID (a PPI 16-31 or an SPI from 32)", kind);
            return -1;
        }
        inj->intid = (uint16_t)intid;
        return 0;
    }
    uint64_t vector;
    if (parse_u64(kind, 0, &vector) != 0 || vector > 255) {
        snprintf(why, why_len, "'%s' is neither nmi nor a vector 0-255", kind);
        return -1;
    }
    inj->vector = (uint8_t)vector;
    return 0;
}

static int parse_when(emu_machine *m, const char *when, emu_injection *inj, char *why, size_t why_len)
{
    if (!strncmp(when, "cycle:", 6)) {
        inj->when = EMU_INJECT_AT_CYCLE;
        if (parse_u64(when + 6, 10, &inj->at) != 0) {
            snprintf(why, why_len, "'%s' is not a cycle count (cycle:N, N decimal)", when);
            return -1;
        }
        return 0;
    }
    inj->when = EMU_INJECT_AT_PC;
    if (!strncmp(when, "0x", 2) || !strncmp(when, "0X", 2)) {
        if (parse_u64(when, 16, &inj->at) != 0) {
            snprintf(why, why_len, "'%s' is not a hexadecimal address", when);
            return -1;
        }
        return 0;
    }
    if (when[0] >= '0' && when[0] <= '9') {
        snprintf(why, why_len, "'%s' is ambiguous: write cycle:%s for a cycle count, or 0x... for an address",
                 when, when);
        return -1;
    }
    char name[256];
    const char *plus = strchr(when, '+');
    size_t len = plus ? (size_t)(plus - when) : strlen(when);
    if (len == 0 || len >= sizeof name) {
        snprintf(why, why_len, "'%s' does not name a symbol", when);
        return -1;
    }
    memcpy(name, when, len);
    name[len] = '\0';
    uint64_t offset = 0;
    if (plus && parse_u64(plus + 1, 0, &offset) != 0) {
        snprintf(why, why_len, "'%s' is not an offset (decimal or 0x hex)", plus + 1);
        return -1;
    }
    uint64_t value;
    if (emu_symbol_lookup(m, name, &value) != EMU_OK) {
        snprintf(why, why_len, "the firmware has no symbol '%s' (is it stripped?)", name);
        return -1;
    }
    inj->at = value + offset;
    return 0;
}

int cli_inject(emu_machine *m, const char *spec, char *why, size_t why_len)
{
    const char *at = strchr(spec, '@');
    if (!at) {
        snprintf(why, why_len, "no '@' in '%s': %s", spec, INJECT_USAGE);
        return -1;
    }
    char kind[32];
    size_t kind_len = (size_t)(at - spec);
    if (kind_len == 0 || kind_len >= sizeof kind) {
        snprintf(why, why_len, "no KIND before '@' in '%s': %s", spec, INJECT_USAGE);
        return -1;
    }
    memcpy(kind, spec, kind_len);
    kind[kind_len] = '\0';
    emu_injection inj = { 0 };
    if (parse_kind(m, kind, &inj, why, why_len) != 0 || parse_when(m, at + 1, &inj, why, why_len) != 0)
        return -1;
    emu_err err = emu_inject(m, &inj);
    if (err == EMU_ERR_INVALID_ARG && emu_machine_arch(m) == EMU_ARCH_AARCH64) {
        snprintf(why, why_len, "the GIC has no INTID %u to inject (PPIs 16-31, SPIs from 32 up to its "
                 "GICD_TYPER limit), or more than 32 injections", (unsigned)inj.intid);
        return -1;
    }
    if (err != EMU_OK) {
        snprintf(why, why_len, "%s (at most 32 injections)", emu_strerror(err));
        return -1;
    }
    return 0;
}
