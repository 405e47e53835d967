package io.pouch.daemon.cri.cni;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.pouch.api.Json;
import io.pouch.api.PouchException;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Runs one plugin binary the way the spec has a runtime run it: found by its type in the plugin directories,
 * the CNI_* variables added to pouchd's own environment (plugins run iptables and need PATH), the configuration
 * on stdin, the result or the error on stdout. A plugin that does not finish within the timeout is killed with
 * the processes it started.
 */
final class PluginInvoker {
    private final List<Path> binDirs;
    private final Duration timeout;

    PluginInvoker(List<Path> binDirs, Duration timeout) {
        this.binDirs = List.copyOf(binDirs);
        this.timeout = timeout;
    }

    List<Path> binDirs() {
        return binDirs;
    }

    /** The executable named {@code type} in the first plugin directory that has one. */
    Optional<Path> find(String type) {
        for (Path d : binDirs) {
            Path p = d.resolve(type);
            if (Files.isRegularFile(p) && Files.isExecutable(p)) {
                return Optional.of(p);
            }
        }
        return Optional.empty();
    }

    /**
     * Runs plugin {@code type} and returns what it printed as JSON (null when it printed nothing, as DEL and
     * CHECK do). Throws PouchException naming the plugin, the command and the network when the plugin is missing,
     * fails or times out.
     */
    JsonNode invoke(String type, String network, Map<String, String> cniEnv, ObjectNode stdin) {
        String command = cniEnv.get("CNI_COMMAND");
        String what = "CNI plugin \"" + type + "\" (" + command + ", network \"" + network + "\")";
        Path bin = find(type).orElseThrow(() -> PouchException.internal(what + " failed: no executable \"" + type
                + "\" in " + binDirs, null));
        ProcessBuilder pb = new ProcessBuilder(bin.toString());
        Map<String, String> env = pb.environment();
        env.keySet().removeIf(k -> k.startsWith("CNI_"));
        env.putAll(cniEnv);
        pb.directory(bin.getParent().toFile());
        Process p;
        try {
            p = pb.start();
        } catch (IOException e) {
            throw PouchException.internal(what + " failed to start: " + e.getMessage(), e);
        }
        CompletableFuture<byte[]> out = drain(p.getInputStream());
        CompletableFuture<byte[]> err = drain(p.getErrorStream());
        try {
            try (OutputStream in = p.getOutputStream()) {
                in.write(Json.MAPPER.writeValueAsBytes(stdin));
            } catch (IOException e) {
                // the plugin exited without reading its configuration: its exit status and output say why
            }
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                kill(p);
                throw PouchException.internal(what + " did not finish within " + timeout.toSeconds()
                        + " s and was killed", null);
            }
            byte[] stdout = out.get(5, TimeUnit.SECONDS);
            byte[] stderr = err.get(5, TimeUnit.SECONDS);
            if (p.exitValue() != 0) {
                throw new PouchException(500, what + " failed: "
                        + PluginError.parse(stdout, stderr, p.exitValue()).describe());
            }
            if (stdout.length == 0 || new String(stdout).isBlank()) {
                return null;
            }
            try {
                return Json.MAPPER.readTree(stdout);
            } catch (IOException e) {
                throw PouchException.internal(what + " printed a result that is not JSON: " + e.getMessage(), e);
            }
        } catch (InterruptedException e) {
            kill(p);
            Thread.currentThread().interrupt();
            throw PouchException.internal(what + " was interrupted", e);
        } catch (ExecutionException | TimeoutException e) {
            // the plugin exited but a process it started keeps its output open
            throw PouchException.internal(what + ": cannot read its output: " + e, e);
        } finally {
            // unblocks the readers when a killed plugin's children still hold its output open
            closeQuietly(p.getInputStream());
            closeQuietly(p.getErrorStream());
        }
    }

    private static void closeQuietly(InputStream s) {
        try {
            s.close();
        } catch (IOException e) {
            // nothing more to read from it either way
        }
    }

    private static void kill(Process p) {
        p.descendants().forEach(ProcessHandle::destroyForcibly);
        p.destroyForcibly();
    }

    private static CompletableFuture<byte[]> drain(InputStream s) {
        CompletableFuture<byte[]> f = new CompletableFuture<>();
        Thread.ofVirtual().name("cni-plugin-output").start(() -> {
            try (s) {
                f.complete(s.readAllBytes());
            } catch (IOException e) {
                f.completeExceptionally(e);
            }
        });
        return f;
    }
}
