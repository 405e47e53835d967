package io.pouch.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.pouch.testing.Await;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Debian's docker-compose (1.29, the Python one) against pouchd: a service that waits for another's healthcheck
 * ({@code depends_on: condition: service_healthy}), up and down.
 */
@Tag("e2e")
class ComposeEndToEndTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static PouchdHarness d;

    @BeforeAll
    static void daemon() {
        d = PouchdHarness.shared();
    }

    private Cmd.Result compose(Path dir, String project, String... args) {
        List<String> c = new ArrayList<>(List.of("docker-compose", "-H", d.host(), "-p", project,
                "-f", dir.resolve("docker-compose.yml").toString()));
        c.addAll(List.of(args));
        return Cmd.run(c, Map.of("COMPOSE_INTERACTIVE_NO_CLI", "1"), null, Duration.ofSeconds(120));
    }

    @Test
    void appStartsOnceWebIsHealthyAndDownCleansUp(@TempDir Path dir) throws Exception {
        String project = "hc" + UUID.randomUUID().toString().substring(0, 8);
        // web becomes healthy once /tmp/ready exists, about a second after its start
        Files.writeString(dir.resolve("docker-compose.yml"), """
                version: "2.4"
                services:
                  web:
                    image: busybox
                    command: ["sh", "-c", "sleep 1; touch /tmp/ready; exec sleep 1000"]
                    healthcheck:
                      test: ["CMD", "test", "-f", "/tmp/ready"]
                      interval: 300ms
                      timeout: 5s
                      retries: 20
                  app:
                    image: busybox
                    command: ["sleep", "1000"]
                    depends_on:
                      web:
                        condition: service_healthy
                """);
        try {
            compose(dir, project, "up", "-d").ok();
            String web = project + "_web_1";
            String app = project + "_app_1";
            assertEquals("healthy", d.docker("inspect", "-f", "{{.State.Health.Status}}", web).ok().trimmed());
            assertEquals("running", d.docker("inspect", "-f", "{{.State.Status}}", app).ok().trimmed());
            // app was started only after web's first successful probe ended
            String firstOk = null;
            for (JsonNode r : JSON.readTree(d.docker("inspect", "-f", "{{json .State.Health.Log}}", web).ok().out())) {
                if (r.path("ExitCode").asInt() == 0) {
                    firstOk = r.path("End").asText();
                    break;
                }
            }
            assertTrue(firstOk != null, "a successful probe in web's log");
            Instant appStarted = Instant.parse(d.docker("inspect", "-f", "{{.State.StartedAt}}", app).ok().trimmed());
            assertTrue(appStarted.isAfter(Instant.parse(firstOk)), appStarted + " after " + firstOk);
            assertTrue(d.docker("ps", "--filter", "name=" + web, "--format", "{{.Status}}").ok().trimmed()
                    .endsWith("(healthy)"));
            assertTrue(d.docker("network", "ls", "--format", "{{.Name}}").ok().out().contains(project + "_default"));
        } finally {
            compose(dir, project, "down", "-t", "1").ok();
        }
        assertEquals("", d.docker("ps", "-aq", "--filter", "label=com.docker.compose.project=" + project).ok()
                .trimmed());
        Await.until(Duration.ofSeconds(5), () -> !d.docker("network", "ls", "--format", "{{.Name}}").ok().out()
                .contains(project + "_default"), "the project's network removed");
    }
}
