; The same accesses with flat DS, ES and SS: the TLB fast path written out inline
; (aligned RAM through the typed arrays), the accessor call only on its slow path.
; flat
bits 32
mov eax, [esi + 8]
add [edi + ecx*4 - 4], eax
mov byte [ebx], 0x7f
movzx edx, word [esi]
push eax
pop ecx
ret
