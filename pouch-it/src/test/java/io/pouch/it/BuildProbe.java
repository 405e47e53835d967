package io.pouch.it;

import org.testcontainers.images.builder.ImageFromDockerfile;

/**
 * What a Testcontainers user does to get an image from a Dockerfile ({@code ImageFromDockerfile}: docker-java's
 * BuildImageCmd), in its own JVM because Testcontainers takes the daemon's address from {@code DOCKER_HOST}.
 * Prints {@code built <name>}; exits non-zero on failure.
 */
public final class BuildProbe {
    private BuildProbe() {
    }

    public static void main(String[] args) {
        String name = new ImageFromDockerfile(args[0], false)
                .withFileFromString("greeting.txt", "from docker-java\n")
                .withDockerfileFromBuilder(b -> b.from("busybox:latest")
                        .copy("greeting.txt", "/greeting.txt")
                        .run("echo built >> /greeting.txt")
                        .cmd("cat", "/greeting.txt")
                        .build())
                .get();
        System.out.println("built " + name);
    }
}
