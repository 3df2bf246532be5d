/*
 * COM1 as a 16550A UART, polled. Transmit is immediate: THR writes go to the
 * console and LSR always reports THRE|TEMT. Receive reads one byte at a time
 * from the input descriptor (stdin when it is not a terminal), blocking, so
 * a given input file always yields the same guest behaviour. Interrupt
 * enables are stored but raise nothing: the platform has no interrupt
 * controller yet (documented in docs/pc-platform.md).
 */
#include "platform/pc/pc.h"

#include <errno.h>
#include <unistd.h>

/* Register offsets (PC16550D data sheet, table 2). */
enum {
    UART_RBR_THR = 0,   /* DLL when LCR.DLAB */
    UART_IER = 1,       /* DLM when LCR.DLAB */
    UART_IIR_FCR = 2,
    UART_LCR = 3,
    UART_MCR = 4,
    UART_LSR = 5,
    UART_MSR = 6,
    UART_SCR = 7,
};

#define UART_LCR_DLAB   0x80
#define UART_LSR_DR     0x01
#define UART_LSR_THRE   0x20
#define UART_LSR_TEMT   0x40
#define UART_IIR_NO_INT 0x01
#define UART_IIR_FIFO_ENABLED 0xc0
#define UART_FCR_FIFO_ENABLE 0x01
#define UART_MCR_LOOP   0x10
/* MSR with loopback off: CTS, DSR and DCD asserted, as a connected terminal. */
#define UART_MSR_CONNECTED 0xb0

void uart16550_init(uart16550 *u, int input_fd)
{
    *u = (uart16550){ .input_fd = input_fd, .dll = 0x0c };  /* 9600 baud, the BIOS default */
}

static void uart_fill_rx(uart16550 *u)
{
    if (u->rx_full || u->input_fd < 0 || u->input_eof)
        return;
    uint8_t byte;
    ssize_t n;
    do {
        n = read(u->input_fd, &byte, 1);
    } while (n < 0 && errno == EINTR);
    if (n == 1) {
        u->rx_byte = byte;
        u->rx_full = true;
    } else {
        u->input_eof = true;
    }
}

uint8_t uart16550_read(emu_machine *m, uart16550 *u, unsigned offset)
{
    bool dlab = u->lcr & UART_LCR_DLAB;
    switch (offset) {
    case UART_RBR_THR:
        if (dlab)
            return u->dll;
        uart_fill_rx(u);
        if (!u->rx_full)
            return 0;
        u->rx_full = false;
        return u->rx_byte;
    case UART_IER:
        return dlab ? u->dlm : u->ier;
    case UART_IIR_FCR:
        return UART_IIR_NO_INT | ((u->fcr & UART_FCR_FIFO_ENABLE) ? UART_IIR_FIFO_ENABLED : 0);
    case UART_LCR:
        return u->lcr;
    case UART_MCR:
        return u->mcr;
    case UART_LSR:
        uart_fill_rx(u);
        return UART_LSR_THRE | UART_LSR_TEMT | (u->rx_full ? UART_LSR_DR : 0);
    case UART_MSR:
        /* In loopback the modem inputs follow MCR's outputs (data sheet 8.6). */
        if (u->mcr & UART_MCR_LOOP)
            return (uint8_t)(((u->mcr & 0x0c) << 4) | ((u->mcr & 0x01) << 5) | ((u->mcr & 0x02) << 3));
        return UART_MSR_CONNECTED;
    default:
        return u->scr;
    }
}

void uart16550_write(emu_machine *m, uart16550 *u, unsigned offset, uint8_t val)
{
    bool dlab = u->lcr & UART_LCR_DLAB;
    switch (offset) {
    case UART_RBR_THR:
        if (dlab) {
            u->dll = val;
        } else if (u->mcr & UART_MCR_LOOP) {
            u->rx_byte = val;           /* loopback: transmitted byte comes back */
            u->rx_full = true;
        } else {
            machine_console_write(m, &val, 1);
        }
        return;
    case UART_IER:
        if (dlab)
            u->dlm = val;
        else
            u->ier = val & 0x0f;
        return;
    case UART_IIR_FCR:
        u->fcr = val;
        return;
    case UART_LCR:
        u->lcr = val;
        return;
    case UART_MCR:
        u->mcr = val & 0x1f;
        return;
    case UART_LSR:
    case UART_MSR:
        return;                         /* read-only status registers */
    default:
        u->scr = val;
        return;
    }
}
