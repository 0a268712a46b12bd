; harness.asm - the Bochs cross-check ROM: a 64 KiB BIOS image that runs a
; table of instruction cases, one at a time, each in a freshly prepared
; machine state, and prints one line per case on the debug console (port
; 0xE9). The same image runs on Bochs (the reference) and on anillo; the
; case table is appended by tools/oracle/bochs/rom.ts (see layout.ts for the
; record format; the constants below must match it, and the banner line
; prints them so the host can check).
;
;   nasm -f bin -o harness.bin harness.asm
;
; The harness lives in 32-bit protected mode (flat CS 0x38, DS/ES/SS 0x40):
; it prepares memory for a case (data window, stack page and code area: 2
; KiB patterns that the case's seeds select from a random pool built at
; start-up, explicit bytes laid over them, INT3 bytes around the snippet; a
; fresh copy of the GDT/LDT/TSSs; the real-mode IVT; CR0/CR2/CR3/CR4, DR0-7
; and the SYSENTER MSRs), then enters the case either in protected mode at
; CPL 0 (mode 1; CS 0x08 is 32-bit, 0x48 16-bit) or, through a 16-bit
; protected-mode segment, in real mode (mode 0). The case's registers, EFLAGS and segment registers are loaded
; straight from the record; the snippet then runs from CS:0100 and is
; followed by INT3 (0xCC) bytes. Every case ends in an exception or
; interrupt handler: the INT3 right after the snippet (kind "ok"), a taken
; branch landing on another INT3, or a fault. The handler stores all state
; through SS (whose base the generator never lets a case change: SS loads
; are restricted to selectors with base SS_BASE), goes back to the flat
; harness environment and prints the line:
;
;   @id vec f0 f1 f2 f3 eax ecx edx ebx esp ebp esi edi es ss ds fs gs hflags
;      [cr0 cr2 cr3 cr4 dr0 dr1 dr2 dr3 dr6 dr7 gdtlim gdtbase idtlim idtbase ldtr tr]
;      [ D off=hex...] [ S off=hex...] [ C off=hex...]
;
; (hex without leading zeros; f0..f3 are the first four dwords at SS:ESP
; in the handler: the exception frame; esp is the handler's ESP; hflags is
; EFLAGS inside the handler (bits 16-31 are those of the case); the
; bracketed system part only for records with flag bit 0; D/S/C list the
; dwords of the data window, stack page and code area that differ from
; what the case started with, as offset=bytes in memory order.)

%include "layout.inc"

ROM_ORG         equ 0xF0000
                org ROM_ORG
rom_start:

; ---------------------------------------------------------------------------
; Descriptors
%macro DESC 4               ; base, limit, access, flags nibble (G=8, D/B=4)
        dw      (%2) & 0xFFFF
        dw      (%1) & 0xFFFF
        db      ((%1) >> 16) & 0xFF
        db      %3
        db      (((%2) >> 16) & 0x0F) | ((%4) << 4)
        db      ((%1) >> 24) & 0xFF
%endmacro

        align   16
gdt_template:
        dq      0                                           ; 0x00 null
        DESC    CODE_PHYS, 0xFFFF, 0x9B, 0x4                 ; 0x08 case code, 32-bit
        DESC    DS_BASE, 0xFFFFF, 0x93, 0xC                  ; 0x10 case DS
        DESC    ES_BASE, 0xFFFFF, 0x93, 0xC                  ; 0x18 case ES
        DESC    FS_BASE, 0xFFFFF, 0x93, 0xC                  ; 0x20 case FS
        DESC    GS_BASE, 0xFFFFF, 0x93, 0xC                  ; 0x28 case GS
        DESC    SS_BASE, 0xFFFFF, 0x93, 0xC                  ; 0x30 case SS
        DESC    0, 0xFFFFF, 0x9B, 0xC                        ; 0x38 harness code, flat
        DESC    0, 0xFFFFF, 0x93, 0xC                        ; 0x40 harness data, flat
        DESC    CODE_PHYS, 0xFFFF, 0x9B, 0x0                 ; 0x48 case code, 16-bit
        DESC    DS_BASE, 0xFFFFF, 0x91, 0xC                  ; 0x50 read-only data
        DESC    DS_BASE, 0xFFFFF, 0xF3, 0xC                  ; 0x58 DPL 3 data
        DESC    DS_BASE, 0xFFFFF, 0x13, 0xC                  ; 0x60 not-present data
        DESC    CODE_PHYS, 0xFFFF, 0x99, 0x4                 ; 0x68 execute-only code
        DESC    TSS_PHYS, 0x67, 0x89, 0x0                    ; 0x70 TSS (the harness's TR)
        DESC    LDT_PHYS, 0x1F, 0x82, 0x0                    ; 0x78 LDT
        DESC    DS_BASE, 0xFFF, 0x93, 0x4                    ; 0x80 data, limit 0xFFF
        DESC    DS_BASE, 0xFFF, 0x97, 0x4                    ; 0x88 expand-down data
        dw      GATE_TARGET & 0xFFFF, 0x08                   ; 0x90 call gate -> 0x08:GATE_TARGET
        db      0, 0x8C
        dw      GATE_TARGET >> 16
        DESC    CODE_PHYS, 0xFFFF, 0x9F, 0x4                 ; 0x98 conforming code
        DESC    0, 0xFFFF, 0x93, 0x0                         ; 0xA0 16-bit flat data (real-mode switch)
        DESC    TSS2_PHYS, 0x67, 0x89, 0x0                   ; 0xA8 available TSS
        DESC    ROM_ORG, 0xFFFF, 0x9B, 0x0                   ; 0xB0 harness code, 16-bit (real-mode switch)
        DESC    SS_BASE, 0xFFFFF, 0x93, 0x8                  ; 0xB8 stack, B=0 (16-bit SP)
gdt_template_end:
GDT_LIMIT       equ gdt_template_end - gdt_template - 1

ldt_template:
        DESC    DS_BASE, 0xFFFFF, 0x93, 0xC                  ; 0x04 data
        DESC    CODE_PHYS, 0xFFFF, 0x9B, 0x4                 ; 0x0C code, 32-bit
        DESC    DS_BASE, 0xFFFFF, 0xF3, 0xC                  ; 0x14 DPL 3 data
        DESC    DS_BASE, 0xFFFFF, 0x13, 0xC                  ; 0x1C not present
ldt_template_end:

SEL_HCODE       equ 0x38
SEL_HDATA       equ 0x40
SEL_TSS         equ 0x70
SEL_LDT         equ 0x78
SEL_FLAT16      equ 0xA0
SEL_HCODE16     equ 0xB0

gdt_rom_desc:   dw GDT_LIMIT
                dd gdt_template
gdt_ram_desc:   dw GDT_LIMIT
                dd GDT_PHYS
idt_desc:       dw IDT_VECTORS * 8 - 1
                dd idt
rm_idt_desc:    dw 0x3FF
                dd 0

; ---------------------------------------------------------------------------
; The protected-mode IDT: IDT_VECTORS 32-bit interrupt gates to the stubs;
; vector NP_VECTOR's gate is not present. Vectors beyond the limit raise
; #GP(v*8+2).
        times   IDT_ROM_OFF - ($ - rom_start) db 0
idt:
%assign v 0
%rep IDT_VECTORS
        dw      (stubs32 - rom_start + ROM_ORG + v * STUB32_SIZE) & 0xFFFF
        dw      SEL_HCODE
        db      0
  %if v == NP_VECTOR
        db      0x0E
  %else
        db      0x8E
  %endif
        dw      (stubs32 - rom_start + ROM_ORG + v * STUB32_SIZE) >> 16
%assign v v + 1
%endrep

; ---------------------------------------------------------------------------
; Reset: real mode at F000:FFF0 -> here.
        bits    16
rm_entry:
        cli
        cld
        mov     al, 0xFF                ; mask both PICs (Bochs has them; anillo ignores the writes)
        out     0x21, al
        out     0xA1, al
        mov     al, 0x80                ; NMI off
        out     0x70, al
        o32 lgdt [cs:gdt_rom_desc - rom_start]
        mov     eax, 0x11               ; PE | ET
        mov     cr0, eax
        jmp     dword SEL_HCODE:pm_start

; ---------------------------------------------------------------------------
; Real-mode side of a case (entered from enter_real through the 16-bit
; protected-mode segment). SI = the record's offset in the ROM.
rm_enter:
        mov     ax, HSTACK_SEG
        mov     ss, ax
        mov     sp, HSTACK_OFF16
        o32 lidt [cs:rm_idt_desc - rom_start]
        push    dword [cs:si + R_EFLAGS]
        popfd
        mov     es, [cs:si + R_ES]
        mov     fs, [cs:si + R_FS]
        mov     gs, [cs:si + R_GS]
        lss     esp, [cs:si + R_ESP]
        mov     eax, [cs:si + R_EAX]
        mov     ecx, [cs:si + R_ECX]
        mov     edx, [cs:si + R_EDX]
        mov     ebx, [cs:si + R_EBX]
        mov     ebp, [cs:si + R_EBP]
        mov     edi, [cs:si + R_EDI]
        mov     ds, [cs:si + R_DS]
        mov     esi, [cs:si + R_ESI]
        jmp     far dword [ss:SAVE_OFF + S_ENTRY]

; Real-mode interrupt stubs: IVT entry v -> F000:stubs16 + v*STUB16_SIZE.
        align   16
stubs16:
%assign v 0
%rep 256
        times   v * STUB16_SIZE - ($ - stubs16) db 0xCC
        mov     byte [ss:SAVE_OFF + S_VEC], v
        jmp     near common16
%assign v v + 1
%endrep
        times   256 * STUB16_SIZE - ($ - stubs16) db 0xCC

common16:
        mov     [ss:SAVE_OFF + S_EAX], eax
        mov     [ss:SAVE_OFF + S_ECX], ecx
        mov     [ss:SAVE_OFF + S_EDX], edx
        mov     [ss:SAVE_OFF + S_EBX], ebx
        mov     [ss:SAVE_OFF + S_ESP], esp
        mov     [ss:SAVE_OFF + S_EBP], ebp
        mov     [ss:SAVE_OFF + S_ESI], esi
        mov     [ss:SAVE_OFF + S_EDI], edi
        mov     [ss:SAVE_OFF + S_ES], es
        mov     [ss:SAVE_OFF + S_SS], ss
        mov     [ss:SAVE_OFF + S_DS], ds
        mov     [ss:SAVE_OFF + S_FS], fs
        mov     [ss:SAVE_OFF + S_GS], gs
        mov     bp, sp
        mov     eax, [ss:bp]
        mov     [ss:SAVE_OFF + S_F0], eax
        mov     eax, [ss:bp + 4]
        mov     [ss:SAVE_OFF + S_F1], eax
        mov     eax, [ss:bp + 8]
        mov     [ss:SAVE_OFF + S_F2], eax
        mov     eax, [ss:bp + 12]
        mov     [ss:SAVE_OFF + S_F3], eax
        o32 sgdt [ss:SAVE_OFF + S_GDTR]
        o32 sidt [ss:SAVE_OFF + S_IDTR]
        mov     word [ss:SAVE_OFF + S_LDTR], 0      ; SLDT/STR are #UD in real mode
        mov     word [ss:SAVE_OFF + S_TR], 0
        mov     eax, cr0
        mov     [ss:SAVE_OFF + S_CR0], eax
        mov     eax, cr2
        mov     [ss:SAVE_OFF + S_CR2], eax
        mov     eax, cr3
        mov     [ss:SAVE_OFF + S_CR3], eax
        mov     eax, cr4
        mov     [ss:SAVE_OFF + S_CR4], eax
        mov     eax, dr0
        mov     [ss:SAVE_OFF + S_DR0], eax
        mov     eax, dr1
        mov     [ss:SAVE_OFF + S_DR1], eax
        mov     eax, dr2
        mov     [ss:SAVE_OFF + S_DR2], eax
        mov     eax, dr3
        mov     [ss:SAVE_OFF + S_DR3], eax
        mov     eax, dr6
        mov     [ss:SAVE_OFF + S_DR6], eax
        mov     eax, dr7
        mov     [ss:SAVE_OFF + S_DR7], eax
        o32 lgdt [cs:gdt_ram_desc - rom_start]
        mov     eax, 0x11
        mov     cr0, eax
        jmp     dword SEL_HCODE:pm_after_real

; 16-bit protected-mode step on the way from the harness to real mode.
pm16_to_real:
        mov     ax, SEL_FLAT16          ; 16-bit, limit 0xFFFF caches for real mode
        mov     ds, ax
        mov     es, ax
        mov     fs, ax
        mov     gs, ax
        mov     ss, ax
        movzx   eax, byte [cs:si + R_CR0BITS]
        or      al, 0x10                ; ET; PE clear
        mov     cr0, eax
        jmp     ROM_SEG:(rm_enter - rom_start)

; ---------------------------------------------------------------------------
        bits    32
pm_start:
        mov     ax, SEL_HDATA
        mov     ds, ax
        mov     es, ax
        mov     fs, ax
        mov     gs, ax
        mov     ss, ax
        mov     esp, HSTACK
        mov     esi, banner
        call    puts
        mov     ebx, banner_values
.banner:
        mov     eax, [ebx]
        call    field
        add     ebx, 4
        cmp     ebx, banner_values_end
        jne     .banner
        mov     al, 10
        out     0xE9, al
        ; the random pool and the real-mode IVT (vector v -> F000:stubs16 + v*STUB16_SIZE)
        mov     eax, POOL_SEED
        mov     edi, POOL_PHYS
        mov     ecx, POOL_BYTES / 4
        call    xorshift_fill
        mov     edi, IVT_TEMPLATE
        mov     eax, (ROM_SEG << 16) | (stubs16 - rom_start)
        mov     ecx, 256
.ivt:   stosd
        add     eax, STUB16_SIZE
        loop    .ivt
        mov     esi, [table_ptr]
next_case:
        movzx   ecx, word [esi + R_LEN]
        test    ecx, ecx
        jz      all_done
        mov     [VAR_REC], esi
        call    prepare
        mov     esi, [VAR_REC]
        cmp     byte [esi + R_MODE], 0
        je      enter_real

; 32-bit protected mode at CPL 0.
enter_pm:
        lidt    [idt_desc]
        mov     ax, SEL_LDT
        lldt    ax
        mov     ax, SEL_TSS
        ltr     ax
        movzx   eax, byte [esi + R_CR0BITS]
        or      al, 0x11
        mov     cr0, eax
        push    dword [esi + R_EFLAGS]
        popfd
        mov     es, [esi + R_ES]
        mov     fs, [esi + R_FS]
        mov     gs, [esi + R_GS]
        lss     esp, [esi + R_ESP]
        mov     eax, [esi + R_EAX]
        mov     ecx, [esi + R_ECX]
        mov     edx, [esi + R_EDX]
        mov     ebx, [esi + R_EBX]
        mov     ebp, [esi + R_EBP]
        mov     edi, [esi + R_EDI]
        mov     ds, [esi + R_DS]
        mov     esi, [cs:esi + R_ESI]
        jmp     far [ss:SAVE_OFF + S_ENTRY]

enter_real:
        jmp     SEL_HCODE16:(pm16_to_real - rom_start)

; Protected-mode interrupt stubs: gate v -> stubs32 + v*STUB32_SIZE.
        align   16
stubs32:
%assign v 0
%rep IDT_VECTORS
        times   v * STUB32_SIZE - ($ - stubs32) db 0xCC
        mov     byte [ss:SAVE_OFF + S_VEC], v
        jmp     near common32
%assign v v + 1
%endrep
        times   IDT_VECTORS * STUB32_SIZE - ($ - stubs32) db 0xCC

common32:
        mov     [ss:SAVE_OFF + S_EAX], eax
        mov     [ss:SAVE_OFF + S_ECX], ecx
        mov     [ss:SAVE_OFF + S_EDX], edx
        mov     [ss:SAVE_OFF + S_EBX], ebx
        mov     [ss:SAVE_OFF + S_ESP], esp
        mov     [ss:SAVE_OFF + S_EBP], ebp
        mov     [ss:SAVE_OFF + S_ESI], esi
        mov     [ss:SAVE_OFF + S_EDI], edi
        mov     [ss:SAVE_OFF + S_ES], es
        mov     [ss:SAVE_OFF + S_SS], ss
        mov     [ss:SAVE_OFF + S_DS], ds
        mov     [ss:SAVE_OFF + S_FS], fs
        mov     [ss:SAVE_OFF + S_GS], gs
        mov     eax, [ss:esp]
        mov     [ss:SAVE_OFF + S_F0], eax
        mov     eax, [ss:esp + 4]
        mov     [ss:SAVE_OFF + S_F1], eax
        mov     eax, [ss:esp + 8]
        mov     [ss:SAVE_OFF + S_F2], eax
        mov     eax, [ss:esp + 12]
        mov     [ss:SAVE_OFF + S_F3], eax
        sgdt    [ss:SAVE_OFF + S_GDTR]
        sidt    [ss:SAVE_OFF + S_IDTR]
        sldt    [ss:SAVE_OFF + S_LDTR]
        str     [ss:SAVE_OFF + S_TR]
        mov     eax, cr0
        mov     [ss:SAVE_OFF + S_CR0], eax
        mov     eax, cr2
        mov     [ss:SAVE_OFF + S_CR2], eax
        mov     eax, cr3
        mov     [ss:SAVE_OFF + S_CR3], eax
        mov     eax, cr4
        mov     [ss:SAVE_OFF + S_CR4], eax
        mov     eax, dr0
        mov     [ss:SAVE_OFF + S_DR0], eax
        mov     eax, dr1
        mov     [ss:SAVE_OFF + S_DR1], eax
        mov     eax, dr2
        mov     [ss:SAVE_OFF + S_DR2], eax
        mov     eax, dr3
        mov     [ss:SAVE_OFF + S_DR3], eax
        mov     eax, dr6
        mov     [ss:SAVE_OFF + S_DR6], eax
        mov     eax, dr7
        mov     [ss:SAVE_OFF + S_DR7], eax
        lgdt    [cs:gdt_ram_desc]
        mov     eax, 0x11
        mov     cr0, eax
        ; fall through
pm_after_real:
        mov     ax, SEL_HDATA
        mov     ds, ax
        mov     es, ax
        mov     fs, ax
        mov     gs, ax
        mov     ss, ax
        mov     esp, HSTACK
        pushfd
        pop     dword [SAVE_PHYS + S_HFLAGS]
        push    dword 2
        popfd
        mov     esi, [VAR_REC]
        call    report
        mov     esi, [VAR_REC]
        movzx   eax, word [esi + R_LEN]
        add     esi, eax
        jmp     next_case

all_done:
        mov     esi, end_line
        call    puts
        mov     al, 0x10
        out     0xF4, al                ; anillo (isa-debug-exit) stops here
.halt:  cli                             ; Bochs: the runner stops it on the END line
        hlt
        jmp     .halt

; ---------------------------------------------------------------------------
; prepare: memory and system state for the record at ESI.
prepare:
        mov     ebp, esi
        ; descriptor tables and TSSs
        mov     esi, gdt_template
        mov     edi, GDT_PHYS
        mov     ecx, (gdt_template_end - gdt_template) / 4
        rep movsd
        mov     esi, ldt_template
        mov     edi, LDT_PHYS
        mov     ecx, (ldt_template_end - ldt_template) / 4
        rep movsd
        xor     eax, eax
        mov     edi, TSS_PHYS
        mov     ecx, 0x200 / 4          ; both TSSs
        rep stosd
        mov     word [TSS_PHYS + 0x66], 0x68
        mov     word [TSS2_PHYS + 0x66], 0x68
        lgdt    [gdt_ram_desc]
        ; the real-mode IVT
        mov     esi, IVT_TEMPLATE
        xor     edi, edi
        mov     ecx, 256
        rep movsd
        ; reference images: data window = pattern, zeros; stack page = zeros, pattern
        mov     esi, [ebp + R_DSEED]
        and     esi, POOL_OFF_MASK
        add     esi, POOL_PHYS
        mov     edi, REF_DATA
        mov     ecx, PATTERN_BYTES / 4
        rep movsd
        xor     eax, eax
        mov     ecx, (WINDOW_BYTES - PATTERN_BYTES) / 4
        rep stosd
        mov     edi, REF_STACK
        mov     ecx, (WINDOW_BYTES - PATTERN_BYTES) / 4
        rep stosd
        mov     esi, [ebp + R_SSEED]
        and     esi, POOL_OFF_MASK
        add     esi, POOL_PHYS
        mov     ecx, PATTERN_BYTES / 4
        rep movsd
        mov     eax, 0xCCCCCCCC
        mov     edi, REF_CODE
        mov     ecx, CODE_BYTES / 4
        rep stosd
        lea     esi, [ebp + R_VAR]
        movzx   ecx, byte [ebp + R_CODELEN]
        mov     edi, REF_CODE
        rep movsb
        ; explicit bytes: data window, then stack page
        movzx   edx, byte [ebp + R_NDOV]
        mov     ebx, REF_DATA
        call    overlays
        movzx   edx, byte [ebp + R_NSOV]
        mov     ebx, REF_STACK
        call    overlays
        ; the live areas
        mov     esi, REF_DATA
        mov     edi, DATA_PHYS
        mov     ecx, WINDOW_BYTES / 4
        rep movsd
        mov     esi, REF_STACK
        mov     edi, STACK_PHYS
        mov     ecx, WINDOW_BYTES / 4
        rep movsd
        mov     eax, 0xCCCCCCCC
        mov     edi, CODE_PHYS
        mov     ecx, SNIPPET_OFF / 4
        rep stosd
        mov     esi, REF_CODE
        mov     ecx, CODE_BYTES / 4
        rep movsd
        ; the save area: vector 0xFF until a handler runs; the entry pointer
        xor     eax, eax
        mov     edi, SAVE_PHYS
        mov     ecx, 0x100 / 4
        rep stosd
        mov     byte [SAVE_PHYS + S_VEC], 0xFF
        mov     eax, [ebp + R_EIP]
        mov     [SAVE_PHYS + S_ENTRY], eax
        mov     ax, [ebp + R_CS]
        mov     [SAVE_PHYS + S_ENTRY + 4], ax
        ; control, debug and SYSENTER registers
        mov     eax, 0x400
        mov     dr7, eax
        xor     eax, eax
        mov     dr0, eax
        mov     dr1, eax
        mov     dr2, eax
        mov     dr3, eax
        mov     cr2, eax
        mov     cr3, eax
        mov     cr4, eax
        mov     eax, 0xFFFF0FF0
        mov     dr6, eax
        mov     ecx, 0x174
.msr:   xor     eax, eax
        xor     edx, edx
        wrmsr
        inc     ecx
        cmp     ecx, 0x177
        jne     .msr
        mov     esi, ebp
        ret

; overlays: EDX runs at ESI (u16 offset, u8 length, bytes) copied into EBX+offset.
overlays:
        test    edx, edx
        jz      .done
.run:   movzx   edi, word [esi]
        add     edi, ebx
        movzx   ecx, byte [esi + 2]
        add     esi, 3
        rep movsb
        dec     edx
        jnz     .run
.done:  ret

; xorshift_fill: ECX dwords at EDI from the xorshift32 generator seeded with
; EAX (0 counts as 1), the sequence of tools/oracle/case-generator.ts's Rng.
; Keeps ESI.
xorshift_fill:
        test    eax, eax
        jnz     .next
        inc     eax
.next:  mov     edx, eax
        shl     edx, 13
        xor     eax, edx
        mov     edx, eax
        shr     edx, 17
        xor     eax, edx
        mov     edx, eax
        shl     edx, 5
        xor     eax, edx
        stosd
        loop    .next
        ret

; ---------------------------------------------------------------------------
; report: the line for the record at ESI (see the header).
report:
        mov     ebp, esi
        mov     al, '@'
        out     0xE9, al
        mov     eax, [ebp + R_ID]
        call    puthex
        movzx   eax, byte [SAVE_PHYS + S_VEC]
        call    field
        mov     eax, [SAVE_PHYS + S_F0]
        call    field
        mov     eax, [SAVE_PHYS + S_F1]
        call    field
        mov     eax, [SAVE_PHYS + S_F2]
        call    field
        mov     eax, [SAVE_PHYS + S_F3]
        call    field
        mov     ebx, SAVE_PHYS + S_EAX
        mov     ecx, 8
.regs:  mov     eax, [ebx]
        call    field
        add     ebx, 4
        loop    .regs
        mov     ebx, SAVE_PHYS + S_ES
        mov     ecx, 5
.segs:  movzx   eax, word [ebx]
        call    field
        add     ebx, 2
        loop    .segs
        mov     eax, [SAVE_PHYS + S_HFLAGS]
        call    field
        test    byte [ebp + R_FLAGS], 1
        jz      .memory
        mov     ebx, SAVE_PHYS + S_CR0
        mov     ecx, 10
.sys:   mov     eax, [ebx]
        call    field
        add     ebx, 4
        loop    .sys
        movzx   eax, word [SAVE_PHYS + S_GDTR]
        call    field
        mov     eax, [SAVE_PHYS + S_GDTR + 2]
        call    field
        movzx   eax, word [SAVE_PHYS + S_IDTR]
        call    field
        mov     eax, [SAVE_PHYS + S_IDTR + 2]
        call    field
        movzx   eax, word [SAVE_PHYS + S_LDTR]
        call    field
        movzx   eax, word [SAVE_PHYS + S_TR]
        call    field
.memory:
        mov     esi, DATA_PHYS
        mov     edi, REF_DATA
        mov     ecx, WINDOW_BYTES / 4
        mov     bl, 'D'
        call    diff
        mov     esi, STACK_PHYS
        mov     edi, REF_STACK
        mov     ecx, WINDOW_BYTES / 4
        mov     bl, 'S'
        call    diff
        mov     esi, CODE_PHYS + SNIPPET_OFF
        mov     edi, REF_CODE
        mov     ecx, CODE_BYTES / 4
        mov     bl, 'C'
        call    diff
        mov     al, 10
        out     0xE9, al
        ret

; diff: ECX dwords at ESI (live) against EDI (reference); prints " T" (T = BL)
; once, then " off=bytes" per run of differing dwords.
diff:
        mov     edx, esi                ; start, for offsets
.scan:  test    ecx, ecx
        jz      .done
        repe cmpsd
        je      .done                   ; the last dword compared equal: no more runs
        test    bl, bl
        jz      .run
        mov     al, ' '
        out     0xE9, al
        mov     al, bl
        out     0xE9, al
        xor     bl, bl
.run:   mov     al, ' '
        out     0xE9, al
        lea     eax, [esi - 4]
        sub     eax, edx
        call    puthex
        mov     al, '='
        out     0xE9, al
.more:  mov     eax, [esi - 4]
        call    putbytes
        test    ecx, ecx
        jz      .done
        mov     eax, [esi]
        cmp     eax, [edi]
        je      .scan
        add     esi, 4
        add     edi, 4
        dec     ecx
        jmp     .more
.done:  ret

; field: a space, then EAX in hex.
field:
        push    eax
        mov     al, ' '
        out     0xE9, al
        pop     eax
        ; fall through
; puthex: EAX in hex without leading zeros (at least one digit). Keeps ECX/EBX/ESI/EDI.
puthex:
        push    ecx
        push    edx
        mov     edx, eax
        mov     ecx, 8
.skip:  test    edx, 0xF0000000
        jnz     .digits
        cmp     ecx, 1
        je      .digits
        shl     edx, 4
        dec     ecx
        jmp     .skip
.digits:
        rol     edx, 4
        mov     al, dl
        call    nibble
        loop    .digits
        pop     edx
        pop     ecx
        ret

; putbytes: the four bytes of EAX in memory order, two hex digits each.
putbytes:
        push    ecx
        push    edx
        mov     edx, eax
        mov     ecx, 4
.byte:  mov     al, dl
        shr     al, 4
        call    nibble
        mov     al, dl
        call    nibble
        shr     edx, 8
        loop    .byte
        pop     edx
        pop     ecx
        ret

nibble:
        and     al, 0x0F
        add     al, '0'
        cmp     al, '9'
        jbe     .out
        add     al, 'a' - '0' - 10
.out:   out     0xE9, al
        ret

; puts: the NUL-terminated string at ESI.
puts:
        lodsb
        test    al, al
        jz      .done
        out     0xE9, al
        jmp     puts
.done:  ret

banner:
        db      "BXCC 1", 0
banner_values:
        dd      CODE_PHYS, DATA_PHYS, STACK_PHYS, SS_BASE, SAVE_PHYS, R_VAR, S_ENTRY, idt
banner_values_end:
end_line:
        db      "END", 10, 0

        align   4
table:                                  ; rom.ts writes the records from here on

        times   TABLE_PTR_AT - ($ - rom_start) db 0
table_ptr:
        dd      table
        times   0xFFF0 - ($ - rom_start) db 0
        bits    16
reset_vector:
        jmp     ROM_SEG:(rm_entry - rom_start)
        times   0x10000 - ($ - rom_start) db 0
