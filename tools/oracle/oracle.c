/*
 * oracle.c - anillo's native fidelity oracle.
 *
 * Runs short i386 code snippets on the host CPU, inside this (32-bit Linux)
 * process, and reports the machine state afterwards so the emulator's results
 * can be compared against real hardware.
 *
 * Build: gcc -m32 -O2 (see scripts/build-oracle.sh). Protocol, layout and
 * caveats are documented in tools/oracle/native-oracle.ts; in short:
 *
 *   stdin   one case per line:
 *             case [id=N] mode=32|16 eax=H ecx=H edx=H ebx=H esp=H ebp=H
 *                  esi=H edi=H eflags=H code=HEX [data=SPARSE] [stack=SPARSE]
 *           SPARSE is "-" or comma-separated "OFF:HEX" runs laid over zeros.
 *           Empty lines and lines starting with '#' are ignored.
 *   stdout  first a hello line ("oracle version=1 ..."), then exactly one line
 *           per case: "result id=N kind=ok|fault|timeout|syscall ..." or
 *           "error id=N msg=...". code/data/stack are reported as SPARSE
 *           diffs against the case's initial images.
 *
 * How a case runs (the "why" of the design):
 *   - Entering the snippet: we raise SIGUSR1 and, in its handler, overwrite
 *     the saved user context (registers, EFLAGS, EIP, all six selectors) with
 *     the case's state. rt_sigreturn then loads all of it atomically. Unlike a
 *     popf-based trampoline this writes nothing to the case's stack and lets
 *     TF take effect exactly at the snippet's first instruction.
 *   - Leaving it: the snippet is followed by int3 (the rest of the code page
 *     is int3 too). Every exception arrives as a signal; the handler runs on a
 *     sigaltstack (the snippet's ESP/SS are arbitrary), records the ucontext
 *     and siglongjmps back to the main loop, which also restores the signal
 *     mask. The kernel gives the handler flat DS/ES/SS/CS, but not FS/GS, so
 *     the handler reloads those first (glibc's TLS and pointer guard live in
 *     GS; siglongjmp needs it).
 *   - Runaway snippets: an ITIMER_REAL armed right before entry; SIGALRM while
 *     a case runs is reported as kind "timeout".
 *   - System calls: a seccomp filter makes any system call whose user EIP is
 *     below 0x200000 (i.e. issued by the snippet) raise SIGSYS instead of
 *     running, so `int 0x80` in a fuzzed snippet cannot write to our stdout,
 *     exit or unmap us. Reported as kind "syscall".
 */
#define _GNU_SOURCE
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <ucontext.h>
#include <unistd.h>
#include <asm/ldt.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>

#if !defined(__i386__)
#error "oracle.c must be built as 32-bit x86 code (gcc -m32)"
#endif

/* ---- Fixed layout, shared with tools/oracle/native-oracle.ts ---- */
#define CODE_BASE       0x00100000u /* code page, RWX */
#define CODE_SIZE       0x1000u
#define SNIPPET_OFFSET  0x100u      /* snippet starts at CODE_BASE + 0x100 */
#define DATA_BASE       0x00110000u /* data area, RW, two pages */
#define DATA_SIZE       0x2000u
#define STACK_BASE      0x00118000u /* stack page, RW */
#define STACK_SIZE      0x1000u
#define CODE_FILL       0xCCu       /* int3 everywhere outside the snippet */
#define MAX_SNIPPET     (CODE_SIZE - SNIPPET_OFFSET - 1)
#define SYSCALL_LIMIT   0x00200000u /* syscalls from EIP below this are blocked */
#define PROTOCOL_VERSION 1

/* EFLAGS bits a user-mode sigreturn can set: CF PF AF ZF SF TF DF OF AC.
 * (The kernel also accepts RF; we drop it so a case cannot suppress the
 * emulator-invisible instruction breakpoints.) Bit 1 and IF are always 1,
 * IOPL/NT/VM/VIF/VIP/ID are always 0 in the running snippet. */
#define SETTABLE_EFLAGS 0x00040DD5u
#define FIXED_EFLAGS    0x00000202u

#define DEFAULT_TIMEOUT_MS 100

enum kind { K_OK, K_FAULT, K_TIMEOUT, K_SYSCALL };
static const char *const kind_name[] = { "ok", "fault", "timeout", "syscall" };

/* Register order used everywhere: the i386 encoding order. */
static const char *const reg_name[8] = { "eax", "ecx", "edx", "ebx", "esp", "ebp", "esi", "edi" };
static const int reg_ucx[8] = { REG_EAX, REG_ECX, REG_EDX, REG_EBX, REG_ESP, REG_EBP, REG_ESI, REG_EDI };

/* The live areas (mapped at the fixed addresses) and their initial images. */
static uint8_t *const code_page = (uint8_t *)CODE_BASE;
static uint8_t *const data_area = (uint8_t *)DATA_BASE;
static uint8_t *const stack_page = (uint8_t *)STACK_BASE;
static uint8_t code_init[CODE_SIZE], data_init[DATA_SIZE], stack_init[STACK_SIZE];

/* Host state restored in the signal handlers. */
static uint16_t host_cs, host_ds, host_fs, host_gs;
static uint16_t sel_code16, sel_data16; /* LDT selectors, 0 when unavailable */
static pid_t self_pid, self_tid;
static int have_seccomp;
static long timeout_ms = DEFAULT_TIMEOUT_MS;

/* The case being run (written by main, read by the launch handler). */
static struct {
    int mode;
    uint32_t reg[8];
    uint32_t eflags;
    uint32_t code_len;
    uint16_t cs, ds;  /* selectors the snippet starts with */
    uint32_t entry;   /* EIP of the snippet relative to CS base */
} cur;

/* What the trap handler saw. */
static struct {
    enum kind kind;
    int sig;
    uint32_t trapno, err, cr2;
    uint32_t reg[8];
    uint32_t eip, eflags;
    uint16_t cs, ds, es, ss, fs, gs;
    int guessed; /* vector derived from the signal, not the sigcontext */
} res;

static volatile sig_atomic_t running;
static sigjmp_buf back_to_main;

/* ------------------------------------------------------------------------ */

static void die(const char *what)
{
    fprintf(stderr, "oracle: %s: %s\n", what, strerror(errno));
    exit(70);
}

static void set_timer(long ms)
{
    struct itimerval it = { { 0, 0 }, { ms / 1000, (ms % 1000) * 1000 } };
    setitimer(ITIMER_REAL, &it, NULL);
}

/* Put back what the kernel does not reset for a signal handler: FS/GS (the
 * snippet may have loaded anything) and the AC/DF flags (the kernel clears
 * DF, TF and RF for handlers, but a snippet-set AC would make glibc's
 * unaligned accesses raise #AC). Must run before any libc call. */
static inline void fix_host_state(void)
{
    __asm__ volatile("movw %0, %%fs\n\tmovw %1, %%gs" : : "m"(host_fs), "m"(host_gs));
    __asm__ volatile("pushfl\n\tandl $~0x00040400, (%%esp)\n\tpopfl" : : : "cc", "memory");
}

/* SIGUSR1: turn "return from this handler" into "jump into the snippet". */
static void on_launch(int sig, siginfo_t *si, void *ctx)
{
    ucontext_t *uc = ctx;
    greg_t *g = uc->uc_mcontext.gregs;
    (void)sig; (void)si;
    for (int i = 0; i < 8; i++)
        g[reg_ucx[i]] = (greg_t)cur.reg[i];
    g[REG_UESP] = (greg_t)cur.reg[4];
    g[REG_EIP] = (greg_t)cur.entry;
    g[REG_EFL] = (greg_t)((g[REG_EFL] & ~SETTABLE_EFLAGS) | (cur.eflags & SETTABLE_EFLAGS));
    g[REG_CS] = cur.cs;
    g[REG_SS] = g[REG_DS] = g[REG_ES] = g[REG_FS] = g[REG_GS] = cur.ds;
    /* Nothing blocked while the snippet runs (faults must be deliverable). */
    sigemptyset(&uc->uc_sigmask);
    /* Future (x87/SSE state, issue 4): fill *uc->uc_mcontext.fpregs here. */
    running = 1;
    set_timer(timeout_ms); /* SIGALRM is blocked until the sigreturn */
}

/* Linux always fills the sigcontext's trapno/err/cr2 for hardware
 * exceptions. User-mode emulators (qemu-i386, used only to self-test this
 * harness on hosts without 32-bit user mode) leave trapno at -1: derive a
 * best-effort vector from the signal then, and flag the result "guessed".
 * Ambiguous: SIGSEGV/SI_KERNEL may be #GP, #NP/#SS, into or bound. */
static void guess_vector(int sig, const siginfo_t *si)
{
    res.guessed = 1;
    switch (sig) {
    case SIGILL:  res.trapno = 6; break;
    case SIGFPE:  res.trapno = si->si_code == FPE_INTDIV ? 0 : 16; break;
    case SIGTRAP: {
        /* #BP if an int3 / "int 3" ends just before EIP, else single-step. */
        uint32_t off = res.eip + (res.cs == cur.cs && cur.mode == 16 ? CODE_BASE : 0) - CODE_BASE;
        int bp = off >= 2 && off <= CODE_SIZE &&
                 (code_page[off - 1] == 0xCC || (code_page[off - 2] == 0xCD && code_page[off - 1] == 0x03));
        res.trapno = bp ? 3 : 1;
        break;
    }
    case SIGBUS:  res.trapno = 17; break;
    case SIGSEGV:
        if (si->si_code == SEGV_MAPERR || si->si_code == SEGV_ACCERR) {
            res.trapno = 14;
            res.cr2 = (uint32_t)(uintptr_t)si->si_addr;
        } else {
            res.trapno = 13;
        }
        break;
    default: break;
    }
}

/* Every way out of the snippet: exceptions, the final int3, SIGALRM, SIGSYS. */
static void on_trap(int sig, siginfo_t *si, void *ctx)
{
    ucontext_t *uc = ctx;
    greg_t *g = uc->uc_mcontext.gregs;
    fix_host_state();
    if (!running) {
        if (sig == SIGALRM)
            return; /* a timer that fired after the case had already ended */
        /* A fault in the oracle itself: never silently continue. */
        static const char msg[] = "oracle: internal fault outside a snippet\n";
        (void)!write(2, msg, sizeof msg - 1);
        _exit(71);
    }
    running = 0;
    res.sig = sig;
    res.trapno = (uint32_t)g[REG_TRAPNO];
    res.err = (uint32_t)g[REG_ERR];
    res.cr2 = (uint32_t)uc->uc_mcontext.cr2;
    for (int i = 0; i < 8; i++)
        res.reg[i] = (uint32_t)g[reg_ucx[i]];
    res.eip = (uint32_t)g[REG_EIP];
    res.eflags = (uint32_t)g[REG_EFL];
    res.cs = (uint16_t)g[REG_CS];
    res.ds = (uint16_t)g[REG_DS];
    res.es = (uint16_t)g[REG_ES];
    res.ss = (uint16_t)g[REG_SS];
    res.fs = (uint16_t)g[REG_FS];
    res.gs = (uint16_t)g[REG_GS];

    if (sig == SIGALRM) {
        res.kind = K_TIMEOUT;
    } else if (sig == SIGSYS) {
        res.kind = K_SYSCALL;
    } else if (sig == SIGTRAP && res.trapno != 1 && res.cs == cur.cs &&
               res.eip - 1 == cur.entry + cur.code_len) {
        /* The terminating int3: report EIP at the int3, i.e. just past the
         * snippet, as if the snippet had simply run to its end. */
        res.kind = K_OK;
        res.eip -= 1;
    } else {
        res.kind = K_FAULT;
        if (res.trapno > 31)
            guess_vector(sig, si);
    }
    siglongjmp(back_to_main, 1);
}

/* ---- one-time setup ---------------------------------------------------- */

static void map_fixed(uint32_t addr, uint32_t size, int prot)
{
    void *want = (void *)(uintptr_t)addr;
    void *p = mmap(want, size, prot, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
    if (p == MAP_FAILED && errno == EINVAL) /* kernels before 4.17 */
        p = mmap(want, size, prot, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
    if (p == MAP_FAILED)
        die("mmap of the fixed layout");
    if (p != want) {
        errno = EEXIST;
        die("mmap did not honour the fixed address");
    }
}

/* Install the 16-bit code and data segments in the LDT. The descriptors are
 * byte-granular with limit 0xFFFF; B/D=0 makes the code 16-bit and the
 * stack use SP. Selector = index<<3 | TI(4) | RPL 3. */
static void setup_ldt(void)
{
    struct user_desc code = {
        .entry_number = 0, .base_addr = CODE_BASE, .limit = 0xFFFF,
        .seg_32bit = 0, .contents = MODIFY_LDT_CONTENTS_CODE,
        .read_exec_only = 0, .limit_in_pages = 0, .seg_not_present = 0, .useable = 0,
    };
    struct user_desc data = {
        .entry_number = 1, .base_addr = DATA_BASE, .limit = 0xFFFF,
        .seg_32bit = 0, .contents = MODIFY_LDT_CONTENTS_DATA,
        .read_exec_only = 0, .limit_in_pages = 0, .seg_not_present = 0, .useable = 0,
    };
    /* func 0x11 = write an entry, "new" semantics (no legacy zeroing). */
    if (syscall(SYS_modify_ldt, 0x11, &code, sizeof code) != 0 ||
        syscall(SYS_modify_ldt, 0x11, &data, sizeof data) != 0)
        return; /* mode 16 unavailable: cases get an error line */
    sel_code16 = (0 << 3) | 4 | 3;
    sel_data16 = (1 << 3) | 4 | 3;
}

/* Block system calls made from the snippet's address range (see header). */
static void setup_seccomp(void)
{
    struct sock_filter filter[] = {
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_I386, 1, 0),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, instruction_pointer) + 4),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0, 1, 0),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, instruction_pointer)),
        BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, SYSCALL_LIMIT, 0, 1),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_TRAP),
    };
    struct sock_fprog prog = { .len = sizeof filter / sizeof filter[0], .filter = filter };
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0)
        return;
    if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog) == 0)
        have_seccomp = 1;
}

static void setup(void)
{
    map_fixed(CODE_BASE, CODE_SIZE, PROT_READ | PROT_WRITE | PROT_EXEC);
    map_fixed(DATA_BASE, DATA_SIZE, PROT_READ | PROT_WRITE);
    map_fixed(STACK_BASE, STACK_SIZE, PROT_READ | PROT_WRITE);

    __asm__ volatile("movw %%cs, %0" : "=m"(host_cs));
    __asm__ volatile("movw %%ds, %0" : "=m"(host_ds));
    __asm__ volatile("movw %%fs, %0" : "=m"(host_fs));
    __asm__ volatile("movw %%gs, %0" : "=m"(host_gs));
    setup_ldt();

    /* The handlers need their own stack: the snippet's ESP (and SS) are
     * whatever the case says. */
    static uint8_t altstack[64 * 1024] __attribute__((aligned(16)));
    stack_t ss = { .ss_sp = altstack, .ss_size = sizeof altstack, .ss_flags = 0 };
    if (sigaltstack(&ss, NULL) != 0)
        die("sigaltstack");

    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_flags = SA_SIGINFO | SA_ONSTACK | SA_RESTART;
    sigfillset(&sa.sa_mask); /* handlers never nest */
    sa.sa_sigaction = on_launch;
    if (sigaction(SIGUSR1, &sa, NULL) != 0)
        die("sigaction");
    sa.sa_sigaction = on_trap;
    static const int traps[] = { SIGTRAP, SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGSYS, SIGALRM };
    for (unsigned i = 0; i < sizeof traps / sizeof traps[0]; i++)
        if (sigaction(traps[i], &sa, NULL) != 0)
            die("sigaction");

    self_pid = getpid();
    self_tid = (pid_t)syscall(SYS_gettid);
    setup_seccomp(); /* last: after this, nothing below 0x200000 may syscall */
}

/* ---- running one case --------------------------------------------------- */

static void run_case(void)
{
    memcpy(code_page, code_init, CODE_SIZE);
    memcpy(data_area, data_init, DATA_SIZE);
    memcpy(stack_page, stack_init, STACK_SIZE);
    if (cur.mode == 32) {
        cur.cs = host_cs;
        cur.ds = host_ds;
        cur.entry = CODE_BASE + SNIPPET_OFFSET;
    } else {
        cur.cs = sel_code16;
        cur.ds = sel_data16;
        cur.entry = SNIPPET_OFFSET;
    }
    memset(&res, 0, sizeof res);
    if (sigsetjmp(back_to_main, 1) == 0) {
        /* Clear NT/AC/DF/ID so the bits sigreturn does not take from the
         * case start from a known state. The signal is delivered on return
         * from tgkill; its handler redirects that return into the snippet. */
        __asm__ volatile("pushfl\n\tandl $~0x00244400, (%%esp)\n\tpopfl" : : : "cc", "memory");
        syscall(SYS_tgkill, self_pid, self_tid, SIGUSR1);
        /* not reached: on_trap always siglongjmps */
        fprintf(stderr, "oracle: launch signal returned\n");
        exit(72);
    }
    set_timer(0);
}

/* ---- parsing ----------------------------------------------------------- */

static int hexval(int c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

static int parse_u32(const char *s, uint32_t *out)
{
    uint32_t v = 0;
    int n = 0;
    if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
        s += 2;
    for (; *s; s++, n++) {
        int d = hexval((unsigned char)*s);
        if (d < 0 || n >= 8)
            return -1;
        v = v << 4 | (uint32_t)d;
    }
    if (n == 0)
        return -1;
    *out = v;
    return 0;
}

/* Decode hex into dst (at most max bytes); returns byte count or -1. */
static long parse_hex(const char *s, size_t len, uint8_t *dst, size_t max)
{
    if (len % 2 != 0 || len / 2 > max)
        return -1;
    for (size_t i = 0; i < len; i += 2) {
        int hi = hexval((unsigned char)s[i]), lo = hexval((unsigned char)s[i + 1]);
        if (hi < 0 || lo < 0)
            return -1;
        dst[i / 2] = (uint8_t)(hi << 4 | lo);
    }
    return (long)(len / 2);
}

/* SPARSE: "-" or "OFF:HEX,OFF:HEX,..." laid over an all-zero image. */
static int parse_sparse(const char *s, uint8_t *img, size_t size)
{
    memset(img, 0, size);
    if (strcmp(s, "-") == 0 || *s == 0)
        return 0;
    while (*s) {
        const char *colon = strchr(s, ':');
        if (!colon)
            return -1;
        char offbuf[12];
        size_t offlen = (size_t)(colon - s);
        if (offlen == 0 || offlen >= sizeof offbuf)
            return -1;
        memcpy(offbuf, s, offlen);
        offbuf[offlen] = 0;
        uint32_t off;
        if (parse_u32(offbuf, &off) != 0 || off > size)
            return -1;
        const char *hex = colon + 1;
        const char *end = strchr(hex, ',');
        size_t hexlen = end ? (size_t)(end - hex) : strlen(hex);
        if (parse_hex(hex, hexlen, img + off, size - off) < 0)
            return -1;
        s = end ? end + 1 : hex + hexlen;
    }
    return 0;
}

static const char *parse_case(char *line, char *id, size_t idsize)
{
    int seen_mode = 0, seen_code = 0, seen_eflags = 0, seen_reg[8] = { 0 };
    char *save = NULL;
    strcpy(id, "-");
    memset(&cur, 0, sizeof cur);
    memset(data_init, 0, DATA_SIZE);
    memset(stack_init, 0, STACK_SIZE);
    memset(code_init, CODE_FILL, CODE_SIZE);

    char *tok = strtok_r(line, " \t", &save); /* "case" */
    while ((tok = strtok_r(NULL, " \t", &save)) != NULL) {
        char *eq = strchr(tok, '=');
        if (!eq)
            return "token-without-value";
        *eq = 0;
        const char *key = tok, *val = eq + 1;
        int r = -1;
        for (r = 0; r < 8; r++)
            if (strcmp(key, reg_name[r]) == 0)
                break;
        if (r < 8) {
            if (parse_u32(val, &cur.reg[r]) != 0)
                return "bad-register-value";
            seen_reg[r] = 1;
        } else if (strcmp(key, "id") == 0) {
            if (strlen(val) >= idsize || strpbrk(val, " \t"))
                return "bad-id";
            strcpy(id, val);
        } else if (strcmp(key, "mode") == 0) {
            if (strcmp(val, "32") == 0) cur.mode = 32;
            else if (strcmp(val, "16") == 0) cur.mode = 16;
            else return "bad-mode";
            seen_mode = 1;
        } else if (strcmp(key, "eflags") == 0) {
            if (parse_u32(val, &cur.eflags) != 0)
                return "bad-eflags";
            seen_eflags = 1;
        } else if (strcmp(key, "code") == 0) {
            long n = parse_hex(val, strlen(val), code_init + SNIPPET_OFFSET, MAX_SNIPPET);
            if (n < 0)
                return "bad-code";
            cur.code_len = (uint32_t)n;
            seen_code = 1;
        } else if (strcmp(key, "data") == 0) {
            if (parse_sparse(val, data_init, DATA_SIZE) != 0)
                return "bad-data";
        } else if (strcmp(key, "stack") == 0) {
            if (parse_sparse(val, stack_init, STACK_SIZE) != 0)
                return "bad-stack";
        } else {
            return "unknown-key";
        }
    }
    if (!seen_mode || !seen_code || !seen_eflags)
        return "missing-mode-code-or-eflags";
    for (int i = 0; i < 8; i++)
        if (!seen_reg[i])
            return "missing-register";
    if (cur.mode == 16 && !sel_code16)
        return "mode16-unavailable-modify_ldt-failed";
    code_init[SNIPPET_OFFSET + cur.code_len] = 0xCC; /* the terminating int3 */
    return NULL;
}

/* ---- output ------------------------------------------------------------ */

/* Changed byte runs of cur vs init as "OFF:HEX,..." ("-" when unchanged).
 * Runs separated by fewer than 8 unchanged bytes are merged (the unchanged
 * bytes are then simply repeated; the reader lays runs over the initial
 * image, so that is harmless and keeps lines short). */
static void put_diff(const char *key, const uint8_t *now, const uint8_t *init, size_t size)
{
    static const char hex[] = "0123456789abcdef";
    int any = 0;
    printf(" %s=", key);
    for (size_t i = 0; i < size;) {
        if (now[i] == init[i]) {
            i++;
            continue;
        }
        size_t end = i + 1, gap = 0;
        for (size_t j = i + 1; j < size && gap < 8; j++) {
            if (now[j] != init[j]) {
                end = j + 1;
                gap = 0;
            } else {
                gap++;
            }
        }
        printf("%s%zx:", any ? "," : "", i);
        for (size_t k = i; k < end; k++) {
            putchar(hex[now[k] >> 4]);
            putchar(hex[now[k] & 15]);
        }
        any = 1;
        i = end;
    }
    if (!any)
        putchar('-');
}

static void put_result(const char *id)
{
    printf("result id=%s kind=%s sig=%d", id, kind_name[res.kind], res.sig);
    if (res.kind == K_FAULT) {
        printf(" vector=%x err=%x", res.trapno, res.err);
        if (res.trapno == 14)
            printf(" cr2=%x", res.cr2);
        if (res.guessed)
            printf(" guessed=1");
    } else if (res.kind == K_SYSCALL) {
        /* int 0x80 (CD 80) just before EIP: vector 0x80; else syscall/sysenter. */
        uint32_t lin = res.eip + (res.cs == sel_code16 && sel_code16 ? CODE_BASE : 0);
        if (lin >= CODE_BASE + 2 && lin <= CODE_BASE + CODE_SIZE &&
            code_page[lin - CODE_BASE - 2] == 0xCD && code_page[lin - CODE_BASE - 1] == 0x80)
            printf(" vector=80");
    }
    for (int i = 0; i < 8; i++)
        printf(" %s=%x", reg_name[i], res.reg[i]);
    printf(" eip=%x eflags=%x cs=%x ds=%x es=%x ss=%x fs=%x gs=%x", res.eip, res.eflags,
           res.cs, res.ds, res.es, res.ss, res.fs, res.gs);
    put_diff("code", code_page, code_init, CODE_SIZE);
    put_diff("data", data_area, data_init, DATA_SIZE);
    put_diff("stack", stack_page, stack_init, STACK_SIZE);
    putchar('\n');
}

static void put_hello(void)
{
    printf("oracle version=%d code_base=%x code_size=%x snippet_offset=%x data_base=%x "
           "data_size=%x stack_base=%x stack_size=%x settable_eflags=%x fixed_eflags=%x "
           "cs32=%x ds32=%x cs16=%x ds16=%x seccomp=%d timeout_ms=%ld\n",
           PROTOCOL_VERSION, CODE_BASE, CODE_SIZE, SNIPPET_OFFSET, DATA_BASE, DATA_SIZE,
           STACK_BASE, STACK_SIZE, SETTABLE_EFLAGS, FIXED_EFLAGS, host_cs, host_ds,
           sel_code16, sel_data16, have_seccomp, timeout_ms);
}

/* ---- main loop ---------------------------------------------------------- */

static void handle_line(char *line)
{
    char id[64];
    while (*line == ' ' || *line == '\t')
        line++;
    size_t n = strlen(line);
    while (n && (line[n - 1] == '\r' || line[n - 1] == ' '))
        line[--n] = 0;
    if (n == 0 || line[0] == '#')
        return;
    if (strncmp(line, "case ", 5) != 0 && strcmp(line, "case") != 0) {
        printf("error id=- msg=unknown-command\n");
        return;
    }
    const char *err = parse_case(line, id, sizeof id);
    if (err) {
        printf("error id=%s msg=%s\n", id, err);
        return;
    }
    run_case();
    put_result(id);
}

/* --probe: prove that native 32- and 16-bit execution works on this host. */
static int probe(void)
{
    char l32[] = "case id=p32 mode=32 eax=1 ecx=0 edx=0 ebx=0 esp=119000 ebp=0 esi=0 edi=0 eflags=2 code=40";
    char l16[] = "case id=p16 mode=16 eax=1 ecx=0 edx=0 ebx=0 esp=9000 ebp=0 esi=0 edi=0 eflags=2 code=40";
    char id[64];
    if (parse_case(l32, id, sizeof id)) return 1;
    run_case();
    if (res.kind != K_OK || res.reg[0] != 2) {
        printf("probe failed: mode 32 (kind=%s eax=%x)\n", kind_name[res.kind], res.reg[0]);
        return 1;
    }
    if (!sel_code16) {
        /* e.g. CONFIG_X86_16BIT=n: mode 32 still works (hello says cs16=0) */
        printf("probe ok (mode 16 unavailable: modify_ldt refused 16-bit segments)\n");
        return 0;
    }
    if (parse_case(l16, id, sizeof id)) return 1;
    run_case();
    if (res.kind != K_OK || res.reg[0] != 2 || res.eip != SNIPPET_OFFSET + 1) {
        printf("probe failed: mode 16 (kind=%s eax=%x)\n", kind_name[res.kind], res.reg[0]);
        return 1;
    }
    printf("probe ok\n");
    return 0;
}

int main(int argc, char **argv)
{
    int do_probe = 0;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--probe") == 0) {
            do_probe = 1;
        } else if (strcmp(argv[i], "--timeout-ms") == 0 && i + 1 < argc) {
            timeout_ms = strtol(argv[++i], NULL, 10);
            if (timeout_ms <= 0)
                timeout_ms = DEFAULT_TIMEOUT_MS;
        } else {
            fprintf(stderr, "usage: %s [--probe] [--timeout-ms N] < cases > results\n", argv[0]);
            return 2;
        }
    }
    /* Line-buffered: every answer is out before the next snippet runs, so
     * if a snippet manages to kill us the client knows exactly which one. */
    static char outbuf[1 << 16];
    setvbuf(stdout, outbuf, _IOLBF, sizeof outbuf);
    setup();
    put_hello();
    if (do_probe) {
        int rc = probe();
        fflush(stdout);
        return rc;
    }

    /* Read stdin in chunks and answer every complete line. */
    size_t cap = 1 << 16, len = 0;
    char *buf = malloc(cap);
    if (!buf)
        die("malloc");
    for (;;) {
        fflush(stdout);
        if (len == cap) {
            cap *= 2;
            char *nb = realloc(buf, cap);
            if (!nb)
                die("realloc");
            buf = nb;
        }
        ssize_t got = read(0, buf + len, cap - len);
        if (got < 0 && errno == EINTR)
            continue;
        if (got < 0)
            die("read");
        if (got == 0)
            break;
        len += (size_t)got;
        size_t start = 0;
        for (;;) {
            char *nl = memchr(buf + start, '\n', len - start);
            if (!nl)
                break;
            *nl = 0;
            handle_line(buf + start);
            start = (size_t)(nl - buf) + 1;
        }
        memmove(buf, buf + start, len - start);
        len -= start;
    }
    if (len > 0) { /* last line without newline */
        buf[len] = 0;
        handle_line(buf);
    }
    fflush(stdout);
    return 0;
}
