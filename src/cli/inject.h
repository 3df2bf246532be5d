/* --inject KIND@WHEN: parse the request and hand it to emu_inject (docs/cli.md). */
#ifndef EMU_CLI_INJECT_H
#define EMU_CLI_INJECT_H

#include <stddef.h>

#include "emu/emu.h"

/* Parse spec and register it with m (symbols come from m's firmware). 0, or -1 with why filled. */
int cli_inject(emu_machine *m, const char *spec, char *why, size_t why_len);

#endif
