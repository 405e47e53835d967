/*
 * The C half of the native image's runtime (the functions its Java code declares with @CFunction in a
 * @CLibrary("libchelper")). A GraalVM distribution ships them as liblibchelper.a; Maven Central does not, so
 * the project provides this small version for Linux on x86-64, just what a CLI needs.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <locale.h>
#include <semaphore.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <cpuid.h>
#include "amd64cpufeatures.h"
#include "svm_locale.h"

#include <fcntl.h>

/* open and fprintf with fixed arguments: the image cannot call C functions with variable arguments. */
int openSII(const char *path, int flags, int mode) { return open(path, flags, mode); }
int fprintfSD(FILE *f, const char *format, const char *s, int d) { return fprintf(f, format, s, d); }

extern char **environ;
char **getEnviron(void) { return environ; }

/* Code is never patched at run time in an ahead-of-time image; x86 keeps instruction caches coherent anyway. */
void codeSynchronization_clearCache(long start, long size) { }

int getThreadId(void) { return (int) syscall(SYS_gettid); }

/* Thread CPU time in user mode, in nanoseconds, from /proc (field 14 of stat, in clock ticks); -1 if unknown. */
long getThreadUserTimeSlow(int tid) {
    char path[64], buf[2048];
    snprintf(path, sizeof path, "/proc/self/task/%d/stat", tid);
    FILE *f = fopen(path, "r");
    if (!f) return -1;
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = 0;
    char *p = strrchr(buf, ')'); /* the command name may hold spaces */
    unsigned long utime;
    if (!p || sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu", &utime) != 1) return -1;
    return (long) (utime * (1000000000L / sysconf(_SC_CLK_TCK)));
}

/* mremap with the new address argument always passed (glibc's wrapper takes it only as a vararg). */
void *mremapP(void *old, size_t oldSize, size_t newSize, int flags, void *newAddr) {
    return mremap(old, oldSize, newSize, flags, newAddr);
}

/*
 * The time zone id for java.util.TimeZone's default: $TZ, else the zoneinfo file /etc/localtime links to,
 * else /etc/timezone. The caller frees the string; NULL makes the image fall back to GMT.
 */
char *SVM_FindJavaTZmd(const char *mappings, int length) {
    const char *tz = getenv("TZ");
    if (tz && *tz) return strdup(*tz == ':' ? tz + 1 : tz);
    char link[PATH_MAX];
    ssize_t n = readlink("/etc/localtime", link, sizeof link - 1);
    if (n > 0) {
        link[n] = 0;
        char *z = strstr(link, "zoneinfo/");
        if (z) return strdup(z + strlen("zoneinfo/"));
    }
    FILE *f = fopen("/etc/timezone", "r");
    if (f) {
        char id[256];
        char *r = fgets(id, sizeof id, f);
        fclose(f);
        if (r) { id[strcspn(id, " \n")] = 0; if (*id) return strdup(id); }
    }
    return strdup("UTC");
}

/* ---- CPU features: the image checks at start-up that the CPU has what the code was compiled for. ---- */
void determineCPUFeatures(CPUFeatures *f) {
    unsigned a, b, c, d;
    if (!__get_cpuid(1, &a, &b, &c, &d)) return;
    f->fCX8 = d >> 8 & 1; f->fCMOV = d >> 15 & 1; f->fFXSR = d >> 24 & 1; f->fHT = d >> 28 & 1;
    f->fMMX = d >> 23 & 1; f->fSSE = d >> 25 & 1; f->fSSE2 = d >> 26 & 1; f->fTSC = d >> 4 & 1;
    f->fFLUSH = d >> 19 & 1;
    f->fSSE3 = c & 1; f->fCLMUL = c >> 1 & 1; f->fSSSE3 = c >> 9 & 1; f->fFMA = c >> 12 & 1;
    f->fSSE4_1 = c >> 19 & 1; f->fSSE4_2 = c >> 20 & 1; f->fPOPCNT = c >> 23 & 1; f->fAES = c >> 25 & 1;
    f->fF16C = c >> 29 & 1; f->fHV = c >> 31 & 1;
    /* AVX is usable only when the OS saves the YMM state (OSXSAVE and XCR0 bits 1-2) */
    int avx = 0;
    if ((c >> 27 & 1) && (c >> 28 & 1)) {
        unsigned lo, hi;
        __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
        avx = (lo & 6) == 6;
    }
    f->fAVX = avx; f->fVZEROUPPER = avx;
    if (!avx) { f->fFMA = 0; f->fF16C = 0; }
    if (__get_cpuid_count(7, 0, &a, &b, &c, &d)) {
        f->fBMI1 = b >> 3 & 1; f->fAVX2 = avx && (b >> 5 & 1); f->fBMI2 = b >> 8 & 1; f->fERMS = b >> 9 & 1;
        f->fADX = b >> 19 & 1; f->fSHA = b >> 29 & 1; f->fFLUSHOPT = b >> 23 & 1; f->fCLWB = b >> 24 & 1;
        f->fFSRM = d >> 4 & 1; f->fRDPID = c >> 22 & 1; f->fGFNI = c >> 8 & 1;
    }
    if (__get_cpuid(0x80000001, &a, &b, &c, &d)) {
        f->fLZCNT = c >> 5 & 1; f->fSSE4A = c >> 6 & 1; f->fAMD_3DNOW_PREFETCH = c >> 8 & 1; f->fRDTSCP = d >> 27 & 1;
    }
    if (__get_cpuid(0x80000007, &a, &b, &c, &d)) { f->fTSCINV_BIT = d >> 8 & 1; f->fTSCINV = f->fTSCINV_BIT; }
}

/*
 * The build-time mask has one byte per feature (struct field), stored negated: ~1 where the compiled code needs
 * the feature, 0xff where it does not. 0: all needed features are present.
 */
int checkCPUFeatures(const unsigned char *mask) {
    CPUFeatures f;
    memset(&f, 0, sizeof f);
    determineCPUFeatures(&f);
    const unsigned char *have = (const unsigned char *) &f;
    for (size_t i = 0; i < sizeof f; i++)
        if ((~mask[i] & 1) && !have[i]) return -1;
    return 0;
}

void checkCPUFeaturesOrExit(const unsigned char *mask, const char *message) {
    if (checkCPUFeatures(mask) != 0) { fputs(message, stderr); fputc('\n', stderr); exit(1); }
}

/* ---- Locale: the user's language and country for java.util.Locale's defaults, from the POSIX locale. ---- */
static svm_locale_props_t props;

/* Splits "ll_CC.codeset@variant" into language and country; "C" and "POSIX" read as English like the JDK. */
static void parse_locale(const char *name, char **lang, char **country) {
    if (!name || !strcmp(name, "C") || !strcmp(name, "POSIX")) name = "en";
    char buf[128];
    snprintf(buf, sizeof buf, "%s", name);
    buf[strcspn(buf, ".@")] = 0;
    char *us = strchr(buf, '_');
    if (us) { *us = 0; *country = strdup(us + 1); }
    *lang = strdup(buf);
}

int svm_initialize_locale(void) {
    setlocale(LC_ALL, "");
    parse_locale(setlocale(LC_CTYPE, NULL), &props.format_language, &props.format_country);
#ifdef LC_MESSAGES
    parse_locale(setlocale(LC_MESSAGES, NULL), &props.display_language, &props.display_country);
#endif
    return props.format_language ? SVM_LOCALE_INITIALIZATION_SUCCEEDED : SVM_LOCALE_INITIALIZATION_OUT_OF_MEMORY;
}

svm_locale_props_t *svm_get_locale(void) { return &props; }

/*
 * ---- Signals for jdk.internal.misc.Signal (Ctrl-C, SIGTERM run the shutdown hooks; `pouch run -it` forwards
 * signals). The C handler only counts the signal and posts a semaphore (async-signal-safe); a Java thread
 * waits on it and dispatches the Java handlers.
 */
static sem_t signal_sem;
static volatile int pending[NSIG];

static void dispatch(int sig) {
    if (sig > 0 && sig < NSIG) {
        __atomic_fetch_add(&pending[sig], 1, __ATOMIC_SEQ_CST);
        sem_post(&signal_sem);
    }
}

int cSunMiscSignal_open(void) { return sem_init(&signal_sem, 0, 0); }
int cSunMiscSignal_close(void) { return sem_destroy(&signal_sem); }
int cSunMiscSignal_awaitSemaphore(void) {
    while (sem_wait(&signal_sem) != 0)
        if (errno != EINTR) return -1;
    return 0;
}
int cSunMiscSignal_signalSemaphore(void) { return sem_post(&signal_sem); }
int cSunMiscSignal_signalRangeCheck(int sig) { return sig > 0 && sig < NSIG; }
/* The next pending signal (and takes it), or -1 when none is pending. */
int cSunMiscSignal_checkPendingSignal(void) {
    for (int s = 1; s < NSIG; s++) {
        int n = pending[s];
        while (n > 0) {
            if (__atomic_compare_exchange_n(&pending[s], &n, n - 1, 0, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST)) return s;
        }
    }
    return -1;
}
void (*cSunMiscSignal_signalHandlerFunctionPointer(void))(int) { return dispatch; }
