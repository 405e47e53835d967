/*
 * The image's libjvm.a (its @CLibrary("jvm")) and the JNI_OnLoad_<lib> entry points it calls for each
 * "built-in" JDK library. A GraalVM distribution links static JDK libraries (libjava.a ...); Temurin has only
 * shared ones, so scripts/build-native-cli links those (lib/*.so next to the binary) and these shims stand in for
 * the static libraries' JNI_OnLoad_<lib>: they run the shared library's own JNI_OnLoad, which keeps the JavaVM
 * pointer the library's helpers use, and answer JNI 1.8, the least version the image accepts for a built-in.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <jni.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

void initialize(void) { }

/* The CPUs this process may run on (its affinity mask), as the JDK counts them outside a container. */
jint JVM_ActiveProcessorCount(void) {
    cpu_set_t set;
    if (sched_getaffinity(0, sizeof set, &set) == 0) return CPU_COUNT(&set);
    return (jint) sysconf(_SC_NPROCESSORS_ONLN);
}

static jint onload(const char *lib, JavaVM *vm, void *reserved) {
    void *h = dlopen(lib, RTLD_LAZY | RTLD_NOLOAD);
    jint (*f)(JavaVM *, void *) = h ? (jint (*)(JavaVM *, void *)) dlsym(h, "JNI_OnLoad") : NULL;
    jint v = f ? f(vm, reserved) : JNI_VERSION_1_8;
    if (h) dlclose(h);
    return v < JNI_VERSION_1_8 ? JNI_VERSION_1_8 : v;
}

#define BUILTIN(name) \
    JNIEXPORT jint JNICALL JNI_OnLoad_##name(JavaVM *vm, void *r) { return onload("lib" #name ".so", vm, r); }
BUILTIN(java)
BUILTIN(nio)
BUILTIN(net)
BUILTIN(zip)
BUILTIN(extnet)
