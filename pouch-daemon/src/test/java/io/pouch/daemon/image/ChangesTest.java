package io.pouch.daemon.image;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.pouch.api.Json;
import io.pouch.api.PouchException;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class ChangesTest {
    private static ObjectNode apply(String... changes) {
        ObjectNode c = Json.MAPPER.createObjectNode();
        Changes.apply(List.of(changes), c);
        return c;
    }

    @Test
    void dockerfileInstructions() {
        ObjectNode c = apply("CMD [\"sh\"]", "ENTRYPOINT /bin/run x", "ENV A=b", "ENV C d e", "ENV A=z B=\"x y\"",
                "WORKDIR /w", "USER nobody", "LABEL k=v \"a b\"=c", "EXPOSE 80 53/UDP", "VOLUME /data",
                "STOPSIGNAL SIGINT", "cmd echo hi");
        assertEquals("[\"/bin/sh\",\"-c\",\"echo hi\"]", c.get("Cmd").toString());
        assertEquals("[\"/bin/sh\",\"-c\",\"/bin/run x\"]", c.get("Entrypoint").toString());
        assertEquals("[\"C=d e\",\"A=z\",\"B=x y\"]", c.get("Env").toString());
        assertEquals("/w", c.get("WorkingDir").asText());
        assertEquals("nobody", c.get("User").asText());
        assertEquals("{\"k\":\"v\",\"a b\":\"c\"}", c.get("Labels").toString());
        assertEquals("{\"80/tcp\":{},\"53/udp\":{}}", c.get("ExposedPorts").toString());
        assertEquals("{\"/data\":{}}", c.get("Volumes").toString());
        assertEquals("SIGINT", c.get("StopSignal").asText());
    }

    @Test
    void refusesUnknownAndMalformed() {
        assertEquals(400, assertThrows(PouchException.class, () -> apply("RUN rm -rf /")).status());
        assertEquals("RUN is not a valid change command",
                assertThrows(PouchException.class, () -> apply("RUN x")).getMessage());
        assertThrows(PouchException.class, () -> apply("CMD [\"unterminated\""));
        assertThrows(PouchException.class, () -> apply("ENV"));
        assertThrows(PouchException.class, () -> apply("ENV =x"));
        assertThrows(PouchException.class, () -> apply("LABEL a=\"b"));
        assertThrows(PouchException.class, () -> apply("WORKDIR"));
    }
}
