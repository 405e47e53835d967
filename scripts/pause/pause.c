/*
 * The pod sandbox's process: holds the pod's namespaces open and does nothing else. It reaps children that are
 * re-parented to it (a pod sharing its PID namespace makes it PID 1) and exits 0 on SIGINT or SIGTERM, so a stop
 * needs no SIGKILL.
 */
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

static void leave(int sig) {
    (void) sig;
    _exit(0);
}

static void reap(int sig) {
    (void) sig;
    while (waitpid(-1, 0, WNOHANG) > 0) {
    }
}

int main(void) {
    struct sigaction quit = {0};
    quit.sa_handler = leave;
    sigaction(SIGINT, &quit, 0);
    sigaction(SIGTERM, &quit, 0);
    struct sigaction child = {0};
    child.sa_handler = reap;
    child.sa_flags = SA_NOCLDSTOP | SA_RESTART;
    sigaction(SIGCHLD, &child, 0);
    for (;;) {
        pause();
    }
}
