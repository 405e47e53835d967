package io.pouch.api;

/** The body of every error answer: {@code {"message": "..."}}, as dockerd sends it. */
public record ErrorResponse(String message) {
}
