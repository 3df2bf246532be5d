#include "cpu/x86/vectors.h"

#include <stddef.h>

#include "cpu/x86/x86.h"

typedef struct vector_info {
    const char *mnemonic;
    bool error_code;
} vector_info;

static const vector_info vectors[32] = {
    [X86_VEC_DE] = { "#DE", false }, [X86_VEC_DB] = { "#DB", false },
    [X86_VEC_NMI] = { "NMI", false }, [X86_VEC_BP] = { "#BP", false },
    [X86_VEC_OF] = { "#OF", false }, [X86_VEC_BR] = { "#BR", false },
    [X86_VEC_UD] = { "#UD", false }, [X86_VEC_NM] = { "#NM", false },
    [X86_VEC_DF] = { "#DF", true }, [9] = { "coprocessor segment overrun", false },
    [X86_VEC_TS] = { "#TS", true }, [X86_VEC_NP] = { "#NP", true },
    [X86_VEC_SS] = { "#SS", true }, [X86_VEC_GP] = { "#GP", true },
    [X86_VEC_PF] = { "#PF", true }, [15] = { "reserved", false },
    [X86_VEC_MF] = { "#MF", false }, [X86_VEC_AC] = { "#AC", true },
    [X86_VEC_MC] = { "#MC", false }, [X86_VEC_XM] = { "#XM", false },
    [X86_VEC_VE] = { "#VE", false }, [X86_VEC_CP] = { "#CP", true },
};

const char *x86_vector_mnemonic(unsigned vector)
{
    if (vector < 32)
        return vectors[vector].mnemonic ? vectors[vector].mnemonic : "reserved";
    return "interrupt";
}

bool x86_vector_has_error_code(unsigned vector)
{
    return vector < 32 && vectors[vector].error_code;
}
