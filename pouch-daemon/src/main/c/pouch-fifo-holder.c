/*
 * pouch-fifo-holder: one process per pouchd exec root that holds the read ends of the containers' stdout/stderr
 * FIFOs, so that output still in a pipe survives a pouchd that is down when its container exits (the kernel frees
 * a pipe's buffer when its last holder closes it). pouchd (FifoHolder.java) opens the FIFOs itself and passes the
 * descriptors over a unix SOCK_SEQPACKET socket (SCM_RIGHTS); this program never reads or writes them.
 *
 *   usage: pouch-fifo-holder SOCKET [CHECK_SECONDS]
 *
 * Protocol: one request per message, one reply per message, fields separated by '\n'.
 *   VERSION                     -> "pouch-fifo-holder 1 <pid> <entries>"
 *   HOLD key path...  + fds     -> "OK" | "ERR reason"  (one fd per path, in order; replaces an entry of that key)
 *   HAS key                     -> "YES" | "NO"
 *   RELEASE key                 -> "OK <n>"  (closes the entry of key and those whose key starts with "key/")
 *   LIST                        -> one "E\nkey\npath..." per entry, then "END"
 *   GET key                     -> "OK\nkey\npath..." + its fds | "NONE"  (copies; the entry stays)
 *   EXIT                        -> "OK", then the holder closes everything and exits
 * A new holder takes over the one answering on SOCKET before it takes the socket's name: it LISTs, GETs every
 * entry, sends EXIT, then renames its own socket over SOCKET, so a pipe is never without a holder in between.
 *
 * Lifetime: its own session (pouchd spawns it with setsid), SIGHUP/SIGPIPE ignored. Every CHECK_SECONDS (10) it
 * drops the entries whose first FIFO path is gone or is another file now (container removed, exec root wiped),
 * and it exits when it holds nothing and no client is connected (pouchd keeps one connection while it runs).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#define VERSION "pouch-fifo-holder 1"
#define MAX_FDS 8
#define MAX_MSG 65536
#define MAX_CLIENTS 32

struct entry {
    char *key;
    int nfds;
    int fds[MAX_FDS];
    char *paths[MAX_FDS];
};

static struct entry *entries;
static size_t nentries, capentries;
static int clients[MAX_CLIENTS];
static int nclients;
static char msg[MAX_MSG + 1];
static const char *sock_path;
static struct stat own; /* the socket this holder listens on */

/* Removes the socket's name, unless a newer holder has it by now. */
static void unlink_own(void) {
    struct stat now;
    if (sock_path != NULL && stat(sock_path, &now) == 0 && now.st_ino == own.st_ino && now.st_dev == own.st_dev) {
        unlink(sock_path);
    }
}

static void die(const char *what) {
    fprintf(stderr, "pouch-fifo-holder: %s: %s\n", what, strerror(errno));
    exit(1);
}

static void free_entry(struct entry *e) {
    for (int i = 0; i < e->nfds; i++) {
        close(e->fds[i]);
        free(e->paths[i]);
    }
    free(e->key);
}

static void remove_at(size_t i) {
    free_entry(&entries[i]);
    entries[i] = entries[--nentries];
}

static struct entry *find(const char *key) {
    for (size_t i = 0; i < nentries; i++) {
        if (strcmp(entries[i].key, key) == 0) {
            return &entries[i];
        }
    }
    return NULL;
}

/* Takes over fds and the strings (copied). Replaces an entry of the same key. */
static int add(const char *key, int n, const int *fds, char **paths) {
    struct entry *old = find(key);
    if (old != NULL) {
        remove_at((size_t) (old - entries));
    }
    if (nentries == capentries) {
        size_t cap = capentries ? capentries * 2 : 64;
        struct entry *grown = realloc(entries, cap * sizeof *entries);
        if (grown == NULL) {
            return -1;
        }
        entries = grown;
        capentries = cap;
    }
    struct entry *e = &entries[nentries];
    e->key = strdup(key);
    e->nfds = n;
    for (int i = 0; i < n; i++) {
        e->fds[i] = fds[i];
        e->paths[i] = strdup(paths[i]);
    }
    nentries++;
    return 0;
}

/* Sends text with fds attached (n may be 0). */
static int send_msg(int sock, const char *text, const int *fds, int n) {
    struct iovec iov = {.iov_base = (void *) text, .iov_len = strlen(text)};
    union {
        char buf[CMSG_SPACE(sizeof(int) * MAX_FDS)];
        struct cmsghdr align;
    } ctl;
    struct msghdr m = {.msg_iov = &iov, .msg_iovlen = 1};
    if (n > 0) {
        memset(&ctl, 0, sizeof ctl);
        m.msg_control = ctl.buf;
        m.msg_controllen = CMSG_SPACE(sizeof(int) * n);
        struct cmsghdr *c = CMSG_FIRSTHDR(&m);
        c->cmsg_level = SOL_SOCKET;
        c->cmsg_type = SCM_RIGHTS;
        c->cmsg_len = CMSG_LEN(sizeof(int) * n);
        memcpy(CMSG_DATA(c), fds, sizeof(int) * n);
    }
    return sendmsg(sock, &m, MSG_NOSIGNAL) < 0 ? -1 : 0;
}

/* Receives one message into msg (NUL-terminated) and up to MAX_FDS fds; returns its length, 0 on EOF, -1. */
static ssize_t recv_msg(int sock, int *fds, int *nfds) {
    struct iovec iov = {.iov_base = msg, .iov_len = MAX_MSG};
    union {
        char buf[CMSG_SPACE(sizeof(int) * MAX_FDS)];
        struct cmsghdr align;
    } ctl;
    struct msghdr m = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl.buf, .msg_controllen = sizeof ctl.buf};
    ssize_t len = recvmsg(sock, &m, MSG_CMSG_CLOEXEC);
    *nfds = 0;
    if (len < 0) {
        return -1;
    }
    for (struct cmsghdr *c = CMSG_FIRSTHDR(&m); c != NULL; c = CMSG_NXTHDR(&m, c)) {
        if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS) {
            int n = (int) ((c->cmsg_len - CMSG_LEN(0)) / sizeof(int));
            for (int i = 0; i < n; i++) {
                int fd;
                memcpy(&fd, CMSG_DATA(c) + i * sizeof(int), sizeof fd);
                if (*nfds < MAX_FDS) {
                    fds[(*nfds)++] = fd;
                } else {
                    close(fd);
                }
            }
        }
    }
    if (m.msg_flags & (MSG_TRUNC | MSG_CTRUNC)) {
        for (int i = 0; i < *nfds; i++) {
            close(fds[i]);
        }
        *nfds = 0;
        errno = EMSGSIZE;
        return -1;
    }
    msg[len] = '\0';
    return len;
}

/* Splits msg in place at '\n'; returns the number of fields. */
static int split(char **f, int max) {
    int n = 0;
    char *p = msg;
    while (n < max) {
        f[n++] = p;
        p = strchr(p, '\n');
        if (p == NULL) {
            break;
        }
        *p++ = '\0';
    }
    return n;
}

static size_t entry_text(char *out, size_t cap, const char *head, const struct entry *e) {
    size_t len = (size_t) snprintf(out, cap, "%s\n%s", head, e->key);
    for (int i = 0; i < e->nfds && len < cap; i++) {
        len += (size_t) snprintf(out + len, cap - len, "\n%s", e->paths[i]);
    }
    return len;
}

static int set_timeouts(int sock) {
    struct timeval tv = {.tv_sec = 5};
    if (setsockopt(sock, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv) < 0) {
        return -1;
    }
    return setsockopt(sock, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
}

/* Handles one request on client sock; returns -1 when the client is to be dropped. */
static int handle(int sock) {
    int fds[MAX_FDS];
    int nfds;
    ssize_t len = recv_msg(sock, fds, &nfds);
    if (len <= 0) {
        return -1;
    }
    char *f[2 + MAX_FDS + 1];
    int n = split(f, 2 + MAX_FDS + 1);
    char reply[MAX_MSG];
    int rc = 0;
    if (strcmp(f[0], "VERSION") == 0) {
        snprintf(reply, sizeof reply, "%s %d %zu", VERSION, (int) getpid(), nentries);
        rc = send_msg(sock, reply, NULL, 0);
    } else if (strcmp(f[0], "HOLD") == 0) {
        const char *err = NULL;
        struct stat st;
        if (n < 3 || n - 2 > MAX_FDS) {
            err = "ERR HOLD takes a key and 1 to 8 paths";
        } else if (nfds != n - 2) {
            err = "ERR one descriptor per path";
        }
        for (int i = 0; err == NULL && i < nfds; i++) {
            if (fstat(fds[i], &st) < 0 || !S_ISFIFO(st.st_mode)) {
                err = "ERR not a FIFO";
            }
        }
        if (err == NULL && add(f[1], nfds, fds, &f[2]) < 0) {
            err = "ERR out of memory";
        }
        if (err != NULL) {
            for (int i = 0; i < nfds; i++) {
                close(fds[i]);
            }
        }
        nfds = 0;
        rc = send_msg(sock, err != NULL ? err : "OK", NULL, 0);
    } else if (strcmp(f[0], "HAS") == 0 && n == 2) {
        rc = send_msg(sock, find(f[1]) != NULL ? "YES" : "NO", NULL, 0);
    } else if (strcmp(f[0], "RELEASE") == 0 && n == 2) {
        size_t klen = strlen(f[1]);
        int released = 0;
        for (size_t i = 0; i < nentries;) {
            const char *k = entries[i].key;
            if (strcmp(k, f[1]) == 0 || (strncmp(k, f[1], klen) == 0 && k[klen] == '/')) {
                remove_at(i);
                released++;
            } else {
                i++;
            }
        }
        snprintf(reply, sizeof reply, "OK %d", released);
        rc = send_msg(sock, reply, NULL, 0);
    } else if (strcmp(f[0], "LIST") == 0) {
        for (size_t i = 0; rc == 0 && i < nentries; i++) {
            entry_text(reply, sizeof reply, "E", &entries[i]);
            rc = send_msg(sock, reply, NULL, 0);
        }
        if (rc == 0) {
            rc = send_msg(sock, "END", NULL, 0);
        }
    } else if (strcmp(f[0], "GET") == 0 && n == 2) {
        struct entry *e = find(f[1]);
        if (e == NULL) {
            rc = send_msg(sock, "NONE", NULL, 0);
        } else {
            entry_text(reply, sizeof reply, "OK", e);
            rc = send_msg(sock, reply, e->fds, e->nfds);
        }
    } else if (strcmp(f[0], "EXIT") == 0) {
        unlink_own();
        send_msg(sock, "OK", NULL, 0);
        exit(0); /* the kernel closes the held read ends */
    } else {
        rc = send_msg(sock, "ERR unknown request", NULL, 0);
    }
    for (int i = 0; i < nfds; i++) {
        close(fds[i]);
    }
    return rc;
}

/* Drops the entries whose first FIFO is no longer at its path. */
static void check_paths(void) {
    for (size_t i = 0; i < nentries;) {
        struct stat path, held;
        struct entry *e = &entries[i];
        if (stat(e->paths[0], &path) < 0 || fstat(e->fds[0], &held) < 0
            || path.st_dev != held.st_dev || path.st_ino != held.st_ino) {
            remove_at(i);
        } else {
            i++;
        }
    }
}

static int connect_to(const char *path) {
    struct sockaddr_un a = {.sun_family = AF_UNIX};
    strncpy(a.sun_path, path, sizeof a.sun_path - 1);
    int s = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
    if (s < 0) {
        return -1;
    }
    if (set_timeouts(s) < 0 || connect(s, (struct sockaddr *) &a, sizeof a) < 0) {
        close(s);
        return -1;
    }
    return s;
}

/* Adopts every entry of the holder answering on path (an older one), then tells it to exit. */
static void take_over(const char *path) {
    int s = connect_to(path);
    if (s < 0) {
        return; /* nobody there: a stale socket file, replaced by the rename */
    }
    int fds[MAX_FDS];
    int nfds;
    char **keys = NULL;
    size_t nkeys = 0;
    if (send_msg(s, "LIST", NULL, 0) == 0) {
        while (recv_msg(s, fds, &nfds) > 0) {
            for (int i = 0; i < nfds; i++) {
                close(fds[i]);
            }
            char *f[2 + MAX_FDS + 1];
            int n = split(f, 2 + MAX_FDS + 1);
            if (strcmp(f[0], "E") != 0 || n < 2) {
                break;
            }
            char **grown = realloc(keys, (nkeys + 1) * sizeof *keys);
            if (grown == NULL) {
                break;
            }
            keys = grown;
            keys[nkeys++] = strdup(f[1]);
        }
    }
    for (size_t k = 0; k < nkeys; k++) {
        char req[MAX_MSG];
        snprintf(req, sizeof req, "GET\n%s", keys[k]);
        if (send_msg(s, req, NULL, 0) == 0 && recv_msg(s, fds, &nfds) > 0) {
            char *f[2 + MAX_FDS + 1];
            int n = split(f, 2 + MAX_FDS + 1);
            if (strcmp(f[0], "OK") == 0 && n >= 3 && nfds == n - 2 && add(f[1], nfds, fds, &f[2]) == 0) {
                nfds = 0;
            }
            for (int i = 0; i < nfds; i++) {
                close(fds[i]);
            }
        }
        free(keys[k]);
    }
    free(keys);
    if (send_msg(s, "EXIT", NULL, 0) == 0) {
        recv_msg(s, fds, &nfds);
    }
    close(s);
    fprintf(stderr, "pouch-fifo-holder: took over %zu entries from the holder on %s\n", nentries, path);
}

int main(int argc, char **argv) {
    if (argc < 2 || strlen(argv[1]) + 16 >= sizeof(((struct sockaddr_un *) 0)->sun_path)) {
        fprintf(stderr, "usage: pouch-fifo-holder SOCKET [CHECK_SECONDS] (a socket path under 90 bytes)\n");
        return 2;
    }
    const char *path = argv[1];
    int check = argc > 2 ? atoi(argv[2]) : 10;
    if (check < 1) {
        check = 10;
    }
    signal(SIGPIPE, SIG_IGN);
    signal(SIGHUP, SIG_IGN);
    umask(077);
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
        rl.rlim_cur = rl.rlim_max; /* two descriptors per container */
        setrlimit(RLIMIT_NOFILE, &rl);
    }

    /* bound and listening under a private name first: the final name answers only once it is ready */
    struct sockaddr_un a = {.sun_family = AF_UNIX};
    snprintf(a.sun_path, sizeof a.sun_path, "%s.%d", path, (int) getpid());
    unlink(a.sun_path);
    int lsock = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
    if (lsock < 0 || bind(lsock, (struct sockaddr *) &a, sizeof a) < 0 || listen(lsock, 16) < 0) {
        die("listen");
    }
    if (stat(a.sun_path, &own) < 0) {
        die("stat");
    }
    take_over(path);
    if (rename(a.sun_path, path) < 0) {
        unlink(a.sun_path);
        die("rename");
    }
    sock_path = path;

    time_t started = time(NULL), last_check = started;
    int had_client = 0;
    for (;;) {
        if (nentries == 0 && nclients == 0 && (had_client || time(NULL) - started > 30)) {
            break;
        }
        struct pollfd p[1 + MAX_CLIENTS];
        p[0].fd = lsock;
        p[0].events = POLLIN;
        for (int i = 0; i < nclients; i++) {
            p[1 + i].fd = clients[i];
            p[1 + i].events = POLLIN;
        }
        int r = poll(p, (nfds_t) (1 + nclients), check * 1000);
        if (r < 0 && errno != EINTR) {
            die("poll");
        }
        if (time(NULL) - last_check >= check) {
            check_paths();
            last_check = time(NULL);
        }
        if (r <= 0) {
            continue;
        }
        for (int i = nclients - 1; i >= 0; i--) {
            if (p[1 + i].revents != 0 && handle(clients[i]) < 0) {
                close(clients[i]);
                clients[i] = clients[--nclients];
            }
        }
        if (p[0].revents & POLLIN) {
            int c = accept4(lsock, NULL, NULL, SOCK_CLOEXEC);
            if (c < 0) {
                continue;
            }
            struct ucred cred;
            socklen_t cl = sizeof cred;
            if (nclients == MAX_CLIENTS || getsockopt(c, SOL_SOCKET, SO_PEERCRED, &cred, &cl) < 0
                || (cred.uid != 0 && cred.uid != geteuid()) || set_timeouts(c) < 0) {
                close(c);
                continue;
            }
            clients[nclients++] = c;
            had_client = 1;
        }
    }
    unlink_own(); /* nothing held, nobody connected */
    return 0;
}
