package io.pouch.daemon.container.io;

import io.pouch.daemon.sys.Epoll;

import java.io.IOException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Waits for the output FIFOs of all containers on one platform thread (one {@link Epoll}), so an idle running
 * container costs pouchd no thread: a thread per FIFO blocked in poll(2) cost its stack and the JVM's per-thread
 * structures, some tens of KiB of RSS each, two per container. A ready FIFO's handler runs on a fresh virtual
 * thread (the calls it makes do not block: the FIFO is non-blocking and spliced with SPLICE_F_NONBLOCK), so a slow
 * log write of one container never delays another's; interest is one-shot, the handler re-arms when it is done.
 */
final class FifoPoller {
    private static final Logger LOG = Logger.getLogger(FifoPoller.class.getName());
    private static volatile FifoPoller instance;

    private final Epoll epoll;
    private final Map<Long, Runnable> handlers = new ConcurrentHashMap<>();
    private final AtomicLong keys = new AtomicLong();

    private FifoPoller() throws IOException {
        epoll = new Epoll();
        Thread.ofPlatform().daemon().name("fifo-poller").stackSize(256 * 1024).start(this::loop);
    }

    static FifoPoller get() throws IOException {
        FifoPoller p = instance;
        if (p == null) {
            synchronized (FifoPoller.class) {
                p = instance;
                if (p == null) {
                    p = new FifoPoller();
                    instance = p;
                }
            }
        }
        return p;
    }

    /** Runs {@code handler} (on a virtual thread) the next time {@code fd} is readable or hung up; returns its key. */
    long register(int fd, Runnable handler) throws IOException {
        long key = keys.incrementAndGet();
        handlers.put(key, handler);
        try {
            epoll.add(fd, key);
        } catch (IOException e) {
            handlers.remove(key);
            throw e;
        }
        return key;
    }

    /** Asks for the next readiness of {@code fd} after its handler ran. */
    void rearm(int fd, long key) throws IOException {
        epoll.rearm(fd, key);
    }

    /** Forgets {@code fd}; call before closing it. */
    void unregister(int fd, long key) {
        epoll.remove(fd);
        handlers.remove(key);
    }

    private void loop() {
        while (true) {
            try {
                epoll.await(key -> {
                    Runnable h = handlers.get(key);
                    if (h != null) {
                        Thread.ofVirtual().name("fifo-ready").start(h);
                    }
                });
            } catch (IOException | RuntimeException e) {
                LOG.log(Level.SEVERE, "waiting on output FIFOs failed", e);
            }
        }
    }
}
