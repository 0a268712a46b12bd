; interrupts.asm - 64 KiB BIOS ROM: interrupt vs trap gates, single-step
; and other debug traps, in protected mode. No external interrupts: the
; 8259s are masked, everything is raised by the program itself.
;
; Enters protected mode with lib/pm.inc and checks:
;   * INT n through an interrupt gate clears IF in the handler; through a
;     trap gate IF stays set; both clear NT (and TF) in the handler and save
;     the caller's IF/NT in the frame; IRET restores them;
;   * single-step: a POPFD that sets TF does not trap itself; then #DB
;     (trap, saved EIP = the next instruction) after each instruction,
;     DR6.BS set and B0-B3 clear; the #DB handler (interrupt gate) runs
;     with TF clear; IRET restoring TF = 1 traps after one more instruction;
;   * a faulting instruction with TF = 1: the fault (#UD) is delivered, with
;     TF = 1 in its frame and no #DB for the faulting instruction; the #DB
;     comes one instruction after the handler's IRET;
;   * INT3 and INTO are traps: saved EIP after the instruction;
;   * DR7.GD: MOV from a debug register raises #DB as a fault (saved EIP =
;     the MOV) with DR6.BD set and DR7.GD cleared, so the MOV then works;
;   * MOV SS and POP SS with TF = 1 inhibit the single-step trap until after
;     the next instruction: one #DB, with EIP after the instruction following
;     MOV SS / POP SS. (Not checked: single-step right after STI, where
;     the SDM says nothing explicit and QEMU 7.2 delays the #DB like MOV SS
;     while Bochs 2.7 does not.)
;
; QEMU 7.2 (TCG) does not implement DR7.GD, so that part comes last and fails
; there; Bochs passes everything.
;
; SDM Vol. 3A (classic numbering): §6.8.1 "Masking Maskable Hardware
; Interrupts" (IF), §6.8.3 "Masking Exceptions and Interrupts When
; Switching Stacks" (MOV SS), §6.9 "Priority Among Simultaneous Exceptions
; and Interrupts", §6.12.1.2 "Flag Usage By Exception- or Interrupt-Handler
; Procedure" (interrupt vs trap gate: IF; TF, VM, RF, NT cleared), §6.15
; "Exception and Interrupt Reference" (Interrupt 1, 3, 4: trap or fault
; class); §17.2.3 "Debug Status Register (DR6)", §17.2.4 "Debug Control
; Register (DR7)" (GD), §17.3.1.2 "General-Detect Exception Condition",
; §17.3.1.4 "Single-Step Exception Condition"; Vol. 2 "POPF", "IRET",
; "MOV" (to SS).

%define TEST_NAME "interrupts"
%include "rom.inc"
%include "pm.inc"

EFL_TF          equ 0x0100
EFL_IF          equ 0x0200
EFL_NT          equ 0x4000
DR6_BS          equ 0x4000
DR6_BD          equ 0x2000
DR7_GD          equ 0x2000
DB_MAX          equ 8

[absolute 0x0C00]
h_eflags        resd 1              ; EFLAGS inside the int 0x50/0x51 handler
h_frame_eflags  resd 1              ; EFLAGS in its frame
db_count        resd 1
db_limit        resd 1              ; the #DB handler clears TF at this count
db_eip          resd DB_MAX
db_dr6          resd DB_MAX
db_eflags       resd DB_MAX         ; EFLAGS inside the #DB handler
db_frame_efl    resd DB_MAX         ; EFLAGS in the #DB frame
db_dr7          resd 1              ; DR7 inside the handler (last #DB)
        section .text

; DB_RESET n - reset the #DB log; the handler clears TF at the n-th #DB
%macro DB_RESET 1
        mov     dword [db_count], 0
        mov     dword [db_limit], %1
%endmacro

        bits    32
kmain:
        mov     al, 0xFF                    ; mask both 8259s: IF=1 is safe
        out     0x21, al
        out     0xA1, al
        mov     eax, 0x50
        mov     ebx, int_gate_handler
        mov     cl, 0x8E                    ; 32-bit interrupt gate, DPL0
        call    set_gate
        mov     eax, 0x51
        mov     ebx, int_gate_handler
        mov     cl, 0x8F                    ; 32-bit trap gate, DPL0
        call    set_gate
        mov     eax, 1
        mov     ebx, db_handler
        mov     cl, 0x8E
        call    set_gate

        ; ------------------------------------------------ IF: interrupt vs trap gate
        pushfd
        or      dword [esp], EFL_IF | EFL_NT
        popfd
        int     0x50
        pushfd
        pop     ebx
        push    dword 0x2
        popfd
        CHECK_MASK ebx, EFL_IF | EFL_NT, EFL_IF | EFL_NT, "IF and NT restored by IRET (interrupt gate)"
        CHECK_MASK dword [h_eflags], EFL_IF | EFL_NT | EFL_TF, 0, "interrupt gate: IF, NT, TF clear in the handler"
        CHECK_MASK dword [h_frame_eflags], EFL_IF | EFL_NT, EFL_IF | EFL_NT, "interrupt gate: frame has IF and NT"

        pushfd
        or      dword [esp], EFL_IF | EFL_NT
        popfd
        int     0x51
        pushfd
        pop     ebx
        push    dword 0x2
        popfd
        CHECK_MASK ebx, EFL_IF | EFL_NT, EFL_IF | EFL_NT, "IF and NT restored by IRET (trap gate)"
        CHECK_MASK dword [h_eflags], EFL_IF | EFL_NT | EFL_TF, EFL_IF, "trap gate: IF kept, NT and TF clear in the handler"
        CHECK_MASK dword [h_frame_eflags], EFL_IF | EFL_NT, EFL_IF | EFL_NT, "trap gate: frame has IF and NT"
        DBG_PUTS "interrupts: interrupt/trap gate IF ok", 10

        ; ------------------------------------------------ single-step
        xor     eax, eax
        mov     dr6, eax
        DB_RESET 3
        xor     ecx, ecx
        pushfd
        or      dword [esp], EFL_TF
        popfd                               ; sets TF: no trap after it
.s1:    inc     ecx
.s2:    inc     ecx
.s3:    inc     ecx
.s4:    nop
        CHECK_EQ ecx, 3, "single-step: the stepped instructions ran"
        CHECK_EQ dword [db_count], 3, "single-step: one #DB per instruction"
        CHECK_EQ dword [db_eip + 0], .s2, "single-step: first #DB after the instruction following POPFD"
        CHECK_EQ dword [db_eip + 4], .s3, "single-step: second #DB EIP"
        CHECK_EQ dword [db_eip + 8], .s4, "single-step: third #DB EIP"
        CHECK_MASK dword [db_dr6 + 0], DR6_BS | DR6_BD | 0xF, DR6_BS, "single-step: DR6.BS (first)"
        CHECK_MASK dword [db_dr6 + 4], DR6_BS | DR6_BD | 0xF, DR6_BS, "single-step: DR6.BS (second, DR6 cleared by the handler)"
        CHECK_MASK dword [db_dr6 + 8], DR6_BS | DR6_BD | 0xF, DR6_BS, "single-step: DR6.BS (third)"
        CHECK_MASK dword [db_eflags + 0], EFL_TF, 0, "single-step: TF clear in the #DB handler"
        CHECK_MASK dword [db_frame_efl + 0], EFL_TF, EFL_TF, "single-step: TF set in the #DB frame"
        pushfd
        pop     eax
        CHECK_MASK eax, EFL_TF, 0, "single-step: TF off after the handler cleared it in the frame"
        DBG_PUTS "interrupts: single-step ok", 10

        ; ------------------------------------------------ fault with TF = 1
        xor     eax, eax
        mov     dr6, eax
        DB_RESET 1
        ARM     .ud_r
        pushfd
        or      dword [esp], EFL_TF
        popfd
.ud:    ud2                                 ; #UD, no #DB for it
.ud_r:  mov     dword [rec_resume], 0       ; the #DB comes after this one
.ud_n:  CHECK_EQ dword [rec_count], 1, "TF + ud2: one #UD"
        CHECK_EQ dword [rec_vec], 6, "TF + ud2: #UD delivered first"
        CHECK_EQ dword [rec_eip], .ud, "TF + ud2: #UD saved EIP"
        CHECK_MASK dword [rec_eflags], EFL_TF, EFL_TF, "TF + ud2: TF in the #UD frame"
        CHECK_EQ dword [db_count], 1, "TF + ud2: one #DB"
        CHECK_EQ dword [db_eip], .ud_n, "TF + ud2: #DB one instruction after the IRET"
        DBG_PUTS "interrupts: fault before single-step ok", 10

        ; ------------------------------------------------ INT3 / INTO are traps
        ARM     .i3_r
        int3
.i3_r:  EXPECT_FAULT 3, 0, .i3_r, "int3: #BP trap, EIP after"
        ARM     .o_r
        mov     eax, 0x7FFFFFFF
        inc     eax                         ; OF = 1
        into
.o_r:   EXPECT_FAULT 4, 0, .o_r, "into with OF: #OF trap, EIP after"

        DBG_PUTS "interrupts: INT3, INTO ok", 10

        ; ------------------------------------------------ MOV SS shadow
        xor     eax, eax
        mov     dr6, eax
        DB_RESET 1
        xor     ecx, ecx
        mov     dx, ss
        pushfd
        or      dword [esp], EFL_TF
        popfd
.m0:    inc     ecx                         ; #DB after this one
.m1:    mov     ss, dx                      ; inhibits the trap after it...
.m2:    inc     ecx                         ; ...until after this one
.m3:    nop
        CHECK_EQ ecx, 2, "MOV SS: instructions ran"
        CHECK_EQ dword [db_count], 1, "MOV SS: one #DB (handler clears TF at the first)"
        CHECK_EQ dword [db_eip], .m1, "MOV SS: first #DB after the instruction before MOV SS"
        DB_RESET 1
        pushfd
        or      dword [esp], EFL_TF
        popfd
.n0:    mov     ss, dx                      ; no #DB after MOV SS...
.n1:    inc     ecx
.n2:    nop                                 ; ...#DB here
        CHECK_EQ dword [db_count], 1, "MOV SS: one #DB for MOV SS + next"
        CHECK_EQ dword [db_eip], .n2, "MOV SS: #DB delayed to after the instruction following MOV SS"
        CHECK_MASK dword [db_dr6], DR6_BS, DR6_BS, "MOV SS: DR6.BS"
        ; POP SS: the same
        DB_RESET 1
        push    ss
        pushfd
        or      dword [esp], EFL_TF
        popfd
.p0:    pop     ss                          ; no #DB after POP SS...
.p1:    inc     ecx
.p2:    nop                                 ; ...#DB here
        CHECK_EQ dword [db_count], 1, "POP SS: one #DB for POP SS + next"
        CHECK_EQ dword [db_eip], .p2, "POP SS: #DB delayed to after the instruction following POP SS"
        DBG_PUTS "interrupts: MOV SS / POP SS shadow ok", 10

        ; Last: QEMU 7.2 (TCG) does not implement DR7.GD (no #DB).
        ; ------------------------------------------------ DR7.GD
        xor     eax, eax
        mov     dr6, eax
        DB_RESET 0
        mov     dr0, eax
        mov     eax, DR7_GD
        mov     dr7, eax
        mov     eax, 0x12345678
.gd:    mov     eax, dr0                    ; #DB fault, then runs
        CHECK_EQ eax, 0, "DR7.GD: MOV from DR0 completes after the #DB"
        CHECK_EQ dword [db_count], 1, "DR7.GD: one #DB"
        CHECK_EQ dword [db_eip], .gd, "DR7.GD: #DB is a fault (saved EIP = the MOV)"
        CHECK_MASK dword [db_dr6], DR6_BD | DR6_BS, DR6_BD, "DR7.GD: DR6.BD set"
        CHECK_MASK dword [db_dr7], DR7_GD, 0, "DR7.GD: GD cleared on #DB entry"
        mov     eax, dr7
        CHECK_MASK eax, DR7_GD, 0, "DR7.GD still clear"
        DBG_PUTS "interrupts: DR7.GD ok", 10

        PASS

; ------------------------------------------------------------ handlers
; int 0x50 (interrupt gate) and 0x51 (trap gate)
int_gate_handler:
        pushfd
        pop     dword [h_eflags]
        push    eax
        mov     eax, [esp + 12]             ; frame: EIP CS EFLAGS
        mov     [h_frame_eflags], eax
        pop     eax
        iretd

; #DB (interrupt gate): log EIP, DR6, EFLAGS; clear DR6; clear TF in the
; frame once db_limit traps were seen
db_handler:
        push    eax
        push    ebx
        pushfd
        pop     ebx
        mov     eax, [db_count]
        cmp     eax, DB_MAX
        jae     .full
        mov     [db_eflags + eax * 4], ebx
        mov     ebx, [esp + 8]              ; EIP
        mov     [db_eip + eax * 4], ebx
        mov     ebx, [esp + 16]             ; EFLAGS
        mov     [db_frame_efl + eax * 4], ebx
        mov     ebx, dr6
        mov     [db_dr6 + eax * 4], ebx
        mov     ebx, dr7
        mov     [db_dr7], ebx
        xor     ebx, ebx
        mov     dr6, ebx
.full:  inc     dword [db_count]
        mov     eax, [db_count]
        cmp     eax, [db_limit]
        jb      .out
        and     dword [esp + 16], ~EFL_TF
.out:   pop     ebx
        pop     eax
        iretd

        ROM_END
