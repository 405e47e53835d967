package io.pouch.cli.format;

/** A --format template that does not parse or cannot be applied; the message says where. */
public class TemplateException extends RuntimeException {
    public TemplateException(String message) {
        super(message);
    }
}
