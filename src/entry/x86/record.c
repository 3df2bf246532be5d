/* Trap records: steps appended as delivery works, each with its modelled cost. */
#include <stdio.h>

#include "core/machine.h"
#include "cpu/x86/vectors.h"
#include "entry/x86/entry.h"

void x86_event_name(const x86_fault *ev, char *buf, size_t len)
{
    if (ev->kind == X86_EVENT_INTERRUPT)
        snprintf(buf, len, "interrupt 0x%x", ev->vector);
    else if (ev->vector >= 32)
        snprintf(buf, len, "INT 0x%x", ev->vector);
    else if (ev->has_error_code)
        snprintf(buf, len, "%s(0x%x)", x86_vector_mnemonic(ev->vector), ev->error_code);
    else
        snprintf(buf, len, "%s", x86_vector_mnemonic(ev->vector));
}
