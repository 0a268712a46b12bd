; Dead flags (emit.ts FlagLiveness), on an MD5 step. Records overwritten before anything can see
; them are not stored: the first XOR's and the AND's, the ADDs' up to the last, and the rotate's
; CF/OF; the MOV and LEA between them do not break the chain. The last XOR's record stays (the load
; after it may fault and show it); a read-modify-write keeps its record (its store may hit the
; region's own code and leave); a rotate before a Jcc that asks flags.ts keeps its CF/OF.
; flat
bits 32
mov esi, edx
xor esi, eax
and esi, ecx
xor esi, eax
add eax, [ebx + 4]
add eax, esi
lea eax, [eax + 0x12345]
rol eax, 7
add eax, edx
add [edi], eax
add ecx, 1
ror ecx, 3
jz done
nop
done:
