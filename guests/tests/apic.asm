; apic.asm - 64 KiB BIOS ROM: the local APIC and the I/O APIC, programmed
; directly in protected mode (no MP table or ACPI needed).
;
; Enters protected mode with lib/pm.inc and checks:
;   * CPUID.1:EDX.APIC is set, IA32_APIC_BASE is 0xFEE00900 (enabled, BSP);
;     the version register is an integrated APIC's (10H-15H, 20H+ on newer
;     parts) with at least 4 LVT entries; SVR reads 0xFF after reset;
;   * virtual wire: with the APIC software-enabled and LVT LINT0 = ExtINT,
;     the 8259A's IRQ 0 (PIT at 1 kHz) reaches the CPU with the 8259A's
;     vector; with LINT0 masked it no longer does (checked last);
;   * self IPIs (shorthand "self"): vectors 0x51 and 0x61 sent with IF=0 are
;     taken higher vector first; TPR = 0x60 holds 0x61 in IRR (PPR = 0x60)
;     until TPR is lowered;
;   * the timer: periodic at divide-by-16, initial count 62500, counted over
;     the 8254 counter 2 one-shot of 0xFFFF clocks (54.9 ms) read through
;     port 0x61, as "APIC timer ticks", then two more ticks awaited; the
;     current count runs down; a one-shot count interrupts exactly once and
;     leaves the current count 0;
;   * the I/O APIC: version (0x11 on the 82093AA, 0x20 on later ones) with
;     at least 24 entries; pin 2 (ISA IRQ 0) redirected to vector 0x72,
;     edge, physical destination = this APIC's ID, interrupts; pin 8 (RTC,
;     which holds IRQ 8 until register C is read) programmed level-triggered
;     to 0x78: the handler's first run sees remote IRR set and EOIs without
;     reading register C, so the still-asserted pin interrupts again at once;
;     the second run reads register C; remote IRR is clear afterwards;
;   * nothing is left in service (ISR all zero) and ESR holds no error.
;
; QEMU 7.2 passes everything. Bochs 2.7 passes up to the I/O APIC, whose
; interrupts never arrive there (its PIIX3 model presumably keeps the I/O
; APIC off until firmware enables it), and it connects the 8259A to INTR
; whatever LVT LINT0 says, so the last check would fail there too.
;
; The number of APIC timer ticks in the window depends on the APIC's bus
; clock (anillo: 100 MHz, so 5 ticks of 10 ms; QEMU and Bochs use other
; clocks) and, in real time, on the host's load: the kernel only prints it
; and then waits for two more ticks; anillo's test checks the exact count.
;
; SDM Vol. 3A ch. 10 "Advanced Programmable Interrupt Controller (APIC)":
; §10.4.3-10.4.4 (IA32_APIC_BASE), §10.4.8 (version), §10.5.1 (LVT),
; §10.5.4 (timer), §10.6.1 (ICR), §10.8.3.1 (TPR/PPR), §10.8.5 (EOI),
; §10.9 (SVR); Intel 82093AA I/O APIC datasheet §3.2 (IOREGSEL/IOWIN,
; IOAPICVER, redirection table); MP Specification §3.6.2.2 (virtual wire).

%define TEST_NAME "apic"
%include "rom.inc"
%include "pm.inc"

APIC            equ 0xFEE00000
A_ID            equ APIC + 0x020
A_VERSION       equ APIC + 0x030
A_TPR           equ APIC + 0x080
A_PPR           equ APIC + 0x0A0
A_EOI           equ APIC + 0x0B0
A_SVR           equ APIC + 0x0F0
A_ISR           equ APIC + 0x100
A_IRR           equ APIC + 0x200
A_ESR           equ APIC + 0x280
A_ICR_LO        equ APIC + 0x300
A_ICR_HI        equ APIC + 0x310
A_LVT_TIMER     equ APIC + 0x320
A_LVT_LINT0     equ APIC + 0x350
A_LVT_LINT1     equ APIC + 0x360
A_LVT_ERROR     equ APIC + 0x370
A_TIMER_INIT    equ APIC + 0x380
A_TIMER_CUR     equ APIC + 0x390
A_TIMER_DIV     equ APIC + 0x3E0
IOAPIC_SEL      equ 0xFEC00000
IOAPIC_WIN      equ 0xFEC00010

LVT_MASKED      equ 0x10000
SELF_IPI        equ 0x40000         ; ICR destination shorthand "self"
VEC_PIC         equ 0x20            ; 8259A master base
VEC_SPURIOUS    equ 0x7F            ; low nibble 1111 (hardwired on a P6)
PIT_1KHZ        equ 1193            ; 1193182 Hz / 1193 = 1000.2 Hz

[absolute 0x0C00]
pic_ticks       resd 1
timer_ticks     resd 1
oneshot_ticks   resd 1
io_ticks        resd 1
level_count     resd 1
level_rte       resd 1              ; pin 8's entry as the first level handler saw it
spurious        resd 1
log_count       resd 1
log             resb 16             ; vectors of the logging handlers, in order
apic_id         resd 1
        section .text

; SET_GATE vector, handler
%macro SET_GATE 2
        mov     eax, %1
        mov     ebx, %2
        mov     cl, 0x8E                    ; 32-bit interrupt gate, DPL0
        call    set_gate
%endmacro

; IOAPIC_WRITE index, value
%macro IOAPIC_WRITE 2
        mov     dword [IOAPIC_SEL], %1
        mov     dword [IOAPIC_WIN], %2
%endmacro

        bits    32
kmain:
        ; ---------------------------------------------------- presence and reset state
        mov     eax, 1
        cpuid
        CHECK_MASK edx, 1 << 9, 1 << 9, "CPUID.1:EDX.APIC"
        mov     ecx, 0x1B
        rdmsr
        CHECK_EQ eax, 0xFEE00900, "IA32_APIC_BASE after reset"
        mov     eax, [A_VERSION]
        DBG_PUTS "apic: local APIC version 0x"
        DBG_HEX32 eax
        DBG_PUTS 10
        CHECK_MASK eax, 0xF0, 0x10, "local APIC version: integrated (1xH)"
        mov     ebx, eax
        shr     ebx, 16
        and     ebx, 0xFF
        cmp     ebx, 3
        jae     .lvt_ok
        CHECK_EQ ebx, 4, "max LVT entry"
.lvt_ok:
        mov     eax, [A_SVR]
        CHECK_MASK eax, 0x1FF, 0xFF, "SVR after reset"
        mov     eax, [A_ID]
        and     eax, 0xFF000000
        mov     [apic_id], eax

        SET_GATE VEC_PIC, pic_irq0
        SET_GATE 0x51, log_51
        SET_GATE 0x61, log_61
        SET_GATE 0x70, timer_periodic
        SET_GATE 0x71, timer_oneshot
        SET_GATE 0x72, ioapic_pin2
        SET_GATE 0x78, rtc_level
        SET_GATE VEC_SPURIOUS, spurious_handler

        ; 8259A pair: bases 0x20/0x28, everything masked
        mov     al, 0x11
        out     0x20, al
        out     0xA0, al
        mov     al, VEC_PIC
        out     0x21, al
        mov     al, VEC_PIC + 8
        out     0xA1, al
        mov     al, 0x04
        out     0x21, al
        mov     al, 0x02
        out     0xA1, al
        mov     al, 0x01
        out     0x21, al
        out     0xA1, al
        mov     al, 0xFF
        out     0x21, al
        out     0xA1, al

        ; PIT counter 0: mode 2 at 1 kHz (IRQ 0 for the 8259A and I/O APIC pin 2)
        mov     al, 0x34
        out     0x43, al
        mov     ax, PIT_1KHZ
        out     0x40, al
        mov     al, ah
        out     0x40, al

        ; ---------------------------------------------------- virtual wire
        mov     dword [A_SVR], 0x100 | VEC_SPURIOUS
        mov     eax, [A_SVR]
        CHECK_MASK eax, 0x1FF, 0x100 | VEC_SPURIOUS, "SVR enabled"
        mov     dword [A_LVT_LINT0], 0x700          ; ExtINT
        mov     dword [A_LVT_LINT1], 0x400          ; NMI
        mov     dword [A_TPR], 0
        mov     al, 0xFE                            ; IRQ 0 only
        out     0x21, al
        sti
.wire:  hlt
        cmp     dword [pic_ticks], 5
        jb      .wire
        cli
        mov     al, 0xFF
        out     0x21, al

        ; ---------------------------------------------------- self IPIs, priority, TPR
        mov     dword [A_ICR_HI], 0
        mov     dword [A_ICR_LO], SELF_IPI | 0x51
        mov     dword [A_ICR_LO], SELF_IPI | 0x61
        mov     eax, [A_IRR + 0x20]                 ; vectors 0x40-0x5F
        CHECK_MASK eax, 1 << 0x11, 1 << 0x11, "IRR holds 0x51 while IF=0"
        sti
        nop
        cli
        CHECK_EQ dword [log_count], 2, "self IPIs taken"
        movzx   eax, byte [log]
        CHECK_EQ eax, 0x61, "the higher vector first"
        movzx   eax, byte [log + 1]
        CHECK_EQ eax, 0x51, "then the lower one"

        mov     dword [A_TPR], 0x60
        mov     eax, [A_PPR]
        CHECK_EQ eax, 0x60, "PPR follows TPR"
        mov     dword [A_ICR_LO], SELF_IPI | 0x61
        sti
        nop
        nop
        cli
        CHECK_EQ dword [log_count], 2, "0x61 held by TPR 0x60"
        mov     eax, [A_IRR + 0x30]                 ; vectors 0x60-0x7F
        CHECK_MASK eax, 1 << 1, 1 << 1, "0x61 pending in IRR"
        sti
        mov     dword [A_TPR], 0x50
        nop
        cli
        CHECK_EQ dword [log_count], 3, "0x61 taken once TPR is lowered"
        mov     dword [A_TPR], 0

        ; ---------------------------------------------------- timer
        mov     dword [A_TIMER_DIV], 0x3            ; divide by 16
        mov     dword [A_LVT_TIMER], 0x20070        ; periodic, vector 0x70
        mov     dword [A_TIMER_INIT], 62500
        mov     eax, [A_TIMER_CUR]
        mov     ecx, 2000
.spin:  loop    .spin
        mov     ebx, [A_TIMER_CUR]
        cmp     eax, 62500
        ja      .bad_count
        cmp     ebx, eax
        jb      .count_ok
.bad_count:
        CHECK_EQ ebx, eax, "current count running down from 62500"
.count_ok:
        call    pit_window
        mov     ebx, [timer_ticks]
        DBG_PUTS "apic: APIC timer ticks in 54.9 ms: 0x"
        DBG_HEX32 ebx
        DBG_PUTS 10
        cmp     ebx, 1000
        jbe     .ticks_ok
        CHECK_EQ ebx, 5, "periodic timer ticks in 54.9 ms (at most 1000)"
.ticks_ok:
        add     ebx, 2                              ; it keeps going: two more
        sti
.more:  hlt
        cmp     [timer_ticks], ebx
        jb      .more
        cli
        mov     dword [A_LVT_TIMER], LVT_MASKED | 0x70
        mov     dword [A_TIMER_INIT], 0
        mov     eax, [A_TIMER_CUR]
        CHECK_EQ eax, 0, "current count after writing initial count 0"

        mov     dword [A_LVT_TIMER], 0x71           ; one-shot, vector 0x71
        mov     dword [A_TIMER_INIT], 1000
        sti
.shot:  hlt
        cmp     dword [oneshot_ticks], 0
        je      .shot
        call    pit_window
        cli
        CHECK_EQ dword [oneshot_ticks], 1, "one-shot interrupts once"
        mov     eax, [A_TIMER_CUR]
        CHECK_EQ eax, 0, "one-shot current count after expiry"

        ; ---------------------------------------------------- I/O APIC
        mov     dword [IOAPIC_SEL], 1
        mov     eax, [IOAPIC_WIN]
        DBG_PUTS "apic: I/O APIC version 0x"
        DBG_HEX32 eax
        DBG_PUTS 10
        mov     ebx, eax
        and     ebx, 0xFF
        cmp     ebx, 0x11
        jae     .iover_ok
        CHECK_EQ ebx, 0x11, "I/O APIC version"
.iover_ok:
        shr     eax, 16
        and     eax, 0xFF
        cmp     eax, 23
        jae     .entries_ok
        CHECK_EQ eax, 23, "I/O APIC max redirection entry"
.entries_ok:
        mov     dword [IOAPIC_SEL], 0x14            ; pin 2 low: masked after reset
        mov     eax, [IOAPIC_WIN]
        CHECK_MASK eax, LVT_MASKED, LVT_MASKED, "pin 2 masked after reset"
        mov     eax, [apic_id]
        IOAPIC_WRITE 0x15, eax                      ; destination: this APIC
        IOAPIC_WRITE 0x14, 0x72                     ; fixed, physical, edge, high
        sti
.io:    hlt
        cmp     dword [io_ticks], 5
        jb      .io
        cli
        IOAPIC_WRITE 0x14, LVT_MASKED | 0x72

        ; pin 8: the RTC's periodic interrupt, level-triggered
        mov     eax, [apic_id]
        IOAPIC_WRITE 0x21, eax
        IOAPIC_WRITE 0x20, 0x8078                   ; fixed, physical, level, high
        mov     al, 0x0A
        out     0x70, al
        mov     al, 0x26                            ; 32.768 kHz, 1024 Hz periodic
        out     0x71, al
        mov     al, 0x0C
        out     0x70, al
        in      al, 0x71
        mov     al, 0x0B
        out     0x70, al
        mov     al, 0x42                            ; PIE, 24-hour
        out     0x71, al
        sti
.lvl:   hlt
        cmp     dword [level_count], 2
        jb      .lvl
        cli
        CHECK_EQ dword [level_count], 2, "level interrupt taken twice"
        CHECK_MASK dword [level_rte], 0x4000, 0x4000, "remote IRR set while in service"
        mov     dword [IOAPIC_SEL], 0x20
        mov     eax, [IOAPIC_WIN]
        CHECK_MASK eax, 0x4000, 0, "remote IRR clear after the last EOI"
        IOAPIC_WRITE 0x20, LVT_MASKED | 0x8078

        ; ---------------------------------------------------- nothing left over
        xor     ecx, ecx
.isr:   mov     eax, [A_ISR + ecx * 8]              ; ISR dwords are 16 bytes apart
        CHECK_EQ eax, 0, "ISR empty at the end"
        add     ecx, 2
        cmp     ecx, 16
        jb      .isr
        mov     dword [A_ESR], 0
        mov     eax, [A_ESR]
        CHECK_EQ eax, 0, "ESR"

        ; ---------------------------------------------------- LINT0 masked (last: fails on Bochs)
        mov     dword [A_LVT_LINT0], LVT_MASKED | 0x700
        mov     al, 0xFE
        out     0x21, al
        mov     ebx, [pic_ticks]
        call    pit_window
        mov     eax, [pic_ticks]
        sub     eax, ebx
        CHECK_EQ eax, 0, "8259A interrupts with LINT0 masked"
        PASS

; pit_window: runs the 8254 counter 2 one-shot of 0xFFFF clocks (54.9 ms)
; with interrupts enabled, and returns with IF=0 when its OUT rises.
pit_window:
        in      al, 0x61
        and     al, 0xFC                    ; gate off, speaker off
        out     0x61, al
        mov     al, 0xB0                    ; counter 2, LSB then MSB, mode 0
        out     0x43, al
        mov     al, 0xFF
        out     0x42, al
        out     0x42, al
        in      al, 0x61
        or      al, 0x01                    ; gate on: counting starts
        out     0x61, al
        sti
.poll:  in      al, 0x61
        test    al, 0x20
        jz      .poll
        cli
        ret

; ---------------------------------------------------------------- handlers
pic_irq0:
        inc     dword [pic_ticks]
        push    eax
        mov     al, 0x20                    ; non-specific EOI to the 8259A
        out     0x20, al
        pop     eax
        iretd

%macro LOG_HANDLER 1
log_%1:
        push    eax
        mov     eax, [log_count]
        mov     byte [log + eax], 0x%1
        inc     dword [log_count]
        mov     dword [A_EOI], 0
        pop     eax
        iretd
%endmacro
        LOG_HANDLER 51
        LOG_HANDLER 61

timer_periodic:
        inc     dword [timer_ticks]
        mov     dword [A_EOI], 0
        iretd

timer_oneshot:
        inc     dword [oneshot_ticks]
        mov     dword [A_EOI], 0
        iretd

ioapic_pin2:
        inc     dword [io_ticks]
        mov     dword [A_EOI], 0
        iretd

; First run: note pin 8's entry and EOI with the RTC still asserting IRQ 8,
; so the I/O APIC sends again. Second run: stop the RTC and deassert.
rtc_level:
        push    eax
        inc     dword [level_count]
        cmp     dword [level_count], 1
        jne     .second
        mov     dword [IOAPIC_SEL], 0x20
        mov     eax, [IOAPIC_WIN]
        mov     [level_rte], eax
        jmp     .eoi
.second:
        mov     al, 0x0B
        out     0x70, al
        mov     al, 0x02                    ; PIE off
        out     0x71, al
        mov     al, 0x0C
        out     0x70, al
        in      al, 0x71                    ; reading C lowers IRQ 8
.eoi:   mov     dword [A_EOI], 0
        pop     eax
        iretd

spurious_handler:
        inc     dword [spurious]            ; no EOI for the spurious vector
        iretd

        ROM_END
