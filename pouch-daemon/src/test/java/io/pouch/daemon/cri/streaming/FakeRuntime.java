package io.pouch.daemon.cri.streaming;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A runtime whose "commands" are test behaviours: echo (args to stdout), fail (stderr, exit 3), cat (stdin to
 * stdout until end of file), big N (N bytes of a pattern), resize (the first terminal size, as WxH), boom (the engine
 * fails). Ports are opened on the loopback address.
 */
final class FakeRuntime implements StreamRuntime {
    final CompletableFuture<Void> stdinClosed = new CompletableFuture<>();
    final List<String> calls = new CopyOnWriteArrayList<>();

    static byte[] pattern(int n) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) (i * 31 + (i >>> 11));
        }
        return b;
    }

    @Override
    public int exec(String containerId, List<String> cmd, boolean tty, StreamIo io) throws Exception {
        calls.add("exec " + containerId + " " + cmd + " tty=" + tty + " stderr=" + (io.stderr() != null));
        List<String> args = cmd.subList(1, cmd.size());
        switch (cmd.getFirst()) {
            case "echo" -> {
                io.stdout().write(String.join(" ", args).getBytes(StandardCharsets.UTF_8));
                return 0;
            }
            case "fail" -> {
                io.stderr().write("oops".getBytes(StandardCharsets.UTF_8));
                return 3;
            }
            case "cat" -> {
                copy(io.stdin(), io.stdout());
                stdinClosed.complete(null);
                return 0;
            }
            case "big" -> {
                byte[] b = pattern(Integer.parseInt(args.getFirst()));
                for (int off = 0; off < b.length; off += 100_000) {
                    io.stdout().write(b, off, Math.min(100_000, b.length - off));
                }
                return 0;
            }
            case "resize" -> {
                CompletableFuture<TerminalSize> first = new CompletableFuture<>();
                io.resizes().listen(first::complete);
                TerminalSize s = first.get(10, java.util.concurrent.TimeUnit.SECONDS);
                io.stdout().write((s.width() + "x" + s.height()).getBytes(StandardCharsets.UTF_8));
                return 0;
            }
            case "boom" -> throw new IllegalStateException("container " + containerId + " is not running");
            default -> throw new IllegalArgumentException("unknown fake command " + cmd);
        }
    }

    @Override
    public void attach(String containerId, boolean tty, StreamIo io) throws Exception {
        calls.add("attach " + containerId + " tty=" + tty);
        copy(io.stdin(), io.stdout());
        stdinClosed.complete(null);
    }

    @Override
    public SocketChannel openPort(String podSandboxId, int port) throws IOException {
        calls.add("port " + podSandboxId + " " + port);
        return SocketChannel.open(new InetSocketAddress("127.0.0.1", port));
    }

    private static void copy(InputStream in, OutputStream out) throws IOException {
        byte[] buf = new byte[8192];
        int n;
        while ((n = in.read(buf)) >= 0) {
            out.write(buf, 0, n);
        }
    }
}
