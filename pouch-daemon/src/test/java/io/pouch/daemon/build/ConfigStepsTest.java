package io.pouch.daemon.build;

import io.pouch.api.Json;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The config-only instructions applied to a stage with Docker's rules. */
class ConfigStepsTest {
    private static Stage stage() {
        return new Stage(null, 0, "sha256:base", Json.MAPPER.createObjectNode());
    }

    private static String apply(Stage st, String line) {
        Dockerfile d = DockerfileParser.parse("FROM scratch\n" + line + "\n");
        return ConfigSteps.apply(st, d.instructions().get(1), d.escape(), Map.of());
    }

    private static String refusal(String line) {
        return assertThrows(DockerfileException.class, () -> apply(stage(), line)).getMessage();
    }

    @Test
    void healthcheckWithItsOptionsAndNone() {
        Stage st = stage();
        apply(st, "HEALTHCHECK --interval=1m30s --timeout=5s --start-period=250ms --retries=4 CMD wget -q localhost");
        var hc = st.run().get("Healthcheck");
        assertEquals("[\"CMD-SHELL\",\"wget -q localhost\"]", hc.get("Test").toString());
        assertEquals(90_000_000_000L, hc.get("Interval").asLong());
        assertEquals(5_000_000_000L, hc.get("Timeout").asLong());
        assertEquals(250_000_000L, hc.get("StartPeriod").asLong());
        assertEquals(4, hc.get("Retries").asInt());
        apply(st, "HEALTHCHECK CMD [\"/bin/true\", \"x\"]");
        assertEquals("{\"Test\":[\"CMD\",\"/bin/true\",\"x\"]}", st.run().get("Healthcheck").toString());
        apply(st, "HEALTHCHECK NONE");
        assertEquals("{\"Test\":[\"NONE\"]}", st.run().get("Healthcheck").toString());

        assertTrue(refusal("HEALTHCHECK --retries=0 CMD true").contains("--retries must be at least 1 (not 0)"));
        assertTrue(refusal("HEALTHCHECK --interval=10us CMD true").contains("Interval \"interval\" cannot be less than"
                + " 1ms"));
        assertTrue(refusal("HEALTHCHECK --timeout=soon CMD true").contains("--timeout: invalid duration soon"));
        assertTrue(refusal("HEALTHCHECK --interval=1s NONE").contains("HEALTHCHECK NONE takes no arguments"));
        assertTrue(refusal("HEALTHCHECK WGET x").contains("Unknown type \"WGET\" in HEALTHCHECK"));
    }

    @Test
    void stopsignalShellVolumeAndOnbuild() {
        Stage st = stage();
        st.args.put("SIG", "SIGUSR1");
        apply(st, "ARG SIG");
        apply(st, "STOPSIGNAL $SIG");
        assertEquals("SIGUSR1", st.run().get("StopSignal").asText());
        apply(st, "STOPSIGNAL 9");
        assertEquals("9", st.run().get("StopSignal").asText());
        assertTrue(refusal("STOPSIGNAL SIGNOPE").contains("Invalid signal: SIGNOPE"));

        apply(st, "SHELL [\"/bin/sh\", \"-xc\"]");
        Instruction run = DockerfileParser.parse("FROM scratch\nRUN echo hi\n").instructions().get(1);
        assertEquals(List.of("/bin/sh", "-xc", "echo hi"), ConfigSteps.command(st, run));

        assertEquals("/bin/sh -c #(nop)  VOLUME [/data /logs]", apply(st, "VOLUME /data /logs"));
        apply(st, "VOLUME [\"/json\"]");
        assertEquals("{\"/data\":{},\"/logs\":{},\"/json\":{}}", st.run().get("Volumes").toString());

        apply(st, "ONBUILD run echo triggered");
        apply(st, "ONBUILD COPY a /b");
        assertEquals("[\"run echo triggered\",\"COPY a /b\"]", st.run().get("OnBuild").toString());
    }
}
