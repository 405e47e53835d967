/*
 * The native half of the image builder's progress reporter (com.oracle.svm.hosted.ProgressReporterCHelper).
 * The builder loads it from <java.home>/lib/svm/builder/lib; a GraalVM distribution ships it, Maven Central
 * does not, so scripts/build-native-cli compiles this into the builder's java.home view. It answers the
 * terminal width (for the progress bar) and the builder's peak RSS (printed at the end of a build).
 */
#include <jni.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <unistd.h>

JNIEXPORT jint JNICALL Java_com_oracle_svm_hosted_ProgressReporterCHelper_getTerminalWindowColumns0(JNIEnv *env, jclass c) {
    struct winsize w;
    return ioctl(STDOUT_FILENO, TIOCGWINSZ, &w) == 0 && w.ws_col > 0 ? w.ws_col : 80;
}

JNIEXPORT jlong JNICALL Java_com_oracle_svm_hosted_ProgressReporterCHelper_getPeakRSS0(JNIEnv *env, jclass c) {
    struct rusage u;
    /* ru_maxrss is in KiB on Linux */
    return getrusage(RUSAGE_SELF, &u) == 0 ? (jlong) u.ru_maxrss * 1024 : -1;
}
