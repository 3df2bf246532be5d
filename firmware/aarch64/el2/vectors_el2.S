/* VBAR_EL2's table: the shared vector code (boot/vectors.S) built for EL2. */
#define VECTORS_EL 2
#include "boot/vectors.S"
