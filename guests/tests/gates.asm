; gates.asm - 64 KiB BIOS ROM: call gates and conforming code segments.
;
; Enters protected mode with lib/pm.inc, appends call gates and code/stack
; segments to its GDT and checks:
;   * CALL FAR through a 32-bit call gate (DPL3, 2 parameters) from CPL3 to
;     a nonconforming DPL0 segment: the handler runs at CPL0 on SS0:ESP0 from
;     the TSS with the frame outer SS, outer ESP, the two parameters (copied,
;     same order), CS, EIP; RETF 8 returns to CPL3 with the outer SS:ESP
;     restored and the parameters dropped from both stacks; ES/FS loaded by
;     the handler with a DPL0 nonconforming code / data selector are nulled
;     on the return, GS holding a DPL0 conforming code selector is kept;
;   * CALL FAR through a 32-bit call gate to a DPL0 conforming segment from
;     CPL3: no privilege change (CS.RPL = CPL = 3, same stack, nothing
;     copied), RETF 8 drops the parameters;
;   * a far CALL straight to the conforming segment keeps CPL 3: CS = sel|3,
;     and HLT there raises #GP(0);
;   * a 16-bit call gate (2 word parameters) from CPL3 to a 16-bit DPL0
;     segment: 16-bit frame SS, SP, parameters, CS, IP on the TSS.ESP0 stack;
;     16-bit RETF 4 back to CPL3;
;   * JMP FAR through a call gate to a nonconforming segment of the same
;     privilege (CPL3 -> CPL3, nothing pushed); JMP through a call gate to a
;     more privileged nonconforming segment -> #GP(code selector);
;   * #GP(gate selector) for a call gate with DPL < CPL, and for a selector
;     whose RPL is above the gate's DPL (from CPL0); #GP(code selector) for
;     a call gate from CPL0 to a DPL3 nonconforming segment; a call through a
;     DPL0 gate at CPL0 is a same-privilege call (no stack switch).
;
; QEMU 7.2 (TCG) leaves CS.RPL = 0 (the target's DPL) after the call through a
; gate to the conforming segment; the SDM's CALL pseudocode sets CS(RPL) <-
; CPL. That check is made last, so QEMU runs everything else first; Bochs
; passes it.
;
; SDM Vol. 3A (classic numbering): §5.8.2 "Gate Descriptors", §5.8.3 "Call
; Gates", §5.8.4 "Accessing a Code Segment Through a Call Gate" (Table 5-1),
; §5.8.5 "Stack Switching" (parameter copy, Figure 5-13), §5.8.6 "Returning
; from a Called Procedure" (data segment registers nulled), §5.8.1.2
; "Accessing Conforming Code Segments"; Vol. 2A "CALL" and "JMP", Vol. 2B
; "RET" (operation, protected-mode exceptions).

%define TEST_NAME "gates"
%include "rom.inc"
%include "pm.inc"

; GATE offset, selector, parameter count, access byte
%macro GATE 4
        dw      (%1) & 0xFFFF
        dw      %2
        db      %3
        db      %4
        dw      ((%1) >> 16) & 0xFFFF
%endmacro
%define FLAT(label) ((label) - rom_start + ROM_ORG)     ; label as a scalar
%define LOW(label)  ((label) - rom_start)               ; offset in a 0xF0000-based segment

CG32            equ 0x60            ; 32-bit call gate DPL3 -> KCODE, 2 params
CONF0           equ 0x68            ; conforming code, DPL0, flat, 32-bit
CG32C           equ 0x70            ; 32-bit call gate DPL3 -> CONF0
CG16            equ 0x78            ; 16-bit call gate DPL3 -> KCODE16, 2 params
KCODE16         equ 0x80            ; 16-bit code DPL0, base 0xF0000, limit 0xFFFF
UCODE16         equ 0x88            ; 32-bit code DPL3, base 0xF0000, limit 0xFFFF
USTACK16        equ 0x90            ; data DPL3, base 0x50000, limit 0xFFFF, B=1
CG_DPL0         equ 0x98            ; 32-bit call gate DPL0 -> KCODE
CGJ3            equ 0xA0            ; 32-bit call gate DPL3 -> UCODE (jmp target)
CGJK            equ 0xA8            ; 32-bit call gate DPL3 -> KCODE
CG_UC           equ 0xB0            ; 32-bit call gate DPL0 -> UCODE
EXT_END         equ 0xB8

        align   8
gdt_ext:
        GATE    FLAT(cg32_target), KCODE, 2, 0xEC
        DESC    0, 0xFFFFF, 0x9F, 0xC               ; CONF0
        GATE    FLAT(conf_target), CONF0, 2, 0xEC
        GATE    LOW(cg16_target), KCODE16, 2, 0xE4
        DESC    0xF0000, 0xFFFF, 0x9B, 0x0          ; KCODE16
        DESC    0xF0000, 0xFFFF, 0xFB, 0x4          ; UCODE16
        DESC    0x50000, 0xFFFF, 0xF3, 0x4          ; USTACK16
        GATE    FLAT(cg32_target), KCODE, 2, 0x8C
        GATE    FLAT(jmp_target), UCODE, 0, 0xEC
        GATE    FLAT(cg32_target), KCODE, 0, 0xEC
        GATE    FLAT(user_main), UCODE, 0, 0x8C
gdt_ext_end:
%if gdt_ext_end - gdt_ext != EXT_END - GDT_ENTRIES * 8
  %error "gdt_ext does not match the selectors"
%endif

[absolute 0x0C00]
g_count         resd 1              ; cg32_target calls
g_cs            resd 1
g_ss            resd 1
g_esp           resd 1
g_frame         resd 6              ; EIP CS p2 p1 ESP SS (as on the stack)
c_cs            resd 1              ; conf_target
c_ss            resd 1
c_esp           resd 1
c_frame         resd 4
w_esp           resd 1              ; cg16_target
w_cs            resd 1
w_ss            resd 1
w_frame         resd 3              ; 6 words
w_after_cs      resd 1              ; CPL3 after the 16-bit return
w_after_ss      resd 1
w_after_esp     resd 1
gdtr_ext        resw 3
        section .text

        bits    32
kmain:
        mov     esi, gdt_ext                ; append to the GDT, reload GDTR
        mov     edi, GDT_RAM + GDT_ENTRIES * 8
        mov     ecx, (gdt_ext_end - gdt_ext) / 4
        rep movsd
        mov     word [gdtr_ext], EXT_END - 1
        mov     dword [gdtr_ext + 2], GDT_RAM
        lgdt    [gdtr_ext]

        ; --- same-privilege CALL through a DPL0 gate at CPL0
        mov     [scratch], esp
        push    dword 0xAAAA0001
        push    dword 0xAAAA0002
        call    CG_DPL0:0
.k1:    CHECK_EQ esp, [scratch], "CPL0 call through a DPL0 gate: RETF 8 dropped the parameters"
        CHECK_EQ dword [g_cs], KCODE, "CPL0 call through a gate: CS"
        mov     eax, [scratch]
        sub     eax, 16
        CHECK_EQ dword [g_esp], eax, "CPL0 call through a gate: same stack, EIP/CS below the parameters"
        CHECK_EQ dword [g_frame], .k1, "CPL0 call through a gate: return EIP"
        CHECK_EQ dword [g_frame + 8], 0xAAAA0002, "CPL0 call through a gate: parameter left in place"
        mov     ax, KDATA                   ; the handler loaded ES/FS/GS (kept at CPL0)
        mov     es, ax
        mov     fs, ax
        mov     gs, ax

        ; --- #GP(gate) for RPL 3 > gate DPL 0 (CPL0)
        ARM     .rpl_r
.rpl:   call    CG_DPL0 | 3:0
.rpl_r: EXPECT_FAULT 13, CG_DPL0, .rpl, "#GP(gate) call gate DPL0 through a selector with RPL3"

        ; --- #GP(code selector) for a gate to a DPL3 nonconforming segment from CPL0
        ARM     .uc_r
.uc:    call    CG_UC:0
.uc_r:  EXPECT_FAULT 13, UCODE, .uc, "#GP(code selector) call gate to DPL3 code from CPL0"
        CHECK_EQ dword [g_count], 1, "handler count after the CPL0 cases"

        DBG_PUTS "gates: CPL0 cases ok, entering CPL3", 10
        mov     eax, user_main
        mov     edx, USTACK_TOP
        call    enter_user
        CHECK_EQ dword [g_count], 3, "cg32 handler count"
        ; Checked last because QEMU 7.2 (TCG) fails it: it leaves CS.RPL = 0
        ; (the gate's selector) where the SDM's CALL pseudocode sets
        ; CS(RPL) <- CPL for a same-privilege call through a gate.
        CHECK_EQ dword [c_cs], CONF0 | 3, "CS in conforming code reached through a call gate from CPL3: RPL = CPL 3"
        PASS

; ---------------------------------------------------------- gate targets
; 32-bit call gate target (KCODE): record CS, SS, ESP and the 6 dwords above
; ESP; load ES with a DPL0 nonconforming code selector, FS with DPL0 data and
; GS with DPL0 conforming code, then RETF 8.
cg32_target:
        mov     [ss:g_esp], esp
        push    eax
        push    esi
        push    edi
        push    ecx
        xor     eax, eax
        mov     ax, cs
        mov     [ss:g_cs], eax
        mov     ax, ss
        mov     [ss:g_ss], eax
        lea     esi, [esp + 16]
        mov     edi, g_frame
        mov     ecx, 6
.copy:  mov     eax, [ss:esi]
        mov     [ss:edi], eax
        add     esi, 4
        add     edi, 4
        loop    .copy
        inc     dword [ss:g_count]
        mov     ax, KCODE                   ; readable nonconforming code, DPL0
        mov     es, ax
        mov     ax, KDATA                   ; data, DPL0
        mov     fs, ax
        mov     ax, CONF0                   ; readable conforming code, DPL0
        mov     gs, ax
        pop     ecx
        pop     edi
        pop     esi
        pop     eax
        retf    8

; conforming target (CONF0): reached through CG32C at CPL3
conf_target:
        mov     [c_esp], esp
        push    eax
        xor     eax, eax
        mov     ax, cs
        mov     [c_cs], eax
        mov     ax, ss
        mov     [c_ss], eax
        mov     eax, [esp + 4]
        mov     [c_frame], eax
        mov     eax, [esp + 8]
        mov     [c_frame + 4], eax
        mov     eax, [esp + 12]
        mov     [c_frame + 8], eax
        mov     eax, [esp + 16]
        mov     [c_frame + 12], eax
        pop     eax
        retf    8

; conforming code reached by a direct far call at CPL3: CPL stays 3
conf_direct:
        xor     eax, eax
        mov     ax, cs
        CHECK_EQ eax, CONF0 | 3, "CS after a far call to a DPL0 conforming segment from CPL3"
        ARM     .hlt_r
.hlt:   hlt
.hlt_r: EXPECT_FAULT 13, 0, .hlt, "#GP(0) hlt in conforming code at CPL3"
        CHECK_EQ dword [rec_cs], CONF0 | 3, "#GP frame CS in conforming code"
        retf

; 16-bit gate target: KCODE16 (16-bit, base 0xF0000); SS:ESP from the TSS
        bits    16
cg16_target:
        mov     [ss:w_esp], esp
        push    eax
        xor     eax, eax
        mov     ax, cs
        mov     [ss:w_cs], eax
        mov     ax, ss
        mov     [ss:w_ss], eax
        mov     eax, [esp + 4]
        mov     [ss:w_frame], eax
        mov     eax, [esp + 8]
        mov     [ss:w_frame + 4], eax
        mov     eax, [esp + 12]
        mov     [ss:w_frame + 8], eax
        pop     eax
        retf    4
        bits    32

; ------------------------------------------------------------------ CPL3
user_main:
        xor     eax, eax
        mov     ax, cs
        CHECK_EQ eax, UCODE | 3, "CS at CPL3"

        ; --- 32-bit call gate, CPL3 -> CPL0, 2 parameters
        mov     ax, UDATA | 3
        mov     es, ax
        mov     fs, ax
        mov     gs, ax
        mov     [scratch], esp
        push    dword 0x11111111            ; first parameter
        push    dword 0x22222222            ; second
        call    CG32 | 3:0
.r32:   CHECK_EQ esp, [scratch], "outer ESP after RETF 8 (parameters dropped)"
        xor     eax, eax
        mov     ax, cs
        CHECK_EQ eax, UCODE | 3, "CS after RETF to CPL3"
        mov     ax, ss
        CHECK_EQ eax, UDATA | 3, "SS after RETF to CPL3"
        mov     ax, ds
        CHECK_EQ eax, UDATA | 3, "DS (DPL3) kept by RETF to CPL3"
        mov     ax, es
        CHECK_EQ eax, 0, "ES (DPL0 nonconforming code) nulled by RETF to CPL3"
        mov     ax, fs
        CHECK_EQ eax, 0, "FS (DPL0 data) nulled by RETF to CPL3"
        mov     ax, gs
        CHECK_EQ eax, CONF0, "GS (DPL0 conforming code) kept by RETF to CPL3"
        mov     ax, UDATA | 3
        mov     es, ax
        CHECK_EQ dword [g_count], 2, "call gate handler ran (once at CPL0, once from CPL3)"
        CHECK_EQ dword [g_cs], KCODE, "CS in the call gate handler"
        CHECK_EQ dword [g_ss], KDATA, "SS in the call gate handler = TSS.SS0"
        CHECK_EQ dword [g_esp], ESP0_TOP - 24, "ESP in the handler = TSS.ESP0 - 6 dwords"
        CHECK_EQ dword [g_frame + 0], .r32, "frame: return EIP"
        CHECK_MASK dword [g_frame + 4], 0xFFFF, UCODE | 3, "frame: return CS"
        CHECK_EQ dword [g_frame + 8], 0x22222222, "frame: second parameter"
        CHECK_EQ dword [g_frame + 12], 0x11111111, "frame: first parameter"
        mov     eax, [scratch]
        sub     eax, 8
        CHECK_EQ dword [g_frame + 16], eax, "frame: outer ESP (after the pushes)"
        CHECK_MASK dword [g_frame + 20], 0xFFFF, UDATA | 3, "frame: outer SS"
        DBG_PUTS "gates: 32-bit call gate CPL3 -> CPL0 ok", 10

        ; --- 32-bit call gate to a conforming DPL0 segment: stays at CPL3
        mov     [scratch], esp
        push    dword 0x33333333
        push    dword 0x44444444
        call    CG32C | 3:0
.rc:    CHECK_EQ esp, [scratch], "ESP after RETF 8 from conforming code"
        CHECK_EQ dword [c_ss], UDATA | 3, "SS in conforming code via a gate: unchanged"
        mov     eax, [scratch]
        sub     eax, 16
        CHECK_EQ dword [c_esp], eax, "ESP in conforming code via a gate: same stack"
        CHECK_EQ dword [c_frame + 0], .rc, "conforming: return EIP"
        CHECK_MASK dword [c_frame + 4], 0xFFFF, UCODE | 3, "conforming: return CS"
        CHECK_EQ dword [c_frame + 8], 0x44444444, "conforming: second parameter in place"
        CHECK_EQ dword [c_frame + 12], 0x33333333, "conforming: first parameter in place"
        xor     eax, eax
        mov     ax, cs
        CHECK_EQ eax, UCODE | 3, "CS after the conforming call"

        ; --- direct far call to the conforming segment
        call    CONF0:conf_direct
        xor     eax, eax
        mov     ax, cs
        CHECK_EQ eax, UCODE | 3, "CS after returning from conforming code"
        DBG_PUTS "gates: conforming code keeps CPL3 ok", 10

        ; --- 16-bit call gate from CPL3 (code and stack based so that
        ;     offsets fit in 16 bits)
        mov     [scratch], esp
        jmp     UCODE16 | 3:LOW(.in16)
.in16:  mov     ax, USTACK16 | 3
        mov     ss, ax
        mov     esp, 0xFFF0
        push    word 0x1111                 ; first parameter
        push    word 0x2222                 ; second
        call    CG16 | 3:0
.r16:   xor     eax, eax
        mov     ax, cs
        mov     [w_after_cs], eax
        mov     ax, ss
        mov     [w_after_ss], eax
        mov     [w_after_esp], esp
        mov     ax, UDATA | 3
        mov     ss, ax
        mov     esp, [scratch]
        jmp     UCODE | 3:.flat
.flat:  CHECK_EQ dword [w_after_cs], UCODE16 | 3, "CS after the 16-bit RETF"
        CHECK_EQ dword [w_after_ss], USTACK16 | 3, "SS after the 16-bit RETF"
        CHECK_EQ dword [w_after_esp], 0xFFF0, "ESP after the 16-bit RETF 4"
        CHECK_EQ dword [w_cs], KCODE16, "CS in the 16-bit gate handler"
        CHECK_EQ dword [w_ss], KDATA, "SS in the 16-bit gate handler"
        CHECK_EQ dword [w_esp], ESP0_TOP - 12, "ESP in the 16-bit gate handler = ESP0 - 6 words"
        CHECK_EQ dword [w_frame + 0], ((UCODE16 | 3) << 16) | LOW(.r16), "16-bit frame: CS:IP"
        CHECK_EQ dword [w_frame + 4], 0x11112222, "16-bit frame: parameters"
        CHECK_EQ dword [w_frame + 8], ((USTACK16 | 3) << 16) | 0xFFEC, "16-bit frame: SS:SP"
        DBG_PUTS "gates: 16-bit call gate ok", 10

        ; --- JMP through a call gate, same privilege
        mov     [scratch], esp
        jmp     CGJ3 | 3:0
.jback: DBG_PUTS "gates: JMP through a call gate ok", 10

        ; --- JMP through a call gate to more privileged code: #GP(code)
        ARM     .jk_r
.jk:    jmp     CGJK | 3:0
.jk_r:  EXPECT_FAULT 13, KCODE, .jk, "#GP(code selector) JMP through a call gate to DPL0 code"

        ; --- call gate DPL0 < CPL3: #GP(gate)
        ARM     .dpl_r
.dpl:   call    CG_DPL0 | 3:0
.dpl_r: EXPECT_FAULT 13, CG_DPL0, .dpl, "#GP(gate selector) call gate DPL0 from CPL3"
        CHECK_EQ dword [g_count], 2, "no handler call for the faulting gates"

        ; one more call through CG32 for the count
        push    dword 0
        push    dword 0
        call    CG32 | 3:0
        mov     ax, UDATA | 3
        mov     es, ax
        xor     eax, eax
        int     0x80
        FAIL    "exit system call returned"

jmp_target:
        CHECK_EQ esp, [scratch], "JMP through a call gate: nothing pushed"
        xor     eax, eax
        mov     ax, cs
        CHECK_EQ eax, UCODE | 3, "CS after JMP through a call gate (RPL = CPL 3)"
        jmp     user_main.jback

        ROM_END
