; Multiplies and group 3: IMUL inline (flags as setResultFlags, known to the SETcc),
; NOT/NEG read-modify-write, MUL/DIV through the interpreter's helpers on the accumulator.
bits 32
imul eax, ebx
imul ecx, [esi + 4], 1000
imul dx, ax, -3
seto bl
test byte [ebx], 0x80
not dword [edi]
neg eax
mul ecx
div dword [esi]
idiv bl
ret
