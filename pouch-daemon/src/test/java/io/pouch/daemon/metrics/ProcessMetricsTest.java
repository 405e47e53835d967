package io.pouch.daemon.metrics;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ProcessMetricsTest {
    @Test
    void readsTheProcessFiguresFromProc(@TempDir Path proc) throws IOException {
        Path self = Files.createDirectories(proc.resolve("self/fd"));
        Files.createFile(self.resolve("0"));
        Files.createFile(self.resolve("1"));
        Files.createFile(self.resolve("2"));
        // a command name with spaces and a parenthesis: fields are counted after the last ')'
        Files.writeString(proc.resolve("self/stat"), "1234 (java (x) y) S 1 1234 1234 0 -1 4194560 100 0 0 0 "
                + "250 150 0 0 20 0 40 0 5000 8589934592 30000 18446744073709551615\n");
        Files.writeString(proc.resolve("self/status"), "Name:\tjava\nVmRSS:\t  120000 kB\nThreads:\t40\n");
        Files.writeString(proc.resolve("self/limits"), "Limit                     Soft Limit           Hard Limit"
                + "           Units     \nMax open files            1048576              1048576              files\n");
        Files.writeString(proc.resolve("stat"), "cpu  1 2 3\nbtime 1700000000\nprocesses 10\n");
        ProcessMetrics p = new ProcessMetrics(proc);
        assertEquals(3, p.openFds());
        assertEquals(1048576, p.maxFds());
        assertEquals(120000 * 1024.0, p.statusKb("VmRSS") * 1024);
        assertEquals(250, p.stat().get(13));
        assertEquals(150, p.stat().get(14));
        assertEquals(8589934592.0, p.stat().get(22));
        assertEquals(1700000050.0, p.startTimeSeconds());

        Metrics m = new Metrics();
        p.addTo(m);
        String text = PrometheusText.write(m);
        assertTrue(text.contains("# TYPE process_cpu_seconds_total counter\nprocess_cpu_seconds_total 4\n"), text);
        assertTrue(text.contains("process_resident_memory_bytes 122880000\n"), text);
        assertTrue(text.contains("process_virtual_memory_bytes 8589934592\n"), text);
        assertTrue(text.contains("process_open_fds 3\n"), text);
        assertTrue(text.contains("process_max_fds 1048576\n"), text);
        assertTrue(text.contains("process_start_time_seconds 1700000050\n"), text);
    }

    @Test
    void thisProcessIsReadable() {
        ProcessMetrics p = new ProcessMetrics(Path.of("/proc"));
        assertTrue(p.openFds() > 0);
        assertTrue(p.statusKb("VmRSS") > 0);
        double start = p.startTimeSeconds();
        double now = System.currentTimeMillis() / 1000.0;
        assertTrue(start > now - 3600 * 24 && start <= now + 1, "start " + start + " now " + now);
    }
}
