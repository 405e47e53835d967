package io.pouch.it;

import org.testcontainers.containers.Container;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.images.builder.Transferable;
import org.testcontainers.utility.DockerImageName;

import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * What a Testcontainers user does, run in its own JVM because Testcontainers takes the daemon's address from the
 * environment ({@code DOCKER_HOST}): start a container with a published port and a log-based wait, reach the port
 * from the host, exec, copy a file in, read the logs, stop. Prints one line per step; exits non-zero on failure.
 */
public final class SdkProbe {
    private SdkProbe() {
    }

    public static void main(String[] args) throws Exception {
        try (GenericContainer<?> c = new GenericContainer<>(DockerImageName.parse("busybox:latest"))
                .withCommand("sh", "-c", "mkdir -p /www && echo hi from pouchd > /www/index.html && echo ready"
                        + " && exec httpd -f -p 8080 -h /www")
                .withExposedPorts(8080)
                .waitingFor(Wait.forLogMessage(".*ready.*", 1))
                .withStartupTimeout(Duration.ofSeconds(60))) {
            c.start();
            System.out.println("started " + c.getContainerId());
            String url = "http://" + c.getHost() + ":" + c.getMappedPort(8080) + "/";
            HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url))
                    .timeout(Duration.ofSeconds(20)).build(), HttpResponse.BodyHandlers.ofString());
            System.out.println("http " + r.statusCode() + " " + r.body().trim());
            Container.ExecResult e = c.execInContainer("sh", "-c", "cat /www/index.html; echo to-err >&2; exit 3");
            System.out.println("exec " + e.getExitCode() + " " + e.getStdout().trim() + " " + e.getStderr().trim());
            c.copyFileToContainer(Transferable.of("copied in"), "/tmp/x.txt");
            System.out.println("copy " + c.execInContainer("cat", "/tmp/x.txt").getStdout().trim());
            String fromContainer = c.copyFileFromContainer("/tmp/x.txt",
                    (InputStream in) -> new String(in.readAllBytes(), StandardCharsets.UTF_8));
            System.out.println("copy-back " + fromContainer);
            System.out.println("logs " + c.getLogs().trim());
        }
        System.out.println("stopped");
    }
}
