package io.pouch.daemon;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.spi.ToolProvider;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The daemon's structure as its compiled classes show it, read with the JDK's own jdeps (the same as
 * {@code jdeps -verbose:class -e 'io\.pouch\.daemon.*|containerd.*|io\.grpc.*|com\.google\.protobuf.*'
 * pouch-daemon/target/classes}): no package cycles, containerd's generated types and gRPC only behind the
 * containerd adapter, routes free of them, and no source class over 700 lines.
 */
class ArchitectureTest {
    private static final String ROOT = "io.pouch.daemon";
    private static final String ADAPTER = ROOT + ".containerd";
    /** The Kubernetes CRI server: a gRPC service itself, so gRPC and its generated runtime.v1 types live there. */
    private static final String CRI = ROOT + ".cri";
    private static final int MAX_LINES = 700;

    /** class -> classes it uses (only those of the daemon and of containerd/gRPC/protobuf). */
    private static final Map<String, Set<String>> USES = new TreeMap<>();

    @BeforeAll
    static void readClasses() {
        Path classes = Path.of("target/classes");
        assertTrue(Files.isDirectory(classes), "compiled classes expected in " + classes.toAbsolutePath());
        ToolProvider jdeps = ToolProvider.findFirst("jdeps").orElseThrow();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int rc = jdeps.run(new PrintWriter(out), new PrintWriter(err), "-verbose:class", "-e",
                "io\\.pouch\\.daemon.*|io\\.pouch\\.cri.*|containerd.*|io\\.grpc.*|com\\.google\\.protobuf.*",
                classes.toString());
        assertEquals(0, rc, () -> "jdeps failed: " + err);
        for (String line : out.toString().split("\n")) {
            String[] f = line.trim().split("\\s+");
            if (f.length >= 3 && f[1].equals("->") && f[0].startsWith(ROOT + ".")) {
                USES.computeIfAbsent(topLevel(f[0]), k -> new TreeSet<>()).add(topLevel(f[2]));
            }
        }
        assertTrue(USES.size() > 50, "jdeps listed too few classes: " + USES.size());
    }

    private static String topLevel(String cls) {
        int dollar = cls.indexOf('$');
        return dollar < 0 ? cls : cls.substring(0, dollar);
    }

    private static String packageOf(String cls) {
        return cls.substring(0, cls.lastIndexOf('.'));
    }

    private static boolean generated(String cls) {
        return cls.startsWith("containerd.") || cls.startsWith("io.grpc.") || cls.startsWith("com.google.protobuf.")
                || cls.startsWith("io.pouch.cri.");
    }

    private static boolean inCri(String cls) {
        return packageOf(cls).equals(CRI) || packageOf(cls).startsWith(CRI + ".");
    }

    private static boolean criWire(String cls) {
        return cls.startsWith("io.grpc.") || cls.startsWith("com.google.protobuf.") || cls.startsWith("io.pouch.cri.");
    }

    @Test
    void containerdGeneratedTypesAndGrpcStayInsideTheAdapter() {
        List<String> leaks = new ArrayList<>();
        USES.forEach((cls, used) -> {
            if (!packageOf(cls).equals(ADAPTER)) {
                // the CRI packages may use gRPC and the CRI's own stubs, never containerd's
                used.stream().filter(ArchitectureTest::generated).filter(g -> !(inCri(cls) && criWire(g)))
                        .forEach(g -> leaks.add(cls + " -> " + g));
            }
        });
        assertEquals(List.of(), leaks);
    }

    @Test
    void routesUseNeitherGrpcNorTheContainerdAdapter() {
        List<String> leaks = new ArrayList<>();
        USES.forEach((cls, used) -> {
            if (cls.endsWith("Routes")) {
                used.stream().filter(u -> generated(u) || packageOf(u).equals(ADAPTER))
                        .forEach(u -> leaks.add(cls + " -> " + u));
            }
        });
        assertEquals(List.of(), leaks);
    }

    @Test
    void noPackageCycles() {
        Map<String, Set<String>> graph = new TreeMap<>();
        USES.forEach((cls, used) -> {
            String from = packageOf(cls);
            for (String u : used) {
                String to = packageOf(u);
                if (u.startsWith(ROOT + ".") && !to.equals(from)) {
                    graph.computeIfAbsent(from, k -> new TreeSet<>()).add(to);
                }
            }
        });
        List<List<String>> cycles = new StronglyConnected(graph).components().stream()
                .filter(c -> c.size() > 1).toList();
        assertEquals(List.of(), cycles, "package cycles (each list is one strongly connected set)");
    }

    @Test
    void noSourceClassOverSevenHundredLines() throws IOException {
        List<String> big = new ArrayList<>();
        try (Stream<Path> files = Files.walk(Path.of("src/main/java"))) {
            for (Path p : files.filter(f -> f.toString().endsWith(".java")).toList()) {
                long lines;
                try (Stream<String> l = Files.lines(p)) {
                    lines = l.count();
                }
                if (lines > MAX_LINES) {
                    big.add(p + " (" + lines + " lines)");
                }
            }
        }
        assertEquals(List.of(), big);
    }

    /** Tarjan's strongly connected components over the package graph. */
    private static final class StronglyConnected {
        private final Map<String, Set<String>> graph;
        private final Map<String, Integer> index = new HashMap<>();
        private final Map<String, Integer> low = new HashMap<>();
        private final List<String> stack = new ArrayList<>();
        private final Set<String> onStack = new TreeSet<>();
        private final List<List<String>> result = new ArrayList<>();

        StronglyConnected(Map<String, Set<String>> graph) {
            this.graph = graph;
        }

        List<List<String>> components() {
            for (String v : graph.keySet()) {
                if (!index.containsKey(v)) {
                    visit(v);
                }
            }
            return result;
        }

        private void visit(String v) {
            index.put(v, index.size());
            low.put(v, index.get(v));
            stack.add(v);
            onStack.add(v);
            for (String w : graph.getOrDefault(v, Set.of())) {
                if (!index.containsKey(w)) {
                    visit(w);
                    low.put(v, Math.min(low.get(v), low.get(w)));
                } else if (onStack.contains(w)) {
                    low.put(v, Math.min(low.get(v), index.get(w)));
                }
            }
            if (low.get(v).equals(index.get(v))) {
                List<String> component = new ArrayList<>();
                String w;
                do {
                    w = stack.removeLast();
                    onStack.remove(w);
                    component.add(w);
                } while (!w.equals(v));
                result.add(component.stream().sorted().toList());
            }
        }
    }
}
