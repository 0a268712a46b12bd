; v86.asm - 64 KiB BIOS ROM: virtual-8086 mode and a small v86 monitor.
;
; Enters protected mode with lib/pm.inc (TSS with ESP0/SS0 and an I/O
; permission bitmap that allows ports 0xE9 and 0xF4 only), installs a
; DPL3 interrupt gate for vector 0x30 and a #GP handler that acts as a
; virtual-8086 monitor, masks the 8259s, and enters v86 mode twice with
; IRET (frame EIP CS EFLAGS(VM=1) ESP SS ES DS FS GS). The v86 code runs
; from the ROM at F000:xxxx with a stack at 5000:FFF0 and checks:
;
; with IOPL = 3:
;   * CS/SS/SP as given by the IRET; segment arithmetic with no descriptors
;     (DS = 0x3456 then 0x3000: the same byte at linear 0x34560 through
;     [0] and [bx+si] = 0x4000+0x0560); BP addressing defaults to SS;
;   * PUSHFD stores VM = 0 and IOPL = 3 in the image; POPF cannot change
;     IOPL; CLI/STI and POPF change IF;
;   * IN from port 0x80 raises #GP(0) although IOPL = 3 (the I/O bitmap
;     alone decides in v86 mode), OUT to 0xE9 works;
;   * INT 0x30 goes through the IDT (not the real-mode IVT, whose entry 0x30
;     points at a FAIL) to a CPL0 handler on TSS.ESP0: frame of 9 dwords
;     EIP CS EFLAGS ESP SS ES DS FS GS (v86 values, VM = 1), DS/ES/FS/GS
;     null in the handler, IF cleared (interrupt gate), VM clear; the handler
;     edits the saved FS and IRETs: back in v86 with FS from the frame;
;   * leaves v86 for good with INT 0x30 AX=0xFFFF (a call into the monitor).
;
; with IOPL = 0, the monitor (#GP handler) emulating sensitive instructions
; with a virtual IF:
;   * CLI, STI, PUSHF, POPF, INT n and IRET raise #GP(0) (frame: error code
;     then the 9 dwords, saved EIP = the instruction); the monitor emulates
;     them; INT 0x31 is reflected through the real-mode IVT to a v86 handler
;     whose IRET is emulated too;
;   * INT3 (0xCC) is not IOPL-sensitive: it goes to the IDT, where the DPL0
;     gate makes it #GP(3*8+2);
;   * port 0xE9 still works and 0x80 still faults (I/O bitmap, not IOPL);
;   * HLT raises #GP(0) and the monitor leaves v86 for good.
; Back in protected mode: the byte v86 wrote at linear 0x34560 is there.
;
; SDM Vol. 3A (classic numbering) chapter 20 "8086 Emulation": §20.2.1
; "Enabling Virtual-8086 Mode" (IRET with EFLAGS.VM), §20.2.3 address
; translation, §20.2.5 "Entering Virtual-8086 Mode" (Figure 20-2 stack),
; §20.2.7 "Sensitive Instructions" (CLI STI PUSHF POPF INT n IRET with
; IOPL < 3), §20.2.8 "Virtual-8086 Mode I/O" (§20.2.8.1 I/O bitmap only),
; §20.3.1 "Class 1 - Hardware Interrupts and Exceptions Handling in
; Virtual-8086 Mode" (§20.3.1.1 handler in protected mode: Figure 20-4
; frame, segment registers cleared), §20.3.3 "Class 3 - Software Interrupt
; Handling" (Table 20-2: VME = 0; INT3/INTO not IOPL-sensitive); Vol. 2
; "INT n/INTO/INT3", "IRET", "PUSHF", "POPF" (virtual-8086 mode cases).

%define TEST_NAME "v86"
%include "rom.inc"
%include "pm.inc"

VM_FLAG         equ 0x00020000
IOPL3           equ 0x3000
IF_FLAG         equ 0x0200
V86_SS          equ 0x5000
V86_SP          equ 0xFFF0
V86_CS          equ ROM_SEG
%define IP(label) ((label) - rom_start)

[absolute 0x0C00]
v_kesp          resd 1              ; kernel ESP saved by enter_v86
vif             resd 1              ; virtual IF kept by the monitor
gp_count        resd 1              ; #GP from v86 seen by the monitor
gp_op           resd 1              ; opcode byte at CS:IP
gp_frame        resd 10             ; err EIP CS EFLAGS ESP SS ES DS FS GS
gp_seg          resd 4              ; DS ES FS GS at the monitor's entry
gp_where        resd 1              ; frame address (error code)
h_count         resd 1              ; int 0x30 handler calls
h_eax           resd 1
h_seg           resd 4              ; DS ES FS GS at the handler's entry
h_cs            resd 1
h_eflags        resd 1
h_where         resd 1              ; frame address (EIP)
h_frame         resd 9              ; EIP CS EFLAGS ESP SS ES DS FS GS
isr_hits        resd 1              ; v86 IVT handler for 0x31
isr_ret         resd 3              ; IP CS FLAGS it found on its stack
isr_vif         resd 1              ; virtual IF seen by that handler
p1_done         resd 1
p2_done         resd 1
gp_err_hlt      resd 1              ; error code of the #GP on hlt
        section .text

        bits    32
kmain:
        mov     al, 0xFF                    ; mask both 8259s: IF=1 is safe
        out     0x21, al
        out     0xA1, al
        mov     edi, 0x0C00
        mov     ecx, 0x100
        xor     eax, eax
        rep stosd
        ; IDT: vector 0x30 DPL3 interrupt gate, vector 13 the monitor
        mov     eax, 0x30
        mov     ebx, int30_handler
        mov     cl, 0xEE
        call    set_gate
        mov     eax, 13
        mov     ebx, monitor_gp
        mov     cl, 0x8E
        call    set_gate
        ; real-mode IVT: 0x30 must not be used, 0x31 is reflected to
        mov     word [0x30 * 4], IP(v86_bad30)
        mov     word [0x30 * 4 + 2], V86_CS
        mov     word [0x31 * 4], IP(v86_isr31)
        mov     word [0x31 * 4 + 2], V86_CS
        mov     byte [0x34560], 0

        ; ------------------------------------------------ IOPL = 3
        DBG_PUTS "v86: entering v86 mode with IOPL 3", 10
        mov     edi, ESP0_TOP - 64          ; poison the ring-0 stack
        mov     ecx, 16
        mov     eax, 0xCCCCCCCC
        rep stosd
        mov     eax, VM_FLAG | IOPL3 | 2
        mov     ebx, IP(v86_p1)
        call    enter_v86
        CHECK_EQ dword [p1_done], 1, "IOPL 3 part completed"
        DBG_PUTS "v86: left v86 mode through the monitor call", 10
        xor     eax, eax
        mov     ax, cs
        CHECK_EQ eax, KCODE, "CS after leaving v86"
        movzx   eax, byte [0x34560]
        CHECK_EQ eax, 0xA5, "byte written by v86 code at 3456:0000"

        ; ------------------------------------------------ IOPL = 0
        DBG_PUTS "v86: entering v86 mode with IOPL 0", 10
        mov     dword [vif], 1
        mov     eax, VM_FLAG | 2
        mov     ebx, IP(v86_p2)
        call    enter_v86
        CHECK_EQ dword [p2_done], 1, "IOPL 0 part completed"
        CHECK_EQ dword [gp_op], 0xF4, "left v86 through #GP on hlt"
        CHECK_EQ dword [gp_err_hlt], 0, "#GP(0) for hlt in v86"
        DBG_PUTS "v86: left v86 mode through #GP(0) on hlt", 10
        PASS

; enter_v86: EAX = EFLAGS image (VM set), EBX = IP (CS = F000, SS:SP =
; 5000:FFF0, data segments 0). Returns when the v86 code leaves for good.
enter_v86:
        pushad
        mov     [v_kesp], esp
        push    dword 0                     ; GS
        push    dword 0                     ; FS
        push    dword 0                     ; DS
        push    dword 0                     ; ES
        push    dword V86_SS                ; SS
        push    dword V86_SP                ; ESP
        push    eax                         ; EFLAGS
        push    dword V86_CS                ; CS
        push    ebx                         ; EIP
        iretd

; leave_v86: back to the code that called enter_v86, for good
leave_v86:
        mov     ax, KDATA
        mov     ds, ax
        mov     es, ax
        mov     fs, ax
        mov     gs, ax
        mov     ss, ax
        mov     esp, [v_kesp]
        popad
        ret

; ---------------------------------------------------- int 0x30 (DPL3 gate)
; From v86 at IOPL 3. Records the segment registers at entry, CS, EFLAGS and
; the 9-dword frame; AX = 0xFFFF leaves v86 for good, anything else puts
; 0x0ABC in the saved FS and returns.
int30_handler:
        mov     [ss:h_eax], eax
        xor     eax, eax
        mov     ax, ds
        mov     [ss:h_seg + 0], eax
        mov     ax, es
        mov     [ss:h_seg + 4], eax
        mov     ax, fs
        mov     [ss:h_seg + 8], eax
        mov     ax, gs
        mov     [ss:h_seg + 12], eax
        mov     ax, cs
        mov     [ss:h_cs], eax
        pushfd
        pop     dword [ss:h_eflags]
        mov     [ss:h_where], esp
        mov     ax, KDATA
        mov     ds, ax
        mov     es, ax
        push    esi
        push    edi
        push    ecx
        lea     esi, [esp + 12]
        mov     edi, h_frame
        mov     ecx, 9
        rep movsd
        pop     ecx
        pop     edi
        pop     esi
        inc     dword [h_count]
        cmp     word [h_eax], 0xFFFF
        je      leave_v86
        mov     dword [esp + 28], 0x0ABC    ; saved FS
        mov     eax, [h_eax]
        iretd

; ---------------------------------------------------- the v86 monitor (#GP)
; Frame: +0 error code, +4 EIP, +8 CS, +12 EFLAGS, +16 ESP, +20 SS, +24 ES,
; +28 DS, +32 FS, +36 GS. A #GP not from v86 goes to pm.inc's recorder.
monitor_gp:
        test    dword [esp + 12], VM_FLAG
        jz      exc_stub_13
        pushad
        lea     ebp, [esp + 32]             ; EBP -> error code
        xor     eax, eax
        mov     ax, ds
        mov     [ss:gp_seg + 0], eax
        mov     ax, es
        mov     [ss:gp_seg + 4], eax
        mov     ax, fs
        mov     [ss:gp_seg + 8], eax
        mov     ax, gs
        mov     [ss:gp_seg + 12], eax
        mov     ax, KDATA
        mov     ds, ax
        mov     es, ax
        mov     [gp_where], ebp
        mov     esi, ebp
        mov     edi, gp_frame
        mov     ecx, 10
        rep movsd
        inc     dword [gp_count]
        movzx   esi, word [ebp + 8]         ; linear CS:IP
        shl     esi, 4
        movzx   eax, word [ebp + 4]
        add     esi, eax
        movzx   eax, byte [esi]
        mov     [gp_op], eax
        cmp     al, 0xFA
        je      .cli
        cmp     al, 0xFB
        je      .sti
        cmp     al, 0x9C
        je      .pushf
        cmp     al, 0x9D
        je      .popf
        cmp     al, 0xCD
        je      .int
        cmp     al, 0xCF
        je      .iret
        cmp     al, 0xCC                    ; int3 through a DPL0 gate
        je      .skip1
        cmp     al, 0xE4                    ; in al, imm8 denied by the bitmap
        je      .skip2
        cmp     al, 0xF4                    ; hlt: leave v86
        je      .hlt
        DBG_PUTS "FAIL ", TEST_NAME, ": monitor: unexpected #GP from v86, opcode 0x"
        DBG_HEX32 eax
        DBG_PUTS " at F000:"
        DBG_HEX32 dword [ebp + 4]
        DBG_PUTS " error 0x"
        DBG_HEX32 dword [ebp]
        DBG_PUTS 10
        FAIL_EXIT

.cli:   mov     dword [vif], 0
        jmp     .skip1
.sti:   mov     dword [vif], 1
        jmp     .skip1
.pushf: call    .flags_image
        call    .push16
        jmp     .skip1
.popf:  call    .pop16
        call    .load_flags
        jmp     .skip1
.int:   movzx   ebx, byte [esi + 1]         ; vector
        call    .flags_image
        call    .push16                     ; FLAGS
        mov     ax, [ebp + 8]
        call    .push16                     ; CS
        mov     ax, [ebp + 4]
        add     ax, 2
        call    .push16                     ; IP after the int
        mov     dword [vif], 0
        and     dword [ebp + 12], ~0x100    ; TF
        movzx   eax, word [ebx * 4]
        mov     [ebp + 4], eax
        movzx   eax, word [ebx * 4 + 2]
        mov     [ebp + 8], eax
        jmp     .resume
.iret:  call    .pop16
        movzx   eax, ax
        mov     [ebp + 4], eax              ; IP
        call    .pop16
        movzx   eax, ax
        mov     [ebp + 8], eax              ; CS
        call    .pop16
        call    .load_flags
        jmp     .resume
.hlt:   mov     eax, [ebp]
        mov     [gp_err_hlt], eax
        mov     dword [p2_done], 1
        jmp     leave_v86
.skip2: inc     word [ebp + 4]
.skip1: inc     word [ebp + 4]
.resume:
        popad
        add     esp, 4                      ; error code
        iretd

; AX = the FLAGS image the v86 code should see: real FLAGS with IF = vif
.flags_image:
        mov     eax, [ebp + 12]
        and     eax, ~IF_FLAG & 0xFFFF
        cmp     dword [vif], 0
        je      .fi_done
        or      eax, IF_FLAG
.fi_done:
        ret
; .load_flags: AX = FLAGS popped by v86 code: arithmetic flags, DF, TF
; into EFLAGS (IOPL, IF, VM kept), IF into vif
.load_flags:
        movzx   eax, ax
        xor     ecx, ecx
        test    eax, IF_FLAG
        setnz   cl
        mov     [vif], ecx
        and     eax, 0x0DD5
        mov     ecx, [ebp + 12]
        and     ecx, ~0x0DD5
        or      ecx, eax
        mov     [ebp + 12], ecx
        ret
; push AX on the v86 stack (SS:SP in the frame)
.push16:
        movzx   edi, word [ebp + 20]
        shl     edi, 4
        movzx   ecx, word [ebp + 16]
        sub     cx, 2
        mov     [ebp + 16], ecx
        mov     [edi + ecx], ax
        ret
; pop AX from the v86 stack
.pop16:
        movzx   edi, word [ebp + 20]
        shl     edi, 4
        movzx   ecx, word [ebp + 16]
        mov     ax, [edi + ecx]
        add     cx, 2
        mov     [ebp + 16], ecx
        ret

; ================================================================ v86 code
        bits    16

; V86_OUTS "text", ... - print with OUT only (no PUSHF/POPF, so nothing
; traps at IOPL 0). Clobbers AL, SI and the flags.
%macro V86_OUTS 1+
        jmp     %%code
%%str:  db      %1, 0
%%code: mov     si, %%str - SEG16_BASE
%%next: mov     al, [cs:si]
        inc     si
        test    al, al
        jz      %%done
        out     DEBUGCON_PORT, al
        jmp     %%next
%%done:
%endmacro

; V86_CHECK_SEG segreg, value, "what"
%macro V86_CHECK_SEG 3+
        mov     ax, %1
        movzx   eax, ax
        CHECK_EQ eax, %2, %3
%endmacro

; ------------------------------------------------------------ IOPL 3
v86_p1:
        V86_CHECK_SEG cs, V86_CS, "CS"
        V86_CHECK_SEG ss, V86_SS, "SS"
        CHECK_EQ esp, V86_SP, "ESP"
        V86_CHECK_SEG ds, 0, "DS from the IRET frame"
        DBG_PUTS "v86: running in v86 mode", 10

        ; --- segment arithmetic, 16-bit addressing
        mov     ax, 0x3456
        mov     ds, ax                      ; no descriptor, no check
        mov     byte [0], 0xA5              ; linear 0x34560
        mov     ax, 0x3000
        mov     es, ax
        mov     bx, 0x4000
        mov     si, 0x0560
        movzx   eax, byte [es:bx + si]
        CHECK_EQ eax, 0xA5, "3000:4560 aliases 3456:0000"
        mov     bp, 0x0100
        xor     di, di
        mov     word [ss:0x0100], 0x1234
        movzx   eax, word [bp + di]         ; SS by default
        CHECK_EQ eax, 0x1234, "[bp+di] uses SS"
        xor     ax, ax
        mov     ds, ax
        mov     es, ax

        ; --- PUSHFD image, POPF and IOPL, CLI/STI
        pushfd
        pop     eax
        CHECK_MASK eax, VM_FLAG | 0x3000 | 0x2, 0x3002, "PUSHFD image: VM 0, IOPL 3"
        push    word 0x0002                 ; IOPL 0 in the image
        popf
        pushf
        pop     ax
        movzx   eax, ax
        CHECK_MASK eax, 0x3000, 0x3000, "POPF at IOPL 3 leaves IOPL alone"
        sti
        pushf
        pop     ax
        cli
        movzx   eax, ax
        CHECK_MASK eax, IF_FLAG, IF_FLAG, "STI at IOPL 3 sets IF"
        pushf
        pop     ax
        movzx   eax, ax
        CHECK_MASK eax, IF_FLAG, 0, "CLI at IOPL 3 clears IF"
        push    word 0x0202
        popf
        pushf
        pop     ax
        cli
        movzx   eax, ax
        CHECK_MASK eax, IF_FLAG, IF_FLAG, "POPF at IOPL 3 sets IF"

        ; --- I/O: the bitmap, not IOPL
        mov     dword [gp_count], 0
        V86_OUTS "v86: OUT to port 0xE9 at IOPL 3", 10
        CHECK_EQ dword [gp_count], 0, "out to 0xE9 (bitmap allows it)"
.io:    in      al, 0x80
        CHECK_EQ dword [gp_count], 1, "#GP for in from 0x80 at IOPL 3 (bitmap denies it)"
        CHECK_EQ dword [gp_op], 0xE4, "#GP opcode"
        CHECK_EQ dword [gp_frame + 0], 0, "#GP(0) for the denied port"
        CHECK_EQ dword [gp_frame + 4], IP(.io), "#GP saved EIP = the in"

        ; --- INT n at IOPL 3: through the IDT to CPL0
        mov     ax, 0x3000
        mov     ds, ax
        mov     ax, 0x2000
        mov     es, ax
        mov     ax, 0x3100
        mov     fs, ax
        mov     ax, 0x3200
        mov     gs, ax
        mov     ax, 0x1234
        sti                                 ; IF = 1 in the frame
.int:   int     0x30
.int_r: pushf
        cli
        mov     si, ds
        mov     di, es
        mov     bp, fs
        mov     cx, gs
        xor     dx, dx
        mov     ds, dx
        mov     es, dx
        pop     dx
        movzx   edx, dx
        CHECK_MASK edx, IF_FLAG, IF_FLAG, "IF restored by IRET"
        movzx   eax, ax
        CHECK_EQ eax, 0x1234, "AX across int 0x30"
        movzx   esi, si
        CHECK_EQ esi, 0x3000, "DS after IRET to v86"
        movzx   edi, di
        CHECK_EQ edi, 0x2000, "ES after IRET to v86"
        movzx   ebp, bp
        CHECK_EQ ebp, 0x0ABC, "FS loaded from the edited frame"
        movzx   ecx, cx
        CHECK_EQ ecx, 0x3200, "GS after IRET to v86"
        CHECK_EQ dword [h_count], 1, "int 0x30 handler ran once"
        CHECK_EQ dword [h_seg + 0], 0, "DS null in the CPL0 handler"
        CHECK_EQ dword [h_seg + 4], 0, "ES null in the CPL0 handler"
        CHECK_EQ dword [h_seg + 8], 0, "FS null in the CPL0 handler"
        CHECK_EQ dword [h_seg + 12], 0, "GS null in the CPL0 handler"
        CHECK_EQ dword [h_cs], KCODE, "CS in the handler"
        CHECK_MASK dword [h_eflags], VM_FLAG | IF_FLAG, 0, "VM and IF clear in the handler"
        CHECK_EQ dword [h_where], ESP0_TOP - 36, "handler frame = TSS.ESP0 - 9 dwords"
        CHECK_EQ dword [h_frame + 0], IP(.int_r), "frame EIP"
        CHECK_MASK dword [h_frame + 4], 0xFFFF, V86_CS, "frame CS"
        CHECK_MASK dword [h_frame + 8], VM_FLAG | 0x3000 | IF_FLAG, VM_FLAG | 0x3000 | IF_FLAG, "frame EFLAGS (VM, IOPL 3, IF)"
        CHECK_EQ dword [h_frame + 12], V86_SP, "frame ESP"
        CHECK_MASK dword [h_frame + 16], 0xFFFF, V86_SS, "frame SS"
        CHECK_MASK dword [h_frame + 20], 0xFFFF, 0x2000, "frame ES"
        CHECK_MASK dword [h_frame + 24], 0xFFFF, 0x3000, "frame DS"
        CHECK_MASK dword [h_frame + 28], 0xFFFF, 0x3100, "frame FS"
        CHECK_MASK dword [h_frame + 32], 0xFFFF, 0x3200, "frame GS"
        DBG_PUTS "v86: INT 0x30 through the IDT ok", 10

        ; --- leave for good through the monitor
        mov     dword [p1_done], 1
        mov     ax, 0xFFFF
        int     0x30
        FAIL    "the exit call returned"

v86_bad30:
        FAIL    "INT 0x30 went through the real-mode IVT"

; ------------------------------------------------------------ IOPL 0
v86_p2:
        xor     ax, ax
        mov     ds, ax
        mov     es, ax
        mov     dword [gp_count], 0
        DBG_PUTS "v86: running with IOPL 0", 10   ; its PUSHF/POPF are emulated
        CHECK_EQ dword [gp_count], 2, "v86: PUSHF and POPF in DBG_PUTS trapped"

        ; --- CLI: #GP(0), frame
        mov     dword [gp_count], 0
        mov     ax, 0x3000
        mov     fs, ax
        mov     ax, 0x3100
        mov     gs, ax
.cli:   cli
        CHECK_EQ dword [gp_count], 1, "cli at IOPL 0 trapped"
        CHECK_EQ dword [gp_op], 0xFA, "cli opcode"
        CHECK_EQ dword [vif], 0, "virtual IF cleared"
        CHECK_EQ dword [gp_where], ESP0_TOP - 40, "#GP frame = TSS.ESP0 - 10 dwords"
        CHECK_EQ dword [gp_frame + 0], 0, "#GP(0) for cli"
        CHECK_EQ dword [gp_frame + 4], IP(.cli), "#GP saved EIP = the cli"
        CHECK_MASK dword [gp_frame + 8], 0xFFFF, V86_CS, "#GP frame CS"
        CHECK_MASK dword [gp_frame + 12], VM_FLAG | 0x3000, VM_FLAG, "#GP frame EFLAGS (VM, IOPL 0)"
        CHECK_EQ dword [gp_frame + 16], V86_SP, "#GP frame ESP"
        CHECK_MASK dword [gp_frame + 20], 0xFFFF, V86_SS, "#GP frame SS"
        CHECK_MASK dword [gp_frame + 24], 0xFFFF, 0, "#GP frame ES"
        CHECK_MASK dword [gp_frame + 28], 0xFFFF, 0, "#GP frame DS"
        CHECK_MASK dword [gp_frame + 32], 0xFFFF, 0x3000, "#GP frame FS"
        CHECK_MASK dword [gp_frame + 36], 0xFFFF, 0x3100, "#GP frame GS"
        CHECK_EQ dword [gp_seg + 0], 0, "DS null in the monitor"
        CHECK_EQ dword [gp_seg + 4], 0, "ES null in the monitor"
        CHECK_EQ dword [gp_seg + 8], 0, "FS null in the monitor"
        CHECK_EQ dword [gp_seg + 12], 0, "GS null in the monitor"

        ; --- PUSHF / STI / POPF
.pushf: pushf
        pop     ax
        movzx   eax, ax
        CHECK_EQ dword [gp_count], 2, "pushf at IOPL 0 trapped"
        CHECK_EQ dword [gp_frame + 4], IP(.pushf), "#GP saved EIP = the pushf"
        CHECK_MASK eax, IF_FLAG, 0, "emulated PUSHF shows the virtual IF (0)"
.sti:   sti
        CHECK_EQ dword [gp_count], 3, "sti at IOPL 0 trapped"
        CHECK_EQ dword [gp_frame + 4], IP(.sti), "#GP saved EIP = the sti"
        CHECK_EQ dword [vif], 1, "virtual IF set"
        push    word 0x0001                 ; CF = 1, IF = 0
.popf:  popf
        jc      .popf_cf
        FAIL    "emulated POPF did not set CF"
.popf_cf:
        CHECK_EQ dword [gp_count], 4, "popf at IOPL 0 trapped"
        CHECK_EQ dword [gp_frame + 4], IP(.popf), "#GP saved EIP = the popf"
        CHECK_EQ dword [vif], 0, "virtual IF cleared by POPF"
        CHECK_EQ esp, V86_SP, "SP balanced by the emulated PUSHF/POPF"

        ; --- INT n reflected through the real-mode IVT, IRET emulated
        mov     dword [gp_count], 0
        mov     dword [vif], 1
.int:   int     0x31
.int_r: CHECK_EQ dword [gp_count], 2, "int 0x31 and the handler's iret trapped"
        CHECK_EQ dword [gp_op], 0xCF, "last trap was the iret"
        CHECK_EQ dword [gp_frame + 0], 0, "#GP(0) for iret"
        CHECK_EQ dword [isr_hits], 1, "IVT handler for 0x31 ran"
        CHECK_EQ dword [isr_ret + 0], IP(.int_r), "reflected frame IP"
        CHECK_EQ dword [isr_ret + 4], V86_CS, "reflected frame CS"
        CHECK_MASK dword [isr_ret + 8], IF_FLAG, IF_FLAG, "reflected frame FLAGS with the virtual IF"
        CHECK_EQ dword [isr_vif], 0, "virtual IF 0 in the reflected handler"
        CHECK_EQ dword [vif], 1, "virtual IF restored by the emulated IRET"
        CHECK_EQ esp, V86_SP, "SP after the reflected interrupt"
        DBG_PUTS "v86: INT 0x31 reflected through the IVT ok", 10

        ; --- INT3 is not IOPL-sensitive: IDT gate DPL0 < CPL3
        mov     dword [gp_count], 0
.i3:    int3
        CHECK_EQ dword [gp_count], 1, "int3 at IOPL 0 trapped once"
        CHECK_EQ dword [gp_op], 0xCC, "int3 opcode"
        CHECK_EQ dword [gp_frame + 0], 3 * 8 + 2, "int3 -> #GP(3*8+2) from the DPL0 IDT gate (not #GP(0))"
        CHECK_EQ dword [gp_frame + 4], IP(.i3), "#GP saved EIP = the int3"

        ; --- I/O at IOPL 0: the bitmap again
        mov     dword [gp_count], 0
        V86_OUTS "v86: OUT to port 0xE9 at IOPL 0", 10
        CHECK_EQ dword [gp_count], 0, "out to 0xE9 at IOPL 0 (bitmap allows it)"
.io:    in      al, 0x80
        CHECK_EQ dword [gp_count], 1, "in from 0x80 at IOPL 0 trapped"
        CHECK_EQ dword [gp_frame + 0], 0, "#GP(0) for the denied port"
        CHECK_EQ dword [gp_frame + 4], IP(.io), "#GP saved EIP = the in"

        ; --- leave for good: hlt -> #GP(0) -> monitor
.hlt:   hlt
        FAIL    "hlt returned to v86"

; v86 handler for int 0x31, reached through the IVT by the monitor
v86_isr31:
        push    bp
        mov     bp, sp
        movzx   eax, word [bp + 2]
        mov     [isr_ret + 0], eax
        movzx   eax, word [bp + 4]
        mov     [isr_ret + 4], eax
        movzx   eax, word [bp + 6]
        mov     [isr_ret + 8], eax
        mov     eax, [vif]
        mov     [isr_vif], eax
        inc     dword [isr_hits]
        pop     bp
        iret

        ROM_END
