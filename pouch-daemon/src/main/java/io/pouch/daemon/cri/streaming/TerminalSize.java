package io.pouch.daemon.cri.streaming;

import com.fasterxml.jackson.annotation.JsonProperty;

/** A terminal size as clients send it on the resize stream: {@code {"Width":80,"Height":24}}. */
public record TerminalSize(@JsonProperty("Width") int width, @JsonProperty("Height") int height) {
}
