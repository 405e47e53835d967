package io.pouch.client;

import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

class ChannelBodyTest {
    @Test
    void closeFromAnotherThreadEndsAReadThatWaitsForBytes() throws Exception {
        EmbeddedChannel channel = new EmbeddedChannel();
        ChannelBody body = new ChannelBody(channel);
        body.offer(Unpooled.copiedBuffer("hi", StandardCharsets.UTF_8));
        byte[] buf = new byte[8];
        assertEquals(2, body.read(buf, 0, buf.length));
        CompletableFuture<Integer> reader = CompletableFuture.supplyAsync(() -> {
            try {
                return body.read(buf, 0, buf.length); // nothing more comes: waits
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        });
        assertTimeoutPreemptively(Duration.ofSeconds(10), () -> {
            while (!reader.isDone() && Thread.getAllStackTraces().keySet().stream()
                    .noneMatch(t -> t.getState() == Thread.State.TIMED_WAITING && isInRead(t))) {
                Thread.onSpinWait();
            }
        }, "the reader waiting in read");
        // the detach of `run -it`: stdin's thread closes while the output's thread waits in read
        assertTimeoutPreemptively(Duration.ofSeconds(5), body::close);
        assertEquals(-1, reader.get(5, TimeUnit.SECONDS));
        assertFalse(channel.isOpen());
    }

    private static boolean isInRead(Thread t) {
        for (StackTraceElement e : t.getStackTrace()) {
            if (e.getClassName().equals(ChannelBody.class.getName()) && e.getMethodName().equals("read")) {
                return true;
            }
        }
        return false;
    }
}
