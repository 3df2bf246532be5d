/* Exception vector identities (SDM vol. 3, table 6-1): mnemonic and whether an error code is pushed. */
#ifndef EMU_CPU_X86_VECTORS_H
#define EMU_CPU_X86_VECTORS_H

#include <stdbool.h>

/* "#GP", "#PF", ...; "INT n" vectors 32-255 return "interrupt". */
const char *x86_vector_mnemonic(unsigned vector);
bool x86_vector_has_error_code(unsigned vector);

#endif
