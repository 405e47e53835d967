/*
 * The NoNewPrivs specs' probe: installed setuid root, it prints the effective uid it runs with. A container
 * started as uid 1000 sees 0 when privilege escalation is allowed and 1000 when no_new_privs is set.
 */
#include <stdio.h>
#include <unistd.h>

int main(void) {
    printf("Effective uid: %d\n", (int) geteuid());
    return 0;
}
