; 16-bit code: operand-size prefixes, 16-bit addressing, PUSH/POP/CALL.
bits 16
push bx
mov ax, [bp + si + 2]
pop cx
call 0x1234
