package io.pouch.daemon.sys;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

class EpollTest {
    @Test
    @Timeout(10)
    void a_ready_descriptor_is_reported_once_with_its_key_until_rearmed() throws Exception {
        int ready = Syscalls.eventfd();
        int idle = Syscalls.eventfd();
        try (Epoll epoll = new Epoll()) {
            epoll.add(idle, 7);
            epoll.add(ready, 42);
            Syscalls.signal(ready);
            List<Long> keys = new ArrayList<>();
            epoll.await(keys::add);
            assertEquals(List.of(42L), keys);
            // one-shot: still readable, but not reported again until re-armed; the other descriptor then wakes
            // the wait alone
            Syscalls.signal(idle);
            keys.clear();
            epoll.await(keys::add);
            assertEquals(List.of(7L), keys);
            epoll.rearm(ready, 43);
            keys.clear();
            epoll.await(keys::add);
            assertEquals(List.of(43L), keys);
            epoll.remove(ready);
            epoll.remove(idle);
        } finally {
            Syscalls.close(ready);
            Syscalls.close(idle);
        }
    }
}
