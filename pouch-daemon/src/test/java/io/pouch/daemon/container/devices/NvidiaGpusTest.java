package io.pouch.daemon.container.devices;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.pouch.api.Json;
import io.pouch.api.PouchException;
import io.pouch.api.container.HostConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Pouch's NvidiaConfig: checked as Pouch checks it, applied through the nvidia.com/gpu CDI spec, else refused. */
class NvidiaGpusTest {
    @TempDir
    Path dir;

    private static HostConfig hc(String devices, String caps) {
        return HostConfig.builder().nvidiaConfig(new HostConfig.NvidiaConfig(devices, caps)).build();
    }

    @Test
    void badDevicesAndCapabilitiesAreRefusedByName() {
        assertTrue(assertThrows(PouchException.class, () -> NvidiaGpus.validate(
                new HostConfig.NvidiaConfig("0", "compute,bogus"))).getMessage()
                .contains("NvidiaDriverCapabilities: invalid nvidia driver capability \"bogus\""));
        assertTrue(assertThrows(PouchException.class, () -> NvidiaGpus.validate(
                new HostConfig.NvidiaConfig("0,/dev/sda", "all"))).getMessage()
                .contains("NvidiaVisibleDevices: invalid nvidia device \"/dev/sda\""));
        for (String ok : List.of("all", "none", "void", "0,1", "GPU-fef8089b-4820-abfc-e83e-94318197576e")) {
            assertDoesNotThrow(() -> NvidiaGpus.validate(new HostConfig.NvidiaConfig(ok, "compute,utility")), ok);
        }
    }

    @Test
    void withoutAnNvidiaCdiSpecTheFieldIsRefusedNamingWhatIsMissing() {
        CdiRegistry empty = new CdiRegistry(List.of(dir));
        PouchException e = assertThrows(PouchException.class, () -> NvidiaGpus.requests(hc("all", ""), empty));
        assertEquals(400, e.status());
        assertTrue(e.getMessage().startsWith("HostConfig.NvidiaConfig cannot be applied: this host has no NVIDIA"
                + " device: no CDI spec of kind nvidia.com/gpu is present in [" + dir + "]"), e.getMessage());
        // nothing asked: nothing looked at
        assertEquals(List.of(), NvidiaGpus.requests(HostConfig.empty(), empty));
        assertEquals(List.of(), NvidiaGpus.requests(hc("", ""), empty));
    }

    @Test
    void withAnNvidiaCdiSpecTheGpusAndVariablesReachTheSpec() throws Exception {
        Files.writeString(dir.resolve("nvidia.json"), """
                {"cdiVersion":"0.6.0","kind":"nvidia.com/gpu","devices":[
                  {"name":"0","containerEdits":{"deviceNodes":[{"path":"/dev/nvidia0","hostPath":"/dev/null"}]}},
                  {"name":"1","containerEdits":{"deviceNodes":[{"path":"/dev/nvidia1","hostPath":"/dev/zero"}]}}]}
                """);
        DeviceSpecs devices = new DeviceSpecs(new CdiRegistry(List.of(dir)));
        ObjectNode spec = (ObjectNode) Json.MAPPER.readTree("{\"process\":{\"env\":[\"PATH=/bin\"]},\"mounts\":[],"
                + "\"linux\":{\"resources\":{\"devices\":[]}}}");
        DeviceSpecs.apply(spec, devices.plan(hc("1", "compute")));
        assertEquals(List.of("/dev/nvidia1"), spec.path("linux").path("devices").findValuesAsText("path"));
        assertEquals("[\"PATH=/bin\",\"NVIDIA_VISIBLE_DEVICES=1\",\"NVIDIA_DRIVER_CAPABILITIES=compute\"]",
                spec.path("process").path("env").toString());
        assertEquals(2, devices.plan(hc("all", "")).nodes().size());
        assertEquals(0, devices.plan(hc("none", "utility")).nodes().size());
    }
}
