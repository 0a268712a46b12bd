; Loads, a read-modify-write and a store: each records its index first (precise faults).
bits 32
mov eax, [esi + 8]
add [edi + ecx*4 - 4], eax
mov byte [ebx], 0x7f
movzx edx, word [esi]
ret
