; timer.asm - 64 KiB BIOS ROM: the PC's timer chips and interrupt
; controller, in real mode, with external interrupts.
;
; Checks:
;   * 8259A initialisation (ICW1-ICW4, vector bases 0x20 and 0x28, slave on
;     IR2), IMR read-back (OCW1), IRR/ISR reads through OCW3;
;   * 8254 counter 0 in mode 2 at 100 Hz (count 11932) drives IRQ 0, and the
;     MC146818 update-ended interrupt (register B UIE) drives IRQ 8 through
;     the slave: with HLT in a loop, IRQ 0 fires 98-102 times between two
;     RTC updates, one second apart (each handler sends its EOIs);
;   * 8254 counter 2 in mode 0, gated by port 0x61 bit 0: OUT (port 0x61
;     bit 5) rises after 0xFFFF clocks (54.9 ms), during which IRQ 0 fires
;     4-7 times; the read-back command's status shows counter 0's mode;
;   * port 0x61 bit 4 (refresh toggle) changes while polled.
;
; A local APIC, if CPUID reports one (anillo has none), is first put in
; virtual-wire mode, as firmware leaves it, so the 8259A's INT reaches the CPU.
;
; Intel 8259A datasheet ("Initialization Command Words", "Operation Command
; Words"); Intel 82C54 datasheet ("Mode 0", "Mode 2", "Read-Back Command");
; Motorola MC146818A datasheet (registers B and C, "Update-Ended Interrupt");
; SDM Vol. 3A §20.1.4 "Interrupt and Exception Handling" (real mode IVT).

%define TEST_NAME "timer"
%define ROM_ORG 0                   ; labels are offsets in segment 0xF000
%include "rom.inc"

STACK_SEG       equ 0x7000          ; stack: 7000:F000
STACK_TOP       equ 0xF000
PIT_COUNT       equ 11932           ; 1193182 Hz / 11932 = 100.0 Hz
VEC_MASTER      equ 0x20
VEC_SLAVE       equ 0x28

; variables at linear 0x500 (DS = 0 throughout)
[absolute 0x500]
ticks           resd 1              ; IRQ 0 count
updates         resd 1              ; RTC update-ended interrupts
start_ticks     resd 1              ; ticks at the first update
end_ticks       resd 1              ; ticks at the second
        section .text

        bits    16
rm_entry:
        cli
        cld
        xor     ax, ax
        mov     ds, ax
        mov     es, ax
        mov     ax, STACK_SEG
        mov     ss, ax
        mov     sp, STACK_TOP
        xor     eax, eax
        mov     [ticks], eax
        mov     [updates], eax
        DBG_PUTS "timer: started", 10

        ; A local APIC (QEMU and Bochs have one) keeps LINT0 masked after
        ; reset, which cuts the 8259A off from the CPU. Set up virtual-wire
        ; mode as firmware does: APIC software-enabled, LINT0 = ExtINT (the
        ; 8259A's INTR), LINT1 = NMI (SDM Vol. 3A §10.5.1 "Local Vector
        ; Table", §10.9 "Spurious Interrupt"; MP Specification §3.6.2.2
        ; "Virtual Wire Mode"). The APIC page is above 1 MiB: reach it
        ; through FS with a 4 GiB limit ("unreal" mode).
        mov     eax, 1
        cpuid
        test    edx, 1 << 9         ; CPUID.1:EDX.APIC
        jz      .no_apic
        mov     ecx, 0x1B           ; IA32_APIC_BASE
        rdmsr
        and     eax, 0xFFFFF000
        mov     esi, eax
        lgdt    [cs:unreal_gdtr]
        mov     eax, cr0
        or      al, 1
        mov     cr0, eax
        mov     bx, 8
        mov     fs, bx              ; base 0, limit 4 GiB
        and     al, 0xFE
        mov     cr0, eax
        mov     dword [fs:esi + 0xF0], 0x1FF    ; SVR: enabled, spurious vector 0xFF
        mov     dword [fs:esi + 0x350], 0x700   ; LVT LINT0: ExtINT
        mov     dword [fs:esi + 0x360], 0x400   ; LVT LINT1: NMI
.no_apic:

        ; ---- 8259A pair: edge-triggered, cascaded, 8086 mode -----------------
        mov     al, 0x11            ; ICW1: IC4, cascade, edge
        out     0x20, al
        out     0xA0, al
        mov     al, VEC_MASTER      ; ICW2
        out     0x21, al
        mov     al, VEC_SLAVE
        out     0xA1, al
        mov     al, 0x04            ; ICW3: slave on IR2 / slave ID 2
        out     0x21, al
        mov     al, 0x02
        out     0xA1, al
        mov     al, 0x01            ; ICW4: 8086 mode, normal EOI
        out     0x21, al
        out     0xA1, al
        mov     al, 0xFA            ; OCW1: IRQ 0 and the cascade unmasked
        out     0x21, al
        mov     al, 0xFE            ; IRQ 8 unmasked
        out     0xA1, al
        xor     eax, eax
        in      al, 0x21
        CHECK_EQ eax, 0xFA, "master IMR read back"
        in      al, 0xA1
        CHECK_EQ eax, 0xFE, "slave IMR read back"
        mov     al, 0x0B            ; OCW3: read ISR
        out     0x20, al
        in      al, 0x20
        CHECK_EQ eax, 0, "master ISR after initialisation"
        mov     al, 0x0A            ; OCW3: read IRR
        out     0x20, al

        mov     word [VEC_MASTER * 4], irq0
        mov     word [VEC_MASTER * 4 + 2], ROM_SEG
        mov     word [VEC_SLAVE * 4], irq8
        mov     word [VEC_SLAVE * 4 + 2], ROM_SEG

        ; ---- RTC: update-ended interrupts; PIT counter 0: mode 2, 100 Hz -----
        mov     al, 0x0B
        out     0x70, al
        mov     al, 0x12            ; register B: 24-hour, BCD, UIE
        out     0x71, al
        mov     al, 0x0C
        out     0x70, al
        in      al, 0x71            ; clear pending flags

        mov     al, 0x34            ; counter 0, LSB then MSB, mode 2, binary
        out     0x43, al
        mov     ax, PIT_COUNT
        out     0x40, al
        mov     al, ah
        out     0x40, al

        sti
.wait:  hlt
        cmp     dword [updates], 2
        jb      .wait
        cli
        mov     eax, [end_ticks]
        sub     eax, [start_ticks]
        DBG_PUTS "timer: IRQ 0 ticks in one RTC second: 0x"
        DBG_HEX32 eax
        DBG_PUTS 10
        cmp     eax, 98
        jb      .bad_rate
        cmp     eax, 102
        jbe     .rate_ok
.bad_rate:
        CHECK_EQ eax, 100, "IRQ 0 ticks between two RTC updates (98-102)"
.rate_ok:
        mov     al, 0x0B            ; register B: updates without interrupts
        out     0x70, al
        mov     al, 0x02
        out     0x71, al

        ; ---- read-back: counter 0's status shows mode 2, LSB then MSB --------
        mov     al, 0xE2            ; read-back: status only, counter 0
        out     0x43, al
        xor     eax, eax
        in      al, 0x40
        CHECK_MASK eax, 0x3F, 0x34, "read-back status of counter 0"

        ; ---- counter 2 one-shot through port 0x61 ----------------------------
        in      al, 0x61
        and     al, 0xFC            ; gate off, speaker off
        out     0x61, al
        mov     al, 0xB0            ; counter 2, LSB then MSB, mode 0, binary
        out     0x43, al
        mov     al, 0xFF
        out     0x42, al
        out     0x42, al
        in      al, 0x61
        test    al, 0x20
        jz      .out_low
        FAIL    "counter 2 OUT high right after a mode 0 count"
.out_low:
        mov     ebx, [ticks]
        in      al, 0x61
        or      al, 0x01            ; gate on: counting starts
        out     0x61, al
        sti
.poll:  in      al, 0x61
        test    al, 0x20
        jz      .poll
        cli
        mov     eax, [ticks]
        sub     eax, ebx
        DBG_PUTS "timer: IRQ 0 ticks during the 54.9 ms one-shot: 0x"
        DBG_HEX32 eax
        DBG_PUTS 10
        cmp     eax, 4
        jb      .bad_shot
        cmp     eax, 7
        jbe     .shot_ok
.bad_shot:
        CHECK_EQ eax, 5, "IRQ 0 ticks during the counter 2 one-shot (4-7)"
.shot_ok:

        ; ---- refresh toggle ----------------------------------------------------
        in      al, 0x61
        and     al, 0x10
        mov     bl, al
        mov     ecx, 1000000
.toggle:
        in      al, 0x61
        and     al, 0x10
        cmp     al, bl
        jne     .toggled
        dec     ecx
        jnz     .toggle
        FAIL    "port 0x61 bit 4 (refresh toggle) never changed"
.toggled:
        PASS

; Flat data descriptor for unreal mode (accessed bit preset: the ROM is read-only).
        align   8
unreal_gdt:
        dq      0
        dw      0xFFFF, 0
        db      0, 0x93, 0xCF, 0
unreal_gdtr:
        dw      15
        dd      0xF0000 + unreal_gdt

; IRQ 0: count, then non-specific EOI to the master.
irq0:
        push    ax
        push    ds
        xor     ax, ax
        mov     ds, ax
        inc     dword [ticks]
        mov     al, 0x20
        out     0x20, al
        pop     ds
        pop     ax
        iret

; IRQ 8: read register C (clears the flags and the IRQ); on UF note the tick
; count; EOI to the slave, then to the master.
irq8:
        push    eax
        push    ds
        xor     ax, ax
        mov     ds, ax
        mov     al, 0x0C
        out     0x70, al
        in      al, 0x71
        test    al, 0x10
        jz      .eoi
        inc     dword [updates]
        mov     eax, [ticks]
        cmp     dword [updates], 1
        jne     .second
        mov     [start_ticks], eax
        jmp     .eoi
.second:
        cmp     dword [updates], 2
        jne     .eoi
        mov     [end_ticks], eax
.eoi:   mov     al, 0x20
        out     0xA0, al
        out     0x20, al
        pop     ds
        pop     eax
        iret

        ROM_END
