; tasks.asm - 64 KiB BIOS ROM: hardware task switching with 32-bit TSSs.
;
; Enters protected mode with lib/pm.inc (whose TSS, selector 0x28, becomes
; the "kernel task" after LTR), appends four 32-bit TSS descriptors and a
; task gate to the GDT and checks:
;   * JMP to a TSS descriptor: the new task starts with EIP, EFLAGS, the
;     general registers and ES/CS/SS/DS/FS/GS (GS with a non-zero base) from
;     its TSS; TR = the new TSS; the old task's EIP (after the JMP),
;     EFLAGS, general registers and selectors are saved in the old TSS; busy
;     bits: new set, old cleared; NT stays 0 and the new TSS's previous-task
;     link is not written; CR0.TS is set. A JMP back resumes the kernel
;     task after its JMP with its registers and flags;
;   * JMP to the (busy) current task's TSS -> #GP(TSS selector);
;   * CALL to a task gate: NT = 1 in the new task, its link field = the old
;     TR, both TSSs busy, CR0.TS set; IRET (NT = 1) returns to the caller,
;     clears the called task's busy bit, saves its EFLAGS with NT cleared,
;     and CR0.TS is set again;
;   * #GP handled by a task gate in the IDT: the handler task gets the error
;     code pushed on its own stack (ESP = TSS.ESP - 4), NT = 1, link = the
;     faulting task, whose saved EIP is the faulting instruction; the handler
;     moves that EIP past the instruction and IRETs, and is re-entered at its
;     IRET's successor the next time;
;   * #DF handled by a task gate (as Linux i386 does): a #GP whose IDT gate
;     is not present becomes #NP, then #DF; the #DF task gets error code 0 on
;     its stack and resumes the kernel task with IRET.
;
; SDM Vol. 3A (classic numbering): §7.2.1 "Task-State Segment (TSS)"
; (Figure 7-2), §7.2.2 "TSS Descriptor", §7.2.5 "Task-Gate Descriptor",
; §7.3 "Task Switching" (steps, Table 7-1), §7.4 "Task Linking" (Table 7-2:
; busy flag, NT flag, previous task link, CR0.TS), §6.11 "IDT Descriptors"
; (task gate), §6.12.2 "Interrupt Tasks" (error code on the new task's
; stack), §6.15 "Exception and Interrupt Reference" (Interrupt 8 - Double
; Fault: contributory + contributory; saved CS:EIP undefined).

%define TEST_NAME "tasks"
%include "rom.inc"
%include "pm.inc"

TSS_A           equ 0x60
TSS_B           equ 0x68
TSS_GP          equ 0x70
TSS_DF          equ 0x78
TG_B            equ 0x80            ; task gate -> TSS_B
EXT_END         equ 0x88

TSSA_BASE       equ 0x20000
TSSB_BASE       equ 0x20100
TSSGP_BASE      equ 0x20200
TSSDF_BASE      equ 0x20300
TSS32_LIMIT     equ 0x67
A_STACK         equ 0x31000
B_STACK         equ 0x32000
GP_STACK        equ 0x33000
DF_STACK        equ 0x34000
GS_MARK         equ 0x30000         ; BASED_SEL's base: GS in task A
BAD_SEL         equ 0xFFF8          ; past the GDT limit

; 32-bit TSS field offsets (SDM Figure 7-2)
T_LINK  equ 0x00
T_CR3   equ 0x1C
T_EIP   equ 0x20
T_EFL   equ 0x24
T_EAX   equ 0x28
T_ECX   equ 0x2C
T_EDX   equ 0x30
T_EBX   equ 0x34
T_ESP   equ 0x38
T_EBP   equ 0x3C
T_ESI   equ 0x40
T_EDI   equ 0x44
T_ES    equ 0x48
T_CS    equ 0x4C
T_SS    equ 0x50
T_DS    equ 0x54
T_FS    equ 0x58
T_GS    equ 0x5C
T_LDT   equ 0x60
T_IOMAP equ 0x66

CR0_TS  equ 0x08
EFL_NT  equ 0x4000
A_EFLAGS equ 0x00000887             ; OF SF PF CF + bit 1

        align   8
gdt_ext:
        DESC    TSSA_BASE, TSS32_LIMIT, 0x89, 0x0
        DESC    TSSB_BASE, TSS32_LIMIT, 0x89, 0x0
        DESC    TSSGP_BASE, TSS32_LIMIT, 0x89, 0x0
        DESC    TSSDF_BASE, TSS32_LIMIT, 0x89, 0x0
        dw      0, TSS_B                    ; task gate: P, DPL0, type 5
        db      0, 0x85
        dw      0
gdt_ext_end:

[absolute 0x0C00]
gdtr_ext        resw 3
        alignb  4
k_esp           resd 1              ; kernel ESP before a switch
gp_count        resd 1              ; #GP task activations
gp_esp          resd 1              ; ESP on entry (error code on top)
gp_err          resd 1
gp_eflags       resd 1
gp_link         resd 1
gp_tr           resd 1
gp_old_eip      resd 1              ; EIP saved in the faulting task's TSS
gp_resume       resd 1              ; where the kernel wants to resume
df_count        resd 1
df_esp          resd 1
df_err          resd 1
df_link         resd 1
df_tr           resd 1
df_eflags       resd 1
        section .text

%define DESC_HI(sel) dword [GDT_RAM + (sel) + 4]   ; access byte in bits 15:8
%define TSSF(base, f) dword [(base) + (f)]

; TS_CHECK "what": CR0.TS must be set; clears it
%macro TS_CHECK 1
        mov     eax, cr0
        CHECK_MASK eax, CR0_TS, CR0_TS, %1
        clts
%endmacro

; INIT_TSS base, eip, esp, eflags: zeroed 32-bit TSS with flat ring-0 state
%macro INIT_TSS 4
        mov     edi, %1
        mov     ecx, 0x68 / 4
        xor     eax, eax
        rep stosd
        mov     TSSF(%1, T_EIP), %2
        mov     TSSF(%1, T_ESP), %3
        mov     TSSF(%1, T_EFL), %4
        mov     TSSF(%1, T_CS), KCODE
        mov     TSSF(%1, T_SS), KDATA
        mov     TSSF(%1, T_DS), KDATA
        mov     TSSF(%1, T_ES), KDATA
        mov     TSSF(%1, T_FS), KDATA
        mov     TSSF(%1, T_GS), KDATA
        mov     word [(%1) + T_IOMAP], 0x68 ; no I/O bitmap
%endmacro

        bits    32
kmain:
        mov     esi, gdt_ext
        mov     edi, GDT_RAM + GDT_ENTRIES * 8
        mov     ecx, (gdt_ext_end - gdt_ext) / 4
        rep movsd
        mov     word [gdtr_ext], EXT_END - 1
        mov     dword [gdtr_ext + 2], GDT_RAM
        lgdt    [gdtr_ext]
        CHECK_MASK DESC_HI(TSS_SEL), 0xFF00, 0x8B00, "kernel TSS busy after LTR"

        ; ------------------------------------------------ JMP to task A
        INIT_TSS TSSA_BASE, task_a, A_STACK, A_EFLAGS
        mov     TSSF(TSSA_BASE, T_EAX), 0xA0A0A0A0
        mov     TSSF(TSSA_BASE, T_ECX), 0xA1A1A1A1
        mov     TSSF(TSSA_BASE, T_EDX), 0xA2A2A2A2
        mov     TSSF(TSSA_BASE, T_EBX), 0xA3A3A3A3
        mov     TSSF(TSSA_BASE, T_EBP), 0xA5A5A5A5
        mov     TSSF(TSSA_BASE, T_ESI), 0xA6A6A6A6
        mov     TSSF(TSSA_BASE, T_EDI), 0xA7A7A7A7
        mov     TSSF(TSSA_BASE, T_GS), BASED_SEL
        mov     TSSF(TSSA_BASE, T_LINK), 0x1234     ; a JMP must not write it
        mov     TSSF(TSS_BASE, T_LINK), 0x5678      ; nor the old task's
        mov     dword [GS_MARK], 0x6A6A6A6A

        DBG_PUTS "tasks: JMP to task A", 10
        clts
        mov     eax, 0x11111111
        mov     ebx, 0x22222222
        mov     ecx, 0x33333333
        mov     edx, 0x44444444
        mov     esi, 0x55555555
        mov     edi, 0x66666666
        mov     ebp, 0x77777777
        mov     [k_esp], esp
        stc
        std
.jmp_a: jmp     TSS_A:0
.from_a:
        ; the kernel task resumes here (JMP back from task A)
        pushfd
        pop     dword [scratch]
        cld
        CHECK_MASK dword [scratch], 0x4C01, 0x0401, "kernel EFLAGS after JMP back (CF DF kept, NT 0)"
        CHECK_EQ eax, 0x11111111, "kernel EAX restored"
        CHECK_EQ ebx, 0x22222222, "kernel EBX restored"
        CHECK_EQ ecx, 0x33333333, "kernel ECX restored"
        CHECK_EQ edx, 0x44444444, "kernel EDX restored"
        CHECK_EQ esi, 0x55555555, "kernel ESI restored"
        CHECK_EQ edi, 0x66666666, "kernel EDI restored"
        CHECK_EQ ebp, 0x77777777, "kernel EBP restored"
        CHECK_EQ esp, [k_esp], "kernel ESP restored"
        TS_CHECK "CR0.TS set by the JMP back to the kernel task"
        str     ax
        movzx   eax, ax
        CHECK_EQ eax, TSS_SEL, "TR = kernel TSS after the JMP back"
        CHECK_MASK DESC_HI(TSS_A), 0xFF00, 0x8900, "task A not busy after JMPing away"
        CHECK_MASK DESC_HI(TSS_SEL), 0xFF00, 0x8B00, "kernel TSS busy again"
        CHECK_EQ TSSF(TSSA_BASE, T_EIP), task_a.after_jmp, "EIP saved in task A's TSS"
        CHECK_EQ TSSF(TSSA_BASE, T_EAX), 0xAAAA0001, "EAX saved in task A's TSS"
        CHECK_EQ TSSF(TSSA_BASE, T_ESP), A_STACK, "ESP saved in task A's TSS"
        CHECK_MASK TSSF(TSSA_BASE, T_GS), 0xFFFF, BASED_SEL, "GS saved in task A's TSS"
        CHECK_EQ TSSF(TSSA_BASE, T_LINK), 0x1234, "task A's link field untouched by JMPs"
        CHECK_EQ TSSF(TSS_BASE, T_LINK), 0x5678, "kernel TSS link field untouched by JMPs"
        DBG_PUTS "tasks: back from task A", 10

        ; ------------------------------------------------ JMP to a busy TSS
        ARM     .busy_r
.busy:  jmp     TSS_SEL:0
.busy_r:
        EXPECT_FAULT 13, TSS_SEL, .busy, "#GP(selector) JMP to the busy current TSS"

        ; ------------------------------------------------ CALL through a task gate
        INIT_TSS TSSB_BASE, task_b, B_STACK, 0x00000002
        DBG_PUTS "tasks: CALL through a task gate to task B", 10
        clts
        mov     esi, 0x5151B0B0
        mov     [k_esp], esp
.call_b:
        call    TG_B:0
.from_b:
        pushfd
        pop     dword [scratch]
        CHECK_MASK dword [scratch], EFL_NT, 0, "kernel NT = 0 after IRET from task B"
        CHECK_EQ esi, 0x5151B0B0, "kernel ESI restored after IRET from task B"
        CHECK_EQ esp, [k_esp], "kernel ESP restored after IRET from task B"
        TS_CHECK "CR0.TS set by the IRET task switch"
        str     ax
        movzx   eax, ax
        CHECK_EQ eax, TSS_SEL, "TR = kernel TSS after IRET from task B"
        CHECK_MASK DESC_HI(TSS_B), 0xFF00, 0x8900, "task B not busy after its IRET"
        CHECK_MASK DESC_HI(TSS_SEL), 0xFF00, 0x8B00, "kernel TSS still busy"
        CHECK_MASK TSSF(TSSB_BASE, T_EFL), EFL_NT, 0, "NT cleared in task B's saved EFLAGS by IRET"
        CHECK_EQ TSSF(TSSB_BASE, T_EIP), task_b.after_iret, "EIP saved in task B's TSS"
        CHECK_MASK TSSF(TSSB_BASE, T_LINK), 0xFFFF, TSS_SEL, "task B's link = kernel TSS"
        DBG_PUTS "tasks: back from task B", 10

        ; ------------------------------------------------ #GP through a task gate
        INIT_TSS TSSGP_BASE, gp_task, GP_STACK, 0x00000002
        mov     word [IDT_RAM + 13 * 8 + 2], TSS_GP     ; task gate for vector 13
        mov     byte [IDT_RAM + 13 * 8 + 5], 0x85
        DBG_PUTS "tasks: #GP through a task gate", 10
        mov     dword [gp_resume], .gp1_r
        clts
        mov     ax, BAD_SEL
.gp1:   mov     ds, ax
.gp1_r: mov     ax, ds
        movzx   eax, ax
        CHECK_EQ eax, KDATA, "DS unchanged by the faulting load"
        CHECK_EQ dword [gp_count], 1, "#GP task ran once"
        CHECK_EQ dword [gp_err], BAD_SEL, "#GP error code on the handler task's stack"
        CHECK_EQ dword [gp_esp], GP_STACK - 4, "#GP task: ESP = TSS.ESP - 4 (error code)"
        CHECK_MASK dword [gp_eflags], EFL_NT, EFL_NT, "#GP task: NT set"
        CHECK_EQ dword [gp_link], TSS_SEL, "#GP task: link = kernel TSS"
        CHECK_EQ dword [gp_tr], TSS_GP, "#GP task: TR"
        CHECK_EQ dword [gp_old_eip], .gp1, "#GP task: faulting EIP saved in the kernel TSS"
        TS_CHECK "CR0.TS set after returning from the #GP task"
        CHECK_MASK DESC_HI(TSS_GP), 0xFF00, 0x8900, "#GP task not busy after its IRET"

        ; a second #GP: the handler task continues after its IRET
        mov     dword [gp_resume], .gp2_r
        xor     eax, eax
.gp2:   int     0x7F                        ; zero IDT entry: #GP(0x7F*8+2)
.gp2_r: CHECK_EQ dword [gp_count], 2, "#GP task ran twice"
        CHECK_EQ dword [gp_err], 0x7F * 8 + 2, "second #GP: error code"
        CHECK_EQ dword [gp_esp], GP_STACK - 4, "second #GP: ESP = TSS.ESP - 4"
        CHECK_EQ dword [gp_old_eip], .gp2, "second #GP: saved EIP"
        clts
        DBG_PUTS "tasks: #GP task ok", 10

        ; ------------------------------------------------ #DF through a task gate
        INIT_TSS TSSDF_BASE, df_task, DF_STACK, 0x00000002
        mov     word [IDT_RAM + 8 * 8 + 2], TSS_DF      ; task gate for vector 8
        mov     byte [IDT_RAM + 8 * 8 + 5], 0x85
        mov     byte [IDT_RAM + 13 * 8 + 5], 0x0E       ; vector 13 not present
        DBG_PUTS "tasks: #GP -> #NP -> #DF through a task gate", 10
        mov     dword [gp_resume], .df_r
        mov     ax, BAD_SEL
.df:    mov     ds, ax
.df_r:  CHECK_EQ dword [df_count], 1, "#DF task ran once"
        CHECK_EQ dword [gp_count], 2, "#GP task not run for the #DF"
        CHECK_EQ dword [df_err], 0, "#DF error code 0 on the handler task's stack"
        CHECK_EQ dword [df_esp], DF_STACK - 4, "#DF task: ESP = TSS.ESP - 4"
        CHECK_EQ dword [df_link], TSS_SEL, "#DF task: link = kernel TSS"
        CHECK_EQ dword [df_tr], TSS_DF, "#DF task: TR"
        CHECK_MASK dword [df_eflags], EFL_NT, EFL_NT, "#DF task: NT set"
        TS_CHECK "CR0.TS set after returning from the #DF task"
        str     ax
        movzx   eax, ax
        CHECK_EQ eax, TSS_SEL, "TR = kernel TSS after the #DF task"
        CHECK_MASK DESC_HI(TSS_DF), 0xFF00, 0x8900, "#DF task not busy after its IRET"
        PASS

; ------------------------------------------------------------------ task A
task_a:
        mov     [scratch + 4], esp          ; mov/pushf/pop leave EFLAGS alone
        pushfd
        pop     dword [scratch]
        CHECK_EQ dword [scratch], A_EFLAGS, "task A: EFLAGS loaded from its TSS (NT 0)"
        CHECK_EQ dword [scratch + 4], A_STACK, "task A: ESP loaded from its TSS"
        CHECK_EQ eax, 0xA0A0A0A0, "task A: EAX"
        CHECK_EQ ecx, 0xA1A1A1A1, "task A: ECX"
        CHECK_EQ edx, 0xA2A2A2A2, "task A: EDX"
        CHECK_EQ ebx, 0xA3A3A3A3, "task A: EBX"
        CHECK_EQ ebp, 0xA5A5A5A5, "task A: EBP"
        CHECK_EQ esi, 0xA6A6A6A6, "task A: ESI"
        CHECK_EQ edi, 0xA7A7A7A7, "task A: EDI"
        CHECK_EQ dword [gs:0], 0x6A6A6A6A, "task A: GS loaded (base 0x30000)"
        xor     eax, eax
        mov     ax, gs
        CHECK_EQ eax, BASED_SEL, "task A: GS selector"
        mov     ax, cs
        CHECK_EQ eax, KCODE, "task A: CS"
        str     ax
        CHECK_EQ eax, TSS_A, "task A: TR"
        mov     eax, cr0
        CHECK_MASK eax, CR0_TS, CR0_TS, "task A: CR0.TS set by the task switch"
        CHECK_MASK DESC_HI(TSS_A), 0xFF00, 0x8B00, "task A: its TSS busy"
        CHECK_MASK DESC_HI(TSS_SEL), 0xFF00, 0x8900, "task A: kernel TSS no longer busy (JMP)"
        ; the kernel's state, saved in its TSS
        CHECK_EQ TSSF(TSS_BASE, T_EIP), kmain.from_a, "kernel TSS: saved EIP = after the JMP"
        CHECK_EQ TSSF(TSS_BASE, T_EAX), 0x11111111, "kernel TSS: saved EAX"
        CHECK_EQ TSSF(TSS_BASE, T_ECX), 0x33333333, "kernel TSS: saved ECX"
        CHECK_EQ TSSF(TSS_BASE, T_EDX), 0x44444444, "kernel TSS: saved EDX"
        CHECK_EQ TSSF(TSS_BASE, T_EBX), 0x22222222, "kernel TSS: saved EBX"
        CHECK_EQ TSSF(TSS_BASE, T_EBP), 0x77777777, "kernel TSS: saved EBP"
        CHECK_EQ TSSF(TSS_BASE, T_ESI), 0x55555555, "kernel TSS: saved ESI"
        CHECK_EQ TSSF(TSS_BASE, T_EDI), 0x66666666, "kernel TSS: saved EDI"
        mov     eax, [k_esp]
        CHECK_EQ TSSF(TSS_BASE, T_ESP), eax, "kernel TSS: saved ESP"
        CHECK_MASK TSSF(TSS_BASE, T_EFL), 0x4C01, 0x0401, "kernel TSS: saved EFLAGS (CF DF, NT 0)"
        CHECK_MASK TSSF(TSS_BASE, T_CS), 0xFFFF, KCODE, "kernel TSS: saved CS"
        CHECK_MASK TSSF(TSS_BASE, T_SS), 0xFFFF, KDATA, "kernel TSS: saved SS"
        CHECK_MASK TSSF(TSS_BASE, T_DS), 0xFFFF, KDATA, "kernel TSS: saved DS"
        CHECK_EQ TSSF(TSS_BASE, 4), ESP0_TOP, "kernel TSS: ESP0 (static) untouched"
        DBG_PUTS "tasks: in task A", 10
        clts
        mov     eax, 0xAAAA0001
        jmp     TSS_SEL:0
.after_jmp:
        FAIL    "task A resumed"

; ------------------------------------------------------------------ task B
task_b:
        pushfd
        pop     dword [scratch]
        CHECK_MASK dword [scratch], EFL_NT, EFL_NT, "task B: NT set by CALL"
        str     ax
        movzx   eax, ax
        CHECK_EQ eax, TSS_B, "task B: TR (through the task gate)"
        CHECK_MASK TSSF(TSSB_BASE, T_LINK), 0xFFFF, TSS_SEL, "task B: link = previous TR"
        CHECK_MASK DESC_HI(TSS_B), 0xFF00, 0x8B00, "task B: its TSS busy"
        CHECK_MASK DESC_HI(TSS_SEL), 0xFF00, 0x8B00, "task B: kernel TSS still busy (CALL)"
        mov     eax, cr0
        CHECK_MASK eax, CR0_TS, CR0_TS, "task B: CR0.TS set"
        CHECK_EQ TSSF(TSS_BASE, T_EIP), kmain.from_b, "task B: kernel's saved EIP = after the CALL"
        CHECK_EQ TSSF(TSS_BASE, T_ESI), 0x5151B0B0, "task B: kernel's saved ESI"
        DBG_PUTS "tasks: in task B", 10
        clts
        iretd
.after_iret:
        FAIL    "task B resumed"

; ------------------------------------------------------------------ #GP task
gp_task:
        mov     [gp_esp], esp
        pop     dword [gp_err]
        pushfd
        pop     dword [gp_eflags]
        movzx   eax, word [TSSGP_BASE + T_LINK]
        mov     [gp_link], eax
        str     ax
        movzx   eax, ax
        mov     [gp_tr], eax
        mov     eax, [TSS_BASE + T_EIP]
        mov     [gp_old_eip], eax
        mov     eax, [gp_resume]
        mov     [TSS_BASE + T_EIP], eax
        inc     dword [gp_count]
        iretd
        jmp     gp_task

; ------------------------------------------------------------------ #DF task
df_task:
        mov     [df_esp], esp
        pop     dword [df_err]
        pushfd
        pop     dword [df_eflags]
        movzx   eax, word [TSSDF_BASE + T_LINK]
        mov     [df_link], eax
        str     ax
        movzx   eax, ax
        mov     [df_tr], eax
        mov     eax, [gp_resume]            ; saved CS:EIP undefined for #DF
        mov     [TSS_BASE + T_EIP], eax
        inc     dword [df_count]
        iretd
        jmp     df_task

        ROM_END
