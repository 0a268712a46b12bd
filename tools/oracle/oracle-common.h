/*
 * oracle-common.h - what the two native oracle helpers share: the fixed
 * memory layout, the line protocol (parsing cases, printing memory diffs),
 * the stdin loop, the seccomp guard and the argument handling.
 *
 *   oracle.c    i386 helper  (build/oracle/oracle32): modes 32 and 16
 *   oracle64.c  x86-64 helper (build/oracle/oracle64): mode 64
 *
 * Each helper includes this header exactly once and defines the arch_*
 * hooks declared at its end (running a case, printing its result, the hello
 * line and the --probe self-test). Protocol and layout are documented in
 * tools/oracle/native-oracle.ts.
 */
#ifndef ANILLO_ORACLE_COMMON_H
#define ANILLO_ORACLE_COMMON_H

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
#include <linux/filter.h>
#include <linux/seccomp.h>

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
#define SYSCALL_LIMIT   0x00200000u /* syscalls from EIP/RIP below this are blocked */
#define PROTOCOL_VERSION 1

/* EFLAGS bits a user-mode sigreturn can set: CF PF AF ZF SF TF DF OF AC.
 * (The kernel also accepts RF; we drop it so a case cannot suppress the
 * emulator-invisible instruction breakpoints.) Bit 1 and IF are always 1,
 * IOPL/NT/VM/VIF/VIP/ID are always 0 in the running snippet. */
#define SETTABLE_EFLAGS 0x00040DD5u
#define FIXED_EFLAGS    0x00000202u
#define EFLAGS_RF       0x00010000u
/* Cleared in the host before launching: ID, AC, NT, DF. The launch context
 * takes the bits sigreturn does not restore from the host's flags. */
#define HOST_CLEAR_EFLAGS 0x00244400u

#define DEFAULT_TIMEOUT_MS 100

enum kind { K_OK, K_FAULT, K_TIMEOUT, K_SYSCALL };
static const char *const kind_name[] = { "ok", "fault", "timeout", "syscall" };

/* Register order used everywhere: the i386 encoding order. */
static const char *const reg_name[8] = { "eax", "ecx", "edx", "ebx", "esp", "ebp", "esi", "edi" };

/* The live areas (mapped at the fixed addresses) and their initial images. */
static uint8_t *const code_page = (uint8_t *)(uintptr_t)CODE_BASE;
static uint8_t *const data_area = (uint8_t *)(uintptr_t)DATA_BASE;
static uint8_t *const stack_page = (uint8_t *)(uintptr_t)STACK_BASE;
static uint8_t code_init[CODE_SIZE], data_init[DATA_SIZE], stack_init[STACK_SIZE];

static int have_seccomp;
static long timeout_ms = DEFAULT_TIMEOUT_MS;

/* The case being run, as parsed from its line (32-bit values throughout). */
static struct {
    int mode;         /* 16, 32 or 64; each helper accepts its own */
    uint32_t reg[8];
    uint32_t eflags;
    uint32_t code_len;
#ifdef ORACLE_HAS_X87
    /* x87 state to start from (tokens fcw= fsw= ftw= st=; defaults: the
     * FNINIT state). ftw is the FXSAVE abridged tag: bit i set = physical
     * register i is not empty. st[i] is ST(i), 10 bytes little endian. */
    int has_x87;
    uint16_t fcw, fsw;
    uint8_t ftw;
    uint8_t st[8][10];
    /* SSE state to start from (tokens mxcsr= xmm=; defaults: the host's
     * initial state, MXCSR 1F80 and the XMM registers as the handler left
     * them). xmm[i] is XMMi, 16 bytes little endian. */
    int has_sse;
    uint32_t mxcsr;
    uint8_t xmm[8][16];
#endif
} cur;

/* ---- hooks each helper defines ------------------------------------------ */

/* Extra validation of `cur` after parsing (e.g. the mode); NULL when fine. */
static const char *arch_check_case(void);
/* Signal handlers, segments, sigaltstack; called after the layout is mapped
 * and before the seccomp filter is installed. */
static void arch_setup(void);
/* Runs `cur` (the areas already hold their initial images). */
static void arch_run_case(void);
/* Prints the "result ..." line of the case just run (with put_memory()). */
static void arch_put_result(const char *id);
/* Prints the "oracle version=..." line. */
static void arch_put_hello(void);
/* --probe: runs a few known snippets; prints "probe ok..." and returns 0. */
static int arch_probe(void);

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

/* Every exception ends a snippet with a signal whose handler (on_trap) must
 * run on its own stack, block everything else and never nest. */
static void install_handler(int sig, void (*fn)(int, siginfo_t *, void *))
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_flags = SA_SIGINFO | SA_ONSTACK | SA_RESTART;
    sigfillset(&sa.sa_mask);
    sa.sa_sigaction = fn;
    if (sigaction(sig, &sa, NULL) != 0)
        die("sigaction");
}

static void setup_altstack(void)
{
    /* The handlers need their own stack: the snippet's ESP (and SS) are
     * whatever the case says. */
    static uint8_t altstack[64 * 1024] __attribute__((aligned(16)));
    stack_t ss = { .ss_sp = altstack, .ss_size = sizeof altstack, .ss_flags = 0 };
    if (sigaltstack(&ss, NULL) != 0)
        die("sigaltstack");
}

/* Block system calls made from the snippet's address range: any system call
 * (whatever its arch: int 0x80, sysenter, syscall, x32) whose user
 * instruction pointer is below SYSCALL_LIMIT raises SIGSYS instead of
 * running. The helpers' own code lives far above it. */
static void setup_seccomp(void)
{
    struct sock_filter filter[] = {
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

/* Put the case's initial images into the live areas. */
static void load_areas(void)
{
    memcpy(code_page, code_init, CODE_SIZE);
    memcpy(data_area, data_init, DATA_SIZE);
    memcpy(stack_page, stack_init, STACK_SIZE);
}

/* Best-effort vector from the signal, for when the sigcontext has no trapno
 * (user-mode emulators such as qemu-i386 leave it at -1; real kernels always
 * fill it). `eip_off` is the linear EIP minus CODE_BASE. Ambiguous:
 * SIGSEGV/SI_KERNEL may be #GP, #NP/#SS, into or bound. */
static uint32_t vector_from_signal(int sig, const siginfo_t *si, uint32_t eip_off, uint64_t *cr2)
{
    switch (sig) {
    case SIGILL:  return 6;
    case SIGFPE:  return si->si_code == FPE_INTDIV ? 0 : 16;
    case SIGTRAP: /* #BP if an int3 / "int 3" ends just before EIP, else single-step. */
        return eip_off >= 2 && eip_off <= CODE_SIZE &&
               (code_page[eip_off - 1] == 0xCC ||
                (code_page[eip_off - 2] == 0xCD && code_page[eip_off - 1] == 0x03)) ? 3 : 1;
    case SIGBUS:  return 17;
    case SIGSEGV:
        if (si->si_code == SEGV_MAPERR || si->si_code == SEGV_ACCERR) {
            *cr2 = (uint64_t)(uintptr_t)si->si_addr;
            return 14;
        }
        return 13;
    default:      return 0xFFFFFFFFu;
    }
}

/* Whether the bytes just before linear EIP are `int 0x80` (CD 80). */
static int int80_before(uint64_t lin)
{
    return lin >= CODE_BASE + 2 && lin <= CODE_BASE + CODE_SIZE &&
           code_page[lin - CODE_BASE - 2] == 0xCD && code_page[lin - CODE_BASE - 1] == 0x80;
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

/* Parses a "case ..." line into `cur` and the initial images; returns NULL
 * or the reason for an error line. */
static const char *parse_case(char *line, char *id, size_t idsize)
{
    int seen_mode = 0, seen_code = 0, seen_eflags = 0, seen_reg[8] = { 0 };
    char *save = NULL;
    strcpy(id, "-");
    memset(&cur, 0, sizeof cur);
#ifdef ORACLE_HAS_X87
    cur.fcw = 0x037F; /* FNINIT state */
#endif
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
            else if (strcmp(val, "64") == 0) cur.mode = 64;
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
#ifdef ORACLE_HAS_X87
        } else if (strcmp(key, "fcw") == 0 || strcmp(key, "fsw") == 0 || strcmp(key, "ftw") == 0) {
            uint32_t v;
            if (parse_u32(val, &v) != 0 || v > (key[2] == 'w' && key[1] == 't' ? 0xffu : 0xffffu))
                return "bad-x87-word";
            if (key[1] == 'c') cur.fcw = (uint16_t)v;
            else if (key[1] == 's') cur.fsw = (uint16_t)v;
            else cur.ftw = (uint8_t)v;
            cur.has_x87 = 1;
        } else if (strcmp(key, "st") == 0) {
            /* Eight comma-separated 80-bit values, ST(0) first, each 20 hex
             * digits most significant first (sign/exponent, then significand). */
            const char *p = val;
            for (int i = 0; i < 8; i++) {
                uint8_t be[10];
                if (parse_hex(p, 20, be, 10) != 10 || (i < 7 ? p[20] != ',' : p[20] != 0))
                    return "bad-x87-st";
                for (int k = 0; k < 10; k++)
                    cur.st[i][k] = be[9 - k];
                p += 21;
            }
            cur.has_x87 = 1;
        } else if (strcmp(key, "mxcsr") == 0) {
            if (parse_u32(val, &cur.mxcsr) != 0)
                return "bad-mxcsr";
            cur.has_sse = 1;
        } else if (strcmp(key, "xmm") == 0) {
            /* Eight comma-separated 128-bit values, XMM0 first, each 32 hex
             * digits most significant first. */
            const char *p = val;
            for (int i = 0; i < 8; i++) {
                uint8_t be[16];
                if (parse_hex(p, 32, be, 16) != 16 || (i < 7 ? p[32] != ',' : p[32] != 0))
                    return "bad-xmm";
                for (int k = 0; k < 16; k++)
                    cur.xmm[i][k] = be[15 - k];
                p += 33;
            }
            cur.has_sse = 1;
#endif
        } else {
            return "unknown-key";
        }
    }
    if (!seen_mode || !seen_code || !seen_eflags)
        return "missing-mode-code-or-eflags";
    for (int i = 0; i < 8; i++)
        if (!seen_reg[i])
            return "missing-register";
    const char *why = arch_check_case();
    if (why)
        return why;
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

/* The code/data/stack tokens that end every result line. */
static void put_memory(void)
{
    put_diff("code", code_page, code_init, CODE_SIZE);
    put_diff("data", data_area, data_init, DATA_SIZE);
    put_diff("stack", stack_page, stack_init, STACK_SIZE);
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
    load_areas();
    arch_run_case();
    arch_put_result(id);
}

static int oracle_main(int argc, char **argv)
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

    map_fixed(CODE_BASE, CODE_SIZE, PROT_READ | PROT_WRITE | PROT_EXEC);
    map_fixed(DATA_BASE, DATA_SIZE, PROT_READ | PROT_WRITE);
    map_fixed(STACK_BASE, STACK_SIZE, PROT_READ | PROT_WRITE);
    setup_altstack();
    arch_setup();
    setup_seccomp(); /* last: after this, nothing below 0x200000 may syscall */

    arch_put_hello();
    if (do_probe) {
        int rc = arch_probe();
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

/* A probe case: parse `line` (a writable copy is made) and run it. */
static int probe_run(const char *line)
{
    char copy[512], id[64];
    snprintf(copy, sizeof copy, "%s", line);
    if (parse_case(copy, id, sizeof id))
        return -1;
    load_areas();
    arch_run_case();
    return 0;
}

#endif /* ANILLO_ORACLE_COMMON_H */
