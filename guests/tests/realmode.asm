; realmode.asm - 64 KiB BIOS ROM: real-address mode only.
;
; Starts at the reset vector F000:FFF0 and never leaves real mode. Checks:
;   * the reset far jump: CS = 0xF000, CR0.PE = 0;
;   * segment arithmetic (linear = segment * 16 + offset) through DS, ES, GS,
;     and 16-bit offset wrap-around ([bx+2] with BX = 0xFFFF is offset 1);
;   * BP-based addressing defaults to SS, others to DS, overrides win;
;   * INT n through an IVT entry we install (FLAGS, CS, IP pushed, 6 bytes;
;     DF preserved; IRET restores FLAGS, the handler edits the saved CF);
;     a handler in another segment (CS = 0xF100 inside it);
;   * exceptions delivered through the IVT: #DE (fault: IP of the div),
;     #BP from int3 and #OF from into (traps: IP after), #UD from ud2;
;   * string instructions with 16-bit addressing: rep movsb with CX (upper
;     half of ECX untouched), repe cmpsb stopping at a mismatch, repne scasb,
;     rep stosw backwards (DF=1), DI wrap-around at 0xFFFF; with 0x66: rep
;     movsd; with 0x67: rep movsb counting ECX/ESI/EDI;
;   * 0x66 operand size: 32-bit arithmetic, push/pop of 4 bytes, imul;
;   * 0x67 address size: [base + index*scale + disp] and lea, 16-bit lea
;     wrap-around;
;   * far call/retf, les, pusha/popa, loop.
;
; SDM Vol. 3A (classic numbering): §9.1.4 "First Instruction Executed",
; Chapter 20 "8086 Emulation": §20.1.1 "Address Translation in Real-Address
; Mode", §20.1.4 "Interrupt and Exception Handling" (IVT, FLAGS/CS/IP
; frame); Vol. 1 §3.6 "Operand-size and Address-size Attributes" (0x66 and
; 0x67 in 16-bit code), §3.7.5 "Specifying an Offset" (default segments);
; Vol. 2 MOVS/CMPS/SCAS/STOS/REP, INT n/IRET (real-address mode pseudo-code).

%define TEST_NAME "realmode"
%define ROM_ORG 0                   ; labels are offsets in segment 0xF000
%include "rom.inc"

STACK_SEG       equ 0x7000          ; stack: 7000:F000 (linear 0x7F000)
STACK_TOP       equ 0xF000
SRC_SEG         equ 0x5000          ; string test buffers
DST_SEG         equ 0x6000

; variables at linear 0x500 (DS = 0 while they are used)
[absolute 0x500]
r_count         resd 1
r_vec           resd 1
r_ip            resd 1
r_cs            resd 1
r_flags         resd 1
r_sp            resd 1              ; SP at handler entry
r_resume        resd 1              ; 0 = not armed
r_aux           resd 1
r_ptr           resd 1              ; far pointer for les
        section .text

%macro ARM 1
        mov     dword [r_count], 0
        mov     dword [r_vec], 0xFFFFFFFF
        mov     dword [r_ip], 0xFFFFFFFF
        mov     word [r_resume], %1
%endmacro

%macro EXPECT_EXC 3+                ; vector, saved IP, "what"
        mov     word [r_resume], 0
        CHECK_EQ dword [r_count], 1, %3, ": exception count"
        CHECK_EQ dword [r_vec], %1, %3, ": vector"
        CHECK_EQ dword [r_ip], %2, %3, ": saved IP"
        CHECK_EQ dword [r_cs], ROM_SEG, %3, ": saved CS"
%endmacro

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
        DBG_PUTS "realmode: started at the reset vector", 10

        xor     eax, eax
        mov     ax, cs
        CHECK_EQ eax, ROM_SEG, "CS after the reset far jump"
        mov     eax, cr0
        CHECK_MASK eax, 1, 0, "CR0.PE at reset"

        ; --- IVT: every vector -> rm_unexpected, 0/3/4/6 -> recording stubs
        xor     di, di
        mov     cx, 256
.ivt:   mov     word [di], rm_unexpected
        mov     word [di + 2], ROM_SEG
        add     di, 4
        loop    .ivt
        mov     word [0 * 4], rm_exc_0
        mov     word [3 * 4], rm_exc_3
        mov     word [4 * 4], rm_exc_4
        mov     word [6 * 4], rm_exc_6
        mov     word [0x60 * 4], int60_handler
        mov     word [0x61 * 4], int61_handler - 0x1000   ; entered as F100:xxxx
        mov     word [0x61 * 4 + 2], ROM_SEG + 0x100

        ; --- segment arithmetic: 1234:5678 = 179B:0008 = 1000:79B8 = 0x179B8
        mov     ax, 0x1234
        mov     ds, ax
        mov     byte [0x5678], 0xA5
        mov     ax, 0x179B
        mov     es, ax
        mov     ax, 0x1000
        mov     gs, ax
        xor     ax, ax
        mov     ds, ax
        movzx   eax, byte [es:0x0008]
        CHECK_EQ eax, 0xA5, "179B:0008 aliases 1234:5678"
        movzx   eax, byte [gs:0x79B8]
        CHECK_EQ eax, 0xA5, "1000:79B8 aliases 1234:5678"

        ; --- 16-bit offsets wrap: 2000:[FFFF+2] is 2000:0001
        mov     ax, 0x2000
        mov     es, ax
        mov     byte [es:0x0001], 0x5A
        mov     byte [es:0xFFFF], 0x00
        mov     bx, 0xFFFF
        movzx   eax, byte [es:bx + 2]
        CHECK_EQ eax, 0x5A, "16-bit effective address wrap-around"

        ; --- default segments: [bp+...] uses SS, [bx+...] uses DS
        mov     ax, 0x4000
        mov     ds, ax
        mov     word [0x0210], 0x1111       ; DS: linear 0x40210
        mov     word [ss:0x0210], 0x2222    ; SS: linear 0x70210
        mov     bp, 0x0200
        mov     bx, 0x0200
        mov     si, 0x0010
        mov     di, 0x0010
        mov     ax, [bp + si]
        mov     cx, [bx + si]
        mov     dx, [ds:bp + di]
        mov     bp, 0x0210
        mov     bx, [bp]
        xor     si, si
        mov     ds, si
        movzx   eax, ax
        CHECK_EQ eax, 0x2222, "[bp+si] defaults to SS"
        movzx   ecx, cx
        CHECK_EQ ecx, 0x1111, "[bx+si] defaults to DS"
        movzx   edx, dx
        CHECK_EQ edx, 0x1111, "[ds:bp+di] override"
        movzx   ebx, bx
        CHECK_EQ ebx, 0x2222, "[bp] defaults to SS"

        ; --- INT n through the IVT
        mov     dword [r_count], 0
        mov     [r_aux], sp
        mov     ax, 0x1111
        std
        stc
.int60: int     0x60
.int60_r:
        jc      .cf_still_set
        pushf
        pop     dx
        cld
        movzx   eax, ax
        CHECK_EQ eax, 0x2222, "AX set by the int 0x60 handler"
        CHECK_EQ dword [r_count], 1, "int 0x60 handler calls"
        CHECK_EQ dword [r_ip], .int60_r, "int 0x60: saved IP (after the int)"
        CHECK_EQ dword [r_cs], ROM_SEG, "int 0x60: saved CS"
        CHECK_MASK dword [r_flags], 0x0401, 0x0401, "int 0x60: saved FLAGS (CF, DF)"
        CHECK_MASK dword [r_aux + 2], 0x0400, 0x0400, "DF inside the handler"
        movzx   eax, word [r_aux]
        sub     eax, 6
        CHECK_EQ dword [r_sp], eax, "int 0x60: SP at the handler = SP - 6"
        movzx   edx, dx
        CHECK_MASK edx, 0x0400, 0x0400, "DF restored by IRET"
        jmp     .int61
.cf_still_set:
        cld
        FAIL    "CF after IRET: the handler cleared the saved CF"

        ; --- handler in another segment (F100:xxxx aliases F000:xxxx+0x1000)
.int61: mov     dword [r_cs], 0
        int     0x61
        CHECK_EQ dword [r_cs], ROM_SEG + 0x100, "CS inside the int 0x61 handler"

        ; --- exceptions through the IVT
        ARM     .de_r
        xor     dx, dx
        mov     ax, 1
        xor     cx, cx
.de:    div     cx
.de_r:  EXPECT_EXC 0, .de, "#DE div by zero"
        ARM     .de2_r
        mov     dx, 1
        xor     ax, ax
        mov     cx, 1
.de2:   div     cx                          ; 0x10000 / 1 does not fit AX
.de2_r: EXPECT_EXC 0, .de2, "#DE quotient overflow"

        ARM     .bp_r
.bp:    int3
.bp_r:  EXPECT_EXC 3, .bp + 1, "#BP int3"

        ARM     .of_r
        mov     al, 0x7F
        add     al, 1                       ; OF=1
.of:    into
.of_r:  EXPECT_EXC 4, .of + 1, "#OF into"

        ARM     .ud_r
.ud:    ud2
.ud_r:  EXPECT_EXC 6, .ud, "#UD ud2"

        ; --- string instructions, 16-bit addressing
        mov     ax, SRC_SEG                 ; source pattern: byte i = i ^ 0x5A
        mov     es, ax
        xor     di, di
        xor     ax, ax
        mov     cx, 512
.pat:   mov     al, ah
        xor     al, 0x5A
        stosb
        inc     ah
        loop    .pat
        mov     ax, DST_SEG                 ; destination: zeros
        mov     es, ax
        xor     di, di
        xor     ax, ax
        mov     cx, 256
        rep stosw

        mov     ax, SRC_SEG
        mov     ds, ax
        xor     si, si
        xor     di, di
        mov     ecx, 0xABCD0000 + 100       ; a16: only CX counts
        rep movsb
        mov     ax, 0
        mov     ds, ax
        CHECK_EQ ecx, 0xABCD0000, "rep movsb: ECX (upper half untouched)"
        movzx   esi, si
        CHECK_EQ esi, 100, "rep movsb: SI"
        movzx   edi, di
        CHECK_EQ edi, 100, "rep movsb: DI"
        movzx   eax, byte [es:99]
        CHECK_EQ eax, 99 ^ 0x5A, "rep movsb: last byte copied"
        movzx   eax, byte [es:100]
        CHECK_EQ eax, 0, "rep movsb: one byte too many"

        mov     byte [es:37], 0xEE          ; mismatch at index 37
        mov     ax, SRC_SEG
        mov     ds, ax
        xor     si, si
        xor     di, di
        mov     cx, 100
        repe cmpsb
        pushf
        pop     ax
        mov     bx, 0
        mov     ds, bx
        movzx   ecx, cx
        CHECK_EQ ecx, 100 - 38, "repe cmpsb: CX after the mismatch"
        movzx   esi, si
        CHECK_EQ esi, 38, "repe cmpsb: SI"
        movzx   eax, ax
        CHECK_MASK eax, 0x40, 0, "repe cmpsb: ZF clear at the mismatch"

        mov     al, 50 ^ 0x5A               ; repne scasb finds index 50
        mov     bx, SRC_SEG
        mov     es, bx
        xor     di, di
        mov     cx, 200
        repne scasb
        movzx   ecx, cx
        CHECK_EQ ecx, 200 - 51, "repne scasb: CX"
        movzx   edi, di
        CHECK_EQ edi, 51, "repne scasb: DI"

        mov     bx, DST_SEG                 ; rep stosw backwards
        mov     es, bx
        mov     word [es:0x1F0], 0
        mov     di, 0x200
        mov     cx, 8
        mov     ax, 0xBEEF
        std
        rep stosw
        cld
        movzx   edi, di
        CHECK_EQ edi, 0x1F0, "std; rep stosw: DI"
        movzx   eax, word [es:0x1F2]
        CHECK_EQ eax, 0xBEEF, "std; rep stosw: last word"
        movzx   eax, word [es:0x1F0]
        CHECK_EQ eax, 0, "std; rep stosw: one word too many"

        mov     edi, 0x1234FFFF             ; a16 stosb: DI wraps, EDI's upper
        mov     al, 0x77                    ; half is untouched
        stosb
        CHECK_EQ edi, 0x12340000, "stosb at DI=0xFFFF: EDI after"
        movzx   eax, byte [es:0xFFFF]
        CHECK_EQ eax, 0x77, "stosb at DI=0xFFFF: byte written"

        mov     ax, SRC_SEG                 ; 0x66: rep movsd moves dwords
        mov     ds, ax
        mov     si, 0x40
        mov     di, 0x400
        mov     cx, 4
        rep movsd
        xor     ax, ax
        mov     ds, ax
        movzx   esi, si
        CHECK_EQ esi, 0x50, "rep movsd: SI"
        movzx   edi, di
        CHECK_EQ edi, 0x410, "rep movsd: DI"
        mov     eax, [es:0x40C]
        CHECK_EQ eax, ((0x4F ^ 0x5A) << 24) | ((0x4E ^ 0x5A) << 16) | ((0x4D ^ 0x5A) << 8) | (0x4C ^ 0x5A), "rep movsd: last dword"

        mov     ax, SRC_SEG                 ; 0x67: ECX, ESI, EDI count
        mov     ds, ax
        mov     ecx, 5
        mov     esi, 0x10
        mov     edi, 0x300
        a32 rep movsb
        xor     ax, ax
        mov     ds, ax
        CHECK_EQ ecx, 0, "a32 rep movsb: ECX"
        CHECK_EQ esi, 0x15, "a32 rep movsb: ESI"
        CHECK_EQ edi, 0x305, "a32 rep movsb: EDI"
        movzx   eax, byte [es:0x304]
        CHECK_EQ eax, 0x14 ^ 0x5A, "a32 rep movsb: last byte"

        ; --- 0x66 operand size
        mov     eax, 0x12345678
        add     eax, 0x89ABCDEF
        CHECK_EQ eax, 0x9BE02467, "32-bit add in real mode"
        mov     ebx, 0x00010003
        imul    eax, ebx, 0x10001
        CHECK_EQ eax, 0x00040003, "32-bit imul in real mode"
        mov     dx, sp
        push    dword 0x11223344
        mov     bx, sp
        push    eax
        pop     ecx
        pop     eax
        sub     dx, bx
        movzx   edx, dx
        CHECK_EQ edx, 4, "push dword: SP decrement"
        CHECK_EQ eax, 0x11223344, "pop dword"
        CHECK_EQ ecx, 0x00040003, "push/pop eax"

        ; --- 0x67 address size
        mov     ax, SRC_SEG
        mov     fs, ax
        mov     ebx, 0x10
        mov     ecx, 3
        mov     eax, [fs:ebx + ecx * 4 + 8] ; offset 0x24
        CHECK_EQ eax, ((0x27 ^ 0x5A) << 24) | ((0x26 ^ 0x5A) << 16) | ((0x25 ^ 0x5A) << 8) | (0x24 ^ 0x5A), "[ebx+ecx*4+8]"
        lea     eax, [ebx + ecx * 2 + 0x100]
        CHECK_EQ eax, 0x116, "lea eax, [ebx+ecx*2+0x100]"
        mov     bx, 0xFFF0
        mov     si, 0x30
        xor     eax, eax
        lea     ax, [bx + si]               ; 0x10020 wraps to 0x0020
        CHECK_EQ eax, 0x0020, "16-bit lea wrap-around"

        ; --- far call / retf, les, pusha/popa, loop
        mov     dword [r_aux], 0
        call    ROM_SEG:far_proc
        CHECK_EQ dword [r_aux], ROM_SEG, "far call: CS pushed"
        mov     word [r_ptr], 0x1234
        mov     word [r_ptr + 2], 0x5678
        les     bx, [r_ptr]
        movzx   ebx, bx
        CHECK_EQ ebx, 0x1234, "les: offset"
        xor     eax, eax
        mov     ax, es
        CHECK_EQ eax, 0x5678, "les: segment"

        mov     dx, sp
        mov     ax, 0xA1A1
        mov     cx, 0xC1C1
        pusha
        mov     bp, sp
        movzx   eax, word [ss:bp + 6]       ; pushed SP (value before pusha)
        mov     [r_sp], eax
        movzx   eax, word [ss:bp + 14]      ; pushed AX (pushed first)
        mov     [r_vec], eax
        mov     ax, 0
        mov     cx, 0
        popa
        movzx   edx, dx
        CHECK_EQ dword [r_sp], edx, "pusha: pushed SP"
        CHECK_EQ dword [r_vec], 0xA1A1, "pusha: AX pushed first"
        movzx   eax, ax
        CHECK_EQ eax, 0xA1A1, "popa: AX"
        movzx   ecx, cx
        CHECK_EQ ecx, 0xC1C1, "popa: CX"

        mov     ecx, 0xFFFF0005             ; loop counts CX only
        xor     eax, eax
.lp:    inc     eax
        loop    .lp
        CHECK_EQ eax, 5, "loop iterations"
        CHECK_EQ ecx, 0xFFFF0000, "loop: ECX"

        mov     eax, cr0
        CHECK_MASK eax, 1, 0, "still in real mode"
        PASS

; ------------------------------------------------------------ handlers
far_proc:
        push    bp
        mov     bp, sp
        movzx   eax, word [ss:bp + 4]       ; pushed CS
        mov     [r_aux], eax
        pop     bp
        retf

; int 0x60: records the frame, sets AX = 0x2222, clears the saved CF.
int60_handler:
        push    bp
        mov     bp, sp
        pushf
        pop     word [r_aux + 2]            ; FLAGS inside the handler
        inc     dword [r_count]
        movzx   eax, word [bp + 2]
        mov     [r_ip], eax
        movzx   eax, word [bp + 4]
        mov     [r_cs], eax
        movzx   eax, word [bp + 6]
        mov     [r_flags], eax
        lea     ax, [bp + 2]
        movzx   eax, ax
        mov     [r_sp], eax
        and     word [bp + 6], ~1           ; clear CF in the saved FLAGS
        pop     bp
        mov     ax, 0x2222
        iret

; int 0x61: entered as F100:(int61_handler - 0x1000)
int61_handler:
        push    eax
        xor     eax, eax
        mov     ax, cs
        mov     [r_cs], eax
        pop     eax
        iret

%macro RM_EXC_STUB 1
rm_exc_%1:
        push    word %1
        jmp     rm_exc_common
%endmacro
        RM_EXC_STUB 0
        RM_EXC_STUB 3
        RM_EXC_STUB 4
        RM_EXC_STUB 6

; stack: vector, IP, CS, FLAGS. DS may be anything: use 0 for the variables.
rm_exc_common:
        push    bp
        mov     bp, sp
        push    ax
        push    ds
        xor     ax, ax
        mov     ds, ax
        inc     dword [r_count]
        movzx   eax, word [bp + 2]
        mov     [r_vec], eax
        movzx   eax, word [bp + 4]
        mov     [r_ip], eax
        movzx   eax, word [bp + 6]
        mov     [r_cs], eax
        movzx   eax, word [bp + 8]
        mov     [r_flags], eax
        mov     ax, [r_resume]
        test    ax, ax
        jz      rm_unexpected_known
        mov     word [r_resume], 0
        mov     [bp + 4], ax                ; resume there
        pop     ds
        pop     ax
        pop     bp
        add     sp, 2
        iret

rm_unexpected_known:
        DBG_PUTS "FAIL ", TEST_NAME, ": unexpected exception, vector 0x"
        DBG_HEX32 dword [r_vec]
        DBG_PUTS " at CS:IP 0x"
        DBG_HEX32 dword [r_cs]
        DBG_PUTS ":0x"
        DBG_HEX32 dword [r_ip]
        DBG_PUTS 10
        FAIL_EXIT

rm_unexpected:
        xor     ax, ax
        mov     ds, ax
        pop     ax
        movzx   eax, ax
        mov     [r_ip], eax
        pop     ax
        mov     [r_cs], eax
        DBG_PUTS "FAIL ", TEST_NAME, ": unexpected interrupt through an unset IVT entry from CS:IP 0x"
        DBG_HEX32 dword [r_cs]
        DBG_PUTS ":0x"
        DBG_HEX32 dword [r_ip]
        DBG_PUTS 10
        FAIL_EXIT

        ROM_END
