package io.pouch.daemon.build;

/** A Dockerfile that cannot be parsed or built; the message names the line. */
public final class DockerfileException extends RuntimeException {
    public DockerfileException(String message) {
        super(message);
    }

    static DockerfileException at(int line, String message) {
        return new DockerfileException("Dockerfile parse error line " + line + ": " + message);
    }
}
