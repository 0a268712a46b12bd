; sysenter.asm - 64 KiB BIOS ROM: SYSENTER/SYSEXIT fast system calls.
;
; Enters protected mode with lib/pm.inc (its GDT already has the layout
; SYSENTER/SYSEXIT want: 0x08 ring-0 code, 0x10 ring-0 data, 0x18 ring-3
; code, 0x20 ring-3 data), programs the three SYSENTER MSRs with WRMSR and
; checks:
;   * CPUID.1:EDX.SEP is reported; RDMSR reads back IA32_SYSENTER_CS/ESP/EIP;
;   * from CPL3 (entered with EFLAGS.IF = 1, the 8259s masked so that no
;     interrupt can arrive), SYSENTER: CS = SYSENTER_CS & 0xFFFC, SS =
;     SYSENTER_CS + 8, ESP = IA32_SYSENTER_ESP, EIP = IA32_SYSENTER_EIP, CPL 0,
;     EFLAGS.IF (and VM, RF) cleared, every general register but ESP kept;
;   * SYSEXIT: CS = (SYSENTER_CS + 16) | 3, SS = (SYSENTER_CS + 24) | 3,
;     EIP = EDX, ESP = ECX, CPL 3, EFLAGS unchanged (IF stays 0);
;   * the CS/SS descriptor caches are fixed flat values, not read from the
;     GDT: with SYSENTER_CS = 0x30 the kernel runs with CS = 0x30 (a not
;     present data descriptor in the GDT) and SS = 0x38 (a 4 KiB data
;     segment) on a stack above 4 KiB, and SYSEXIT returns with CS = 0x43
;     (a read-only data descriptor) and SS = 0x4B (a DPL0 expand-down one);
;   * #GP(0): SYSEXIT at CPL3; SYSEXIT at CPL0 and SYSENTER at CPL3 when
;     IA32_SYSENTER_CS is 0.
;
; SDM Vol. 2B "SYSENTER" and "SYSEXIT" (operation and protected-mode
; exceptions), Vol. 2A "CPUID" (SEP, Table 3-11), Vol. 2B "RDMSR"/"WRMSR";
; Vol. 3A §5.8.7 "Performing Fast Calls to System Procedures with the
; SYSENTER and SYSEXIT Instructions"; Vol. 4 (MSR list) IA32_SYSENTER_CS
; 0x174, IA32_SYSENTER_ESP 0x175, IA32_SYSENTER_EIP 0x176.

%define TEST_NAME "sysenter"
%include "rom.inc"
%include "pm.inc"

MSR_SYSENTER_CS  equ 0x174
MSR_SYSENTER_ESP equ 0x175
MSR_SYSENTER_EIP equ 0x176
SE_STACK         equ 0x68000        ; ESP loaded by SYSENTER
EFLAGS_IF        equ 0x200

[absolute 0x0C00]
se_count        resd 1              ; SYSENTERs seen by the handler
se_cs           resd 1              ; CS, SS, ESP, EFLAGS in the handler
se_ss           resd 1
se_esp          resd 1
se_eflags       resd 1
se_push         resd 1              ; value read back after a push on SS
se_regs         resd 8              ; EAX ECX EDX EBX (ESP) EBP ESI EDI
        section .text

; WRMSR_ ecx-value, eax-value (EDX = 0)
%macro WRMSR_ 2
        mov     ecx, %1
        mov     eax, %2
        xor     edx, edx
        wrmsr
%endmacro

        bits    32
kmain:
        mov     al, 0xFF                    ; mask both 8259s: IF=1 is safe
        out     0x21, al
        out     0xA1, al

        mov     eax, 1
        cpuid
        CHECK_MASK edx, 1 << 11, 1 << 11, "CPUID.1:EDX.SEP"
        DBG_PUTS "sysenter: CPUID.1:EAX=0x"
        DBG_HEX32 eax
        DBG_PUTS 10

        WRMSR_  MSR_SYSENTER_CS, KCODE
        WRMSR_  MSR_SYSENTER_ESP, SE_STACK
        WRMSR_  MSR_SYSENTER_EIP, sysenter_entry
        mov     ecx, MSR_SYSENTER_CS
        rdmsr
        CHECK_EQ eax, KCODE, "RDMSR IA32_SYSENTER_CS"
        mov     ecx, MSR_SYSENTER_ESP
        rdmsr
        CHECK_EQ eax, SE_STACK, "RDMSR IA32_SYSENTER_ESP"
        mov     ecx, MSR_SYSENTER_EIP
        rdmsr
        CHECK_EQ eax, sysenter_entry, "RDMSR IA32_SYSENTER_EIP"

        ; --- CPL3 with IF=1 (enter_user uses IF=0, so an IRET of our own)
        DBG_PUTS "sysenter: entering CPL3 with IF=1", 10
        mov     eax, user_main
        call    enter_user_if
        CHECK_EQ dword [se_count], 3, "number of SYSENTERs handled"

        ; --- SYSEXIT at CPL0 with IA32_SYSENTER_CS = 0: #GP(0)
        WRMSR_  MSR_SYSENTER_CS, 0
        mov     edx, user_never
        mov     ecx, USTACK_TOP
        ARM     .sx0_r
.sx0:   sysexit
.sx0_r: EXPECT_FAULT 13, 0, .sx0, "#GP(0) SYSEXIT with IA32_SYSENTER_CS = 0"
        xor     eax, eax
        mov     ax, cs
        CHECK_EQ eax, KCODE, "still CPL0 after the failed SYSEXIT"

        ; --- SYSENTER at CPL3 with IA32_SYSENTER_CS = 0: #GP(0)
        mov     eax, user_cs0
        call    enter_user_if
        PASS

user_never:
        FAIL    "SYSEXIT with IA32_SYSENTER_CS = 0 did not fault"

; enter_user_if: like pm.inc's enter_user (EAX = entry, stack USTACK_TOP) but
; with EFLAGS.IF = 1. Returns when the CPL3 code does int 0x80 with EAX = 0.
enter_user_if:
        pushad
        mov     [saved_kesp], esp
        push    dword UDATA | 3             ; SS
        push    dword USTACK_TOP            ; ESP
        push    dword 0x00000202            ; EFLAGS: IF
        push    dword UCODE | 3             ; CS
        push    eax                         ; EIP
        mov     ax, UDATA | 3
        mov     ds, ax
        mov     es, ax
        mov     fs, ax
        mov     gs, ax
        iretd

; ---------------------------------------------------------------- handler
; SYSENTER lands here at CPL0 (ESP = SE_STACK). It records what it found,
; then acts on EAX: 0 = return; 1 = set IA32_SYSENTER_CS to EBX before
; returning. It returns with SYSEXIT to EDX/ECX as the caller passed them.
sysenter_entry:
        mov     [ss:se_esp], esp
        pushfd
        pop     dword [ss:se_eflags]
        mov     [ss:se_regs + 0], eax
        mov     [ss:se_regs + 4], ecx
        mov     [ss:se_regs + 8], edx
        mov     [ss:se_regs + 12], ebx
        mov     [ss:se_regs + 20], ebp
        mov     [ss:se_regs + 24], esi
        mov     [ss:se_regs + 28], edi
        xor     eax, eax
        mov     ax, cs
        mov     [ss:se_cs], eax
        mov     ax, ss
        mov     [ss:se_ss], eax
        push    dword 0x600DF00D            ; the stack works through SS
        pop     dword [ss:se_push]
        inc     dword [ss:se_count]
        mov     eax, [ss:se_regs + 0]
        cmp     eax, 1
        jne     .exit
        push    ecx
        push    edx
        mov     ecx, MSR_SYSENTER_CS
        mov     eax, ebx
        xor     edx, edx
        wrmsr
        pop     edx
        pop     ecx
        mov     eax, 1
.exit:  sysexit

; ---------------------------------------------------------------- CPL3
user_main:
        xor     eax, eax
        mov     ax, cs
        CHECK_EQ eax, UCODE | 3, "CS at CPL3"
        pushfd
        pop     eax
        CHECK_MASK eax, EFLAGS_IF, EFLAGS_IF, "EFLAGS.IF = 1 at CPL3 before SYSENTER"

        ; --- round 1: SYSENTER_CS = 0x08
        mov     [scratch], esp
        mov     eax, 0
        mov     ebx, 0xB0B0B0B0
        mov     ecx, USTACK_TOP - 0x100     ; SYSEXIT's ESP
        mov     edx, .r1                    ; SYSEXIT's EIP
        mov     ebp, 0xBEBEBEBE
        mov     esi, 0x51515151
        mov     edi, 0xD1D1D1D1
        sysenter
        FAIL    "SYSENTER fell through"
.r1:    CHECK_EQ esp, USTACK_TOP - 0x100, "ESP after SYSEXIT = ECX"
        CHECK_EQ eax, 0, "EAX kept across SYSENTER/SYSEXIT"
        CHECK_EQ ebx, 0xB0B0B0B0, "EBX kept"
        CHECK_EQ ebp, 0xBEBEBEBE, "EBP kept"
        CHECK_EQ esi, 0x51515151, "ESI kept"
        CHECK_EQ edi, 0xD1D1D1D1, "EDI kept"
        pushfd
        pop     eax
        CHECK_MASK eax, EFLAGS_IF | 0x3000, 0, "EFLAGS.IF still 0 after SYSEXIT (cleared by SYSENTER), IOPL 0"
        xor     eax, eax
        mov     ax, cs
        CHECK_EQ eax, KCODE + 16 + 3, "CS after SYSEXIT = SYSENTER_CS + 16 | 3"
        mov     ax, ss
        CHECK_EQ eax, KCODE + 24 + 3, "SS after SYSEXIT = SYSENTER_CS + 24 | 3"
        CHECK_EQ dword [se_count], 1, "SYSENTER handler ran once"
        CHECK_EQ dword [se_cs], KCODE, "CS in the handler = SYSENTER_CS"
        CHECK_EQ dword [se_ss], KCODE + 8, "SS in the handler = SYSENTER_CS + 8"
        CHECK_EQ dword [se_esp], SE_STACK, "ESP in the handler = IA32_SYSENTER_ESP"
        CHECK_MASK dword [se_eflags], 0x00030200, 0, "EFLAGS.IF/RF/VM cleared by SYSENTER"
        CHECK_EQ dword [se_regs + 0], 0, "EAX in the handler"
        CHECK_EQ dword [se_regs + 4], USTACK_TOP - 0x100, "ECX in the handler"
        CHECK_EQ dword [se_regs + 8], .r1, "EDX in the handler"
        CHECK_EQ dword [se_regs + 12], 0xB0B0B0B0, "EBX in the handler"
        CHECK_EQ dword [se_regs + 20], 0xBEBEBEBE, "EBP in the handler"
        CHECK_EQ dword [se_regs + 24], 0x51515151, "ESI in the handler"
        CHECK_EQ dword [se_regs + 28], 0xD1D1D1D1, "EDI in the handler"
        CHECK_EQ dword [se_push], 0x600DF00D, "push/pop on the SYSENTER stack"
        DBG_PUTS "sysenter: round trip through SYSENTER_CS 0x08 ok", 10

        ; --- SYSEXIT at CPL3: #GP(0)
        mov     esp, USTACK_TOP
        mov     [scratch], esp
        mov     edx, .r1
        mov     ecx, USTACK_TOP
        ARM     .sx3_r
.sx3:   sysexit
.sx3_r: EXPECT_FAULT 13, 0, .sx3, "#GP(0) SYSEXIT at CPL3"
        CHECK_EQ dword [rec_cs], UCODE | 3, "#GP from SYSEXIT: saved CS"
        CHECK_EQ dword [rec_uss], UDATA | 3, "#GP from SYSEXIT: saved SS"
        mov     eax, [scratch]
        CHECK_EQ dword [rec_uesp], eax, "#GP from SYSEXIT: saved ESP"

        ; --- round 2: the handler sets SYSENTER_CS = 0x30 before SYSEXIT
        mov     eax, 1
        mov     ebx, NP_SEL                 ; 0x30: GDT has a P=0 data segment there
        mov     ecx, USTACK_TOP - 0x200
        mov     edx, .r2
        sysenter
        FAIL    "SYSENTER (round 2) fell through"
.r2:    CHECK_EQ esp, USTACK_TOP - 0x200, "ESP after SYSEXIT (round 2)"
        xor     eax, eax
        mov     ax, cs
        CHECK_EQ eax, NP_SEL + 16 + 3, "CS after SYSEXIT with SYSENTER_CS = 0x30 (GDT: read-only data)"
        mov     ax, ss
        CHECK_EQ eax, NP_SEL + 24 + 3, "SS after SYSEXIT with SYSENTER_CS = 0x30 (GDT: DPL0 expand-down data)"
        push    dword 0x12345678            ; flat, writable SS cache
        pop     eax
        CHECK_EQ eax, 0x12345678, "push/pop through SS = 0x4B"
        mov     eax, [scratch]              ; DS still flat UDATA
        CHECK_EQ eax, USTACK_TOP, "data read after SYSEXIT"
        DBG_PUTS "sysenter: SYSEXIT with SYSENTER_CS 0x30 ok", 10

        ; --- round 3: SYSENTER with SYSENTER_CS = 0x30; the handler
        ;     restores 0x08 before returning
        mov     eax, 1
        mov     ebx, KCODE
        mov     ecx, USTACK_TOP - 0x300
        mov     edx, .r3
        sysenter
        FAIL    "SYSENTER (round 3) fell through"
.r3:    CHECK_EQ esp, USTACK_TOP - 0x300, "ESP after SYSEXIT (round 3)"
        CHECK_EQ dword [se_count], 3, "SYSENTER handler ran three times"
        CHECK_EQ dword [se_cs], NP_SEL, "CS in the handler = 0x30 (GDT descriptor not present, not used)"
        CHECK_EQ dword [se_ss], NP_SEL + 8, "SS in the handler = 0x38 (GDT limit 0xFFF, not used)"
        CHECK_EQ dword [se_push], 0x600DF00D, "push/pop on the SYSENTER stack above the GDT limit of SS"
        xor     eax, eax
        mov     ax, cs
        CHECK_EQ eax, KCODE + 16 + 3, "CS after SYSEXIT (round 3)"
        mov     ax, ss
        CHECK_EQ eax, KCODE + 24 + 3, "SS after SYSEXIT (round 3)"
        DBG_PUTS "sysenter: SYSENTER with SYSENTER_CS 0x30 ok", 10

        mov     esp, USTACK_TOP
        xor     eax, eax                    ; back to CPL0
        int     0x80
        FAIL    "exit system call returned"

; CPL3 with IA32_SYSENTER_CS = 0: SYSENTER raises #GP(0)
user_cs0:
        mov     [scratch], esp
        ARM     .se_r
.se:    sysenter
.se_r:  EXPECT_FAULT 13, 0, .se, "#GP(0) SYSENTER with IA32_SYSENTER_CS = 0"
        CHECK_EQ dword [rec_cs], UCODE | 3, "#GP from SYSENTER: saved CS"
        CHECK_EQ dword [rec_frame], ESP0_TOP - 20, "#GP from SYSENTER: frame on TSS.ESP0"
        CHECK_EQ dword [se_count], 3, "handler not entered"
        DBG_PUTS "sysenter: #GP(0) with IA32_SYSENTER_CS = 0 ok", 10
        xor     eax, eax
        int     0x80
        FAIL    "exit system call returned"

        ROM_END
