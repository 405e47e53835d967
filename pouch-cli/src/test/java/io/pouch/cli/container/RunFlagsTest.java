package io.pouch.cli.container;

import com.fasterxml.jackson.databind.JsonNode;
import io.pouch.cli.CliException;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.nio.charset.StandardCharsets;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The flags of run/create that docker has no counterpart for (Pouch's) or that act in the CLI itself. */
class RunFlagsTest {
    private static RunCommand parse(String... args) {
        RunCommand cmd = new RunCommand();
        new CommandLine(cmd).setStopAtPositional(true).setOverwrittenOptionsAllowed(true).parseArgs(args);
        return cmd;
    }

    private static JsonNode body(String... args) {
        RunCommand cmd = parse(args);
        return CreateRequest.build(cmd.options, cmd.image, cmd.command, !cmd.detach, Map.of());
    }

    @Test
    void pouchFieldsGoWherePouchsCliPutsThem() {
        JsonNode b = body("--rich", "--rich-mode", "systemd", "--initscript", "/init.sh", "--enableLxcfs",
                "--disk-quota", "/=10g", "--quota-id", "1000", "--specific-id", "a".repeat(64),
                "--spec-annotation", "k=v", "--net-priority", "3", "--disable-network-files",
                "--nvidia-capabilities", "compute", "--nvidia-visible-devs", "0,1", "--intel-rdt-l3-cbm", "L3:0=ff",
                "--memory-wmark-ratio", "80", "--memory-extra", "50", "--memory-force-empty-ctl", "1",
                "--sche-lat-switch", "1", "busybox");
        assertTrue(b.get("Rich").asBoolean());
        assertEquals("systemd", b.get("RichMode").asText());
        assertEquals("/init.sh", b.get("InitScript").asText());
        assertEquals("{\"/\":\"10g\"}", b.get("DiskQuota").toString());
        assertEquals("1000", b.get("QuotaID").asText());
        assertEquals("a".repeat(64), b.get("SpecificID").asText());
        assertEquals("{\"k\":\"v\"}", b.get("SpecAnnotation").toString());
        assertEquals(3, b.get("NetPriority").asInt());
        assertTrue(b.get("DisableNetworkFiles").asBoolean());
        JsonNode hc = b.get("HostConfig");
        assertTrue(hc.get("EnableLxcfs").asBoolean());
        assertEquals("{\"NvidiaDriverCapabilities\":\"compute\",\"NvidiaVisibleDevices\":\"0,1\"}",
                hc.get("NvidiaConfig").toString());
        assertEquals("L3:0=ff", hc.get("IntelRdtL3Cbm").asText());
        assertEquals(80, hc.get("MemoryWmarkRatio").asInt());
        assertEquals(50, hc.get("MemoryExtra").asInt());
        assertEquals(1, hc.get("MemoryForceEmptyCtl").asInt());
        assertEquals(1, hc.get("ScheLatSwitch").asInt());
    }

    @Test
    void pouchFieldsStayOutUnlessGiven() {
        JsonNode b = body("busybox");
        for (String f : new String[]{"Rich", "RichMode", "InitScript", "DiskQuota", "QuotaID", "SpecificID",
                "SpecAnnotation", "NetPriority", "DisableNetworkFiles"}) {
            assertFalse(b.has(f), f);
        }
        for (String f : new String[]{"EnableLxcfs", "NvidiaConfig", "IntelRdtL3Cbm", "MemoryWmarkRatio",
                "MemoryExtra", "MemoryForceEmptyCtl", "ScheLatSwitch", "KernelMemory"}) {
            assertFalse(b.get("HostConfig").has(f), f);
        }
    }

    @Test
    void diskQuotaAndQuotaIdFollowPouch() {
        assertEquals("{\".*\":\"5g\"}", body("--disk-quota", "5g", "busybox").get("DiskQuota").toString());
        assertEquals("-1", body("--disk-quota", "5g", "busybox").get("QuotaID").asText());
        assertThrows(CliException.class, () -> body("--quota-id", "7", "busybox"));
        assertThrows(CliException.class, () -> body("--disk-quota", "/=1g", "--disk-quota", "/d=2g",
                "--quota-id", "7", "busybox"));
        assertThrows(CliException.class, () -> body("--disk-quota", "a=b=c", "busybox"));
        assertThrows(CliException.class, () -> body("--spec-annotation", "novalue", "busybox"));
    }

    @Test
    void kernelMemoryIsSentForTheDaemonToDecide() {
        // docker 28 drops --kernel-memory silently; pouch sends it so that it is applied or refused by name
        assertEquals(10L << 20, body("--kernel-memory", "10m", "busybox").at("/HostConfig/KernelMemory").asLong());
    }

    @Test
    void contentTrustAndApiSocketAreRefusedByName() {
        assertEquals("busybox", body("--disable-content-trust", "busybox").get("Image").asText());
        assertEquals("busybox", body("--disable-content-trust=true", "busybox").get("Image").asText());
        CliException trust = assertThrows(CliException.class, () -> body("--disable-content-trust=false", "busybox"));
        assertTrue(trust.getMessage().startsWith("--disable-content-trust=false:"), trust.getMessage());
        CliException socket = assertThrows(CliException.class, () -> body("--use-api-socket", "busybox"));
        assertTrue(socket.getMessage().startsWith("--use-api-socket is not supported"), socket.getMessage());
        assertEquals(125, socket.exitCode());
    }

    @Test
    void sigProxyTakesAnOptionalBoolean() {
        assertTrue(parse("busybox").sigProxy);
        assertFalse(parse("--sig-proxy=false", "busybox").sigProxy);
        RunCommand c = parse("--sig-proxy", "busybox", "echo");
        assertTrue(c.sigProxy);
        assertEquals("busybox", c.image);
    }

    @Test
    void detachedRunAttachesNothingAndRefusesAttach() {
        JsonNode b = body("-d", "-i", "busybox");
        assertFalse(b.get("AttachStdin").asBoolean() || b.get("AttachStdout").asBoolean()
                || b.get("AttachStderr").asBoolean() || b.get("StdinOnce").asBoolean());
        assertTrue(b.get("OpenStdin").asBoolean());
        CliException e = assertThrows(CliException.class, () -> body("-d", "-a", "stdout", "busybox"));
        assertEquals("Conflicting options: -a and -d", e.getMessage());
    }

    @Test
    void detachKeysAreDockers() {
        assertArrayEquals(new byte[]{16, 17}, DetachKeys.parse(null));
        assertArrayEquals(new byte[]{'a', 0, 28}, DetachKeys.parse("a,ctrl-@,ctrl-\\"));
        CliException e = assertThrows(CliException.class, () -> DetachKeys.parse("ctrl-1"));
        assertEquals("Unknown character: 'ctrl-1'", e.getMessage());
    }

    @Test
    void theDetachSequenceTypedKeyByKeyEndsStdin() {
        DetachKeys.Filter f = new DetachKeys.Filter(DetachKeys.parse(null));
        assertEquals("ab", feed(f, "ab"));
        assertEquals("", feed(f, "\u0010"));
        assertFalse(f.detached());
        assertEquals("\u0010c", feed(f, "c")); // not the sequence after all: the held key goes out
        assertEquals("x\u0010\u0011y", feed(f, "x\u0010\u0011y")); // pasted or piped: never the sequence
        assertEquals("", feed(f, "\u0010"));
        assertEquals("", feed(f, "\u0011"));
        assertTrue(f.detached());
        assertEquals("", feed(f, "more"));
        DetachKeys.Filter together = new DetachKeys.Filter(DetachKeys.parse(null));
        assertEquals("", feed(together, "\u0010\u0011")); // both keys in one read, as a fast terminal gives them
        assertTrue(together.detached());
    }

    private static String feed(DetachKeys.Filter f, String s) {
        byte[] b = s.getBytes(StandardCharsets.ISO_8859_1);
        return new String(f.feed(b, b.length), StandardCharsets.ISO_8859_1);
    }
}
