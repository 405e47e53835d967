/*
 * A stand-in libjvm.so for Temurin's libjava.so, libnet.so, libnio.so and libzip.so, which the native image
 * links instead of the static libraries a GraalVM distribution has. Those libraries need a libjvm.so that
 * defines the version node SUNWprivate_1.1 (see jvm-standin.map) and all the JVM_* functions they import, as
 * they are bound at load time. In an image the JVM's work is done by the image itself, and of these functions
 * only the operating-system level ones below are ever called; scripts/build-native-cli generates the others
 * from the libraries' import lists as stubs that abort with the function's name, so a call that was not
 * foreseen fails plainly.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <jni.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

void pouch_jvm_unimplemented(const char *name) {
    fprintf(stderr, "pouch: the native image called %s, which its stand-in libjvm.so does not implement\n", name);
    abort();
}

jint JVM_ActiveProcessorCount(void) {
    cpu_set_t set;
    if (sched_getaffinity(0, sizeof set, &set) == 0) return CPU_COUNT(&set);
    return (jint) sysconf(_SC_NPROCESSORS_ONLN);
}

jlong JVM_CurrentTimeMillis(JNIEnv *env, jclass c) {
    struct timespec t;
    clock_gettime(CLOCK_REALTIME, &t);
    return (jlong) t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

jlong JVM_NanoTime(JNIEnv *env, jclass c) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (jlong) t.tv_sec * 1000000000L + t.tv_nsec;
}

/* Nanoseconds since offset_secs (epoch seconds), or -1 when that does not fit in a long, as the JVM answers. */
jlong JVM_GetNanoTimeAdjustment(JNIEnv *env, jclass c, jlong offset_secs) {
    struct timespec t;
    clock_gettime(CLOCK_REALTIME, &t);
    jlong diff = (jlong) t.tv_sec - offset_secs;
    if (diff >= 0x100000000L || diff <= -0x100000000L) return -1;
    return diff * 1000000000L + t.tv_nsec;
}

char *JVM_NativePath(char *path) { return path; }
void *JVM_LoadLibrary(const char *name, jboolean throwException) { return dlopen(name, RTLD_LAZY); }
void JVM_UnloadLibrary(void *handle) { dlclose(handle); }
void *JVM_FindLibraryEntry(void *handle, const char *name) { return dlsym(handle, name); }
jboolean JVM_IsSupportedJNIVersion(jint v) { return v >= JNI_VERSION_1_1 && v <= JNI_VERSION_24; }
/* No JMM management interface: libmanagement_ext's JNI_OnLoad (never run by the image) then fails cleanly. */
void *JVM_GetManagement(jint version) { return NULL; }
jboolean JVM_IsContainerized(void) { return JNI_FALSE; }
jboolean JVM_IsUseContainerSupport(void) { return JNI_FALSE; }
void JVM_Yield(JNIEnv *env, jclass c) { sched_yield(); }
void JVM_BeforeHalt(void) { }
void JVM_Halt(jint code) { exit(code); }
jboolean JVM_RaiseSignal(jint sig) { return raise(sig) == 0; }
jstring JVM_GetTemporaryDirectory(JNIEnv *env) { return (*env)->NewStringUTF(env, "/tmp"); }

/* Raw monitors: plain recursive mutexes (libzip guards its cache with one). */
void *JVM_RawMonitorCreate(void) {
    pthread_mutex_t *m = malloc(sizeof *m);
    pthread_mutexattr_t a;
    pthread_mutexattr_init(&a);
    pthread_mutexattr_settype(&a, PTHREAD_MUTEX_RECURSIVE);
    if (m) pthread_mutex_init(m, &a);
    return m;
}
void JVM_RawMonitorDestroy(void *m) { pthread_mutex_destroy(m); free(m); }
jint JVM_RawMonitorEnter(void *m) { return pthread_mutex_lock(m); }
void JVM_RawMonitorExit(void *m) { pthread_mutex_unlock(m); }

int jio_vsnprintf(char *s, size_t n, const char *fmt, va_list a) { return vsnprintf(s, n, fmt, a); }
int jio_vfprintf(FILE *f, const char *fmt, va_list a) { return vfprintf(f, fmt, a); }
